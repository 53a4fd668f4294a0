// Shell completion and the manual page are read off the CLI definition:
// every command of the table and every option it declares appears, and the
// generated scripts work in a real shell.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "netlab/cli/commands.h"
#include "netlab/process/command.h"

namespace netlab::cli {
namespace {

std::string netlab_out(const std::vector<std::string>& args) {
  std::vector<std::string> argv{NETLAB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = process::run_command(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Sources the bash completion and asks it what `netlab WORDS...` completes to.
std::string bash_complete(const std::string& words) {
  std::string script = "/tmp/netlab-completion-test-" + std::to_string(::getpid()) + ".bash";
  std::ofstream(script) << netlab_out({"completion", "bash"});
  auto r = process::run_command(
      {"/bin/bash", "-c",
       "source \"$0\"; COMP_WORDS=($1); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _netlab; "
       "echo \"${COMPREPLY[*]}\"",
       script, words});
  std::filesystem::remove(script);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Completion, BashCompletesCommandsAndEachCommandsOwnOptions) {
  EXPECT_EQ(bash_complete("netlab swe"), "sweep\n");
  EXPECT_EQ(bash_complete("netlab v"), "vtysh validate version\n");
  // `run` declares --seed and --scenario; `sweep` has --hold but no --keep.
  EXPECT_EQ(bash_complete("netlab run --s"), "--scenario --seed --shard\n");
  EXPECT_EQ(bash_complete("netlab sweep --h"), "--help --hold\n");
  EXPECT_EQ(bash_complete("netlab sweep --k"), "\n");
  // Both split over labs side by side (--jobs) and take another lab name (--lab).
  EXPECT_EQ(bash_complete("netlab sweep --j"), "--junit --jobs\n");
  EXPECT_EQ(bash_complete("netlab sweep --l"), "--lab\n");
  EXPECT_EQ(bash_complete("netlab run --j"), "--junit --jobs\n");
  EXPECT_EQ(bash_complete("netlab run --l"), "--lab\n");
}

TEST(Completion, BashListsEveryCommandOfTheTable) {
  std::string all = bash_complete("netlab ''");
  for (const auto& c : command_table())
    EXPECT_NE(all.find(std::string(c.name)), std::string::npos) << c.name;
}

TEST(Completion, ZshDescribesEveryCommandAndOption) {
  std::string z = netlab_out({"completion", "zsh"});
  EXPECT_EQ(z.rfind("#compdef netlab\n", 0), 0u);
  auto app = make_app(nullptr);
  for (auto* sub : app->get_subcommands({})) {
    EXPECT_NE(z.find("'" + sub->get_name() + ":"), std::string::npos) << sub->get_name();
    for (const auto* o : sub->get_options()) {
      for (const auto& l : o->get_lnames()) {
        if (l != "help") {
          EXPECT_NE(z.find("--" + l), std::string::npos) << sub->get_name() << " --" << l;
        }
      }
    }
  }
}

TEST(Completion, AnUnknownShellIsAUsageError) {
  auto r = process::run_command({NETLAB_BINARY, "completion", "fish"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(ManPage, EveryCommandOptionAndExitCodeIsDocumented) {
  std::string man = netlab_out({"man"});
  EXPECT_EQ(man.rfind(".TH NETLAB 1", 0), 0u);
  for (const auto& c : command_table())
    EXPECT_NE(man.find(".B " + std::string(c.name) + "\\fR"), std::string::npos) << c.name;
  EXPECT_NE(man.find("\\-\\-scenario"), std::string::npos);
  for (const auto& [code, what] : exit_codes())
    EXPECT_NE(man.find(".B " + std::to_string(code) + "\n"), std::string::npos) << code;
}

TEST(ManPage, GroffFormatsItWithoutWarnings) {
  if (!std::filesystem::exists("/usr/bin/groff")) GTEST_SKIP() << "groff (groff-base) is not installed";
  std::string page = "/tmp/netlab-man-test-" + std::to_string(::getpid()) + ".1";
  std::ofstream(page) << netlab_out({"man"});
  auto r = process::run_command({"/usr/bin/groff", "-man", "-Tutf8", "-ww", "-z", page});
  std::filesystem::remove(page);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace netlab::cli
