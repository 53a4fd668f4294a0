// The two windows the journal used to have, closed, on the real kernel:
//   - a process is held before execve until its identity is recorded, and
//     never runs when netlab dies (or gives up) before that;
//   - a namespace is identified from inside before it has its name, and its
//     identity tells it apart from a namespace made later under the same
//     name, even when the kernel hands that one the same inode.
// Namespaces are "nl-lw<pid>-*", deleted at the end whatever happens.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/lab/namespaces.h"
#include "netlab/process/proc_stat.h"
#include "netlab/process/processes.h"

namespace netlab::lab {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kHelperEnv = "NETLAB_LAB_TEST_HELPER";

// Started with NETLAB_LAB_TEST_HELPER=hold:<marker>, this binary is a
// stand-in for netlab: it spawns `touch <marker>` held, prints the child's
// pid, and never releases it (it waits to be killed).
[[maybe_unused]] const bool helper_mode = [] {
  const char* mode = ::getenv(kHelperEnv);
  if (mode == nullptr) return false;
  if (std::strncmp(mode, "hold:", 5) == 0) {
    auto procs = process::make_processes();
    process::ProcessSpec s;
    s.argv = {"/usr/bin/touch", mode + 5};
    procs->spawn_held(s, [](const process::ProcessId& id) {
      std::string line = std::to_string(id.pid) + "\n";
      if (::write(1, line.data(), line.size()) < 0) ::_exit(3);
      for (;;) ::pause();
    });
  }
  ::_exit(2);
}();

int64_t mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

bool eventually(const std::function<bool()>& cond, milliseconds timeout = milliseconds(5000)) {
  const int64_t deadline = mono_ms() + timeout.count();
  while (!cond()) {
    if (mono_ms() > deadline) return false;
    timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
  return true;
}

std::string exe_of(pid_t pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

// Gone, or a zombie nobody reaped (its parent died; init may not reap here).
bool gone(pid_t pid, uint64_t start) {
  auto st = process::read_proc_stat(pid);
  return !st || st->start_time != start || st->gone();
}

class SpawnHeldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nlw-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    marker_ = dir_ + "/ran";
  }
  void TearDown() override { fs::remove_all(dir_); }
  process::ProcessSpec touch() {
    process::ProcessSpec s;
    s.argv = {"/usr/bin/touch", marker_};
    return s;
  }
  std::string dir_, marker_;
  std::unique_ptr<process::Processes> procs_ = process::make_processes();
};

TEST_F(SpawnHeldTest, NothingRunsBeforeTheCallbackReturns) {
  process::ProcessId seen;
  process::ProcessId id = procs_->spawn_held(touch(), [&](const process::ProcessId& held) {
    seen = held;
    // Still this test binary (forked, not executed), and nothing ran.
    EXPECT_EQ(exe_of(held.pid), fs::read_symlink("/proc/self/exe").string());
    EXPECT_FALSE(fs::exists(marker_));
    EXPECT_EQ(process::read_start_time(held.pid), held.start_time);
  });
  EXPECT_EQ(id, seen);
  ASSERT_TRUE(procs_->wait_gone(id, milliseconds(5000)));
  EXPECT_TRUE(fs::exists(marker_));
  EXPECT_EQ(procs_->exit_status(id), (process::ExitStatus{0, 0}));
}

TEST_F(SpawnHeldTest, ACallbackThatThrowsMeansTheProgramNeverRuns) {
  process::ProcessId seen;
  EXPECT_THROW(procs_->spawn_held(touch(),
                                  [&](const process::ProcessId& held) {
                                    seen = held;
                                    throw Error("journal full");
                                  }),
               Error);
  ASSERT_GT(seen.pid, 0);
  EXPECT_FALSE(process::read_proc_stat(seen.pid).has_value() &&
               process::read_proc_stat(seen.pid)->start_time == seen.start_time)
      << "the held child was not reaped";
  EXPECT_FALSE(fs::exists(marker_));
}

TEST_F(SpawnHeldTest, AFailedStepBeforeTheHoldIsReportedAfterIt) {
  process::ProcessSpec s = touch();
  s.cwd = dir_ + "/missing";
  bool called = false;
  try {
    procs_->spawn_held(s, [&](const process::ProcessId&) { called = true; });
    FAIL() << "spawn_held returned";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.op(), "chdir");
    EXPECT_EQ(e.err(), ENOENT);
  }
  EXPECT_TRUE(called);
  EXPECT_FALSE(fs::exists(marker_));
}

