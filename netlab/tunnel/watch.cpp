#include "netlab/tunnel/watch.h"

#include <cerrno>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

#include "netlab/base/error.h"

namespace netlab::tunnel {

const char* const kWatchUsage =
    "usage: netlab-tunnel-watch wireguard --tunnel NAME --ifname IF (--uapi SOCKET | --kernel)\n"
    "                           --peer HEXKEY --endpoint ADDR:PORT --keepalive S --timeout S\n"
    "                           --action clear|restart|none [--poll-ms MS]\n"
    "       netlab-tunnel-watch ipsec --tunnel NAME --ifname IF --vici SOCKET --child NAME\n";

namespace {

constexpr int64_t kMs = 1'000'000;

uint32_t to_u32(const std::string& flag, const std::string& v) {
  uint32_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    throw InputError("netlab-tunnel-watch: " + flag + " needs a number, not \"" + v + "\"\n" +
                     kWatchUsage);
  return out;
}

}  // namespace

std::vector<std::string> watch_argv(const std::string& binary, const WatchOptions& o) {
  std::vector<std::string> a{binary};
  if (o.kind == WatchKind::Ipsec) {
    a.insert(a.end(), {"ipsec", "--tunnel", o.tunnel, "--ifname", o.ifname, "--vici", o.vici_socket,
                       "--child", o.child});
    return a;
  }
  a.insert(a.end(), {"wireguard", "--tunnel", o.tunnel, "--ifname", o.ifname});
  if (o.kind == WatchKind::WireguardUapi)
    a.insert(a.end(), {"--uapi", o.uapi_socket});
  else
    a.push_back("--kernel");
  a.insert(a.end(),
           {"--peer", o.peer_public_hex, "--endpoint", o.peer_endpoint, "--keepalive",
            std::to_string(o.keepalive_s), "--timeout", std::to_string(o.timeout_s), "--action",
            std::string(topology::to_string(o.action)), "--poll-ms", std::to_string(o.poll_ms)});
  return a;
}

WatchOptions parse_watch_args(const std::vector<std::string>& args) {
  if (args.empty()) throw InputError(std::string("netlab-tunnel-watch: no mode\n") + kWatchUsage);
  WatchOptions o;
  const std::string& mode = args[0];
  if (mode == "ipsec")
    o.kind = WatchKind::Ipsec;
  else if (mode == "wireguard")
    o.kind = WatchKind::WireguardUapi;
  else
    throw InputError("netlab-tunnel-watch: unknown mode \"" + mode + "\"\n" + kWatchUsage);
  bool kernel = false;
  std::map<std::string, std::string> seen;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& f = args[i];
    if (f == "--kernel") {
      kernel = true;
      continue;
    }
    if (i + 1 >= args.size())
      throw InputError("netlab-tunnel-watch: " + f + " needs a value\n" + kWatchUsage);
    const std::string& v = args[++i];
    seen[f] = v;
    if (f == "--tunnel")
      o.tunnel = v;
    else if (f == "--ifname")
      o.ifname = v;
    else if (f == "--uapi")
      o.uapi_socket = v;
    else if (f == "--peer")
      o.peer_public_hex = v;
    else if (f == "--endpoint")
      o.peer_endpoint = v;
    else if (f == "--keepalive")
      o.keepalive_s = to_u32(f, v);
    else if (f == "--timeout")
      o.timeout_s = to_u32(f, v);
    else if (f == "--poll-ms")
      o.poll_ms = to_u32(f, v);
    else if (f == "--vici")
      o.vici_socket = v;
    else if (f == "--child")
      o.child = v;
    else if (f == "--action") {
      auto a = topology::dpd_action_from_string(v);
      if (!a)
        throw InputError("netlab-tunnel-watch: --action is clear, restart or none, not \"" + v +
                         "\"");
      o.action = *a;
    } else {
      throw InputError("netlab-tunnel-watch: unknown option " + f + "\n" + kWatchUsage);
    }
  }
  auto need = [&](const char* flag) {
    if (!seen.count(flag))
      throw InputError(std::string("netlab-tunnel-watch: ") + flag + " is required\n" +
                       kWatchUsage);
  };
  need("--tunnel");
  need("--ifname");
  if (o.kind == WatchKind::Ipsec) {
    need("--vici");
    need("--child");
    if (kernel)
      throw InputError("netlab-tunnel-watch: --kernel is for wireguard\n" +
                       std::string(kWatchUsage));
    return o;
  }
  if (kernel == (seen.count("--uapi") > 0))
    throw InputError(std::string("netlab-tunnel-watch: give one of --uapi and --kernel\n") +
                     kWatchUsage);
  if (kernel) o.kind = WatchKind::WireguardKernel;
  need("--peer");
  need("--endpoint");
  need("--timeout");
  if (o.poll_ms == 0) throw InputError("netlab-tunnel-watch: --poll-ms must be positive");
  return o;
}

