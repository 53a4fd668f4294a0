// Shared by the lifecycle tests: the real `netlab` binary (NETLAB_BINARY)
// run as a subprocess (an argv, never a shell) against copies of
// tests/data/lab/small.toml renamed to labs of this test process
// ("lt<letter><pid>"), under a private runtime root (NETLAB_RUNTIME_ROOT =
// /run/netlab-lt<pid>), so that `netlab ls` and `netlab down --all` only
// ever see this test's labs. Every lab a test names is taken down at the end
// whatever happened, and then nothing of it may remain: no namespace, no
// process (by the journal's pids and start times, by a scan of /proc for
// processes inside the lab's namespaces or with its paths in their command
// line), no socket, no mount, no interface in the host namespace, no file.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "netlab/kernel/netns.h"
#include "netlab/lab/journal.h"
#include "netlab/process/proc_stat.h"
#include "support/test_util.h"

namespace netlab::cli::testing {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline int64_t mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// Polls `cond` until it holds or `timeout` passes: a bounded wait on state
// another process changes (its journal, its exit).
inline bool eventually(const std::function<bool()>& cond, milliseconds timeout) {
  const int64_t deadline = mono_ms() + timeout.count();
  for (;;) {
    if (cond()) return true;
    if (mono_ms() > deadline) return false;
    timespec pause{0, 1'000'000};  // a poll interval, not a synchronisation
    nanosleep(&pause, nullptr);
  }
}

using ::netlab::testing::read_text;

// A process of ours that has not exited: pid and start time still match, not a zombie.
inline bool alive(pid_t pid, uint64_t start) {
  if (pid <= 0) return false;
  auto st = process::read_proc_stat(pid);
  return st && st->start_time == start && !st->gone();
}

inline std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string n = e.path().filename().string();
    if (!n.empty() && std::all_of(n.begin(), n.end(), ::isdigit)) out.push_back(std::stoi(n));
  }
  return out;
}

inline std::string cmdline_of(pid_t pid) {
  std::string s = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

inline std::set<std::string> host_links() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator("/sys/class/net"))
    out.insert(e.path().filename().string());
  return out;
}

// A netlab process started by a test.
struct Child {
  pid_t pid = -1;
  std::string out_path, err_path;
  std::optional<int> status;  // exit code, or 128 + signal

  // Whether it has exited (reaping it, and setting `status`, if so).
  bool exited() {
    if (status) return true;
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) != pid) return false;
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
  }
  // Waits for the exit; nullopt (and the process killed) after `timeout`.
  std::optional<int> wait(milliseconds timeout = seconds(90)) {
    if (eventually([&] { return exited(); }, timeout)) return status;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return std::nullopt;
  }
  std::string out() const { return read_text(out_path); }
  std::string err() const { return read_text(err_path); }
};

using Journal = std::vector<lab::Entry>;

// Lines of `op` in a journal (that also satisfy `also`).
inline size_t count_ops(const Journal& j, const std::string& op,
                        const std::function<bool(const lab::Entry&)>& also = {}) {
  return std::count_if(j.begin(), j.end(),
                       [&](const lab::Entry& e) { return e.op == op && (!also || also(e)); });
}

struct Result {
  int status = -1;
  std::string out, err;
};

