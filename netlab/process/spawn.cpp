#include "netlab/process/spawn.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::process {

namespace {

using kernel::UniqueFd;

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The steps of the child, in the order it takes them. The names become
// KernelError::op in the parent.
enum class Step : int32_t {
  kSignals,
  kSetsid,
  kChdir,
  kUnshareMount,
  kMakeRslave,
  kBindRun,
  kSetns,
  kStdin,
  kStdout,
  kStderr,
  kCloseFds,
  kSigmask,
  kExec,
};

const char* step_name(Step s) {
  switch (s) {
    case Step::kSignals:
      return "reset signal dispositions";
    case Step::kSetsid:
      return "setsid";
    case Step::kChdir:
      return "chdir";
    case Step::kUnshareMount:
      return "unshare mount namespace";
    case Step::kMakeRslave:
      return "make / rslave";
    case Step::kBindRun:
      return "bind-mount private /run";
    case Step::kSetns:
      return "setns";
    case Step::kStdin:
      return "redirect stdin";
    case Step::kStdout:
      return "redirect stdout";
    case Step::kStderr:
      return "redirect stderr";
    case Step::kCloseFds:
      return "close inherited fds";
    case Step::kSigmask:
      return "reset signal mask";
    case Step::kExec:
      return "execve";
  }
  return "spawn";
}

struct ChildReport {
  int32_t step;
  int32_t err;
};

// Everything the child needs, prepared before fork: no allocation after it.
struct ChildPlan {
  const char* exec_path;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  const char* private_run;  // nullptr: no private mount namespace
  int nsfd;                 // -1: stay in netlab's namespace
  int stdin_fd;
  int log_fd;
  int report_fd;
  int go_fd;       // -1: not held; else the child's end of the "go" socket
  int go_peer_fd;  // netlab's end, which the child must not keep open
};

[[noreturn]] void child_fail(int report_fd, Step step) {
  const ChildReport r{static_cast<int32_t>(step), errno};
  // Nothing else can be done if the report cannot be written: the parent
  // then sees EOF and a child that exited with 127 before exec.
  while (::write(report_fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

// Marks every fd >= 3 close-on-exec. The report pipe is already CLOEXEC and
// must stay open until execve, so closing everything now is not an option.
int cloexec_from_3() {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
  if (errno != ENOSYS && errno != EINVAL) return -1;
  // Kernels before 5.11: walk the fd table up to the limit.
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) < 0) return -1;
  const rlim_t top = rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
  for (rlim_t fd = 3; fd < top; ++fd) {
    int flags = ::fcntl(static_cast<int>(fd), F_GETFD);
    if (flags >= 0) ::fcntl(static_cast<int>(fd), F_SETFD, flags | FD_CLOEXEC);
  }
  return 0;
}

[[noreturn]] void run_child(const ChildPlan& p) {
  const int rfd = p.report_fd;
  // Only netlab may hold the other end of the go socket: when netlab dies,
  // the child must see EOF.
  if (p.go_peer_fd >= 0) ::close(p.go_peer_fd);

  // All signals are blocked (the parent blocked them around fork), so no
  // handler of netlab's can run here. Give every signal its default action
  // back: an ignored signal would stay ignored across execve. sigaction
  // refuses SIGKILL, SIGSTOP and the C library's internal signals with
  // EINVAL; those have nothing to reset.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (::sigaction(sig, &dfl, nullptr) < 0 && errno != EINVAL) child_fail(rfd, Step::kSignals);
  }

  if (::setsid() < 0) child_fail(rfd, Step::kSetsid);
  // Before the private /run is mounted, so that cwd means what netlab meant.
  if (::chdir(p.cwd) < 0) child_fail(rfd, Step::kChdir);

  if (p.private_run != nullptr) {
    if (::unshare(CLONE_NEWNS) < 0) child_fail(rfd, Step::kUnshareMount);
    // Slave, so that the bind below never propagates back to the host, while
    // mounts and unmounts from the host (e.g. `ip netns del`) still reach us.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) {
      child_fail(rfd, Step::kMakeRslave);
    }
    if (::mount(p.private_run, "/run", nullptr, MS_BIND, nullptr) < 0) {
      child_fail(rfd, Step::kBindRun);
    }
  }

  if (p.nsfd >= 0 && ::setns(p.nsfd, CLONE_NEWNET) < 0) child_fail(rfd, Step::kSetns);

