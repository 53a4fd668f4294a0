// Recording fakes of the kernel interfaces (netlab/kernel/*.h), for unit
// tests of the layers above without root.
//
// Each fake keeps an in-memory model and behaves like the kernel where that
// matters to a caller (names collide with EEXIST, missing links give ENODEV,
// a missing namespace gives ENOENT as opening /run/netns/NAME would, routes
// need an up device and an on-link gateway, a veth pair dies as a whole,
// routes via a link that goes down disappear), and records every mutating
// call as one readable line in `ops`, so a test can assert both the exact
// sequence of operations and the resulting state. Read-only calls (lists,
// gets, netns_id) are not recorded. A failed call is recorded with
// " -> ERRNO_NAME" appended.
//
// fail_nth(op, n, err) makes the n-th call of `op` from now on (n = 1: the
// next one) throw KernelError with `err`, for rollback tests; `op` is the
// method name ("veth_create", "route_replace", "run", "watch"...).
//
// The fakes implement the interfaces; they share nothing with the real
// implementations. Threads: FakeClock and FakeRouteMonitor may be used from
// several threads; the others from one thread at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/kernel/route_monitor.h"

namespace netlab::testing {

// Injected failures, shared by the fakes.
class FaultPlan {
 public:
  void fail_nth(const std::string& op, int n, int err, std::string extack = "injected by test");
  // Counts this call of `op`; returns the injected failure when it is due.
  std::optional<std::pair<int, std::string>> due(const std::string& op);

 private:
  struct Pending {
    int remaining;
    int err;
    std::string extack;
  };
  std::map<std::string, std::vector<Pending>> pending_;
};

// "EEXIST" for EEXIST; the number for unknown values.
std::string errno_name(int err);

class FakeNetlink : public kernel::Netlink {
 public:
  struct Link {
    std::string name;
    int index = 0;
    bool up = false;
    uint32_t mtu = 1500;
    std::optional<std::pair<std::string, std::string>> peer;  // veth: (ns, ifname)
    std::vector<Ipv4Prefix> addresses;
    kernel::LinkStats stats;
  };
  struct StoredRoute {
    kernel::Route route;     // as the kernel holds it: every nexthop has its dev
    std::vector<bool> dead;  // per nexthop: its device went down
  };
  struct Namespace {
    kernel::NetnsId id;
    std::map<std::string, Link> links;
    std::vector<StoredRoute> routes;  // the main table, without connected routes
    std::map<std::string, std::string> sysctls;
    int next_index = 2;  // 1 is lo
  };

  // The namespace netlab runs in ("") exists from the start, with lo up.
  FakeNetlink();

  std::vector<std::string> ops;
  void fail_nth(const std::string& op, int n, int err, std::string extack = "injected by test") {
    faults_.fail_nth(op, n, err, std::move(extack));
  }

  // The model, for assertions.
  bool has_netns(const std::string& name) const { return netns_.count(name) != 0; }
  const Namespace& netns(const std::string& name) const { return netns_.at(name); }
  std::optional<std::string> sysctl(const std::string& ns, const std::string& key) const;
  // Counters a test wants link_stats() to report.
  void set_stats(const std::string& ns, const std::string& ifname, const kernel::LinkStats& s);

  // kernel::Netlink
  kernel::NetnsId netns_create(const std::string& name) override;
  void netns_delete(const std::string& name) override;
  std::optional<kernel::NetnsId> netns_id(const std::string& name) override;
  std::vector<std::string> netns_list() override;
  void veth_create(const kernel::VethPair&) override;
  void link_set_up(const std::string& ns, const std::string& ifname, bool up) override;
  void link_delete(const std::string& ns, const std::string& ifname) override;
  std::optional<kernel::LinkInfo> link_get(const std::string& ns,
                                           const std::string& ifname) override;
  std::vector<kernel::LinkInfo> link_list(const std::string& ns) override;
  kernel::LinkStats link_stats(const std::string& ns, const std::string& ifname) override;
  void address_add(const kernel::Address&) override;
  std::vector<kernel::Address> address_list(const std::string& ns) override;
  void route_replace(const kernel::Route&) override;
  void route_delete(const kernel::Route&) override;
  std::vector<kernel::Route> route_list(const std::string& ns) override;
  void sysctl_set(const std::string& ns, const std::string& key, const std::string& value) override;

