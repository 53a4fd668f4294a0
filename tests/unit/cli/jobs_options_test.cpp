// `--jobs` of run and sweep: the combinations netlab refuses, refused before
// anything is built (exit 2, the reason said), so no root is needed here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "netlab/process/command.h"

namespace netlab::cli {
namespace {

process::CommandResult netlab(const std::vector<std::string>& args) {
  std::vector<std::string> argv{NETLAB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return process::run_command(argv);
}

const std::string kSmall = std::string(NETLAB_TEST_DATA) + "/lab/small.toml";

TEST(JobsOptions, JobsWithAShardIsRefused) {
  for (const char* cmd : {"run", "sweep"}) {
    auto r = netlab({cmd, kSmall, "--jobs", "2", "--shard", "1/2", "--out", "/nonexistent/never"});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--jobs and --shard cannot be combined"), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST(JobsOptions, RunJobsWithKeepIsRefused) {
  auto r = netlab({"run", kSmall, "--jobs", "2", "--keep", "--out", "/nonexistent/never"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--jobs and --keep cannot be combined"), std::string::npos) << r.err;
}

TEST(JobsOptions, ALabNameOutsideTheRulesIsRefused) {
  for (const char* cmd : {"run", "sweep"}) {
    auto r = netlab({cmd, kSmall, "--lab", "Bad_Name", "--out", "/nonexistent/never"});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("is not a valid lab name"), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST(SweepOnlyOption, AnUnknownChoiceOrNothingToSweepIsRefused) {
  auto r = netlab({"sweep", kSmall, "--only", "vpn", "--out", "/nonexistent/never"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // small.toml has no DX connection: nothing for the class to judge, refused
  // before any lab is built, serial or with jobs.
  for (const char* jobs : {"1", "2"}) {
    r = netlab({"sweep", kSmall, "--only", "dx", "--jobs", jobs, "--out", "/nonexistent/never"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--only dx: the topology has no Direct Connect connection"), std::string::npos) << r.err;
  }
}

TEST(JobsOptions, MoreJobsThanTheCapIsAUsageError) {
  auto r = netlab({"run", kSmall, "--jobs", "17"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST(JobsOptions, TheHelpStatesTheDefault) {
  for (const char* cmd : {"run", "sweep"}) {
    auto r = netlab({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("default: one lab per two CPUs netlab may use"), std::string::npos) << cmd << ": " << r.out;
  }
}

}  // namespace
}  // namespace netlab::cli
