// Shared by the privileged impairment tests: two namespaces of this test
// ("nl-imp<pid>-a" and "-b", deleted at the end whatever happens) joined by a
// veth a0 <-> b0 with 10.77.0.1/30 and 10.77.0.2/30, the real seams, and
// traffic of our own between them: a timestamped UDP stream (one process,
// one CLOCK_MONOTONIC: one-way delays are exact) and a TCP bulk transfer.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/netns.h"
#include "netlab/process/processes.h"
#include "support/test_util.h"

namespace netlab::impair::testing {

using kernel::UniqueFd;

using ::netlab::testing::mono_ns;

inline std::string delayer_binary() {
  return (std::filesystem::path(NETLAB_PROBE_BINARY).parent_path() / "netlab-delay").string();
}

inline const kernel::Capabilities& host_caps() {
  static const kernel::Capabilities caps = kernel::make_capability_probe()->probe();
  return caps;
}

inline UniqueFd socket_in(const std::string& ns, int type) {
  UniqueFd nsfd = kernel::netns_open(ns);
  kernel::NetnsGuard guard(nsfd.get(), ns);
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  int err = errno;
  guard.leave();
  if (!s) throw KernelError("socket", ns, err);
  return s;
}

inline sockaddr_in sockaddr_of(const char* addr, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(addr)->network_order();
  return sa;
}

// SCHED_FIFO 10 for the calling thread, as netlab runs its probes (and the
// delayer): the figures are then the impairment's, not the scheduler's on a
// busy 2-core machine. Best effort.
inline void realtime_thread() {
  sched_param p{};
  p.sched_priority = 10;
  ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p);
}

struct Probe {
  uint64_t seq = 0;
  int64_t tx_ns = 0, rx_ns = 0;
  int64_t owd_ns() const { return rx_ns - tx_ns; }
};

// Sends `count` probes from a (10.77.0.1) to b (10.77.0.2) every
// `interval_ns`, and returns what b received in arrival order, waiting up
// to `drain_ns` after the last send for stragglers.
inline std::vector<Probe> udp_stream(const std::string& ns_a, const std::string& ns_b, int count,
                                     int64_t interval_ns, int64_t drain_ns, uint16_t port = 47100) {
  UniqueFd rx = socket_in(ns_b, SOCK_DGRAM);
  int big = 8 << 20;
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  sockaddr_in b = sockaddr_of("10.77.0.2", port);
  check_errno(::bind(rx.get(), reinterpret_cast<sockaddr*>(&b), sizeof b), "bind", "10.77.0.2");
  timeval tv{0, 20'000};
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  UniqueFd tx = socket_in(ns_a, SOCK_DGRAM);

  std::vector<Probe> got;
  got.reserve(static_cast<size_t>(count));
  std::atomic<int64_t> stop_at{INT64_MAX};
  std::thread reader([&] {
    realtime_thread();
    char buf[64];
    while (mono_ns() < stop_at.load()) {
      ssize_t n = ::recv(rx.get(), buf, sizeof buf, 0);
      int64_t now = mono_ns();
      if (n < 16) continue;
      Probe p;
      std::memcpy(&p.seq, buf, 8);
      std::memcpy(&p.tx_ns, buf + 8, 8);
      p.rx_ns = now;
      got.push_back(p);
    }
  });
  std::thread sender([&] {
    realtime_thread();
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    int64_t next = mono_ns() + 1'000'000;
    for (int i = 0; i < count; ++i) {
      timespec ts{next / 1'000'000'000, next % 1'000'000'000};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      char buf[64] = {};
      uint64_t seq = static_cast<uint64_t>(i);
      int64_t now = mono_ns();
      std::memcpy(buf, &seq, 8);
      std::memcpy(buf + 8, &now, 8);
      ::sendto(tx.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&b), sizeof b);
      next += interval_ns;
    }
    stop_at = mono_ns() + drain_ns;
  });
  sender.join();
  reader.join();
  return got;
}

inline int64_t percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline std::vector<int64_t> owds(const std::vector<Probe>& ps) {
  std::vector<int64_t> v;
  for (const auto& p : ps) v.push_back(p.owd_ns());
  return v;
}

// How many probes arrived after one with a higher sequence number.
inline size_t reordered(const std::vector<Probe>& ps) {
  size_t n = 0;
  uint64_t highest = 0;
  bool any = false;
  for (const auto& p : ps) {
    if (any && p.seq < highest) ++n;
    highest = any ? std::max(highest, p.seq) : p.seq;
    any = true;
  }
  return n;
}

