#include "netlab/process/processes.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/process/proc_stat.h"
#include "netlab/process/spawn.h"

namespace netlab::process {

namespace {

using kernel::UniqueFd;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How long stop() waits for a process to disappear after SIGKILL. A process
// in uninterruptible sleep can take a moment; one that takes longer is stuck
// in the kernel and stop() reports false.
constexpr milliseconds kKillWait{5000};
// Poll interval for the fallback without pidfd (kernels before 5.3).
constexpr milliseconds kProcPoll{2};

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37), and older
// ones have no wrappers: call the system calls directly.
int pidfd_open(pid_t pid, unsigned flags) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}
int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

void check_pid(const ProcessId& id, const char* op) {
  // kill(0, ...) and kill(-1, ...) mean "my group" and "everyone": never.
  if (id.pid <= 0) throw KernelError(op, id.str(), EINVAL);
}

// An exited process a pidfd refers to is readable.
bool pidfd_exited(int pidfd) {
  struct pollfd p = {.fd = pidfd, .events = POLLIN, .revents = 0};
  int rc;
  while ((rc = ::poll(&p, 1, 0)) < 0 && errno == EINTR) {
  }
  if (rc < 0) throw KernelError("poll", "pidfd", errno);
  return rc > 0;
}

class RealProcesses final : public Processes {
 public:
  ProcessId spawn(const ProcessSpec& spec) override {
    // Collect whatever exited since last time, so long runs of netlab do not
    // pile up zombies of processes nobody asked about.
    reap_all();
    const pid_t pid = spawn_process(spec);
    // Our unreaped child: its /proc entry exists even if it already exited.
    const auto st = read_proc_stat(pid);
    if (!st) throw KernelError("read start time", spec.str(), ESRCH);
    children_[pid] = st->start_time;
    return {pid, st->start_time};
  }

  ProcessId spawn_held(const ProcessSpec& spec,
                       const std::function<void(const ProcessId&)>& while_held) override {
    reap_all();
    ProcessId id;
    const pid_t pid = spawn_process(spec, [&](pid_t child) {
      // Held and unreaped: its start time is fixed since fork and readable.
      const auto st = read_proc_stat(child);
      if (!st) throw KernelError("read start time", spec.str(), ESRCH);
      id = {child, st->start_time};
      if (while_held) while_held(id);
    });
    children_[pid] = id.start_time;
    return id;
  }

  bool alive(const ProcessId& id) override {
    check_pid(id, "alive");
    if (reap_if_ours(id, /*block=*/false)) return false;
    const auto st = read_proc_stat(id.pid);
    return st && st->start_time == id.start_time && !st->gone();
  }

  void signal(const ProcessId& id, int sig) override {
    check_pid(id, "signal");
    if (reap_if_ours(id, false)) return;
    UniqueFd pidfd(pidfd_open(id.pid, 0));
    if (!pidfd) {
      if (errno == ESRCH) return;  // gone
      if (errno != ENOSYS) throw KernelError("pidfd_open", id.str(), errno);
      signal_without_pidfd(id, sig);
      return;
    }
    // The pidfd pins the process that had the pid when it was opened; the
    // start time read now tells whether that is ours. If it differs but the
    // pinned process has exited, ours died and the pid was reused after the
    // open: ours is gone, nothing to do.
    const auto st = read_proc_stat(id.pid);
    if (!st) return;
    if (st->start_time != id.start_time) {
      if (pidfd_exited(pidfd.get())) return;
      throw_reused(id, *st, "signal");
    }
    if (st->gone()) return;
    if (pidfd_send_signal(pidfd.get(), sig) < 0) {
      if (errno == ESRCH) return;
      throw KernelError("signal " + std::string(sigabbrev_np(sig) ? sigabbrev_np(sig) : "?"),
                        id.str(), errno);
    }
  }

  bool wait_gone(const ProcessId& id, milliseconds timeout) override {
    check_pid(id, "wait_gone");
    if (reap_if_ours(id, false)) return true;
    const auto deadline = Clock::now() + timeout;
    UniqueFd pidfd(pidfd_open(id.pid, 0));
    if (!pidfd) {
      if (errno == ESRCH) return true;
      if (errno != ENOSYS) throw KernelError("pidfd_open", id.str(), errno);
      return wait_gone_polling(id, deadline);
    }
    const auto st = read_proc_stat(id.pid);
    // Missing, another process (ours is gone), or a zombie: gone.
    if (!st || st->start_time != id.start_time || st->gone()) {
      reap_if_ours(id, true);
      return true;
    }
    for (;;) {
      // Rounded up: poll() must not return before the deadline.
      const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
      struct pollfd p = {.fd = pidfd.get(), .events = POLLIN, .revents = 0};
      const int rc = ::poll(&p, 1, left > 0 ? static_cast<int>(left) : 0);
      if (rc < 0) {
        if (errno == EINTR) continue;
        throw KernelError("poll", "pidfd " + id.str(), errno);
      }
      if (rc > 0) {
        reap_if_ours(id, true);
        return true;
      }
      if (left <= 0) return false;
    }
  }

