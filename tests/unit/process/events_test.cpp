#include "netlab/process/events.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "netlab/base/error.h"
#include <filesystem>

namespace netlab::process {
namespace {

using std::chrono::milliseconds;

// A fresh directory, removed with everything in it.
struct TempDir {
  std::string dir;
  TempDir() {
    char t[] = "/tmp/netlab-events-XXXXXX";
    dir = ::mkdtemp(t);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  const std::string& path() const { return dir; }
};

kernel::UniqueFd listen_at(const std::string& path) {
  kernel::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  return fd;
}

TEST(EventWait, ReportsAWatchedFileWhenItAppears) {
  TempDir root;
  EventWait ev;
  ev.watch_path(root.path() + "/a.sock", 1);
  ev.watch_path(root.path() + "/b.sock", 2);
  EXPECT_TRUE(ev.wait(milliseconds(0)).empty());
  std::ofstream(root.path() + "/other");  // not watched: no news
  EXPECT_TRUE(ev.wait(milliseconds(0)).empty());
  auto sock = listen_at(root.path() + "/b.sock");
  EXPECT_EQ(ev.wait(milliseconds(1000)), std::vector<uint64_t>{2});
  ev.forget(2);
  ev.forget(1);
  EXPECT_EQ(ev.size(), 0u);
  listen_at(root.path() + "/a.sock");
  EXPECT_TRUE(ev.wait(milliseconds(0)).empty());
}

TEST(EventWait, ReportsAReadableFdAndTimesOutWithoutNews) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  kernel::UniqueFd r(p[0]), w(p[1]);
  EventWait ev;
  ev.watch_fd(r.get(), 7);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(ev.wait(milliseconds(30)).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(25));
  ASSERT_EQ(::write(w.get(), "x", 1), 1);
  EXPECT_EQ(ev.wait(milliseconds(1000)), std::vector<uint64_t>{7});
}

TEST(EventWait, AMissingDirectoryIsAKernelError) {
  EventWait ev;
  EXPECT_THROW(ev.watch_path("/nonexistent-netlab-dir/x.sock", 1), KernelError);
}

}  // namespace
}  // namespace netlab::process
