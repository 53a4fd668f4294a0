// The tunnel watcher: its command line both ways, and its two run loops
// driven by a fake clock, a scripted WireGuard peer or charon, and a
// recorded interface.
#include "netlab/tunnel/watch.h"

#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "support/fake_kernel.h"

namespace netlab::tunnel {
namespace {

using netlab::testing::FakeClock;
using topology::DpdAction;

constexpr int64_t S = 1'000'000'000;
constexpr int64_t MS = 1'000'000;

WatchOptions wg_options() {
  WatchOptions o;
  o.kind = WatchKind::WireguardUapi;
  o.tunnel = "vpn1-t1";
  o.ifname = "vpn1-t1";
  o.uapi_socket = "/run/netlab/x/nodes/cgw/run/wireguard/vpn1-t1.sock";
  o.peer_public_hex = std::string(64, 'a');
  o.peer_endpoint = "198.51.100.1:51820";
  o.keepalive_s = 1;
  o.timeout_s = 3;
  o.action = DpdAction::Clear;
  o.poll_ms = 100;
  return o;
}

std::vector<std::string> args_of(const WatchOptions& o) {
  auto v = watch_argv("/x/netlab-tunnel-watch", o);
  EXPECT_EQ(v.front(), "/x/netlab-tunnel-watch");
  return {v.begin() + 1, v.end()};
}

TEST(WatchArgs, EveryKindRoundTrips) {
  WatchOptions wg = wg_options();
  EXPECT_EQ(parse_watch_args(args_of(wg)), wg);
  WatchOptions k = wg_options();
  k.kind = WatchKind::WireguardKernel;
  k.uapi_socket = "";
  k.action = DpdAction::Restart;
  EXPECT_EQ(parse_watch_args(args_of(k)), k);
  WatchOptions ip;
  ip.kind = WatchKind::Ipsec;
  ip.tunnel = ip.ifname = ip.child = "vpn1-t2";
  ip.vici_socket = "/run/netlab/x/nodes/cgw/run/ipsec-vpn1-t2/charon.vici";
  EXPECT_EQ(parse_watch_args(args_of(ip)), ip);
}

TEST(WatchArgs, MistakesAreInputErrors) {
  auto bad = [](std::vector<std::string> a) { EXPECT_THROW(parse_watch_args(a), InputError); };
  bad({});
  bad({"gre"});
  bad({"ipsec", "--tunnel", "t", "--ifname", "i", "--vici", "/s"});  // no --child
  bad({"wireguard", "--tunnel", "t", "--ifname", "i", "--peer", "p", "--endpoint", "e", "--timeout",
       "3"});
  bad({"wireguard", "--tunnel", "t", "--ifname", "i", "--uapi", "/s", "--kernel", "--peer", "p",
       "--endpoint", "e", "--timeout", "3"});
  bad({"wireguard", "--tunnel", "t", "--ifname", "i", "--kernel", "--peer", "p", "--endpoint", "e",
       "--timeout", "soon"});
  bad({"wireguard", "--tunnel", "t", "--ifname", "i", "--kernel", "--peer", "p", "--endpoint", "e",
       "--timeout", "3", "--action", "explode"});
  bad({"ipsec", "--tunnel"});
}

// A peer that sends while `alive(now)` holds; resets restart its counters.
struct ScriptedPeer : WgControl {
  FakeClock& clock;
  std::function<bool(int64_t)> alive;
  uint64_t rx = 0;
  int64_t hs = 0;
  std::vector<std::pair<int64_t, bool>> resets;  // (time, contact)
  ScriptedPeer(FakeClock& c, std::function<bool(int64_t)> a) : clock(c), alive(std::move(a)) {}
  WgReading read() override {
    if (alive(clock.now_ns())) {
      rx += 92;
      if (hs == 0) hs = clock.realtime_ns();
    }
    return {true, rx, hs};
  }
  void reset_peer(bool contact) override {
    resets.push_back({clock.now_ns(), contact});
    rx = 0;
    hs = 0;
  }
};

struct RecordedLink : LinkControl {
  FakeClock& clock;
  std::vector<std::pair<int64_t, bool>> changes;
  explicit RecordedLink(FakeClock& c) : clock(c) {}
  void set_up(bool up) override { changes.push_back({clock.now_ns(), up}); }
};

struct WatchRun {
  FakeClock clock{0};
  std::atomic<bool> stop{false};
  std::vector<std::string> log;
  void until(int64_t end) {
    clock.on_sleep = [this, end](int64_t now) {
      if (now >= end) stop = true;
    };
  }
  WatchLog logger() {
    return [this](const std::string& l) {
      log.push_back(std::to_string(clock.now_ns() / MS) + " " + l);
    };
  }
};

TEST(WireguardWatch, ClearTakesTheInterfaceDownForgetsThePeerAndWaits) {
  WatchRun r;
  // Alive until 5 s, silent until 12 s, then it handshakes again.
  ScriptedPeer peer(r.clock, [](int64_t t) { return t < 5 * S || t >= 12 * S; });
  RecordedLink link(r.clock);
  r.until(20 * S);
  run_wireguard_watch(wg_options(), peer, link, r.clock, r.stop, r.logger());
  // Last packet seen by the read at 4.9 s: dead at 7.9 s (timeout 3 s).
  ASSERT_EQ(link.changes.size(), 2u);
  EXPECT_EQ(link.changes[0], std::make_pair(7900 * MS, false));
  EXPECT_EQ(link.changes[1], std::make_pair(7900 * MS, true));
  ASSERT_EQ(peer.resets.size(), 1u);
  EXPECT_EQ(peer.resets[0], std::make_pair(7900 * MS, false));  // no endpoint: passive
  bool back = false;
  for (const auto& l : r.log) back |= l == "12000 peer heard again: tunnel vpn1-t1 up";
  EXPECT_TRUE(back);
}

TEST(WireguardWatch, RestartReinitiatesEveryTimeoutUntilThePeerAnswers) {
  WatchRun r;
  ScriptedPeer peer(r.clock, [](int64_t t) { return t < 1 * S || t >= 11 * S; });
  RecordedLink link(r.clock);
  WatchOptions o = wg_options();
  o.action = DpdAction::Restart;
  r.until(20 * S);
  run_wireguard_watch(o, peer, link, r.clock, r.stop, r.logger());
  std::vector<int64_t> at;
  for (auto [t, contact] : peer.resets) {
    EXPECT_TRUE(contact);
    at.push_back(t / MS);
  }
  EXPECT_EQ(at, (std::vector<int64_t>{3900, 6900, 9900}));
  EXPECT_EQ(link.changes.size(), 6u);  // down and up around each reset
}

TEST(WireguardWatch, NoneOnlyLogs) {
  WatchRun r;
  ScriptedPeer peer(r.clock, [](int64_t t) { return t < 1 * S; });
  RecordedLink link(r.clock);
  WatchOptions o = wg_options();
  o.action = DpdAction::None;
  r.until(10 * S);
  run_wireguard_watch(o, peer, link, r.clock, r.stop, r.logger());
  EXPECT_TRUE(link.changes.empty());
  EXPECT_TRUE(peer.resets.empty());
  bool said = false;
  for (const auto& l : r.log)
    said |= l.find("peer dead after 3000 ms of silence, action none") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(WireguardWatch, AFailedActionIsLoggedAndTheWatchGoesOn) {
  WatchRun r;
  struct Broken : ScriptedPeer {
    using ScriptedPeer::ScriptedPeer;
    void reset_peer(bool) override {
      throw KernelError("reset wireguard-go peer", "vpn1-t1", ECONNREFUSED);
    }
  } peer(r.clock, [](int64_t) { return false; });
  RecordedLink link(r.clock);
  r.until(5 * S);
  run_wireguard_watch(wg_options(), peer, link, r.clock, r.stop, r.logger());
  bool said = false;
  for (const auto& l : r.log) said |= l.find("DPD action failed") != std::string::npos;
  EXPECT_TRUE(said);
}

// charon as a script: each next_event() call runs the next step.
struct ScriptedCharon {
  struct Step {
    bool installed;     // what list-sas shows from now on
    bool event = true;  // whether an event announces it
    bool drop = false;  // the connection breaks instead
  };
  std::vector<Step> steps;
  size_t next = 0;
  bool installed = false;
  int refuse_first = 0;  // connects that fail before charon listens
  int connects = 0;
  std::atomic<bool>* stop = nullptr;

  ViciConnector connector() {
    return [this](const std::string& path) -> std::unique_ptr<ViciSession> {
      if (refuse_first-- > 0) throw KernelError("connect", path, ENOENT);
      ++connects;
      return std::make_unique<Session>(this);
    };
  }
  struct Session : ViciSession {
    ScriptedCharon* c;
    explicit Session(ScriptedCharon* c) : c(c) {}
    ViciMessage request(const std::string&, const ViciMessage&) override { return {}; }
    std::vector<ViciMessage> request_streamed(const std::string& cmd, const ViciMessage& args,
                                              const std::string& event) override {
      EXPECT_EQ(cmd, "list-sas");
      EXPECT_EQ(event, "list-sa");
      EXPECT_EQ(*args.value("ike"), "vpn1-t1");
      if (!c->installed) return {};
      ViciMessage m;
      m.section("vpn1-t1", [](ViciMessage& ike) {
        ike.set("state", "ESTABLISHED");
        ike.section("child-sas", [](ViciMessage& cs) {
          cs.section("vpn1-t1-3",
                     [](ViciMessage& ch) { ch.set("name", "vpn1-t1").set("state", "INSTALLED"); });
        });
      });
      return {m};
    }
    void subscribe(const std::string&) override {}
    std::optional<ViciPacket> next_event(std::chrono::milliseconds) override {
      if (c->next >= c->steps.size()) {
        c->stop->store(true);
        return std::nullopt;
      }
      Step s = c->steps[c->next++];
      if (s.drop) throw KernelError("read from", "charon.vici", ECONNRESET);
      c->installed = s.installed;
      if (!s.event) return std::nullopt;
      return ViciPacket{ViciPacketType::Event, "child-updown", {}};
    }
  };
};

WatchOptions ipsec_options() {
  WatchOptions o;
  o.kind = WatchKind::Ipsec;
  o.tunnel = o.ifname = o.child = "vpn1-t1";
  o.vici_socket = "/run/x/charon.vici";
  return o;
}

TEST(IpsecWatch, TheInterfaceFollowsTheChildSa) {
  WatchRun r;
  ScriptedCharon charon;
  charon.stop = &r.stop;
  charon.refuse_first = 3;
  charon.steps = {{true}, {true}, {false}, {true}};
  RecordedLink link(r.clock);
  run_ipsec_watch(ipsec_options(), charon.connector(), link, r.clock, r.stop, r.logger());
  std::vector<bool> states;
  for (auto [t, up] : link.changes) states.push_back(up);
  // Down while charon is not there yet, up with the SA, down when DPD
  // clears it, up when the customer gateway re-initiates. No repeats.
  EXPECT_EQ(states, (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(charon.connects, 1);
}

TEST(IpsecWatch, ALostConnectionTakesTheInterfaceDownAndReconnects) {
  WatchRun r;
  ScriptedCharon charon;
  charon.stop = &r.stop;
  charon.steps = {{true}, {true, false, true}, {true}};
  RecordedLink link(r.clock);
  run_ipsec_watch(ipsec_options(), charon.connector(), link, r.clock, r.stop, r.logger());
  std::vector<bool> states;
  for (auto [t, up] : link.changes) states.push_back(up);
  EXPECT_EQ(states, (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(charon.connects, 2);
}

TEST(IpsecWatch, OnlyAnInstalledChildOfThatNameCounts) {
  auto event = [](const std::string& name, const std::string& state) {
    ViciMessage m;
    m.section("vpn1-t1", [&](ViciMessage& ike) {
      ike.section("child-sas", [&](ViciMessage& cs) {
        cs.section(name + "-1", [&](ViciMessage& ch) { ch.set("name", name).set("state", state); });
      });
    });
    return m;
  };
  EXPECT_TRUE(child_installed(event("vpn1-t1", "INSTALLED"), "vpn1-t1"));
  EXPECT_FALSE(child_installed(event("vpn1-t1", "REKEYED"), "vpn1-t1"));
  EXPECT_FALSE(child_installed(event("vpn1-t2", "INSTALLED"), "vpn1-t1"));
  EXPECT_FALSE(child_installed(ViciMessage{}, "vpn1-t1"));
}

}  // namespace
}  // namespace netlab::tunnel
