// Shared by the privileged kernel tests: root check, test-specific names
// ("nl-tk<pid>-<x>"), namespaces that are deleted when the test ends (also
// when it fails), and bounded waits.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/netns.h"
#include "support/test_util.h"

namespace netlab::kernel::testing {

inline std::string test_prefix() { return "nl-tk" + std::to_string(getpid()) + "-"; }

using ::netlab::testing::mono_ns;

// Polls `done` until it holds or `timeout` passes; for state that the
// kernel changes asynchronously (packets crossing a veth, a reader thread
// appending events). Returns whether it held.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  int64_t deadline = mono_ns() + timeout.count() * 1'000'000;
  for (;;) {
    if (done()) return true;
    if (mono_ns() > deadline) return false;
    timespec pause{0, 200'000};  // a poll interval, not a synchronisation
    nanosleep(&pause, nullptr);
  }
}

// Reads a /proc/sys key as seen from inside `ns` ("" = this process's).
inline std::string read_sysctl(const std::string& ns, const std::string& key) {
  UniqueFd fd = netns_open(ns);
  NetnsGuard guard(fd.get(), ns);
  std::ifstream f("/proc/sys/" + key);
  std::string v;
  std::getline(f, v);
  guard.leave();
  return v;
}

// Namespaces created through a Netlink and deleted again at the end of the
// test, whatever happens in between. Skips the test when not root.
class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    nl_ = make_netlink();
  }

  void TearDown() override {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      try {
        if (nl_->netns_id(*it)) nl_->netns_delete(*it);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of " << *it << ": " << e.what();
      }
    }
    for (const auto& n : netns_names()) {
      EXPECT_NE(n.rfind(test_prefix(), 0), 0u) << "left behind: /run/netns/" << n;
    }
  }

  // Creates "nl-tk<pid>-<suffix>" and registers it for deletion.
  std::string make_ns(const std::string& suffix) {
    std::string name = test_prefix() + suffix;
    created_.push_back(name);
    nl_->netns_create(name);
    return name;
  }

  // Two namespaces joined by a veth pair eth1 <-> eth1, up, with
  // 10.0.0.1/24 and 10.0.0.2/24.
  void make_pair(std::string* a, std::string* b) {
    *a = make_ns("a");
    *b = make_ns("b");
    nl_->veth_create(VethPair{*a, "eth1", *b, "eth1", 1500});
    nl_->link_set_up(*a, "eth1", true);
    nl_->link_set_up(*b, "eth1", true);
    nl_->address_add(Address{*a, "eth1", *Ipv4Prefix::parse("10.0.0.1/24")});
    nl_->address_add(Address{*b, "eth1", *Ipv4Prefix::parse("10.0.0.2/24")});
  }

  std::unique_ptr<Netlink> nl_;
  std::vector<std::string> created_;
};

// A UDP socket opened inside `ns` and bound to addr:port there.
inline UniqueFd udp_socket_in(const std::string& ns, const std::string& addr, uint16_t port) {
  UniqueFd nsfd = netns_open(ns);
  NetnsGuard guard(nsfd.get(), ns);
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  guard.leave();
  if (!s) throw KernelError("socket", ns, errno);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(addr)->network_order();
  check_errno(::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "bind", addr);
  return s;
}

inline void send_udp(int fd, const std::string& addr, uint16_t port, const std::string& payload) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(addr)->network_order();
  check_errno(
      ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa),
      "sendto", addr);
}

// Everything queued on a non-blocking socket right now.
inline std::vector<std::string> received(int fd) {
  std::vector<std::string> out;
  char buf[2048];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) break;
    out.emplace_back(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace netlab::kernel::testing
