// The real controls and the program around the watcher's run loops.
#include <signal.h>
#include <time.h>

#include <cstdio>
#include <cstring>

#include "netlab/base/error.h"
#include "netlab/kernel/netlink.h"
#include "netlab/tunnel/tunnel_kernel.h"
#include "netlab/tunnel/watch.h"
#include "netlab/tunnel/wireguard_go.h"
#include "netlab/tunnel/wireguard_uapi.h"

namespace netlab::tunnel {

namespace {

class NetlinkLinkControl final : public LinkControl {
 public:
  explicit NetlinkLinkControl(std::string ifname)
      : nl_(kernel::make_netlink()), ifname_(std::move(ifname)) {}
  void set_up(bool up) override { nl_->link_set_up("", ifname_, up); }

 private:
  std::unique_ptr<kernel::Netlink> nl_;
  std::string ifname_;
};

class UapiWgControl final : public WgControl {
 public:
  explicit UapiWgControl(const WatchOptions& o) : o_(o) {}
  WgReading read() override {
    try {
      return uapi_parse_reading(wireguard_uapi_exchange(o_.uapi_socket, uapi_get_request()),
                                o_.peer_public_hex);
    } catch (const Error&) {
      return {};  // not there yet (before wireguard-go opened its socket)
    }
  }
  void reset_peer(bool contact) override {
    std::string reply = wireguard_uapi_exchange(
        o_.uapi_socket,
        uapi_peer_reset_request(o_.peer_public_hex,
                                contact ? std::optional(o_.peer_endpoint) : std::nullopt,
                                o_.keepalive_s));
    auto err = uapi_parse_errno(reply);
    if (!err || *err) throw KernelError("reset wireguard-go peer", o_.ifname, err.value_or(EPROTO));
  }

 private:
  WatchOptions o_;
};

WgKey key_from_hex(const std::string& hex) {
  WgKey k{};
  if (hex.size() != 64) throw InputError("a WireGuard key is 64 hex digits, not \"" + hex + "\"");
  for (size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return k;
}

std::optional<WgEndpoint> parse_endpoint(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  auto addr = Ipv4::parse(s.substr(0, colon));
  if (!addr) return std::nullopt;
  return WgEndpoint{*addr, static_cast<uint16_t>(std::stoi(s.substr(colon + 1)))};
}

class GenlWgControl final : public WgControl {
 public:
  explicit GenlWgControl(const WatchOptions& o)
      : o_(o), kernel_(make_tunnel_kernel()), key_(key_from_hex(o.peer_public_hex)) {}
  WgReading read() override {
    try {
      for (const auto& p : kernel_->wg_get("", o_.ifname).peers)
        if (p.public_key == key_) return {true, p.rx_bytes, p.last_handshake_ns};
    } catch (const Error&) {
    }
    return {};
  }
  void reset_peer(bool contact) override {
    WgDevice d;
    d.ifname = o_.ifname;
    WgPeer gone;
    gone.public_key = key_;
    gone.remove = true;
    WgPeer again;
    again.public_key = key_;
    if (contact) again.endpoint = parse_endpoint(o_.peer_endpoint);
    again.persistent_keepalive_s = static_cast<uint16_t>(o_.keepalive_s);
    again.replace_allowed_ips = true;
    again.allowed_ips = {*Ipv4Prefix::parse("0.0.0.0/0")};
    d.peers = {gone, again};
    kernel_->wg_set("", d);
  }

 private:
  WatchOptions o_;
  std::unique_ptr<TunnelKernel> kernel_;
  WgKey key_;
};

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

void log_line(const std::string& tunnel, const std::string& msg) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  localtime_r(&ts.tv_sec, &t);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &t);
  std::fprintf(stderr, "%s.%03ld %s: %s\n", when, ts.tv_nsec / 1'000'000, tunnel.c_str(),
               msg.c_str());
  std::fflush(stderr);
}

}  // namespace

std::unique_ptr<LinkControl> make_link_control(const std::string& ifname) {
  return std::make_unique<NetlinkLinkControl>(ifname);
}

std::unique_ptr<WgControl> make_wg_control(const WatchOptions& o) {
  if (o.kind == WatchKind::WireguardKernel) return std::make_unique<GenlWgControl>(o);
  return std::make_unique<UapiWgControl>(o);
}

int watch_main(int argc, char** argv) {
  WatchOptions o;
  try {
    o = parse_watch_args(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  auto log = [&](const std::string& m) { log_line(o.tunnel, m); };
  try {
    auto link = make_link_control(o.ifname);
    if (o.kind == WatchKind::Ipsec) {
      run_ipsec_watch(o, real_vici_connector(), *link, kernel::system_clock(), g_stop, log);
    } else {
      auto wg = make_wg_control(o);
      run_wireguard_watch(o, *wg, *link, kernel::system_clock(), g_stop, log);
    }
  } catch (const std::exception& e) {
    log(std::string("stopped: ") + e.what());
    return 1;
  }
  log("stopped");
  return 0;
}

}  // namespace netlab::tunnel
