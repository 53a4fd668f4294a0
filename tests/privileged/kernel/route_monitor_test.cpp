// Route events from real namespaces: order, timestamps, namespaces, nexthop
// objects, and the silent removals on link down.
#include "netlab/kernel/route_monitor.h"

#include <dirent.h>
#include <linux/rtnetlink.h>
#include <sched.h>

#include <set>

#include "kernel_fixture.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel::testing {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }
Ipv4 A(const char* s) { return *Ipv4::parse(s); }

class RouteMonitorTest : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    if (IsSkipped()) return;
    mon_ = make_route_monitor();
  }
  void TearDown() override {
    if (mon_) mon_->stop();  // its sockets would keep the namespaces alive
    KernelTest::TearDown();
  }

  // Waits until events for `dst` satisfy n, collecting everything drained.
  std::vector<RouteEvent> wait_events(
      const std::function<bool(const std::vector<RouteEvent>&)>& n) {
    wait_until([&] {
      for (auto& e : mon_->drain()) seen_.push_back(e);
      return n(seen_);
    });
    return seen_;
  }

  static std::vector<RouteEvent> for_dst(const std::vector<RouteEvent>& evs, const char* dst) {
    std::vector<RouteEvent> out;
    for (const auto& e : evs) {
      if (e.route.dst == P(dst)) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<RouteMonitor> mon_;
  std::vector<RouteEvent> seen_;
};

TEST_F(RouteMonitorTest, AddThenDeleteArriveInOrderWithTimestampsFromTheRightNamespace) {
  std::string a, b;
  make_pair(&a, &b);
  mon_->watch(a);
  mon_->watch(b);
  mon_->watch(a);  // idempotent

  int64_t t0 = mono_ns();
  nl_->route_replace(
      Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0});
  int64_t t1 = mono_ns();
  nl_->route_replace(Route{b, P("10.90.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  nl_->route_delete(Route{a, P("10.50.0.0/24")});
  int64_t t2 = mono_ns();

  auto evs = wait_events([](const auto& s) {
    return for_dst(s, "10.50.0.0/24").size() >= 2 && !for_dst(s, "10.90.0.0/24").empty();
  });
  auto ev = for_dst(evs, "10.50.0.0/24");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, RouteEvent::Kind::Add);
  EXPECT_EQ(ev[1].kind, RouteEvent::Kind::Delete);
  EXPECT_EQ(
      ev[0].route,
      (Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0}));
  EXPECT_EQ(ev[1].route.ns, a);
  EXPECT_GE(ev[0].t_ns, t0);
  EXPECT_LE(ev[0].t_ns, ev[1].t_ns);
  EXPECT_GE(ev[1].t_ns, t1);
  EXPECT_LE(ev[0].t_ns, t2 + 1'000'000'000);  // not some stale event
  auto bh = for_dst(evs, "10.90.0.0/24");
  ASSERT_EQ(bh.size(), 1u);
  EXPECT_EQ(bh[0].route.ns, b);
  EXPECT_EQ(bh[0].route.type, RouteType::Blackhole);
  // Receipt order is time order.
  for (size_t i = 1; i < evs.size(); ++i) EXPECT_LE(evs[i - 1].t_ns, evs[i].t_ns);
  EXPECT_TRUE(mon_->errors().empty());
}

TEST_F(RouteMonitorTest, EventsBeforeWatchAreNotSeenAndUnwatchedNamespacesAreSilent) {
  std::string a, b;
  make_pair(&a, &b);
  nl_->route_replace(Route{a, P("10.40.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  mon_->watch(a);
  nl_->route_replace(Route{b, P("10.41.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  nl_->route_replace(Route{a, P("10.42.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  auto evs = wait_events([](const auto& s) { return !for_dst(s, "10.42.0.0/24").empty(); });
  EXPECT_TRUE(for_dst(evs, "10.40.0.0/24").empty());
  EXPECT_TRUE(for_dst(evs, "10.41.0.0/24").empty());
}

TEST_F(RouteMonitorTest, NexthopObjectRoutesResolveToTheirGateway) {
  std::string a, b;
  make_pair(&a, &b);
  // Only RTA_NH_ID in the notification: the monitor must resolve it.
  nl_->sysctl_set(a, "net/ipv4/nexthop_compat_mode", "0");
  mon_->watch(a);
  UniqueFd fd = netns_open(a);
  NetnsGuard guard(fd.get(), a);
  NlSocket raw;
  guard.leave();
  int eth1 = nl_->link_get(a, "eth1")->index;
  MsgBuilder nh = encode_nexthop(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL,
                                 NexthopObject{77, false, A("10.0.0.2"), eth1, {}});
  raw.request(nh, "nexthop_add", "77");
  Route r{a, P("10.77.0.0/24"), RouteType::Unicast, {}, 186, 20};
  MsgBuilder add = encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, nullptr, 77);
  raw.request(add, "route_add", "nhid 77");
  MsgBuilder del = encode_route(RTM_DELROUTE, 0, r, nullptr, 77);
  raw.request(del, "route_del", "nhid 77");

  auto evs = wait_events([](const auto& s) { return for_dst(s, "10.77.0.0/24").size() >= 2; });
  auto ev = for_dst(evs, "10.77.0.0/24");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, RouteEvent::Kind::Add);
  EXPECT_EQ(ev[0].route.str(), "10.77.0.0/24 via 10.0.0.2 dev eth1 proto bgp metric 20");
  EXPECT_EQ(ev[1].kind, RouteEvent::Kind::Delete);
  EXPECT_LE(ev[0].t_ns, ev[1].t_ns);
}

TEST_F(RouteMonitorTest, LinkDownReportsTheRoutesTheKernelRemovedSilently) {
  std::string a, b;
  make_pair(&a, &b);
  nl_->route_replace(
      Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0});
  nl_->route_replace(Route{a, P("10.52.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  mon_->watch(a);
  int64_t t0 = mono_ns();
  nl_->link_set_up(a, "eth1", false);
  auto evs = wait_events([](const auto& s) {
    return !for_dst(s, "10.50.0.0/24").empty() && !for_dst(s, "10.0.0.0/24").empty();
  });
  auto gone = for_dst(evs, "10.50.0.0/24");
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].kind, RouteEvent::Kind::Delete);
  EXPECT_GE(gone[0].t_ns, t0);
  EXPECT_EQ(for_dst(evs, "10.0.0.0/24")[0].kind, RouteEvent::Kind::Delete);  // connected route
  EXPECT_TRUE(for_dst(evs, "10.52.0.0/24").empty());  // a blackhole has no device
  // And the kernel agrees: the route is gone.
  for (const auto& r : nl_->route_list(a)) EXPECT_NE(r.dst, P("10.50.0.0/24"));
}

TEST_F(RouteMonitorTest, EcmpLosesAndRegainsANexthopWithItsDevice) {
  std::string a, b;
  make_pair(&a, &b);
  std::string c = make_ns("c");
  nl_->veth_create(VethPair{a, "eth2", c, "eth1", 1500});
  nl_->link_set_up(a, "eth2", true);
  nl_->link_set_up(c, "eth1", true);
  nl_->address_add(Address{a, "eth2", P("10.0.1.1/24")});
  Route ecmp{a,
             P("10.60.0.0/24"),
             RouteType::Unicast,
             {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.0.1.2"), "eth2"}},
             4,
             0};
  nl_->route_replace(ecmp);
  mon_->watch(a);

  nl_->link_set_up(a, "eth1", false);
  auto evs = wait_events([](const auto& s) { return !for_dst(s, "10.60.0.0/24").empty(); });
  auto ev = for_dst(evs, "10.60.0.0/24");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, RouteEvent::Kind::Add);
  EXPECT_EQ(ev[0].route.nexthops, (std::vector<Nexthop>{{A("10.0.1.2"), "eth2"}}));
  // The kernel agrees (its dump marks the eth1 nexthop dead).
  for (const auto& r : nl_->route_list(a)) {
    if (r.dst == P("10.60.0.0/24")) {
      EXPECT_EQ(r.nexthops, ev[0].route.nexthops);
    }
  }

  seen_.clear();
  nl_->link_set_up(a, "eth1", true);
  evs = wait_events([](const auto& s) { return !for_dst(s, "10.60.0.0/24").empty(); });
  ev = for_dst(evs, "10.60.0.0/24");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].route, ecmp);
  bool found = false;
  for (const auto& r : nl_->route_list(a)) {
    if (r.dst == P("10.60.0.0/24")) {
      found = true;
      EXPECT_EQ(r, ecmp);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(RouteMonitorTest, LostEventsAreReportedAndTheTablesResynchronise) {
  std::string a, b;
  make_pair(&a, &b);
  mon_->stop();
  // Make the reader lose the race for sure: it shares this thread's CPU at
  // idle priority, so the kernel handles a whole batch of requests (one
  // sendmsg) before the reader runs, and the smallest receive buffer the
  // kernel allows overflows.
  auto tasks = [] {
    std::set<pid_t> out;
    DIR* d = opendir("/proc/self/task");
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.insert(std::stoi(e->d_name));
    }
    closedir(d);
    return out;
  };
  auto before = tasks();
  mon_ = make_route_monitor(4096);
  pid_t reader = 0;
  for (pid_t t : tasks()) {
    if (!before.count(t)) reader = t;
  }
  ASSERT_NE(reader, 0);
  cpu_set_t old_set, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof old_set, &old_set), 0);
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  // Undone however the test ends: later tests run on this thread.
  struct Restore {
    pid_t reader;
    cpu_set_t set;
    ~Restore() {
      sched_setaffinity(0, sizeof set, &set);
      sched_setaffinity(reader, sizeof set, &set);
      sched_param normal{};
      sched_setscheduler(reader, SCHED_OTHER, &normal);
    }
  } restore{reader, old_set};
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  ASSERT_EQ(sched_setaffinity(reader, sizeof one, &one), 0);
  sched_param idle{};
  ASSERT_EQ(sched_setscheduler(reader, SCHED_IDLE, &idle), 0);
  mon_->watch(a);
  UniqueFd fd = netns_open(a);
  NetnsGuard guard(fd.get(), a);
  NlSocket raw;
  guard.leave();
  std::vector<char> batch;
  for (uint32_t i = 0; i < 1000; ++i) {
    Ipv4 net{(10u << 24) | (100u << 16) | (i << 8)};
    MsgBuilder m =
        encode_route(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE,
                     Route{a, Ipv4Prefix{net, 24}, RouteType::Blackhole, {}, 4, 0}, nullptr);
    batch.insert(batch.end(), m.data(), m.data() + m.size());
  }
  // A batch can still lose its race when this thread blocks in the kernel
  // (rtnl_lock held by the cleanup of an earlier test's namespaces): retry.
  bool lost = false;
  for (int round = 0; round < 10 && !lost; ++round) {
    ssize_t sent = ::send(raw.fd(), batch.data(), batch.size(), 0);
    ASSERT_EQ(sent, static_cast<ssize_t>(batch.size()));
    lost = wait_until([&] { return !mon_->errors().empty(); }, std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(lost);
  auto err = mon_->errors()[0];
  EXPECT_EQ(err.err, ENOBUFS);
  EXPECT_EQ(err.ns, a);
  EXPECT_NE(err.str().find("events lost"), std::string::npos);
  // The monitor goes on: a change after the loss arrives. (The first tries
  // may still meet the tail of the overflow, which errors() reports too.)
  bool arrived = false;
  for (uint32_t i = 0; i < 20 && !arrived; ++i) {
    Ipv4 net{(10u << 24) | (98u << 16) | (i << 8)};
    nl_->route_replace(Route{a, Ipv4Prefix{net, 24}, RouteType::Blackhole, {}, 4, 0});
    arrived = wait_until(
        [&] {
          for (auto& e : mon_->drain()) seen_.push_back(e);
          for (const auto& e : seen_) {
            if (e.route.dst.addr == net) return true;
          }
          return false;
        },
        std::chrono::milliseconds(500));
  }
  ASSERT_TRUE(arrived);
  nl_->route_replace(
      Route{a, P("10.99.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0});
  wait_events([](const auto& s) { return !for_dst(s, "10.99.0.0/24").empty(); });
  ASSERT_FALSE(for_dst(seen_, "10.99.0.0/24").empty());
  // ...and its tables were rebuilt from a fresh dump (reset, then dump): the
  // connected route, known only from a dump, is reported gone on link down.
  nl_->link_set_up(a, "eth1", false);
  auto evs = wait_events([](const auto& s) {
    auto c = for_dst(s, "10.0.0.0/24");
    return !c.empty() && c.back().kind == RouteEvent::Kind::Delete;
  });
  auto connected = for_dst(evs, "10.0.0.0/24");
  ASSERT_FALSE(connected.empty());
  EXPECT_EQ(connected.back().kind, RouteEvent::Kind::Delete);
  EXPECT_EQ(for_dst(evs, "10.99.0.0/24").back().kind, RouteEvent::Kind::Delete);
}

TEST_F(RouteMonitorTest, StopEndsTheReaderAndKeepsWhatCame) {
  std::string a, b;
  make_pair(&a, &b);
  mon_->watch(a);
  nl_->route_replace(Route{a, P("10.43.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  wait_events([](const auto& s) { return !for_dst(s, "10.43.0.0/24").empty(); });
  nl_->route_replace(Route{a, P("10.44.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  mon_->stop();
  mon_->stop();  // idempotent
  mon_->drain();
  // The sockets are closed: nothing after stop() can arrive.
  nl_->route_replace(Route{a, P("10.45.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  EXPECT_TRUE(for_dst(mon_->drain(), "10.45.0.0/24").empty());
  EXPECT_THROW(mon_->watch(b), KernelError);
}

}  // namespace
}  // namespace netlab::kernel::testing
