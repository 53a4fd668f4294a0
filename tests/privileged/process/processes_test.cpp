// The real Processes against the real kernel, in namespaces these tests
// create (nl-tp<pid>-*) and delete. Each test asserts what the spawned
// process actually got (namespace, session, fds, environment, mounts,
// signal state) as the kernel reports it in /proc, not that code ran.
#include "netlab/process/processes.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/process/proc_stat.h"

namespace netlab::process {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr const char* kHelperEnv = "NETLAB_PROCESS_TEST_HELPER";

// When this test binary is started with NETLAB_PROCESS_TEST_HELPER set, it is
// a helper process for the tests below, not a test run: a program with a
// known behaviour that needs no shell and no extra binary. It acts before
// main() (and gtest) ever run.
[[maybe_unused]] const bool helper_mode = [] {
  const char* mode = ::getenv(kHelperEnv);
  if (mode == nullptr) return false;
  if (std::strcmp(mode, "ignore-term") == 0) {
    ::signal(SIGTERM, SIG_IGN);
    static const char ready[] = "ready\n";
    if (::write(1, ready, sizeof ready - 1) < 0) ::_exit(3);
    for (;;) ::pause();
  }
  ::_exit(2);
}();

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Polls `cond` until it holds or `timeout` passes (a bounded wait on state
// the test cannot be notified of).
template <class F>
bool eventually(F cond, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Zombies whose parent is this test process: what must never remain.
std::vector<pid_t> our_zombies() {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    auto st = read_proc_stat(std::stoi(name));
    if (st && st->ppid == ::getpid() && st->gone()) out.push_back(st->pid);
  }
  return out;
}

uint64_t inode_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) throw KernelError("stat", path, errno);
  return st.st_ino;
}

