// bench_tunnel: what each tunnel backend costs, beside a plain veth measured
// in the same run (bench/README.md, "Tunnels").
//
//   bench_tunnel            TCP and UDP throughput and UDP ping-pong latency
//                           (p50/p99) over a veth and over every tunnel
//                           backend this host has, side by side
//   bench_tunnel --timings  per backend: bring-up, IKE setup, DPD detection
//                           with AWS's 10 s / 30 s after a cut of the underlay
//                           under 1 kHz traffic, and re-establishment after the
//                           repair (about a minute per backend)
//
// Root. A bench lab of its own: namespaces nl-tb<pid>-*, files under
// /run/netlab/tb<pid>/, all removed at the end, also on failure or Ctrl-C.
// Sender and receiver are threads of this process with sockets opened inside
// the two namespaces (no iperf).
#include "netlab/tunnel/tunnel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/nft.h"
#include "netlab/plan/keys.h"
#include "netlab/base/helpers.h"
#include "netlab/process/processes.h"
#include "netlab/tunnel/ipsec.h"
#include "netlab/tunnel/wireguard_go.h"
#include "netlab/tunnel/wireguard_kernel.h"
#include "netlab/tunnel/wireguard_uapi.h"

namespace netlab::bench {
namespace {

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted.store(true); }

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::microseconds step = std::chrono::microseconds(1000)) {
  const int64_t deadline = mono_ns() + timeout.count() * 1'000'000;
  while (!g_interrupted.load()) {
    if (done()) return true;
    if (mono_ns() > deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return false;
}

// A socket of `type` opened inside `ns` (it stays there), bound to addr:port.
kernel::UniqueFd socket_in(const std::string& ns, int type, Ipv4 addr, uint16_t port) {
  kernel::UniqueFd nsfd = kernel::netns_open(ns);
  kernel::NetnsGuard guard(nsfd.get(), ns);
  kernel::UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  guard.leave();
  if (!s) throw KernelError("socket", ns, errno);
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = addr.network_order();
  check_errno(::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "bind", addr.str());
  return s;
}

sockaddr_in sockaddr_of(Ipv4 addr, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = addr.network_order();
  return sa;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int rc;
  while ((rc = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  return rc > 0;
}

// One way between two namespaces: a veth's own addresses, or a tunnel's
// inside addresses.
struct Path {
  std::string name;
  std::string a_ns, b_ns;
  Ipv4 a, b;
};

// The bench lab. Its destructor removes everything it made.
class BenchLab {
 public:
  BenchLab() {
    if (geteuid() != 0)
      throw EnvironmentError("the tunnel benchmarks need root (network namespaces)");
    caps_ = kernel::make_capability_probe()->probe();
    lab_ = "tb" + std::to_string(getpid() % 100000);
    run_root_ = "/run/netlab/" + lab_;
    nl_ = kernel::make_netlink();
    nft_ = kernel::make_nft();
    procs_ = process::make_processes();
    keys_ = plan::make_key_source();
    opts_.watcher = find_watcher();
    std::filesystem::create_directories(run_root_);
  }
  BenchLab(const BenchLab&) = delete;
  BenchLab& operator=(const BenchLab&) = delete;
  ~BenchLab() {
    for (auto it = spawned_.rbegin(); it != spawned_.rend(); ++it) {
      try {
        procs_->stop(*it, std::chrono::seconds(3));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: stopping %s: %s\n", it->str().c_str(), e.what());
      }
    }
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
      try {
        if (nl_->netns_id(*it)) {
          nft_->forget(*it);
          nl_->netns_delete(*it);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: deleting %s: %s\n", it->c_str(), e.what());
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(run_root_, ec);
  }

  const kernel::Capabilities& caps() const { return caps_; }
  const tunnel::BackendOptions& options() const { return opts_; }

  std::string ns(const std::string& node) const { return "nl-" + lab_ + "-" + node; }

  // Nodes a<tag> and b<tag> joined by eth1 (10.9.<i>.1/30 <-> 10.9.<i>.2/30).
  Path make_pair(int i) {
    const std::string a = "a" + std::to_string(i), b = "b" + std::to_string(i);
    for (const auto& n : {a, b}) {
      namespaces_.push_back(ns(n));
      nl_->netns_create(ns(n));
      std::filesystem::create_directories(run_root_ + "/nodes/" + n + "/run");
    }
    const std::string net = "10.9." + std::to_string(i) + ".";
    nl_->veth_create({ns(a), "eth1", ns(b), "eth1", 1500});
    nl_->address_add({ns(a), "eth1", *Ipv4Prefix::parse(net + "1/30")});
    nl_->address_add({ns(b), "eth1", *Ipv4Prefix::parse(net + "2/30")});
    nl_->link_set_up(ns(a), "eth1", true);
    nl_->link_set_up(ns(b), "eth1", true);
    return {"veth", ns(a), ns(b), *Ipv4::parse(net + "1"), *Ipv4::parse(net + "2")};
  }

  // The k-th tunnel of the run (own /30 and port) over `pair`, up when this
  // returns. The first end (a) plays the customer gateway.
  plan::PlanTunnel tunnel(tunnel::Backend& backend, topology::TunnelType type, const Path& pair,
                          int k, topology::Dpd dpd = {10, 30, topology::DpdAction::Clear}) {
    auto end = [&](const std::string& ns_name, Ipv4 outer, int host) {
      plan::TunnelEnd e;
      e.node = ns_name.substr(ns_name.rfind('-') + 1);
      e.ns = ns_name;
      e.ifname = "tun" + std::to_string(k);
      e.inside = *Ipv4Prefix::parse("169.254." + std::to_string(30 + k) + "." +
                                    std::to_string(host) + "/30");
      e.outer = outer;
      e.listen_port = static_cast<uint16_t>(51820 + k);
      if (type == topology::TunnelType::Wireguard) e.keys = keys_->wireguard_keypair();
      e.run_dir = run_root_ + "/nodes/" + e.node + "/run";
      return e;
    };
    plan::PlanTunnel t;
    t.name = "tun" + std::to_string(k);
    t.type = type;
    t.a = end(pair.a_ns, pair.a, 1);
    t.b = end(pair.b_ns, pair.b, 2);
    t.inside = t.a.inside.normalized();
    t.dpd = dpd;
    if (type == topology::TunnelType::Ipsec) t.psk = keys_->preshared_key();
    for (const auto* e : {&t.a, &t.b})
      for (const auto& spec : backend.processes(t, *e)) spawned_.push_back(procs_->spawn(spec));
    tunnel::Context ctx{*nl_, *procs_, kernel::system_clock()};
    backend.configure(t, t.a, t.b, ctx);
    backend.configure(t, t.b, t.a, ctx);
    if (!wait_until([&] { return up(t.a) && up(t.b); }, std::chrono::seconds(15)))
      throw Error("bench: tunnel " + t.name + " (" + backend.name() +
                  ") did not come up; logs in " + run_root_);
    return t;
  }

  bool up(const plan::TunnelEnd& e) {
    auto l = nl_->link_get(e.ns, e.ifname);
    return l && l->admin_up;
  }

  // Blackholes everything arriving on the namespace's eth1 (as netlab's cut).
  void cut(const std::string& ns_name) {
    nft_->run(ns_name,
              "add table netdev nl_tb_cut\nadd chain netdev nl_tb_cut c { type filter hook ingress "
              "device \"eth1\" priority -500; policy drop; }\n");
  }
  void uncut(const std::string& ns_name) { nft_->run(ns_name, "delete table netdev nl_tb_cut\n"); }

 private:
  static std::string find_watcher() { return require_helper("netlab-tunnel-watch"); }

  kernel::Capabilities caps_;
  std::string lab_, run_root_;
  tunnel::BackendOptions opts_;
  std::unique_ptr<kernel::Netlink> nl_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<process::Processes> procs_;
  std::unique_ptr<plan::KeySource> keys_;
  std::vector<std::string> namespaces_;
  std::vector<process::ProcessId> spawned_;
};

struct BackendCase {
  std::string name;
  topology::TunnelType type;
  std::function<std::unique_ptr<tunnel::Backend>(const BenchLab&)> make;
};

std::vector<BackendCase> available_backends(const BenchLab& lab) {
  using topology::TunnelType;
  const auto& c = lab.caps();
  std::vector<BackendCase> out;
  if (!c.wireguard_go.empty() && c.tun)
    out.push_back({"wireguard-go", TunnelType::Wireguard, [](const BenchLab& l) {
                     return std::make_unique<tunnel::WireguardGo>(l.caps().wireguard_go,
                                                                  l.options());
                   }});
  if (c.wireguard_kernel)
    out.push_back({"wireguard-kernel", TunnelType::Wireguard, [](const BenchLab& l) {
                     return std::make_unique<tunnel::WireguardKernel>(l.options());
                   }});
  if (!c.charon.empty() && c.tun)
    out.push_back({"ipsec-libipsec", TunnelType::Ipsec, [](const BenchLab& l) {
                     return std::make_unique<tunnel::Ipsec>(tunnel::IpsecFlavor::Libipsec,
                                                            l.caps().charon, l.options());
                   }});
  if (!c.charon.empty() && c.xfrm_esp)
    out.push_back({"ipsec-kernel", TunnelType::Ipsec, [](const BenchLab& l) {
                     return std::make_unique<tunnel::Ipsec>(tunnel::IpsecFlavor::Kernel,
                                                            l.caps().charon, l.options());
                   }});
  return out;
}

// --- throughput and latency ---

constexpr uint16_t kTcpPort = 5201, kUdpPort = 5202, kEchoPort = 5203;

// Bytes a receiving socket got from its first byte to its last.
struct Received {
  uint64_t bytes = 0, packets = 0;
  int64_t first_ns = 0, last_ns = 0;
  double mbps() const { return last_ns > first_ns ? bytes * 8.0 / (last_ns - first_ns) * 1e3 : 0; }
};

void set_timeout(int fd, int opt, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

// One TCP stream for `seconds`; a stalled path reads as what got through
// (never a hang: every blocking call has a timeout).
double tcp_mbps(const Path& p, double seconds) {
  kernel::UniqueFd lsn = socket_in(p.b_ns, SOCK_STREAM, p.b, kTcpPort);
  check_errno(::listen(lsn.get(), 1), "listen", p.b.str());
  Received got;
  std::atomic<bool> sender_done{false};
  std::thread rx([&] {
    if (!readable(lsn.get(), 5000)) return;
    kernel::UniqueFd c(::accept4(lsn.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) return;
    set_timeout(c.get(), SO_RCVTIMEO, 200);
    std::vector<char> buf(1 << 18);
    int64_t last = mono_ns();
    for (;;) {
      ssize_t n = ::read(c.get(), buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) break;
        if (sender_done.load() && mono_ns() - last > 2'000'000'000) break;
        continue;
      }
      last = mono_ns();
      if (!got.bytes) got.first_ns = last;
      got.last_ns = last;
      got.bytes += static_cast<uint64_t>(n);
    }
  });
  {
    kernel::UniqueFd s = socket_in(p.a_ns, SOCK_STREAM, p.a, 0);
    set_timeout(s.get(), SO_SNDTIMEO, 200);
    sockaddr_in to = sockaddr_of(p.b, kTcpPort);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      std::fprintf(stderr, "bench: TCP connect %s -> %s: %s\n", p.a.str().c_str(),
                   p.b.str().c_str(), std::strerror(errno));
    } else {
      std::vector<char> buf(1 << 17, 'x');
      const int64_t end = mono_ns() + static_cast<int64_t>(seconds * 1e9);
      while (mono_ns() < end && !g_interrupted.load()) {
        ssize_t n = ::write(s.get(), buf.data(), buf.size());
        if (n < 0 && errno != EINTR && errno != EAGAIN) break;
      }
      ::shutdown(s.get(), SHUT_WR);
    }
    sender_done = true;
    rx.join();
  }
  if (!got.bytes) std::fprintf(stderr, "bench: TCP over %s: nothing arrived\n", p.name.c_str());
  return got.mbps();
}

struct UdpResult {
  double mbps = 0, delivered_pct = 0;
};

UdpResult udp_mbps(const Path& p, double seconds, size_t payload) {
  kernel::UniqueFd r = socket_in(p.b_ns, SOCK_DGRAM, p.b, kUdpPort);
  int big = 8 << 20;
  ::setsockopt(r.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  std::atomic<bool> done{false};
  Received got;
  std::thread rx([&] {
    std::vector<char> buf(65536);
    int64_t idle_since = 0;
    for (;;) {
      if (!readable(r.get(), 50)) {
        if (done.load()) {
          if (!idle_since) idle_since = mono_ns();
          if (mono_ns() - idle_since > 300'000'000) break;
        }
        continue;
      }
      idle_since = 0;
      ssize_t n = ::recv(r.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) continue;
      int64_t now = mono_ns();
      if (!got.bytes) got.first_ns = now;
      got.last_ns = now;
      got.bytes += static_cast<uint64_t>(n);
      ++got.packets;
    }
  });
  uint64_t sent = 0;
  {
    kernel::UniqueFd s = socket_in(p.a_ns, SOCK_DGRAM, p.a, 0);
    sockaddr_in to = sockaddr_of(p.b, kUdpPort);
    std::vector<char> buf(payload, 'u');
    const int64_t end = mono_ns() + static_cast<int64_t>(seconds * 1e9);
    while (mono_ns() < end && !g_interrupted.load()) {
      if (::sendto(s.get(), buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to),
                   sizeof to) > 0)
        ++sent;
    }
  }
  done = true;
  rx.join();
  return {got.mbps(), sent ? 100.0 * got.packets / sent : 0};
}

struct Latency {
  double p50_us = 0, p99_us = 0;
  int lost = 0;
};

Latency ping_pong(const Path& p, int count) {
  kernel::UniqueFd echo = socket_in(p.b_ns, SOCK_DGRAM, p.b, kEchoPort);
  std::atomic<bool> done{false};
  std::thread responder([&] {
    char buf[64];
    while (!done.load()) {
      if (!readable(echo.get(), 20)) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(echo.get(), buf, sizeof buf, MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0)
        ::sendto(echo.get(), buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                 len);
    }
  });
  kernel::UniqueFd c = socket_in(p.a_ns, SOCK_DGRAM, p.a, 0);
  sockaddr_in to = sockaddr_of(p.b, kEchoPort);
  check_errno(::connect(c.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), "connect",
              p.b.str());
  std::vector<double> rtts;
  Latency out;
  for (int i = -200; i < count && !g_interrupted.load(); ++i) {  // 200 warm-up exchanges
    uint64_t seq = static_cast<uint64_t>(i + 1000);
    int64_t t0 = mono_ns();
    ::send(c.get(), &seq, sizeof seq, 0);
    uint64_t back = 0;
    bool ok = false;
    while (readable(c.get(), 1000)) {
      if (::recv(c.get(), &back, sizeof back, MSG_DONTWAIT) == sizeof back && back == seq) {
        ok = true;
        break;
      }
    }
    if (i < 0) continue;
    if (!ok) {
      ++out.lost;
      continue;
    }
    rtts.push_back((mono_ns() - t0) / 1e3);
  }
  done = true;
  responder.join();
  if (!rtts.empty()) {
    std::sort(rtts.begin(), rtts.end());
    out.p50_us = rtts[rtts.size() / 2];
    out.p99_us = rtts[std::min(rtts.size() - 1, rtts.size() * 99 / 100)];
  }
  return out;
}

int run_throughput() {
  BenchLab lab;
  Path veth = lab.make_pair(1);
  struct Row {
    std::string name;
    double tcp;
    UdpResult udp;
    Latency lat;
  };
  std::vector<Row> rows;
  auto measure = [&](const Path& p) {
    std::fprintf(stderr, "bench: measuring %s\n", p.name.c_str());
    Row r{p.name, tcp_mbps(p, 5.0), udp_mbps(p, 3.0, 1200), ping_pong(p, 5000)};
    rows.push_back(r);
  };
  measure(veth);
  std::vector<std::unique_ptr<tunnel::Backend>> backends;
  int k = 1;
  for (const auto& bc : available_backends(lab)) {
    if (g_interrupted.load()) break;
    backends.push_back(bc.make(lab));
    plan::PlanTunnel t = lab.tunnel(*backends.back(), bc.type, veth, k++);
    measure({bc.name, t.a.ns, t.b.ns, t.a.inside.addr, t.b.inside.addr});
  }
  std::printf("%-16s %12s %14s %11s %12s %12s %16s\n", "path", "TCP Mbit/s", "UDP Mbit/s",
              "delivered", "RTT p50 us", "RTT p99 us", "added p50/p99 us");
  for (const auto& r : rows) {
    char added[64] = "-";
    if (r.name != "veth")
      std::snprintf(added, sizeof added, "%.0f / %.0f", r.lat.p50_us - rows[0].lat.p50_us,
                    r.lat.p99_us - rows[0].lat.p99_us);
    std::printf("%-16s %12.0f %14.0f %10.1f%% %12.0f %12.0f %16s%s\n", r.name.c_str(), r.tcp,
                r.udp.mbps, r.udp.delivered_pct, r.lat.p50_us, r.lat.p99_us, added,
                r.lat.lost ? (" (" + std::to_string(r.lat.lost) + " lost)").c_str() : "");
  }
  std::printf(
      "(UDP: 1200-byte datagrams sent as fast as one thread can for 3 s; Mbit/s as received. "
      "TCP: one stream for 5 s. RTT: 5000 sequential 8-byte UDP exchanges.)\n");
  return 0;
}

// --- timings: bring-up, IKE, DPD, re-establishment ---

// 1 kHz UDP ping-pong from a to b across the tunnel: the time each end last
// received something, the last reply a got.
class Pinger {
 public:
  Pinger(const plan::PlanTunnel& t) {
    echo_ = socket_in(t.b.ns, SOCK_DGRAM, t.b.inside.addr, kEchoPort);
    c_ = socket_in(t.a.ns, SOCK_DGRAM, t.a.inside.addr, 0);
    sockaddr_in to = sockaddr_of(t.b.inside.addr, kEchoPort);
    check_errno(::connect(c_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), "connect",
                "echo");
    responder_ = std::thread([this] {
      char buf[64];
      while (!done_.load()) {
        if (!readable(echo_.get(), 20)) continue;
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(echo_.get(), buf, sizeof buf, MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0)
          ::sendto(echo_.get(), buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                   len);
      }
    });
    sender_ = std::thread([this] {
      uint64_t seq = 0;
      int64_t next = mono_ns();
      while (!done_.load()) {
        ::send(c_.get(), &seq, sizeof seq, MSG_DONTWAIT);
        ++seq;
        char buf[64];
        while (::recv(c_.get(), buf, sizeof buf, MSG_DONTWAIT) > 0) last_reply_ns_ = mono_ns();
        next += 1'000'000;
        int64_t wait = next - mono_ns();
        if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
      }
    });
  }
  ~Pinger() {
    done_ = true;
    sender_.join();
    responder_.join();
  }
  int64_t last_reply_ns() const { return last_reply_ns_.load(); }

 private:
  kernel::UniqueFd echo_, c_;
  std::atomic<bool> done_{false};
  std::atomic<int64_t> last_reply_ns_{0};
  std::thread responder_, sender_;
};

// WireGuard state of one end: whether the peer has an endpoint, its received bytes.
struct WgState {
  bool endpoint = false;
  uint64_t rx = 0;
};

WgState wg_state(const std::string& backend, const plan::PlanTunnel& t, const plan::TunnelEnd& e) {
  WgState s;
  try {
    if (backend == "wireguard-go") {
      std::string reply = tunnel::wireguard_uapi_exchange(tunnel::WireguardGo::socket_path(e),
                                                          tunnel::uapi_get_request());
      s.endpoint = reply.find("\nendpoint=") != std::string::npos;
      s.rx = tunnel::uapi_parse_reading(reply,
                                        plan::base64_to_hex(tunnel::peer_of(t, e).keys.public_key))
                 .rx_bytes;
    } else {
      auto d = tunnel::make_tunnel_kernel()->wg_get(e.ns, e.ifname);
      if (!d.peers.empty()) {
        s.endpoint = d.peers[0].endpoint.has_value();
        s.rx = d.peers[0].rx_bytes;
      }
    }
  } catch (const Error&) {
  }
  return s;
}

int run_timings() {
  BenchLab lab;
  std::printf("%-16s %10s %10s %18s %18s %16s\n", "backend", "bring-up", "IKE", "DPD at AWS end",
              "DPD at customer", "back after repair");
  int i = 2, k = 10;
  for (const auto& bc : available_backends(lab)) {
    if (g_interrupted.load()) break;
    std::fprintf(stderr, "bench: %s: DPD 10 s / 30 s (AWS), about a minute\n", bc.name.c_str());
    Path pair = lab.make_pair(i++);
    auto backend = bc.make(lab);
    const int64_t t0 = mono_ns();
    plan::PlanTunnel t = lab.tunnel(*backend, bc.type, pair, k++);
    auto pinger = std::make_unique<Pinger>(t);
    bool crossing =
        wait_until([&] { return pinger->last_reply_ns() > 0; }, std::chrono::seconds(10));
    const double bring_up_ms = (mono_ns() - t0) / 1e6;
    const auto* ipsec = dynamic_cast<const tunnel::Ipsec*>(backend.get());
    std::string ike = ipsec ? std::to_string(ipsec->last_ike_setup_ns() / 1'000'000) + " ms" : "-";
    if (!crossing) throw Error("bench: no traffic across " + bc.name);
    std::this_thread::sleep_for(std::chrono::seconds(2));

    const int64_t cut = mono_ns();
    lab.cut(pair.a_ns);
    lab.cut(pair.b_ns);
    // DPD: IPsec's ends take their interface down (charon's DPD, the watcher);
    // WireGuard's AWS end forgets the peer's endpoint (clear), the customer's
    // flushes its session (restart: received bytes start again from 0).
    int64_t aws = 0, cust = 0;
    const bool wg = bc.type == topology::TunnelType::Wireguard;
    const uint64_t rx_before = wg ? wg_state(bc.name, t, t.a).rx : 0;
    wait_until(
        [&] {
          int64_t now = mono_ns();
          if (!aws && (wg ? !wg_state(bc.name, t, t.b).endpoint : !lab.up(t.b))) aws = now;
          if (!cust && (wg ? wg_state(bc.name, t, t.a).rx < rx_before : !lab.up(t.a))) cust = now;
          return aws && cust;
        },
        std::chrono::seconds(60), std::chrono::microseconds(wg ? 5000 : 1000));
    lab.uncut(pair.a_ns);
    lab.uncut(pair.b_ns);
    const int64_t repaired = mono_ns();
    bool back =
        wait_until([&] { return pinger->last_reply_ns() > repaired; }, std::chrono::seconds(90));
    auto ms = [&](int64_t t) {
      return t ? std::to_string((t - cut) / 1'000'000) + " ms" : std::string("never");
    };
    std::printf(
        "%-16s %7.0f ms %10s %18s %18s %16s\n", bc.name.c_str(), bring_up_ms, ike.c_str(),
        ms(aws).c_str(), ms(cust).c_str(),
        back ? (std::to_string((pinger->last_reply_ns() - repaired) / 1'000'000) + " ms").c_str()
             : "never");
    std::fflush(stdout);
  }
  std::printf(
      "(bring-up: processes spawned to the first reply across the tunnel; DPD: from the cut of the "
      "underlay, "
      "with 1 kHz traffic until the cut; back: from the repair to the first reply.)\n");
  return 0;
}

}  // namespace
}  // namespace netlab::bench

int main(int argc, char** argv) {
  using namespace netlab::bench;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  bool timings = argc > 1 && std::string(argv[1]) == "--timings";
  try {
    return timings ? run_timings() : run_throughput();
  } catch (const netlab::Error& e) {
    std::fprintf(stderr, "bench_tunnel: %s\n", e.what());
    return e.exit_code();
  }
}