// TCP from a to b for `duration_ns`; returns the receiver's payload rate in
// bit/s, measured from `skip_ns` after the first byte (slow start) to the end.
inline double tcp_goodput_bps(const std::string& ns_a, const std::string& ns_b, int64_t duration_ns,
                              int64_t skip_ns, uint16_t port = 47200) {
  UniqueFd lst = socket_in(ns_b, SOCK_STREAM);
  int one = 1;
  ::setsockopt(lst.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in b = sockaddr_of("10.77.0.2", port);
  check_errno(::bind(lst.get(), reinterpret_cast<sockaddr*>(&b), sizeof b), "bind", "10.77.0.2");
  check_errno(::listen(lst.get(), 1), "listen", "10.77.0.2");
  UniqueFd cli = socket_in(ns_a, SOCK_STREAM);
  check_errno(::connect(cli.get(), reinterpret_cast<sockaddr*>(&b), sizeof b), "connect",
              "10.77.0.2");
  UniqueFd srv(::accept4(lst.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!srv) throw KernelError("accept", "10.77.0.2", errno);

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::vector<char> chunk(64 * 1024, 'x');
    while (!stop.load()) {
      if (::send(cli.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0 && errno != EINTR) break;
    }
    ::shutdown(cli.get(), SHUT_WR);
  });
  timeval tv{0, 100'000};
  ::setsockopt(srv.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<char> buf(256 * 1024);
  int64_t first = 0, from = 0, end = 0;
  uint64_t bytes = 0;
  for (;;) {
    ssize_t n = ::recv(srv.get(), buf.data(), buf.size(), 0);
    int64_t now = mono_ns();
    if (n > 0) {
      if (first == 0) {
        first = now;
        from = first + skip_ns;
        end = first + duration_ns;
      }
      if (now >= from && now <= end) bytes += static_cast<uint64_t>(n);
    }
    if (first != 0 && now > end) break;
    if (n == 0) break;
  }
  stop = true;
  ::shutdown(srv.get(), SHUT_RDWR);
  writer.join();
  if (first == 0) return 0;
  return static_cast<double>(bytes) * 8.0 / (static_cast<double>(end - from) / 1e9);
}

class ImpairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    nl_ = kernel::make_netlink();
    nft_ = kernel::make_nft();
    tc_ = kernel::make_tc();
    queues_ = kernel::make_packet_queues();
    procs_ = process::make_processes();
    const std::string prefix = "nl-imp" + std::to_string(getpid()) + "-";
    a_ = prefix + "a";
    b_ = prefix + "b";
    created_ = {a_, b_};
    nl_->netns_create(a_);
    nl_->netns_create(b_);
    nl_->veth_create({a_, "a0", b_, "b0", 1500});
    nl_->address_add({a_, "a0", *Ipv4Prefix::parse("10.77.0.1/30")});
    nl_->address_add({b_, "b0", *Ipv4Prefix::parse("10.77.0.2/30")});
    nl_->link_set_up(a_, "a0", true);
    nl_->link_set_up(b_, "b0", true);
    imp_ = std::make_unique<Impairer>(
        Seams{*nl_, *nft_, *tc_, *queues_, *procs_, kernel::system_clock()},
        select_backends(host_caps(), ::access(delayer_binary().c_str(), X_OK) == 0),
        ImpairerOptions{.delayer_path = delayer_binary()});
  }

  void TearDown() override {
    if (created_.empty()) return;  // skipped before anything was made
    scoped_.clear();               // stops delayers before their namespaces go
    std::error_code ec;
    std::filesystem::remove(delayer_log(), ec);
    for (const auto& ns : created_) {
      try {
        nft_->forget(ns);
        if (nl_->netns_id(ns)) nl_->netns_delete(ns);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of " << ns << ": " << e.what();
      }
    }
  }

  Direction a_to_b() const { return Direction{{"a", a_, "a0"}, {"b", b_, "b0"}}; }
  std::string delayer_log() const { return "/tmp/" + a_ + "-delay.log"; }

  // Impairs a -> b until the test ends (or the returned object is released).
  ScopedImpairment& impair(const Impairment& i, uint64_t seed = 1) {
    scoped_.push_back(
        std::make_unique<ScopedImpairment>(*imp_, *procs_, a_to_b(), i, seed, delayer_log()));
    return *scoped_.back();
  }

  void skip_unless_delay() {
    if (!host_caps().netem && ::access(delayer_binary().c_str(), X_OK) != 0)
      GTEST_SKIP() << "no netem and no " << delayer_binary();
    if (!host_caps().netem && !host_caps().nfqueue)
      GTEST_SKIP() << "no netem and no NFQUEUE target";
  }

  std::unique_ptr<kernel::Netlink> nl_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<kernel::Tc> tc_;
  std::unique_ptr<kernel::PacketQueues> queues_;
  std::unique_ptr<process::Processes> procs_;
  std::unique_ptr<Impairer> imp_;
  std::string a_, b_;
  std::vector<std::string> created_;
  std::vector<std::unique_ptr<ScopedImpairment>> scoped_;
};

}  // namespace netlab::impair::testing