std::string proc_status_field(pid_t pid, const std::string& field) {
  for (const auto& l : lines(read_file("/proc/" + std::to_string(pid) + "/status"))) {
    if (l.starts_with(field + ":")) {
      std::string v = l.substr(field.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

// A fixture command (ip): run to completion, success required.
void run_ok(Processes& p, std::vector<std::string> argv) {
  const std::string what = ProcessSpec{.argv = argv}.str();
  const ProcessId id = p.spawn({.argv = std::move(argv)});
  ASSERT_TRUE(p.wait_gone(id, milliseconds(10000))) << what;
  ASSERT_EQ(p.exit_status(id), ExitStatus{}) << what;
}

class ProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    prefix_ = "nl-tp" + std::to_string(::getpid());
    char tmpl[] = "/tmp/nl-tp-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
  }
  // Every step runs even when an earlier one fails: the namespaces must go.
  void TearDown() override {
    auto step = [](const char* what, auto&& f) {
      try {
        f();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "teardown: " << what << ": " << e.what();
      }
    };
    for (const auto& id : started_) step("stop", [&] { p_->stop(id, milliseconds(1000)); });
    for (const auto& ns : namespaces_) {
      step("delete namespace", [&] {
        const ProcessId id = p_->spawn({.argv = {"/usr/sbin/ip", "netns", "del", ns}});
        EXPECT_TRUE(p_->wait_gone(id, milliseconds(10000)));
        EXPECT_EQ(p_->exit_status(id), ExitStatus{}) << "ip netns del " << ns;
      });
    }
    if (!tmp_.empty()) fs::remove_all(tmp_);
    EXPECT_THAT(our_zombies(), ::testing::IsEmpty());
  }

  std::string make_netns(const std::string& suffix) {
    const std::string ns = prefix_ + "-" + suffix;
    run_ok(*p_, {"/usr/sbin/ip", "netns", "add", ns});
    namespaces_.push_back(ns);
    return ns;
  }

  ProcessId start(ProcessSpec spec) {
    ProcessId id = p_->spawn(spec);
    started_.push_back(id);
    return id;
  }

  std::unique_ptr<Processes> p_ = make_processes();
  std::string prefix_, tmp_;
  std::vector<std::string> namespaces_;
  std::vector<ProcessId> started_;
};

TEST_F(ProcessesTest, SpawnRunsInTheNamespaceInItsOwnSessionWithOnlyStdio) {
  const std::string ns = make_netns("a");
  const std::string log = tmp_ + "/sleep.log";
  // A stray fd without O_CLOEXEC in netlab must not reach the child.
  const int stray = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(stray, 0);
  const ProcessId id = start({.ns = ns, .argv = {"/bin/sleep", "30"}, .log_path = log});
  ::close(stray);

  const std::string proc = "/proc/" + std::to_string(id.pid);
  EXPECT_EQ(inode_of(proc + "/ns/net"), inode_of("/run/netns/" + ns));
  EXPECT_NE(inode_of(proc + "/ns/net"), inode_of("/proc/self/ns/net"));
  EXPECT_EQ(inode_of(proc + "/ns/mnt"), inode_of("/proc/self/ns/mnt"));  // no private_run
  EXPECT_EQ(::getsid(id.pid), id.pid);
  EXPECT_EQ(read_file(proc + "/cmdline"), std::string("/bin/sleep") + '\0' + "30" + '\0');

  // Right after execve the dynamic loader may still hold a library open
  // for a moment; an inherited fd would stay forever.
  auto fds = [&] {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(proc + "/fd")) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_TRUE(eventually([&] {
    return fds() == std::vector<std::string>{"0", "1", "2"};
  })) << ::testing::PrintToString(fds());
  EXPECT_EQ(fs::read_symlink(proc + "/fd/0"), "/dev/null");
  EXPECT_EQ(fs::read_symlink(proc + "/fd/1"), log);
  EXPECT_EQ(fs::read_symlink(proc + "/fd/2"), log);
  // Created 0640 (less whatever the umask takes away, never more).
  const fs::perms rw = fs::perms::owner_read | fs::perms::owner_write;
  EXPECT_EQ(fs::status(log).permissions() & rw, rw);
  EXPECT_EQ(fs::status(log).permissions() & fs::perms::all & ~(rw | fs::perms::group_read),
            fs::perms::none);
  EXPECT_EQ(fs::read_symlink(proc + "/cwd"), "/");
  EXPECT_TRUE(p_->alive(id));

  EXPECT_TRUE(p_->stop(id, milliseconds(2000)));
  EXPECT_FALSE(p_->alive(id));
  EXPECT_EQ(p_->exit_status(id), (ExitStatus{.signal = SIGTERM}));
  EXPECT_FALSE(fs::exists(proc));  // reaped, not a zombie
}

TEST_F(ProcessesTest, SignalMaskAndIgnoredSignalsAreReset) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  struct sigaction ign = {}, old_usr2 = {};
  ign.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ign, &old_usr2), 0);

  const ProcessId id = start({.argv = {"/bin/sleep", "30"}});

  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(proc_status_field(id.pid, "SigBlk"), "0000000000000000");
  EXPECT_EQ(proc_status_field(id.pid, "SigIgn"), "0000000000000000");
}

TEST_F(ProcessesTest, EnvironmentIsExactlyTheSpecsPlusPath) {
  const std::string log = tmp_ + "/env.log";
  // A bare program name is looked up in PATH.
  const ProcessId id =
      start({.argv = {"env"}, .env = {{"A", "1"}, {"B", "two words"}}, .log_path = log});
  ASSERT_TRUE(p_->wait_gone(id, milliseconds(5000)));
  EXPECT_EQ(p_->exit_status(id), ExitStatus{});
  EXPECT_THAT(
      lines(read_file(log)),
      UnorderedElementsAre("A=1", "B=two words",
                           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));

  const std::string log2 = tmp_ + "/env2.log";
  const ProcessId id2 =
      start({.argv = {"/usr/bin/env"}, .env = {{"PATH", "/nowhere"}}, .log_path = log2});
  ASSERT_TRUE(p_->wait_gone(id2, milliseconds(5000)));
  EXPECT_THAT(lines(read_file(log2)), ElementsAre("PATH=/nowhere"));
}

TEST_F(ProcessesTest, LogIsAppendedAndCwdApplied) {
  const std::string log = tmp_ + "/pwd.log";
  { std::ofstream(log) << "before\n"; }
  const ProcessId id = start({.argv = {"/bin/pwd"}, .log_path = log, .cwd = tmp_});
  ASSERT_TRUE(p_->wait_gone(id, milliseconds(5000)));
  EXPECT_THAT(lines(read_file(log)), ElementsAre("before", tmp_));
}