TEST_F(SpawnHeldTest, WhenNetlabDiesWhileItHoldsAChildTheChildNeverRuns) {
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  pid_t helper = ::fork();
  if (helper == 0) {
    ::dup2(out[1], 1);
    std::string env = std::string(kHelperEnv) + "=hold:" + marker_;
    char* envp[] = {env.data(), nullptr};
    std::string self = fs::read_symlink("/proc/self/exe").string();
    char* argv[] = {self.data(), nullptr};
    ::execve(argv[0], argv, envp);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  ASSERT_FALSE(line.empty()) << "the helper printed no pid";
  const pid_t child = std::stoi(line);
  const uint64_t start = process::read_start_time(child).value_or(0);
  ASSERT_GT(start, 0u);
  // netlab is killed with the child held.
  ::kill(helper, SIGKILL);
  ::waitpid(helper, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return gone(child, start); })) << "the held child outlived netlab";
  EXPECT_FALSE(fs::exists(marker_)) << "the held child executed its program";
}

class NamespacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    prefix_ = "nl-lw" + std::to_string(::getpid()) + "-";
  }
  void TearDown() override {
    for (const auto& n : kernel::netns_names()) {
      if (!n.starts_with(prefix_)) continue;
      try {
        if (!kernel::netns_remove_placeholder(n)) kernel::netns_delete_named(n);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of " << n << ": " << e.what();
      }
    }
  }
  std::string prefix_;
  std::unique_ptr<Namespaces> ns_ = make_namespaces();
};

TEST_F(NamespacesTest, TheIdentityIsKnownInsideBeforeTheNameExists) {
  const std::string name = prefix_ + "a";
  NetnsIdentity seen;
  NetnsIdentity made = ns_->create(name, [&](const NetnsIdentity& id) {
    seen = id;
    EXPECT_FALSE(kernel::netns_stat(name).has_value()) << "named before it was identified";
  });
  EXPECT_EQ(made, seen);
  ASSERT_TRUE(seen.cookie.has_value()) << "this kernel has SO_NETNS_COOKIE (5.14+)";
  auto now = ns_->identify(name);
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(*now, seen);
}

TEST_F(NamespacesTest, ACallbackThatThrowsLeavesNoName) {
  const std::string name = prefix_ + "b";
  EXPECT_THROW(ns_->create(name, [](const NetnsIdentity&) { throw Error("journal full"); }), Error);
  EXPECT_FALSE(fs::exists("/run/netns/" + name));
}

TEST_F(NamespacesTest, ANamespaceMadeLaterUnderTheNameIsToldApart) {
  const std::string name = prefix_ + "c";
  NetnsIdentity ours = ns_->create(name, {});
  kernel::netns_delete_named(name);
  kernel::netns_create_named(name);
  auto theirs = ns_->identify(name);
  ASSERT_TRUE(theirs.has_value());
  // The kernel usually hands out the dead namespace's inode again at once;
  // the cookie differs all the same.
  EXPECT_FALSE(theirs->matches(ours)) << ours.str() << " vs " << theirs->str();
  EXPECT_NE(theirs->cookie, ours.cookie);
  EXPECT_THROW(ns_->processes_inside(name, ours), Error);
}

TEST_F(NamespacesTest, FindsTheProcessesInside) {
  const std::string name = prefix_ + "d";
  NetnsIdentity id = ns_->create(name, {});
  auto procs = process::make_processes();
  process::ProcessSpec s;
  s.ns = name;
  s.argv = {"/usr/bin/sleep", "600"};
  process::ProcessId sleeper = procs->spawn(s);
  auto inside = ns_->processes_inside(name, id);
  EXPECT_EQ(inside, std::vector<process::ProcessId>{sleeper});
  EXPECT_TRUE(procs->stop(sleeper, milliseconds(1000)));
  EXPECT_TRUE(ns_->processes_inside(name, id).empty());
}

TEST_F(NamespacesTest, RemovesPlaceholdersButNeverANamespace) {
  const std::string placeholder = prefix_ + "p";
  { std::ofstream(std::string("/run/netns/") + placeholder); }
  EXPECT_FALSE(ns_->identify(placeholder).has_value());
  EXPECT_TRUE(ns_->remove_placeholder(placeholder));
  EXPECT_FALSE(fs::exists("/run/netns/" + placeholder));
  EXPECT_FALSE(ns_->remove_placeholder(placeholder));

  const std::string real = prefix_ + "r";
  ns_->create(real, {});
  EXPECT_FALSE(ns_->remove_placeholder(real));
  EXPECT_TRUE(ns_->identify(real).has_value());
}

}  // namespace
}  // namespace netlab::lab
