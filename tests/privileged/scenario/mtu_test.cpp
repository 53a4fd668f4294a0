// A VPN tunnel at AWS's 1446-byte MTU in a real lab (wireguard-go where the
// kernel has no WireGuard): DF UDP datagrams of 1400 and 1446 bytes cross it,
// 1500-byte ones do not; with PMTUD working the sender learns 1446 (EMSGSIZE,
// IP_MTU), with `pmtud = false` on the tunnel it learns nothing and the big
// datagrams are silently lost. Sockets are opened inside the lab's
// namespaces by a thread that enters them; the labs go when the test ends,
// also when it fails (RealLab).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <thread>

#include <filesystem>

#include "lab_fixture.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"
#include "netlab/process/processes.h"
#include "support/test_util.h"

namespace netlab::testing {
namespace {

using kernel::UniqueFd;

// A UDP socket of namespace `ns`: opened by a thread that entered it (a
// socket keeps the namespace it was made in).
UniqueFd udp_socket_in(const std::string& ns) {
  int fd = -1, err = 0;
  std::thread([&] {
    UniqueFd nsfd(::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!nsfd || ::setns(nsfd.get(), CLONE_NEWNET) != 0) {
      err = errno;
      return;
    }
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) err = errno;
  }).join();
  if (fd < 0) throw Error("udp socket in " + ns + ": " + std::strerror(err));
  return UniqueFd(fd);
}

sockaddr_in to(Ipv4 a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = a.network_order();
  return sa;
}

void pause_ms(int ms) {
  timespec t{ms / 1000, (ms % 1000) * 1'000'000L};
  nanosleep(&t, nullptr);
}

constexpr uint16_t kPort = 9999;

struct Sent {
  int ok = 0, emsgsize = 0;
};

struct MtuResult {
  std::map<size_t, Sent> sent;       // by IP datagram size
  std::map<size_t, int> received;    // by IP datagram size
  int ip_mtu = 0;                    // the sender's path MTU afterwards
};

// Sends `count` DF datagrams of each size from server to app, 50 ms apart.
MtuResult send_df(RealLab& lab) {
  const plan::PlanNode* server = lab.plan().node("server");
  const plan::PlanNode* app = lab.plan().node("app");
  UniqueFd rx = udp_socket_in(app->ns);
  sockaddr_in any = to(Ipv4{0}, kPort);
  check_errno(::bind(rx.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), "bind", "app");
  UniqueFd tx = udp_socket_in(server->ns);
  const int df = IP_PMTUDISC_DO;
  check_errno(::setsockopt(tx.get(), IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof df), "setsockopt", "df");
  sockaddr_in dst = to(app->ifaces.front().address.addr, kPort);
  check_errno(::connect(tx.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst), "connect", "app");

  MtuResult r;
  std::vector<char> payload(2000, 'x');
  for (size_t size : {1400u, 1446u, 1500u}) {
    for (int i = 0; i < 10; ++i) {
      if (::send(tx.get(), payload.data(), size - 28, 0) >= 0)
        ++r.sent[size].ok;
      else if (errno == EMSGSIZE)
        ++r.sent[size].emsgsize;
      pause_ms(50);
    }
  }
  pause_ms(300);
  for (;;) {
    const ssize_t n = ::recv(rx.get(), payload.data(), payload.size(), MSG_DONTWAIT);
    if (n < 0) break;
    ++r.received[static_cast<size_t>(n) + 28];
  }
  socklen_t len = sizeof r.ip_mtu;
  check_errno(::getsockopt(tx.get(), IPPROTO_IP, IP_MTU, &r.ip_mtu, &len), "getsockopt", "IP_MTU");
  return r;
}

TEST(TunnelMtu, DfPacketsAboveTheTunnelsMtuAreRefusedAndTheSenderLearnsIt) {
  RealLab lab(scenario_data("mtu-vpn.toml"));
  if (!lab.skip_reason().empty()) GTEST_SKIP() << lab.skip_reason();
  ASSERT_EQ(lab.plan().tunnel("t1")->mtu, 1446u);
  MtuResult r = send_df(lab);
  EXPECT_EQ(r.received[1400], 10);
  // The full tunnel MTU: wireguard-go's 1506-byte outer datagrams are
  // fragmented by the customer gateway onto the 1500-byte internet link.
  EXPECT_EQ(r.received[1446], 10);
  EXPECT_EQ(r.received[1500], 0);
  // The first 1500-byte datagram leaves (the server's own link is 1500); the
  // customer gateway answers fragmentation-needed with 1446, and every later
  // send fails at once.
  EXPECT_GE(r.sent[1500].emsgsize, 8);
  EXPECT_EQ(r.ip_mtu, 1446);
}

TEST(TunnelMtu, WithPmtudOffTheSenderLearnsNothingAndBigPacketsVanish) {
  RealLab lab(scenario_data("mtu-vpn-blackhole.toml"));
  if (!lab.skip_reason().empty()) GTEST_SKIP() << lab.skip_reason();
  ASSERT_FALSE(lab.plan().tunnel("t1")->pmtud);
  MtuResult r = send_df(lab);
  EXPECT_EQ(r.received[1400], 10);
  EXPECT_EQ(r.received[1446], 10);
  EXPECT_EQ(r.received[1500], 0);
  EXPECT_EQ(r.sent[1500].ok, 10);  // every send "succeeds"
  EXPECT_EQ(r.sent[1500].emsgsize, 0);
  EXPECT_EQ(r.ip_mtu, 1500);
}

// netlab-probe itself with --size and --df, both ways between server and app
// for a second at 10 ms: what each end's log says.
struct ProbeRun {
  measure::ProbeLog server, app;
  std::string output;  // both probes' stderr
};
ProbeRun run_probes(RealLab& lab, uint32_t size) {
  char tmpl[] = "/tmp/netlab-mtu-probe-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  auto procs = process::make_processes();
  const plan::PlanNode* server = lab.plan().node("server");
  const plan::PlanNode* app = lab.plan().node("app");
  auto spec = [&](const plan::PlanNode* me, const plan::PlanNode* peer, uint32_t id) {
    measure::ProbeOptions o;
    o.bind_addr = me->ifaces.front().address.addr;
    o.bind_port = 47000;
    o.peer_addr = peer->ifaces.front().address.addr;
    o.peer_port = 47000;
    o.interval_ns = 10'000'000;
    o.out = dir + "/" + me->name + ".log";
    o.stream_id = id;
    o.size = size;
    o.df = true;
    process::ProcessSpec p;
    p.ns = me->ns;
    p.log_path = dir + "/" + me->name + ".out";
    p.argv = {NETLAB_PROBE_BINARY};
    for (auto& a : measure::probe_args(o)) p.argv.push_back(a);
    return p;
  };
  ProbeRun r;
  std::vector<process::ProcessId> ids;
  try {
    ids.push_back(procs->spawn(spec(app, server, 2)));
    ids.push_back(procs->spawn(spec(server, app, 1)));
    pause_ms(1000);
    for (auto& id : ids) procs->stop(id, std::chrono::seconds(3));
    r.server = measure::read_probe_log(dir + "/server.log");
    r.app = measure::read_probe_log(dir + "/app.log");
    r.output = read_text(dir + "/server.out") + read_text(dir + "/app.out");
  } catch (...) {
    for (auto& id : ids) procs->stop(id, std::chrono::seconds(3));
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return r;
}

TEST(TunnelMtu, TheProbeSendsFullSizeDfPackets) {
  RealLab lab(scenario_data("mtu-vpn.toml"));
  if (!lab.skip_reason().empty()) GTEST_SKIP() << lab.skip_reason();
  ProbeRun fits = run_probes(lab, 1446);
  SCOPED_TRACE("sent " + std::to_string(fits.server.sent.size()) + ", ended " +
               std::to_string(fits.server.ended) + ", output: " + fits.output);
  EXPECT_GE(fits.app.counters.received, 80u);
  EXPECT_GE(fits.server.counters.received, 80u);
  EXPECT_EQ(fits.server.counters.send_errors, 0u);
  ProbeRun big = run_probes(lab, 1500);
  EXPECT_EQ(big.app.counters.received, 0u);
  EXPECT_EQ(big.server.counters.received, 0u);
  // Refused by the sender's own kernel once the tunnel's MTU came back.
  EXPECT_GE(big.server.counters.send_errors, 80u);
  size_t emsgsize = 0;
  for (const auto& s : big.server.sent) emsgsize += s.error == EMSGSIZE;
  EXPECT_EQ(emsgsize, big.server.counters.send_errors);
}

}  // namespace
}  // namespace netlab::testing