void run_wireguard_watch(const WatchOptions& o, WgControl& wg, LinkControl& link,
                         kernel::Clock& clock, const std::atomic<bool>& stop, const WatchLog& log) {
  DpdMonitor mon({int64_t{o.timeout_s} * 1'000'000'000, o.action});
  bool said_started = false;
  while (!stop.load()) {
    const int64_t now = clock.now_ns();
    DpdStep step = mon.observe(now, wg.read());
    if (mon.started() && !said_started) {
      said_started = true;
      log("watching " + o.ifname + ": DPD timeout " + std::to_string(o.timeout_s) + " s, action " +
          std::string(topology::to_string(o.action)));
    }
    if (step.kind == DpdStep::Kind::PeerBack) log("peer heard again: tunnel " + o.tunnel + " up");
    if (step.kind == DpdStep::Kind::PeerDead) {
      log(step.str());
      if (step.action != topology::DpdAction::None) {
        try {
          // Down first: BGP drops on the interface going down and its
          // routes go, as AWS's clear/restart end the tunnel.
          link.set_up(false);
          wg.reset_peer(step.action == topology::DpdAction::Restart);
          link.set_up(true);
          log(step.action == topology::DpdAction::Restart
                  ? "session flushed, peer re-initiated at " + o.peer_endpoint
                  : "session and endpoint cleared; waiting for the peer to initiate");
        } catch (const Error& e) {
          log(std::string("DPD action failed: ") + e.what());
        }
      }
    }
    clock.sleep_ns(int64_t{o.poll_ms} * kMs);
  }
}

bool child_installed(const ViciMessage& event, const std::string& child) {
  for (const auto& ike : event.entries) {
    if (ike.kind != ViciEntry::Kind::Section) continue;
    const ViciMessage* children = ike.section.find_section("child-sas");
    if (!children) continue;
    for (const auto& c : children->entries) {
      if (c.kind != ViciEntry::Kind::Section) continue;
      const std::string* name = c.section.value("name");
      const std::string* state = c.section.value("state");
      if (name && state && *name == child && *state == "INSTALLED") return true;
    }
  }
  return false;
}

void run_ipsec_watch(const WatchOptions& o, const ViciConnector& connect, LinkControl& link,
                     kernel::Clock& clock, const std::atomic<bool>& stop, const WatchLog& log) {
  std::optional<bool> applied;  // the state we last set; nullopt: unknown
  auto apply = [&](bool up) {
    if (applied == up) return;
    try {
      link.set_up(up);
      applied = up;
      log(std::string("CHILD_SA ") + o.child + (up ? " installed: " : " gone: ") + o.ifname +
          (up ? " up" : " down"));
    } catch (const KernelError& e) {
      // The interface may not exist yet (libipsec's TUN before its rename):
      // the next synchronisation tries again.
      if (e.err() != ENODEV) log(std::string("cannot set ") + o.ifname + ": " + e.what());
      applied.reset();
    }
  };
  bool said_waiting = false;
  while (!stop.load()) {
    std::unique_ptr<ViciSession> s;
    try {
      s = connect(o.vici_socket);
      s->subscribe("child-updown");
      s->subscribe("ike-updown");
      s->subscribe("list-sa");
      log("following charon at " + o.vici_socket);
      said_waiting = false;
    } catch (const Error& e) {
      if (!said_waiting) log(std::string("waiting for charon: ") + e.what());
      said_waiting = true;
      apply(false);
      clock.sleep_ns(100 * kMs);
      continue;
    }
    try {
      auto sync = [&] {
        ViciMessage args;
        args.set("ike", o.child);
        bool up = false;
        for (const auto& ev : s->request_streamed("list-sas", args, "list-sa"))
          up |= child_installed(ev, o.child);
        apply(up);
      };
      sync();
      int64_t last_sync = clock.now_ns();
      while (!stop.load()) {
        auto ev = s->next_event(std::chrono::milliseconds(200));
        // Events say that something changed; list-sas says what holds now
        // (a rekeyed or reauthenticated SA comes and goes in pairs). A sync
        // every second besides catches an interface that was not there yet.
        if (ev || clock.now_ns() - last_sync >= 1000 * kMs) {
          sync();
          last_sync = clock.now_ns();
        }
      }
    } catch (const Error& e) {
      log(std::string("lost charon: ") + e.what());
      apply(false);
      clock.sleep_ns(100 * kMs);
    }
  }
}

}  // namespace netlab::tunnel