  // The source fds are >= 3 (see open_high), so dup2 always makes a new fd
  // without FD_CLOEXEC.
  if (::dup2(p.stdin_fd, 0) < 0) child_fail(rfd, Step::kStdin);
  if (::dup2(p.log_fd, 1) < 0) child_fail(rfd, Step::kStdout);
  if (::dup2(p.log_fd, 2) < 0) child_fail(rfd, Step::kStderr);
  if (cloexec_from_3() < 0) child_fail(rfd, Step::kCloseFds);

  // Held: nothing is executed before netlab has recorded this process. EOF
  // (netlab died, or gave up on it) means "never run": exit quietly.
  if (p.go_fd >= 0) {
    char go = 0;
    ssize_t n;
    while ((n = ::read(p.go_fd, &go, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) ::_exit(127);
    ::close(p.go_fd);
  }

  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0) child_fail(rfd, Step::kSigmask);

  ::execve(p.exec_path, p.argv, p.envp);
  child_fail(rfd, Step::kExec);
}

// An fd >= 3, so that it can never already be 0, 1 or 2 when netlab runs
// with a standard stream closed.
UniqueFd open_high(const std::string& path, int flags, mode_t mode, const std::string& op) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
  if (!fd) throw KernelError(op, path, errno);
  if (fd.get() < 3) {
    UniqueFd high(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
    if (!high) throw KernelError("fcntl F_DUPFD_CLOEXEC", path, errno);
    return high;
  }
  return fd;
}

// The same for an fd made by another call (a socket).
UniqueFd raise_high(UniqueFd fd, const std::string& op) {
  if (fd.get() >= 3) return fd;
  UniqueFd high(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  if (!high) throw KernelError("fcntl F_DUPFD_CLOEXEC", op, errno);
  return high;
}

bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

void validate(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    throw Error("spawn: empty argv");
  }
  for (const auto& a : spec.argv) {
    if (has_nul(a)) throw Error("spawn " + spec.argv[0] + ": argument contains NUL");
  }
  for (const auto& [k, v] : spec.env) {
    if (k.empty() || k.find('=') != std::string::npos || has_nul(k) || has_nul(v)) {
      throw Error("spawn " + spec.argv[0] + ": invalid environment variable name '" + k + "'");
    }
  }
  if (spec.cwd.empty() || has_nul(spec.cwd)) throw Error("spawn " + spec.argv[0] + ": empty cwd");
  if (!spec.ns.empty() &&
      (spec.ns == "." || spec.ns == ".." || spec.ns.find('/') != std::string::npos ||
       has_nul(spec.ns) || spec.ns.size() > NAME_MAX)) {
    throw KernelError("open netns", spec.ns, EINVAL);
  }
  if (spec.private_run && (spec.private_run->empty() || has_nul(*spec.private_run))) {
    throw Error("spawn " + spec.argv[0] + ": empty private_run");
  }
}

// A program named without a '/' is looked up in the child's PATH, as execvp
// would, but here, so that "not found" is an error of the caller's thread.
std::string resolve_program(const std::string& name,
                            const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  auto it = env.find("PATH");
  const std::string path = it != env.end() ? it->second : kDefaultPath;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find(':', pos);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(pos, end - pos);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    pos = end + 1;
  }
  throw KernelError("find program in PATH", name, ENOENT);
}

std::string step_object(Step step, const ProcessSpec& spec, const std::string& exec_path) {
  switch (step) {
    case Step::kChdir:
      return spec.cwd;
    case Step::kUnshareMount:
    case Step::kMakeRslave:
    case Step::kBindRun:
      return spec.private_run.value_or("") + " over /run";
    case Step::kSetns:
      return "/run/netns/" + spec.ns;
    case Step::kStdout:
    case Step::kStderr:
      return spec.log_path.empty() ? "/dev/null" : spec.log_path;
    case Step::kExec:
      return exec_path;
    default:
      return spec.str();
  }
}

// Blocks every signal on the calling thread for its lifetime, so that the
// child cannot run one of netlab's handlers between fork and execve.
class BlockAllSignals {
 public:
  BlockAllSignals() {
    sigset_t all;
    sigfillset(&all);
    if (int rc = ::pthread_sigmask(SIG_SETMASK, &all, &old_); rc != 0) {
      throw KernelError("pthread_sigmask", "spawn", rc);
    }
  }
  ~BlockAllSignals() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockAllSignals(const BlockAllSignals&) = delete;
  BlockAllSignals& operator=(const BlockAllSignals&) = delete;

