// One function per subcommand; cli.cpp parses the command line and calls
// them. Each returns the process exit code (DESIGN.md, "Exit codes").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netlab::cli {

struct RunOptions {
  std::string file;
  std::string out_dir = "netlab-out";
  std::vector<std::string> scenarios;  // empty: all
  int trials = 0;                      // 0: as the file says
  std::string junit;
  bool keep = false;                   // leave the lab up afterwards
  std::optional<uint64_t> seed;        // impairment randomness (else [lab].seed, else random)
};

struct SweepOptions {
  std::string file;
  std::string out_dir = "netlab-out";
  double hold_s = 0;  // 0: per failure, from the slowest detection it involves
  int trials = 1;
  std::string junit;
  std::optional<uint64_t> seed;
};

int cmd_sweep(const SweepOptions&);
int cmd_report(const std::vector<std::string>& files, bool markdown);
int cmd_validate(const std::vector<std::string>& files);
int cmd_plan(const std::string& file, bool configs);
int cmd_run(const RunOptions&);
int cmd_up(const std::string& file);
int cmd_down(const std::vector<std::string>& labs, bool all);
int cmd_ls();
int cmd_status(const std::string& lab);
int cmd_exec(const std::string& lab, const std::string& node, const std::vector<std::string>& argv);
int cmd_vtysh(const std::string& lab, const std::string& node, const std::vector<std::string>& commands);
int cmd_doctor();

// The hidden subcommand behind nothing: netlab itself never needs it.
int run_cli(int argc, char** argv);

}  // namespace netlab::cli
