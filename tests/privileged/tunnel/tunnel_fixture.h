// Shared by the privileged tunnel tests: a throwaway lab of its own
// ("tt<pid>": namespaces nl-tt<pid>-<node>, files under /run/netlab/tt<pid>/)
// with nodes joined by veths, tunnel ends planned by hand, the backends'
// processes spawned for real, and everything removed at the end, also when
// the test fails: processes stopped by their PIDs, then the namespaces, then
// the files. Skips when not root.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/nft.h"
#include "netlab/plan/keys.h"
#include "netlab/process/processes.h"
#include "netlab/tunnel/tunnel.h"
#include "support/test_util.h"

namespace netlab::tunnel::testing {

using ::netlab::testing::mono_ns;

inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const int64_t deadline = mono_ns() + timeout.count() * 1'000'000;
  for (;;) {
    if (done()) return true;
    if (mono_ns() > deadline) return false;
    timespec pause{0, 2'000'000};
    nanosleep(&pause, nullptr);
  }
}

// netlab-tunnel-watch, built beside netlab.
inline std::string watcher_path() {
  return (std::filesystem::path(NETLAB_BINARY).parent_path() / "netlab-tunnel-watch").string();
}

class TunnelLab : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    caps_ = kernel::make_capability_probe()->probe();
    lab_ = "tt" + std::to_string(getpid() % 100000);
    run_root_ = "/run/netlab/" + lab_;
    nl_ = kernel::make_netlink();
    nft_ = kernel::make_nft();
    procs_ = process::make_processes();
    keys_ = plan::make_key_source();
    std::filesystem::create_directories(run_root_);
    opts_.watcher = watcher_path();
    ASSERT_EQ(::access(opts_.watcher.c_str(), X_OK), 0)
        << opts_.watcher << " is not built (the netlab-tunnel-watch target)";
  }

  void TearDown() override {
    for (auto it = spawned_.rbegin(); it != spawned_.rend(); ++it) {
      try {
        if (!procs_->stop(*it, std::chrono::seconds(3)))
          ADD_FAILURE() << "process " << it->str() << " survived";
      } catch (const std::exception& e) {
        ADD_FAILURE() << "stopping " << it->str() << ": " << e.what();
      }
    }
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
      try {
        if (nl_->netns_id(*it)) {
          nft_->forget(*it);
          nl_->netns_delete(*it);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "deleting " << *it << ": " << e.what();
      }
    }
    if (!run_root_.empty()) {
      // What the daemons and watchers said, when the test failed.
      if (HasFailure()) dump_logs();
      std::error_code ec;
      std::filesystem::remove_all(run_root_, ec);
    }
  }

  void dump_logs() const {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(run_root_, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().extension() != ".log") continue;
      std::ifstream in(it->path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::printf("----- %s\n%s\n", it->path().c_str(), text.c_str());
    }
  }

  std::string ns(const std::string& node) const { return "nl-" + lab_ + "-" + node; }

  void node(const std::string& n) {
    std::string name = ns(n);
    namespaces_.push_back(name);
    nl_->netns_create(name);
    std::filesystem::create_directories(run_root_ + "/nodes/" + n + "/run");
  }

  // A veth between two nodes with a /30 of 10.<k>.0.0.
  void link(const std::string& a, const std::string& ifa, const std::string& b,
            const std::string& ifb, int k) {
    nl_->veth_create({ns(a), ifa, ns(b), ifb, 1500});
    nl_->address_add({ns(a), ifa, *Ipv4Prefix::parse("10." + std::to_string(k) + ".0.1/30")});
    nl_->address_add({ns(b), ifb, *Ipv4Prefix::parse("10." + std::to_string(k) + ".0.2/30")});
    nl_->link_set_up(ns(a), ifa, true);
    nl_->link_set_up(ns(b), ifb, true);
  }

  plan::TunnelEnd end(const std::string& n, const std::string& outer, const std::string& inside,
                      const std::string& ifname, uint16_t port, bool wireguard) {
    plan::TunnelEnd e;
    e.node = n;
    e.ns = ns(n);
    e.ifname = ifname;
    e.inside = *Ipv4Prefix::parse(inside);
    e.outer = *Ipv4::parse(outer);
    e.listen_port = port;
    if (wireguard) e.keys = keys_->wireguard_keypair();
    e.run_dir = run_root_ + "/nodes/" + n + "/run";
    return e;
  }

  plan::PlanTunnel tunnel(const std::string& name, topology::TunnelType type, plan::TunnelEnd a,
                          plan::TunnelEnd b,
                          topology::Dpd dpd = {10, 30, topology::DpdAction::Clear}) {
    plan::PlanTunnel t;
    t.name = name;
    t.type = type;
    t.inside = a.inside.normalized();
    t.a = std::move(a);
    t.b = std::move(b);
    t.dpd = dpd;
    if (type == topology::TunnelType::Ipsec) t.psk = keys_->preshared_key();
    return t;
  }

  // As Lab::build does: both ends' processes, then configure a, then b.
  void bring_up(Backend& backend, const plan::PlanTunnel& t) {
    for (const auto* e : {&t.a, &t.b})
      for (const auto& spec : backend.processes(t, *e)) spawned_.push_back(procs_->spawn(spec));
    Context ctx{*nl_, *procs_, kernel::system_clock()};
    backend.configure(t, t.a, t.b, ctx);
    backend.configure(t, t.b, t.a, ctx);
  }

  bool link_up(const plan::TunnelEnd& e) {
    auto l = nl_->link_get(e.ns, e.ifname);
    return l && l->admin_up;
  }

  // One UDP datagram from a's inside address to b's, through the tunnel;
  // true when it arrives.
  bool udp_crosses(const plan::TunnelEnd& from, const plan::TunnelEnd& to, uint16_t port = 40000,
                   size_t size = 32) {
    kernel::UniqueFd rx = udp_socket(to.ns, to.inside.addr, port);
    kernel::UniqueFd tx = udp_socket(from.ns, from.inside.addr, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = to.inside.addr.network_order();
    const std::string msg(size, 'n');
    for (int i = 0; i < 50; ++i) {
      ::sendto(tx.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
      if (wait_until(
              [&] {
                char buf[2048];
                return ::recv(rx.get(), buf, sizeof buf, MSG_DONTWAIT) ==
                       static_cast<ssize_t>(msg.size());
              },
              std::chrono::milliseconds(100)))
        return true;
    }
    return false;
  }

  static kernel::UniqueFd udp_socket(const std::string& ns, Ipv4 addr, uint16_t port) {
    kernel::UniqueFd nsfd = kernel::netns_open(ns);
    kernel::NetnsGuard guard(nsfd.get(), ns);
    kernel::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    guard.leave();
    if (!s) throw KernelError("socket", ns, errno);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = addr.network_order();
    check_errno(::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "bind", addr.str());
    return s;
  }

  // Silent blackhole of everything arriving on ifname at node n (as a cut).
  void cut(const std::string& n, const std::string& ifname) {
    nft_->run(ns(n),
              "add table netdev nl_tt_cut\nadd chain netdev nl_tt_cut c { type filter hook ingress "
              "device \"" +
                  ifname + "\" priority -500; policy drop; }\n");
  }
  void uncut(const std::string& n) { nft_->run(ns(n), "delete table netdev nl_tt_cut\n"); }

  kernel::Capabilities caps_;
  std::string lab_, run_root_;
  BackendOptions opts_;
  std::unique_ptr<kernel::Netlink> nl_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<process::Processes> procs_;
  std::unique_ptr<plan::KeySource> keys_;
  std::vector<std::string> namespaces_;
  std::vector<process::ProcessId> spawned_;
};

}  // namespace netlab::tunnel::testing