TEST_F(ProcessesTest, PrivateRunIsBoundOverRunForThatProcessOnly) {
  const std::string ns = make_netns("a");
  const std::string run = tmp_ + "/run";
  fs::create_directory(run);
  const std::string marker = prefix_ + "-marker";
  ASSERT_FALSE(fs::exists("/run/" + marker));

  const ProcessId id =
      start({.ns = ns, .argv = {"/bin/mkdir", "/run/" + marker}, .private_run = run});
  ASSERT_TRUE(p_->wait_gone(id, milliseconds(5000)));
  EXPECT_EQ(p_->exit_status(id), ExitStatus{});
  EXPECT_TRUE(fs::is_directory(run + "/" + marker));
  EXPECT_FALSE(fs::exists("/run/" + marker));

  // The process is in a mount namespace of its own, and the host's /run is
  // not what it sees.
  const ProcessId sleeper = start({.ns = ns, .argv = {"/bin/sleep", "30"}, .private_run = run});
  const std::string proc = "/proc/" + std::to_string(sleeper.pid);
  EXPECT_NE(inode_of(proc + "/ns/mnt"), inode_of("/proc/self/ns/mnt"));
  EXPECT_EQ(inode_of(proc + "/root/run"), inode_of(run));
  EXPECT_EQ(inode_of(proc + "/ns/net"), inode_of("/run/netns/" + ns));
}

TEST_F(ProcessesTest, FailuresNameTheStepAndLeaveNoChild) {
  auto expect_failure = [&](const ProcessSpec& spec, const std::string& op,
                            const std::string& object, int err) {
    try {
      p_->spawn(spec);
      ADD_FAILURE() << "spawn of " << spec.str() << " should fail";
    } catch (const KernelError& e) {
      EXPECT_EQ(e.op(), op) << e.what();
      EXPECT_EQ(e.object(), object) << e.what();
      EXPECT_EQ(e.err(), err) << e.what();
    }
  };
  expect_failure({.argv = {"/nonexistent/prog", "x"}}, "execve", "/nonexistent/prog", ENOENT);
  const std::string not_executable = tmp_ + "/data";
  std::ofstream(not_executable) << "data\n";
  expect_failure({.argv = {not_executable}}, "execve", not_executable, EACCES);
  expect_failure({.argv = {"/bin/true"}, .cwd = "/nonexistent"}, "chdir", "/nonexistent", ENOENT);
  expect_failure({.ns = prefix_ + "-none", .argv = {"/bin/true"}}, "open netns", prefix_ + "-none",
                 ENOENT);
  expect_failure({.argv = {"nl-no-such-program"}}, "find program in PATH", "nl-no-such-program",
                 ENOENT);
  expect_failure({.argv = {"/bin/true"}, .private_run = tmp_ + "/absent"},
                 "bind-mount private /run", tmp_ + "/absent over /run", ENOENT);
  expect_failure({.argv = {"/bin/true"}, .log_path = tmp_ + "/absent/x.log"}, "open log",
                 tmp_ + "/absent/x.log", ENOENT);
  EXPECT_THAT(our_zombies(), ::testing::IsEmpty());
}

TEST_F(ProcessesTest, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  const std::string log = tmp_ + "/helper.log";
  const ProcessId id =
      start({.argv = {self_exe()}, .env = {{kHelperEnv, "ignore-term"}}, .log_path = log});
  // SIGTERM must only be sent once the helper ignores it.
  ASSERT_TRUE(eventually([&] { return read_file(log) == "ready\n"; }));
  EXPECT_NE(proc_status_field(id.pid, "SigIgn"), "0000000000000000");

  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(p_->stop(id, milliseconds(300)));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_EQ(p_->exit_status(id), (ExitStatus{.signal = SIGKILL}));
}

