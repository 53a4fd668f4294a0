// Runs a short command to completion and captures its output: vtysh queries,
// `zebra --version`. An argv, never a shell; a deadline, after which the
// command is killed. For long-running daemons use Processes instead.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace netlab::process {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal (or the deadline)
  bool timed_out = false;
  std::string out, err;
};

// Throws KernelError when the program cannot be started.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace netlab::process