  bool stop(const ProcessId& id, milliseconds grace) override {
    if (!alive(id)) {
      reap_if_ours(id, true);
      return true;
    }
    signal(id, SIGTERM);
    if (wait_gone(id, grace)) return true;
    signal(id, SIGKILL);
    return wait_gone(id, kKillWait);
  }

  UniqueFd exit_fd(const ProcessId& id) override {
    check_pid(id, "exit_fd");
    UniqueFd pidfd(pidfd_open(id.pid, 0));
    if (!pidfd) return {};
    // The pidfd pins whoever has the pid now: it must be ours.
    const auto st = read_proc_stat(id.pid);
    if (!st || st->start_time != id.start_time) return {};
    return pidfd;
  }

  std::optional<ExitStatus> exit_status(const ProcessId& id) override {
    check_pid(id, "exit_status");
    reap_if_ours(id, false);
    auto it = exits_.find(id);
    if (it == exits_.end()) return std::nullopt;
    return it->second;
  }

 private:
  [[noreturn]] static void throw_reused(const ProcessId& id, const ProcStat& now, const char* op) {
    throw KernelError(op,
                      id.str() + " (pid " + std::to_string(id.pid) +
                          " now belongs to another process, started at " +
                          std::to_string(now.start_time) + ")",
                      ESRCH);
  }

  // Reaps `id` when it is our child and has exited; true when it is reaped
  // (now or before). `block` is for a child known to have exited.
  bool reap_if_ours(const ProcessId& id, bool block) {
    if (exits_.contains(id)) return true;
    auto it = children_.find(id.pid);
    if (it == children_.end() || it->second != id.start_time) return false;
    return reap(id.pid, block ? 0 : WNOHANG);
  }

  bool reap(pid_t pid, int flags) {
    int status = 0;
    pid_t rc;
    while ((rc = ::waitpid(pid, &status, flags)) < 0 && errno == EINTR) {
    }
    if (rc == 0) return false;  // still running
    const uint64_t start = children_[pid];
    children_.erase(pid);
    if (rc < 0) {
      // ECHILD: reaped elsewhere (someone called waitpid on it, or SIGCHLD
      // is ignored): gone, with no status to keep.
      if (errno == ECHILD) return true;
      throw KernelError("waitpid", std::to_string(pid), errno);
    }
    ExitStatus es;
    if (WIFSIGNALED(status)) {
      es.signal = WTERMSIG(status);
    } else {
      es.code = WEXITSTATUS(status);
    }
    exits_[ProcessId{pid, start}] = es;
    return true;
  }

  void reap_all() {
    for (auto it = children_.begin(); it != children_.end();) {
      const pid_t pid = (it++)->first;  // reap() erases the entry
      reap(pid, WNOHANG);
    }
  }

  void signal_without_pidfd(const ProcessId& id, int sig) {
    // Without pidfds there is a window between the check and kill() in which
    // the pid could be reused; it is as small as it can be made here.
    const auto st = read_proc_stat(id.pid);
    if (!st) return;
    if (st->start_time != id.start_time) throw_reused(id, *st, "signal");
    if (st->gone()) return;
    if (::kill(id.pid, sig) < 0 && errno != ESRCH) {
      throw KernelError("kill", id.str(), errno);
    }
  }

  bool wait_gone_polling(const ProcessId& id, Clock::time_point deadline) {
    for (;;) {
      if (reap_if_ours(id, false)) return true;
      const auto st = read_proc_stat(id.pid);
      if (!st || st->start_time != id.start_time || st->gone()) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kProcPoll);
    }
  }

  std::map<pid_t, uint64_t> children_;  // spawned and not reaped: pid -> start time
  std::map<ProcessId, ExitStatus> exits_;
};

}  // namespace


std::string ProcessId::str() const {
  return std::to_string(pid) + "@" + std::to_string(start_time);
}

std::string ExitStatus::str() const {
  if (signal != 0) {
    const char* name = sigabbrev_np(signal);
    return "killed by " + (name ? "SIG" + std::string(name) : "signal " + std::to_string(signal));
  }
  return "exited " + std::to_string(code);
}

std::unique_ptr<Processes> make_processes() { return std::make_unique<RealProcesses>(); }

std::optional<uint64_t> read_start_time(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto st = read_proc_stat(pid);
  if (!st) return std::nullopt;
  return st->start_time;
}

}  // namespace netlab::process