TEST_F(ProcessesTest, StopOfACooperativeProcessIsQuick) {
  const ProcessId id = start({.argv = {"/bin/sleep", "30"}});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(p_->stop(id, milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1000));
  EXPECT_EQ(p_->exit_status(id), (ExitStatus{.signal = SIGTERM}));
  EXPECT_TRUE(p_->stop(id, milliseconds(10)));  // again: already gone
}

TEST_F(ProcessesTest, AProcessIdWithAnotherStartTimeIsRefused) {
  const ProcessId id = start({.argv = {"/bin/sleep", "30"}});
  const ProcessId stale{id.pid, id.start_time + 1};  // what a reused pid looks like
  EXPECT_FALSE(p_->alive(stale));
  try {
    p_->signal(stale, SIGTERM);
    ADD_FAILURE() << "signal to a reused pid must throw";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ESRCH);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("another process"));
  }
  EXPECT_TRUE(p_->stop(stale, milliseconds(10)));  // ours is gone; leave the other alone
  EXPECT_TRUE(p_->wait_gone(stale, milliseconds(10)));
  EXPECT_TRUE(p_->alive(id));
  EXPECT_TRUE(fs::exists("/proc/" + std::to_string(id.pid)));
  EXPECT_THROW(p_->signal({0, 0}, SIGTERM), KernelError);  // never kill(0, ...)
}

TEST_F(ProcessesTest, StartTimeIsField22EvenWithAStrangeCommandName) {
  // exec of a file named like this makes it the comm, parentheses and all.
  const std::string odd = tmp_ + "/sl) S 1 (p";
  fs::copy_file("/bin/sleep", odd);
  fs::permissions(odd, fs::perms::owner_all);
  const ProcessId id = start({.argv = {odd, "30"}});
  EXPECT_EQ(read_proc_stat(id.pid)->comm, "sl) S 1 (p");
  EXPECT_EQ(read_start_time(id.pid), id.start_time);
  EXPECT_EQ(read_proc_stat(id.pid)->ppid, ::getpid());

  // start_time counts clock ticks since boot: the process started just now.
  timespec boot;
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  const long hz = ::sysconf(_SC_CLK_TCK);
  const uint64_t now_ticks = static_cast<uint64_t>(boot.tv_sec) * hz +
                             static_cast<uint64_t>(boot.tv_nsec) * hz / 1000000000;
  EXPECT_LE(id.start_time, now_ticks);
  EXPECT_GE(id.start_time + static_cast<uint64_t>(hz), now_ticks);  // within a second
  EXPECT_TRUE(p_->alive(id));
  EXPECT_EQ(read_start_time(999999999), std::nullopt);
}

TEST_F(ProcessesTest, WaitGoneTimesOutAndWorksForAProcessThatIsNotOurs) {
  const ProcessId id = start({.argv = {"/bin/sleep", "30"}});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(p_->wait_gone(id, milliseconds(100)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(100));

  // Another Processes did not spawn it: it waits on the pidfd only and must
  // neither reap it nor take its exit status.
  auto other = make_processes();
  ::kill(id.pid, SIGTERM);
  EXPECT_TRUE(other->wait_gone(id, milliseconds(5000)));
  EXPECT_FALSE(other->alive(id));
  EXPECT_EQ(other->exit_status(id), std::nullopt);
  EXPECT_EQ(p_->exit_status(id), (ExitStatus{.signal = SIGTERM}));
}

TEST_F(ProcessesTest, ExitedChildrenAreReaped) {
  const ProcessId quick = start({.argv = {"/bin/true"}});
  // Exited but not asked about: a zombie until netlab reaps it.
  ASSERT_TRUE(eventually([&] {
    auto st = read_proc_stat(quick.pid);
    return st && st->gone();
  }));
  // The next spawn collects it, although nobody asked about it.
  const ProcessId failing = start({.argv = {"/bin/false"}});
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(quick.pid)));
  EXPECT_EQ(p_->exit_status(quick), ExitStatus{});
  EXPECT_FALSE(p_->alive(quick));
  // alive() reaps what it finds exited.
  ASSERT_TRUE(eventually([&] { return !p_->alive(failing); }));
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(failing.pid)));
  EXPECT_EQ(p_->exit_status(failing), (ExitStatus{.code = 1}));
}

}  // namespace
}  // namespace netlab::process
