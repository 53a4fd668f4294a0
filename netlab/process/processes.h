// Processes: spawn programs inside a lab's namespaces, signal and reap them.
//
// Always an argv and execve, never a shell. A process is identified by its
// pid AND its start time (field 22 of /proc/PID/stat), so a recycled pid is
// never mistaken for ours: signal() refuses a pid whose start time differs.
//
// Spawned processes run in their own session (setsid) so that they outlive
// netlab for `netlab up`; while netlab runs it reaps the ones that exit.
//
// spawn_held() is the two-phase spawn the lab journal relies on: the child
// exists (pid and start time known) but executes nothing until the caller's
// callback has returned, and it exits without executing when netlab dies
// before that. A program netlab starts therefore never runs unrecorded.
// Errors: KernelError. Threads: one Processes may be used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/process_spec.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::process {

// The spec is a base/ type so that the Plan names programs without this library.
using netlab::ProcessSpec;

struct ProcessId {
  pid_t pid = 0;
  uint64_t start_time = 0;  // clock ticks since boot
  bool operator==(const ProcessId&) const = default;
  auto operator<=>(const ProcessId&) const = default;
  std::string str() const;  // "1234@567890"
};

// How a process ended: its exit code, or the signal that killed it.
struct ExitStatus {
  int code = 0;    // meaningful when signal == 0
  int signal = 0;  // the terminating signal; 0 when the process called exit
  bool operator==(const ExitStatus&) const = default;
  std::string str() const;  // "exited 0", "killed by SIGKILL"
};

class Processes {
 public:
  virtual ~Processes() = default;
  // Returns once the program has been executed (execve succeeded). Every
  // failure, in netlab or in the child before exec, throws KernelError whose
  // op names the step ("open netns", "setns", "chdir", "execve", ...).
  virtual ProcessId spawn(const ProcessSpec&) = 0;
  // As spawn(), in two phases: forks, then calls while_held(id) while the
  // child waits before execve, then lets it execute. If while_held throws,
  // the child is killed and reaped without having executed anything, and the
  // exception propagates. If netlab dies while the child is held, the child
  // exits (127) without executing anything.
  virtual ProcessId spawn_held(const ProcessSpec&,
                               const std::function<void(const ProcessId&)>& while_held) = 0;
  // Alive: the pid exists, is not a zombie, and has the recorded start time.
  virtual bool alive(const ProcessId&) = 0;
  // Sends `sig`; does nothing when the process is gone; throws when the pid
  // now belongs to another process.
  virtual void signal(const ProcessId&, int sig) = 0;
  // Waits until the process is gone (reaping it if it is our child).
  virtual bool wait_gone(const ProcessId&, std::chrono::milliseconds timeout) = 0;
  // SIGTERM, wait up to `grace`, then SIGKILL and wait; true when it is gone.
  // A ProcessId whose pid now belongs to another process counts as gone and
  // that process is left alone.
  virtual bool stop(const ProcessId&, std::chrono::milliseconds grace) = 0;
  // How a process spawned by this Processes ended, once it has been reaped
  // (by alive(), wait_gone(), stop() or signal() noticing it gone). nullopt
  // while it runs, and for processes that are not ours.
  virtual std::optional<ExitStatus> exit_status(const ProcessId&) = 0;
  // An fd that turns readable when the process ends (a pidfd), to wait for
  // many processes in one poll (events.h). Readable means "ask alive()".
  // Empty when there is none to give (the process is gone, the pid is
  // another's, the kernel has no pidfds, or a fake): ask alive() instead.
  virtual kernel::UniqueFd exit_fd(const ProcessId&) { return {}; }
};

std::unique_ptr<Processes> make_processes();

// Reads the start time of `pid` from /proc; nullopt when there is no such pid.
std::optional<uint64_t> read_start_time(pid_t pid);

}  // namespace netlab::process
