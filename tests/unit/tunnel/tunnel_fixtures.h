// Shared by the tunnel unit tests: a planned tunnel as the planner makes it
// (customer gateway first), and recording fakes of the tunnel-only seams
// (TunnelKernel, a vici session).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/plan/keys.h"
#include "netlab/plan/plan.h"
#include "netlab/tunnel/tunnel_kernel.h"
#include "netlab/tunnel/vici.h"

namespace netlab::tunnel::testing {

inline std::string key_b64(unsigned char fill) {
  unsigned char k[32];
  for (int i = 0; i < 32; ++i) k[i] = static_cast<unsigned char>(fill + i);
  return plan::base64_encode(k, sizeof k);
}

inline plan::TunnelEnd end_of(const std::string& node, const std::string& ip,
                              const std::string& inside, unsigned char key) {
  plan::TunnelEnd e;
  e.node = node;
  e.ns = "nl-x-" + node;
  e.ifname = "vpn1-t1";
  e.inside = *Ipv4Prefix::parse(inside);
  e.outer = *Ipv4::parse(ip);
  e.listen_port = 51820;
  e.keys = {key_b64(key), plan::wireguard_public_key(key_b64(key))};
  e.run_dir = "/run/netlab/x/nodes/" + node + "/run";
  return e;
}

// cgw (customer gateway, first) <-> vpn-az1 (AWS), as in the catalogue.
inline plan::PlanTunnel sample_tunnel(topology::TunnelType type = topology::TunnelType::Ipsec) {
  plan::PlanTunnel t;
  t.name = "vpn1-t1";
  t.type = type;
  t.inside = *Ipv4Prefix::parse("169.254.20.0/30");
  t.a = end_of("cgw", "203.0.113.1", "169.254.20.1/30", 1);
  t.b = end_of("vpn-az1", "198.51.100.1", "169.254.20.2/30", 101);
  t.dpd = {10, 30, topology::DpdAction::Clear};
  t.bgp = {10, 30};
  t.psk = key_b64(200);
  t.mtu = 1446;  // AWS Site-to-Site VPN's tunnel MTU, the plan's default
  return t;
}

// Records every call as one line; wg_get answers from `devices`.
class FakeTunnelKernel : public TunnelKernel {
 public:
  std::vector<std::string> ops;
  std::vector<WgDevice> sets;
  std::map<std::string, WgDevice> devices;          // "ns/ifname" -> what wg_get returns
  std::function<void(const std::string& op)> fail;  // throws to inject a failure

  void wireguard_create(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    rec("wireguard_create " + ns + " " + ifname + " mtu " + std::to_string(mtu));
  }
  void xfrm_create(const std::string& ns, const std::string& ifname, uint32_t if_id,
                   const std::string& underlay, uint32_t mtu) override {
    rec("xfrm_create " + ns + " " + ifname + " if_id " + std::to_string(if_id) + " dev " +
        underlay + " mtu " + std::to_string(mtu));
  }
  void link_rename(const std::string& ns, const std::string& from, const std::string& to) override {
    rec("link_rename " + ns + " " + from + " " + to);
  }
  void link_set_mtu(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    rec("link_set_mtu " + ns + " " + ifname + " " + std::to_string(mtu));
  }
  void tun_placeholder(const std::string& ns, const std::string& ifname) override {
    rec("tun_placeholder " + ns + " " + ifname);
  }
  void rules_delete(const std::string& ns, uint32_t table) override {
    rec("rules_delete " + ns + " " + std::to_string(table));
  }
  void wg_set(const std::string& ns, const WgDevice& d) override {
    rec("wg_set " + ns + " " + d.ifname);
    sets.push_back(d);
  }
  WgDevice wg_get(const std::string& ns, const std::string& ifname) override {
    auto it = devices.find(ns + "/" + ifname);
    if (it == devices.end()) throw KernelError("read wireguard", ns + " " + ifname, ENODEV);
    return it->second;
  }

