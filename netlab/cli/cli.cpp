#include <CLI/CLI.hpp>

#include <cstdio>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/topology/diagnostics.h"
#include "netlab/version.h"

namespace netlab::cli {

namespace {

const std::vector<std::string> kCommands = {"run",  "sweep", "up",       "down",   "ls",     "status",
                                            "exec", "vtysh", "plan", "validate", "doctor", "report", "version"};

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"netlab: emulate an on-premises-to-AWS network, break it, and measure how fast it heals"};
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_version_flag("--version", std::string("netlab ") + NETLAB_VERSION);

  RunOptions run;
  auto* c_run = app.add_subcommand("run", "build a lab, run its scenarios, judge the targets, tear it down");
  c_run->add_option("file", run.file, "topology file (default: topologies/hybrid-backup.toml)");
  c_run->add_option("--out", run.out_dir, "directory for report.json and logs")->capture_default_str();
  c_run->add_option("--scenario", run.scenarios, "run only these scenarios (repeatable)");
  c_run->add_option("--trials", run.trials, "override every scenario's trial count")->check(CLI::Range(1, 1000));
  c_run->add_option("--junit", run.junit, "also write JUnit XML here");
  c_run->add_flag("--keep", run.keep, "leave the lab running afterwards (remove it with `netlab down`)");
  c_run->add_option("--seed", run.seed, "seed for impairments' randomness (default: [lab].seed, else random; reported)");

  SweepOptions sweep;
  auto* c_sweep = app.add_subcommand("sweep", "run every single failure the topology can have; resiliency matrix");
  c_sweep->add_option("file", sweep.file, "topology file")->required();
  c_sweep->add_option("--out", sweep.out_dir, "directory for sweep.json and logs")->capture_default_str();
  c_sweep->add_option("--hold", sweep.hold_s, "hold every failure this many seconds (default: long enough to detect it)");
  c_sweep->add_option("--trials", sweep.trials, "trials per failure")->check(CLI::Range(1, 100));
  c_sweep->add_option("--junit", sweep.junit, "also write JUnit XML here");
  c_sweep->add_option("--seed", sweep.seed, "seed for impairments' randomness");

  std::string up_file;
  auto* c_up = app.add_subcommand("up", "build a lab and leave it running");
  c_up->add_option("file", up_file, "topology file")->required();

  std::vector<std::string> down_labs;
  bool down_all = false;
  auto* c_down = app.add_subcommand("down", "tear a lab down completely (also after a crash)");
  c_down->add_option("lab", down_labs, "lab name(s)");
  c_down->add_flag("--all", down_all, "every lab on this host");

  app.add_subcommand("ls", "list labs with their state and age");

  std::string st_lab;
  auto* c_status = app.add_subcommand("status", "show a lab's nodes, sessions and links");
  c_status->add_option("lab", st_lab, "lab name")->required();

  std::string ex_lab, ex_node;
  std::vector<std::string> ex_argv;
  auto* c_exec = app.add_subcommand("exec", "run a command inside a node's namespace");
  c_exec->add_option("lab", ex_lab)->required();
  c_exec->add_option("node", ex_node)->required();
  c_exec->add_option("command", ex_argv, "the command and its arguments, after --")->required();

  std::string vt_lab, vt_node;
  std::vector<std::string> vt_cmds;
  auto* c_vtysh = app.add_subcommand("vtysh", "FRR's shell on a node (interactive, or -c COMMAND)");
  c_vtysh->add_option("lab", vt_lab)->required();
  c_vtysh->add_option("node", vt_node)->required();
  c_vtysh->add_option("-c,--command", vt_cmds, "run these commands and exit");

  std::string plan_file;
  bool plan_configs = false;
  auto* c_plan = app.add_subcommand("plan", "print the plan (names, addresses, sessions) without touching the host");
  c_plan->add_option("file", plan_file, "topology file")->required();
  c_plan->add_flag("--configs", plan_configs, "also print every rendered FRR configuration");

  std::vector<std::string> val_files;
  auto* c_val = app.add_subcommand("validate", "check topology files; every error with file:line:col");
  c_val->add_option("files", val_files, "topology files")->required();

  app.add_subcommand("doctor", "check this host: root, FRR, WireGuard, IPsec, netem, nftables");

  std::vector<std::string> rep_files;
  bool rep_markdown = false;
  auto* c_report = app.add_subcommand("report", "summarise report.json files (one row per scenario)");
  c_report->add_option("files", rep_files, "report.json files")->required();
  c_report->add_flag("--markdown", rep_markdown, "as a Markdown table (the README's catalogue)");
  app.add_subcommand("version", "print the version");

  // "did you mean" for a mistyped subcommand, before CLI11 sees it.
  if (argc > 1 && argv[1][0] != '-') {
    std::string first = argv[1];
    if (std::find(kCommands.begin(), kCommands.end(), first) == kCommands.end()) {
      std::string near = topology::closest(first, kCommands);
      std::fprintf(stderr, "netlab: unknown command \"%s\"%s\n", first.c_str(),
                   near.empty() ? "" : ("; did you mean \"" + near + "\"?").c_str());
      return 2;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (*c_run) return cmd_run(run);
    if (*c_sweep) return cmd_sweep(sweep);
    if (*c_up) return cmd_up(up_file);
    if (*c_down) {
      if (down_labs.empty() && !down_all) {
        std::fprintf(stderr, "netlab down: name a lab, or --all\n");
        return 2;
      }
      return cmd_down(down_labs, down_all);
    }
    if (app.got_subcommand("ls")) return cmd_ls();
    if (*c_status) return cmd_status(st_lab);
    if (*c_exec) return cmd_exec(ex_lab, ex_node, ex_argv);
    if (*c_vtysh) return cmd_vtysh(vt_lab, vt_node, vt_cmds);
    if (*c_plan) return cmd_plan(plan_file, plan_configs);
    if (*c_val) return cmd_validate(val_files);
    if (app.got_subcommand("doctor")) return cmd_doctor();
    if (*c_report) return cmd_report(rep_files, rep_markdown);
    if (app.got_subcommand("version")) {
      std::printf("netlab %s\n", NETLAB_VERSION);
      return 0;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "netlab: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab: internal error: %s\n", e.what());
    return 4;
  }
  return 2;
}

}  // namespace netlab::cli
