// Runs a short command to completion and captures its output: vtysh queries,
// `zebra --version`. An argv, never a shell; a deadline, after which the
// command is killed. For long-running daemons use Processes instead.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace netlab::process {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal (or the deadline)
  bool timed_out = false;
  bool interrupted = false;  // `stop` was set: the command was killed
  std::string out, err;
};

// Throws KernelError when the program cannot be started. With `stop` (the
// flag SIGINT/SIGTERM set), the command is also killed within ~50 ms of the
// flag being set, and the result says `interrupted`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10),
                          const std::atomic<bool>* stop = nullptr);

}  // namespace netlab::process