 private:
  void rec(const std::string& line) {
    if (fail) fail(line);
    ops.push_back(line);
  }
};

// A vici session that records requests (into a log shared by all sessions
// of one FakeVici) and answers from scripted replies.
struct FakeViciWorld {
  std::vector<std::string> log;             // "<socket> <command>"
  std::map<std::string, ViciMessage> last;  // "<socket> <command>" -> its last arguments
  std::function<ViciMessage(const std::string& socket, const std::string& cmd)> reply;
  std::map<std::string, std::vector<ViciMessage>> list_sa;  // socket -> list-sa events to stream
  std::map<std::string, std::deque<ViciPacket>> events;     // socket -> events to deliver
  std::vector<std::string> refused;                         // sockets whose connect fails

  ViciConnector connector() {
    return [this](const std::string& path) -> std::unique_ptr<ViciSession> {
      for (const auto& r : refused)
        if (r == path) throw KernelError("connect", path, ECONNREFUSED);
      log.push_back(path + " connect");
      return std::make_unique<Session>(this, path);
    };
  }

  class Session : public ViciSession {
   public:
    Session(FakeViciWorld* w, std::string path) : w_(w), path_(std::move(path)) {}
    ViciMessage request(const std::string& cmd, const ViciMessage& args) override {
      w_->log.push_back(path_ + " " + cmd);
      w_->last[path_ + " " + cmd] = args;
      if (w_->reply) return w_->reply(path_, cmd);
      ViciMessage ok;
      ok.set("success", "yes");
      return ok;
    }
    std::vector<ViciMessage> request_streamed(const std::string& cmd, const ViciMessage& args,
                                              const std::string&) override {
      request(cmd, args);
      return w_->list_sa[path_];
    }
    void subscribe(const std::string& event) override {
      w_->log.push_back(path_ + " subscribe " + event);
    }
    std::optional<ViciPacket> next_event(std::chrono::milliseconds) override {
      auto& q = w_->events[path_];
      if (q.empty()) return std::nullopt;
      ViciPacket p = q.front();
      q.pop_front();
      return p;
    }

   private:
    FakeViciWorld* w_;
    std::string path_;
  };
};

}  // namespace netlab::tunnel::testing

#include "netlab/kernel/netlink.h"

namespace netlab::tunnel::testing {

// The part of kernel::Netlink a tunnel backend uses (addresses, link state),
// recorded as lines; the rest is not expected and fails the test.
class RecordingNetlink : public kernel::Netlink {
 public:
  std::vector<std::string> ops;
  std::vector<kernel::Address> addresses;  // what address_list returns (plus those added)

  kernel::NetnsId netns_create(const std::string&) override {
    return unexpected<kernel::NetnsId>("netns_create");
  }
  void netns_delete(const std::string&) override { unexpected<int>("netns_delete"); }
  std::optional<kernel::NetnsId> netns_id(const std::string&) override { return std::nullopt; }
  std::vector<std::string> netns_list() override { return {}; }
  void veth_create(const kernel::VethPair&) override { unexpected<int>("veth_create"); }
  void link_set_up(const std::string& ns, const std::string& ifname, bool up) override {
    ops.push_back("link_set_up " + ns + " " + ifname + (up ? " up" : " down"));
  }
  void link_delete(const std::string&, const std::string&) override {
    unexpected<int>("link_delete");
  }
  std::optional<kernel::LinkInfo> link_get(const std::string&, const std::string&) override {
    return std::nullopt;
  }
  std::vector<kernel::LinkInfo> link_list(const std::string&) override { return {}; }
  kernel::LinkStats link_stats(const std::string&, const std::string&) override { return {}; }
  void address_add(const kernel::Address& a) override {
    ops.push_back("address_add " + a.ns + " " + a.ifname + " " + a.addr.str());
    addresses.push_back(a);
  }
  std::vector<kernel::Address> address_list(const std::string& ns) override {
    std::vector<kernel::Address> out;
    for (const auto& a : addresses)
      if (a.ns == ns) out.push_back(a);
    return out;
  }
  void route_replace(const kernel::Route&) override { unexpected<int>("route_replace"); }
  void route_delete(const kernel::Route&) override { unexpected<int>("route_delete"); }
  std::vector<kernel::Route> route_list(const std::string&) override { return {}; }
  void sysctl_set(const std::string&, const std::string&, const std::string&) override {
    unexpected<int>("sysctl_set");
  }

 private:
  template <class T>
  T unexpected(const char* op) {
    throw Error(std::string("RecordingNetlink: unexpected ") + op);
  }
};

}  // namespace netlab::tunnel::testing