 private:
  // Records `line`, applies injected faults, runs `body`; a KernelError
  // (injected or from the model) is recorded and rethrown.
  template <class F>
  auto call(const std::string& op, const std::string& line, F&& body);
  template <class F>
  auto read(const std::string& op, const std::string& object, F&& body);
  Namespace& ns_or_throw(const std::string& ns);
  Link& link_or_throw(const std::string& op, const std::string& ns, const std::string& ifname);
  kernel::LinkInfo info(const std::string& ns, const Link& l) const;
  void link_went_down(Namespace& n, const std::string& ifname);
  void link_came_up(Namespace& n, const std::string& ifname);
  void remove_link(const std::string& ns, const std::string& ifname);

  std::map<std::string, Namespace> netns_;
  FaultPlan faults_;
  uint64_t next_ino_ = 4026532000;
};

class FakeNft : public kernel::Nft {
 public:
  // With `world`, commands for a namespace it does not have fail with
  // ENOENT, as the real one cannot open /run/netns/NAME.
  explicit FakeNft(const FakeNetlink* world = nullptr) : world_(world) {}

  // "nft nl-x-a add table netdev nl_cut; add chain ..." (lines joined with
  // "; "), "nft_forget nl-x-a".
  std::vector<std::string> ops;
  // Per namespace, every command text that succeeded, in order.
  std::map<std::string, std::vector<std::string>> applied;
  void fail_nth(const std::string& op, int n, int err, std::string extack = "injected by test") {
    faults_.fail_nth(op, n, err, std::move(extack));
  }
  // What list_json(ns, command) returns; unset: an empty ruleset.
  void set_list_json(const std::string& ns, const std::string& command, std::string json);

  void run(const std::string& ns, const std::string& commands) override;
  std::string list_json(const std::string& ns, const std::string& command) override;
  void forget(const std::string& ns) override;

  static std::string one_line(const std::string& commands);

 private:
  void check_ns(const std::string& ns) const;
  const FakeNetlink* world_;
  FaultPlan faults_;
  std::map<std::pair<std::string, std::string>, std::string> listings_;
};

// Manual time: now_ns() moves only by advance(), set() or sleep_ns().
class FakeClock : public kernel::Clock {
 public:
  explicit FakeClock(int64_t start_ns = 1'000'000'000,
                     int64_t realtime_offset_ns = 1'700'000'000'000'000'000)
      : now_(start_ns), offset_(realtime_offset_ns) {}

  int64_t now_ns() override { return now_.load(); }
  int64_t realtime_ns() override { return now_.load() + offset_; }
  // Advances the time by ns at once, records the sleep, then calls on_sleep.
  void sleep_ns(int64_t ns) override;

  void advance(int64_t ns) { now_ += ns; }
  void set(int64_t now) { now_ = now; }
  std::vector<int64_t> sleeps() const;
  // Runs after every sleep with the new time: lets a test make things happen
  // "while" the code under test sleeps (push route events, ...).
  std::function<void(int64_t now)> on_sleep;

 private:
  std::atomic<int64_t> now_;
  const int64_t offset_;
  mutable std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

class FakeRouteMonitor : public kernel::RouteMonitor {
 public:
  // Queues an event for drain(). As with the real monitor, events of a
  // namespace that is not watched, or pushed after stop(), never arrive
  // (they are counted in dropped()).
  void push(kernel::RouteEvent e);
  void push_error(kernel::RouteMonitorError e);
  void fail_nth(const std::string& op, int n, int err, std::string extack = "injected by test");

  std::vector<std::string> ops() const;  // "watch nl-x-a", "stop"
  std::set<std::string> watched() const;
  bool stopped() const;
  size_t dropped() const;

  void watch(const std::string& ns) override;
  std::vector<kernel::RouteEvent> drain() override;
  std::vector<kernel::RouteMonitorError> errors() override;
  void stop() override;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> ops_;
  std::set<std::string> watched_;
  std::vector<kernel::RouteEvent> events_;
  std::vector<kernel::RouteMonitorError> errors_;
  FaultPlan faults_;
  bool stopped_ = false;
  size_t dropped_ = 0;
};

class FakeCapabilityProbe : public kernel::CapabilityProbe {
 public:
  explicit FakeCapabilityProbe(kernel::Capabilities c = this_machine()) : caps(std::move(c)) {}
  kernel::Capabilities caps;
  int calls = 0;
  kernel::Capabilities probe() override {
    ++calls;
    return caps;
  }
  // The development and CI machines (docs/kernel-notes.md): no kernel
  // WireGuard, no ESP, no netem; FRR 8.4 with bfdd, wireguard-go, strongSwan.
  static kernel::Capabilities this_machine();
  // A host with every feature.
  static kernel::Capabilities full();
};

}  // namespace netlab::testing