// What a lab was before its teardown, to check afterwards that none of it
// is left.
struct Snapshot {
  std::vector<lab::Entry> journal;
  std::vector<std::pair<pid_t, uint64_t>> inside;  // processes inside its namespaces
};

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, FRR)";
    if (!fs::exists("/usr/lib/frr/zebra") || !fs::exists("/usr/lib/frr/bfdd"))
      GTEST_SKIP() << "FRR is not installed";
    if (!fs::exists("/usr/bin/wireguard-go") && !fs::exists("/sys/module/wireguard"))
      GTEST_SKIP() << "no WireGuard (kernel module or wireguard-go)";
    root_ = "/run/netlab-lt" + std::to_string(::getpid());
    char tmpl[] = "/tmp/nlt-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    links_before_ = host_links();
  }

  void TearDown() override {
    if (root_.empty()) return;
    for (const auto& lab : used_) {
      Snapshot snap = snapshot(lab);
      Result r = netlab({"down", lab});
      EXPECT_EQ(r.status, 0) << "cleanup: netlab down " << lab << "\n" << r.out << r.err;
      expect_gone(lab, snap);
    }
    std::error_code ec;
    fs::remove(root_, ec);  // empty by now; left (and reported above) otherwise
    fs::remove_all(tmp_, ec);
  }

  static std::string lab_name(char letter) {
    return std::string("lt") + letter + std::to_string(::getpid() % 100000);
  }

  // tests/data/lab/small.toml as lab `lab`; registered for cleanup.
  std::string topology(const std::string& lab) {
    used_.insert(lab);
    std::string text = read_text(std::string(NETLAB_TEST_DATA) + "/lab/small.toml");
    const std::string from = "\nname = \"lt\"";
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos);
    text.replace(at, from.size(), "\nname = \"" + lab + "\"");
    const std::string path = tmp_ + "/" + lab + ".toml";
    std::ofstream(path) << text;
    return path;
  }

  std::string lab_dir(const std::string& lab) const { return root_ + "/" + lab; }

  // Starts netlab with `args`; `as_uid` >= 0 runs it as that user.
  Child start(const std::vector<std::string>& args, int as_uid = -1) {
    static int n = 0;
    Child c;
    c.out_path = tmp_ + "/netlab-" + std::to_string(++n) + ".out";
    c.err_path = tmp_ + "/netlab-" + std::to_string(n) + ".err";
    std::vector<std::string> argv{NETLAB_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
      if (!std::string(*e).starts_with("NETLAB_RUNTIME_ROOT=")) env.push_back(*e);
    env.push_back("NETLAB_RUNTIME_ROOT=" + root_);
    std::vector<char*> cenv;
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int out = ::open(c.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = ::open(c.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    c.pid = ::fork();
    if (c.pid == 0) {
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (as_uid >= 0) {
        if (::setgroups(0, nullptr) < 0 || ::setgid(as_uid) < 0 || ::setuid(as_uid) < 0)
          ::_exit(126);
      }
      ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
    ::close(out);
    ::close(err);
    return c;
  }

  Result netlab(const std::vector<std::string>& args, milliseconds timeout = seconds(90),
                int as_uid = -1) {
    Child c = start(args, as_uid);
    auto st = c.wait(timeout);
    EXPECT_TRUE(st.has_value()) << "netlab did not finish within " << timeout.count() << " ms";
    return {st.value_or(-1), c.out(), c.err()};
  }

  std::vector<lab::Entry> journal(const std::string& lab) {
    try {
      return lab::Journal::read(lab_dir(lab));
    } catch (const std::exception&) {
      return {};
    }
  }
  // Waits until the lab's journal satisfies `pred` (it grows as netlab works).
  bool wait_journal(const std::string& lab,
                    const std::function<bool(const std::vector<lab::Entry>&)>& pred,
                    milliseconds timeout = seconds(60)) {
    return eventually([&] { return pred(journal(lab)); }, timeout);
  }

  // The lab's journal as last seen before `c` exited (its teardown removes
  // it): from the line "tearing-down" on, no object is added any more.
  // `each` sees every version read.
  Journal follow_until_exit(const std::string& lab, Child& c,
                            const std::function<void(const Journal&)>& each = {}) {
    Journal last;
    eventually(
        [&] {
          Journal j = journal(lab);
          if (!j.empty()) last = std::move(j);
          if (each) each(last);
          return c.exited();
        },
        seconds(60));
    return last;
  }

  // A bring-up that failed by itself for a reason outside the lifecycle:
  // wireguard-go binds its UAPI socket before it listens on it, and netlab's
  // wireguard-go backend connects as soon as the file exists (ECONNREFUSED,
  // about one bring-up in 20 here). Such a failure is retried.
  static bool known_flake(const std::string& err) {
    return err.find(".sock: Connection refused") != std::string::npos;
  }

  // `netlab up` of `lab`, until its journal satisfies `point` (nullopt: until
  // it exits 0). A bring-up that fails by itself on the known flake is
  // checked to have left nothing, and started again (twice at most).
  Child up_until(const std::string& lab, const std::function<bool(const Journal&)>& point) {
    const std::string file = topology(lab);
    for (int attempt = 1;; ++attempt) {
      Child up = start({"up", file});
      bool reached =
          eventually([&] { return (point && point(journal(lab))) || up.exited(); }, seconds(60));
      if (reached && !up.status) return up;
      if (up.status == 0 && !point) return up;
      if (attempt < 3 && up.status && known_flake(up.err())) {
        std::fprintf(stderr, "note: bring-up of %s failed by itself (%s); retrying\n", lab.c_str(),
                     up.err().c_str());
        expect_gone(lab, {});  // its own teardown left nothing
        continue;
      }
      ADD_FAILURE() << "netlab up " << lab << " never got there (exit "
                    << (up.status ? std::to_string(*up.status) : "-") << "):\n"
                    << up.err();
      return up;
    }
  }

  std::vector<std::string> lab_namespaces(const std::string& lab) {
    std::vector<std::string> out;
    for (const auto& n : kernel::netns_names())
      if (n.starts_with("nl-" + lab + "-")) out.push_back(n);
    return out;
  }

  Snapshot snapshot(const std::string& lab) {
    Snapshot s;
    s.journal = journal(lab);
    std::set<std::pair<uint64_t, uint64_t>> inodes;
    for (const auto& n : lab_namespaces(lab))
      if (auto id = kernel::netns_stat(n)) inodes.insert({id->dev, id->ino});
    for (pid_t pid : all_pids()) {
      struct stat st;
      if (::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) continue;
      if (!inodes.count({st.st_dev, st.st_ino})) continue;
      if (auto p = process::read_proc_stat(pid)) s.inside.push_back({pid, p->start_time});
    }
    return s;
  }

  // Nothing of `lab` is left on the host.
  void expect_gone(const std::string& lab, const Snapshot& before) {
    const std::string dir = lab_dir(lab);
    EXPECT_EQ(lab_namespaces(lab), std::vector<std::string>{})
        << "namespaces of " << lab << " left";
    EXPECT_FALSE(fs::exists(dir)) << dir << " left";
    // The journal's processes, by pid and start time.
    for (const auto& e : before.journal) {
      if (e.op != "process-id") continue;
      pid_t pid = e.data.value("pid", 0);
      EXPECT_FALSE(alive(pid, e.data.value("start", uint64_t{0})))
          << "process " << pid << " (" << e.data.value("name", "") << ") of " << lab << " left";
    }
    for (const auto& [pid, start] : before.inside)
      EXPECT_FALSE(alive(pid, start))
          << "process " << pid << " (" << cmdline_of(pid) << ") inside " << lab << " left";
    // Any process inside one of its namespaces (an inode the kernel may have
    // given to a new namespace since is told apart by the cookie) or with
    // its paths in its command line.
    std::map<std::pair<uint64_t, uint64_t>, uint64_t> cookies;
    for (const auto& e : before.journal)
      if (e.op == "netns-id")
        cookies[{e.data.value("dev", uint64_t{0}), e.data.value("ino", uint64_t{0})}] =
            e.data.value("cookie", uint64_t{0});
    for (pid_t pid : all_pids()) {
      if (pid == ::getpid()) continue;
      const std::string cmd = cmdline_of(pid);
      EXPECT_TRUE(cmd.find(dir + "/") == std::string::npos &&
                  cmd.find("nl-" + lab + "-") == std::string::npos)
          << "process " << pid << " of " << lab << " left: " << cmd;
      const std::string nsfile = "/proc/" + std::to_string(pid) + "/ns/net";
      struct stat st;
      if (::stat(nsfile.c_str(), &st) != 0) continue;
      auto c = cookies.find({st.st_dev, st.st_ino});
      if (c == cookies.end()) continue;
      kernel::UniqueFd fd(::open(nsfile.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) continue;  // exited meanwhile
      auto now = kernel::netns_cookie(fd.get(), nsfile);
      EXPECT_FALSE(now && *now == c->second)
          << "process " << pid << " (" << cmd << ") is still inside a namespace of " << lab;
    }
    // Sockets (of this namespace; the lab's own died with theirs), mounts,
    // links in the host namespace.
    std::string unix_sockets = read_text("/proc/net/unix");
    EXPECT_EQ(unix_sockets.find(dir + "/"), std::string::npos)
        << "a socket under " << dir << " left";
    std::string mounts = read_text("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find(dir), std::string::npos) << "a mount under " << dir << " left";
    EXPECT_EQ(mounts.find("/run/netns/nl-" + lab + "-"), std::string::npos)
        << "a namespace mount left";
    for (const auto& l : host_links())
      EXPECT_TRUE(links_before_.count(l)) << "interface " << l << " appeared in the host namespace";
  }

  std::string root_, tmp_;
  std::set<std::string> used_;
  std::set<std::string> links_before_;
};

}  // namespace netlab::cli::testing
