// FakeProcesses: an in-memory process::Processes for unit tests of lab/,
// fault/ and scenario/. It records every call as one readable line, hands
// out fake pids (1001@1, 1002@2, ...), and lets a test crash a process, make
// one ignore SIGTERM or refuse to die, and make the Nth spawn fail.
//
// Its semantics follow the real implementation: signals to a gone process
// are no-ops, a ProcessId whose pid is known but whose start time differs is
// refused (KernelError, ESRCH), SIGTERM/SIGINT/SIGKILL end a process, other
// signals are only recorded. It never touches the kernel.
// Threads: every member is guarded by one mutex.
#pragma once

#include <cerrno>
#include <csignal>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "netlab/process/processes.h"

namespace netlab::testing {

class FakeProcesses : public process::Processes {
 public:
  using ProcessId = process::ProcessId;
  using ProcessSpec = process::ProcessSpec;
  using ExitStatus = process::ExitStatus;

  // Processes
  ProcessId spawn(const ProcessSpec& spec) override;   // "spawn [ns] argv..."
  // Recorded as spawn() ("spawn [ns] argv..."): the process exists when
  // while_held runs and counts as executed once it returns. When while_held
  // throws, the process ends "killed by SIGKILL" (recorded as
  // "signal ID 9") and the exception propagates.
  ProcessId spawn_held(const ProcessSpec& spec,
                       const std::function<void(const ProcessId&)>& while_held) override;
  bool alive(const ProcessId& id) override;            // "alive 1001@1"
  void signal(const ProcessId& id, int sig) override;  // "signal 1001@1 15"
  bool wait_gone(const ProcessId& id,
                 std::chrono::milliseconds timeout) override;                // "wait_gone 1001@1"
  bool stop(const ProcessId& id, std::chrono::milliseconds grace) override;  // "stop 1001@1"
  std::optional<ExitStatus> exit_status(const ProcessId& id) override;       // "exit_status 1001@1"

  // Every call in order, including the failed ones.
  std::vector<std::string> calls() const;
  // calls() without the queries (alive, wait_gone, exit_status): what a
  // component did to processes, which is what most tests assert.
  std::vector<std::string> actions() const;
  void clear_calls();

  // Specs of the successful spawns, in order.
  std::vector<ProcessSpec> spawned() const;
  std::optional<ProcessSpec> spec_of(const ProcessId& id) const;
  // Spawned processes still alive, in spawn order.
  std::vector<ProcessId> running() const;

  // The process dies by itself (a daemon crash); alive() turns false.
  void crash(const ProcessId& id, ExitStatus how = {.code = 0, .signal = SIGSEGV});
  // SIGTERM (and SIGINT) is ignored: stop() must escalate to SIGKILL, and
  // the process ends up "killed by SIGKILL".
  void ignore_sigterm(const ProcessId& id);
  // Nothing ends it (a process stuck in the kernel): stop() returns false.
  void make_unkillable(const ProcessId& id);
  // The nth call of spawn() from now on (1 = the next) throws
  // KernelError(step, argv[0], err), as a real failed exec would.
  void fail_spawn(int nth, int err = ENOENT, std::string step = "execve");

 private:
  struct Proc {
    ProcessSpec spec;
    bool alive = true;
    bool ignores_term = false;
    bool unkillable = false;
    std::optional<ExitStatus> status;
  };
  // The process `id` names, or nullptr when unknown; throws when the pid is
  // known with another start time (pid reuse), like the real one.
  Proc* find(const ProcessId& id, const char* op);
  const Proc* find_const(const ProcessId& id) const;
  void record(std::string line);
  void deliver(Proc& p, int sig);

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  std::map<ProcessId, Proc> procs_;
  std::vector<ProcessId> order_;
  int spawn_calls_ = 0;
  std::map<int, std::pair<int, std::string>> failures_;  // spawn call number -> errno, step
  pid_t next_pid_ = 1001;
  uint64_t next_start_ = 1;
};

}  // namespace netlab::testing