 private:
  sigset_t old_;
};

void reap_blocking(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// The parent's side of a held child: while_held(pid) runs while the child
// waits before execve, then the child is told to go (or killed, if
// while_held threw).
void hold_then_release(pid_t pid, const std::function<void(pid_t)>& while_held, UniqueFd& go_parent,
                       UniqueFd& go_child) {
  go_child.reset();
  try {
    while_held(pid);
  } catch (...) {
    // Not recorded: it must never run. It is blocked before execve.
    ::kill(pid, SIGKILL);
    reap_blocking(pid);
    throw;
  }
  const char go = 'g';
  ssize_t n;
  while ((n = ::send(go_parent.get(), &go, 1, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  // EPIPE/ECONNRESET: the child failed a step before it was held and has
  // exited; its report below says which.
  go_parent.reset();
}

// The child's report, as many bytes of it as arrive before EOF (0: execve
// succeeded and closed the pipe).
size_t read_report(const UniqueFd& report_r, ChildReport& report, pid_t pid, const ProcessSpec& spec) {
  size_t got = 0;
  while (got < sizeof report) {
    const ssize_t n =
        ::read(report_r.get(), reinterpret_cast<char*>(&report) + got, sizeof report - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      // Cannot learn the outcome: do not leave a half-started child behind.
      ::kill(pid, SIGKILL);
      reap_blocking(pid);
      throw KernelError("read spawn report", spec.str(), err);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

}  // namespace

std::vector<std::string> spawn_environment(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size() + 1);
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  if (!env.contains("PATH")) out.push_back(std::string("PATH=") + kDefaultPath);
  return out;
}

pid_t spawn_process(const ProcessSpec& spec, const std::function<void(pid_t)>& while_held) {
  validate(spec);
  const std::string exec_path = resolve_program(spec.argv[0], spec.env);

  std::vector<std::string> env_strings = spawn_environment(spec.env);
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  UniqueFd nsfd;
  if (!spec.ns.empty()) {
    const std::string path = "/run/netns/" + spec.ns;
    nsfd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!nsfd) throw KernelError("open netns", spec.ns, errno);
  }
  UniqueFd stdin_fd = open_high("/dev/null", O_RDONLY, 0, "open");
  UniqueFd log_fd =
      spec.log_path.empty()
          ? open_high("/dev/null", O_WRONLY, 0, "open")
          : open_high(spec.log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0640, "open log");

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) throw KernelError("pipe2", "spawn " + spec.argv[0], errno);
  UniqueFd report_r(pipefd[0]), report_w(pipefd[1]);
  // A socket rather than a pipe, so that saying go to a child that already
  // died is EPIPE from send(MSG_NOSIGNAL), never a SIGPIPE.
  UniqueFd go_parent, go_child;
  if (while_held) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
      throw KernelError("socketpair", "spawn " + spec.argv[0], errno);
    }
    go_parent = raise_high(UniqueFd(sv[0]), "spawn " + spec.argv[0]);
    go_child = raise_high(UniqueFd(sv[1]), "spawn " + spec.argv[0]);
  }

  const ChildPlan plan{
      .exec_path = exec_path.c_str(),
      .argv = argv.data(),
      .envp = envp.data(),
      .cwd = spec.cwd.c_str(),
      .private_run = spec.private_run ? spec.private_run->c_str() : nullptr,
      .nsfd = nsfd ? nsfd.get() : -1,
      .stdin_fd = stdin_fd.get(),
      .log_fd = log_fd.get(),
      .report_fd = report_w.get(),
      .go_fd = go_child ? go_child.get() : -1,
      .go_peer_fd = go_parent ? go_parent.get() : -1,
  };

  pid_t pid;
  {
    BlockAllSignals blocked;
    pid = ::fork();
    if (pid == 0) run_child(plan);
  }
  if (pid < 0) throw KernelError("fork", spec.str(), errno);
  report_w.reset();  // only the child holds the write end now: EOF = execve succeeded

  if (while_held) hold_then_release(pid, while_held, go_parent, go_child);

  ChildReport report{};
  const size_t got = read_report(report_r, report, pid, spec);
  if (got == 0) return pid;  // pipe closed by execve
  reap_blocking(pid);
  if (got != sizeof report) throw Error("spawn " + spec.str() + ": truncated report from child");
  const auto step = static_cast<Step>(report.step);
  throw KernelError(step_name(step), step_object(step, spec, exec_path), report.err);
}

}  // namespace netlab::process
