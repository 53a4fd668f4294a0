// bench_impair_delay: what netlab-delay (the NFQUEUE delayer used where the
// kernel has no netem) costs, next to a plain veth measured in the same run.
//
// Two namespaces of its own (nl-bimp<pid>-a/-b, a veth between them); for
// a plain veth and then through netlab-delay at 0/1/10/50 ms (SCHED_FIFO, as
// netlab runs it) and at 10 ms without SCHED_FIFO:
//   - one-way UDP latency of 2000 probes 0.5 ms apart (one process, one
//     CLOCK_MONOTONIC): p50, p99, max, and p50 minus what was asked for;
//   - TCP bulk throughput a -> b over 2 s (the first 0.5 s left out);
//   - the delayer's CPU (utime + stime from /proc/PID/stat) during that
//     transfer, per second and per Gbit; its queue drops; its own lateness.
// Needs root; run it on an idle host: `build/bench/bench_impair_delay`.
// Uses only the kernel seams and the netlab-delay program (beside the bench's
// build directory, or $NETLAB_DELAY), so it measures exactly what a lab runs.
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/tc.h"
#include "netlab/process/processes.h"

namespace {

using namespace netlab;
using kernel::UniqueFd;
namespace fs = std::filesystem;

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void realtime_thread() {
  sched_param p{};
  p.sched_priority = 10;
  ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p);
}

UniqueFd socket_in(const std::string& ns, int type) {
  UniqueFd nsfd = kernel::netns_open(ns);
  kernel::NetnsGuard guard(nsfd.get(), ns);
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  int err = errno;
  guard.leave();
  if (!s) throw KernelError("socket", ns, err);
  return s;
}

sockaddr_in addr(const char* a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(a)->network_order();
  return sa;
}

struct Latency {
  size_t received = 0;
  double p50 = 0, p99 = 0, max = 0;  // ms
};

Latency udp_latency(const std::string& a, const std::string& b, int count, int64_t interval_ns,
                    int64_t drain_ns, uint16_t port) {
  UniqueFd rx = socket_in(b, SOCK_DGRAM);
  int big = 8 << 20;
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  sockaddr_in to = addr("10.78.0.2", port);
  check_errno(::bind(rx.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), "bind", "b");
  timeval tv{0, 20'000};
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  UniqueFd tx = socket_in(a, SOCK_DGRAM);
  std::vector<int64_t> owd;
  std::atomic<int64_t> stop_at{INT64_MAX};
  std::thread reader([&] {
    realtime_thread();
    char buf[64];
    while (mono_ns() < stop_at.load()) {
      ssize_t n = ::recv(rx.get(), buf, sizeof buf, 0);
      int64_t now = mono_ns();
      if (n < 8) continue;
      int64_t t;
      std::memcpy(&t, buf, 8);
      owd.push_back(now - t);
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
      int64_t now = mono_ns();
      std::memcpy(buf, &now, 8);
      ::sendto(tx.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      next += interval_ns;
    }
    stop_at = mono_ns() + drain_ns;
  });
  sender.join();
  reader.join();
  Latency l;
  l.received = owd.size();
  if (owd.empty()) return l;
  std::sort(owd.begin(), owd.end());
  auto at = [&](double p) {
    return static_cast<double>(owd[std::min(
               owd.size() - 1, static_cast<size_t>(p * static_cast<double>(owd.size() - 1)))]) /
           1e6;
  };
  l.p50 = at(0.5);
  l.p99 = at(0.99);
  l.max = at(1.0);
  return l;
}

// TCP a -> b for `total_ns`, payload bit/s from `skip_ns` on; calls
// `window(begin)` at the start of the measured window and `window(end)` at its end.
template <class F>
double tcp_bps(const std::string& a, const std::string& b, int64_t total_ns, int64_t skip_ns,
               uint16_t port, F&& window) {
  UniqueFd lst = socket_in(b, SOCK_STREAM);
  int one = 1;
  ::setsockopt(lst.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in to = addr("10.78.0.2", port);
  check_errno(::bind(lst.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), "bind", "b");
  check_errno(::listen(lst.get(), 1), "listen", "b");
  UniqueFd cli = socket_in(a, SOCK_STREAM);
  check_errno(::connect(cli.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), "connect", "b");
  UniqueFd srv(::accept4(lst.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!srv) throw KernelError("accept", "b", errno);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::vector<char> chunk(256 * 1024, 'x');
    while (!stop.load()) {
      if (::send(cli.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0 && errno != EINTR) break;
    }
    ::shutdown(cli.get(), SHUT_WR);
  });
  timeval tv{0, 100'000};
  ::setsockopt(srv.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<char> buf(1 << 20);
  int64_t start = mono_ns(), from = start + skip_ns, end = start + total_ns;
  uint64_t bytes = 0;
  bool in_window = false;
  for (;;) {
    ssize_t n = ::recv(srv.get(), buf.data(), buf.size(), 0);
    int64_t now = mono_ns();
    if (!in_window && now >= from) {
      in_window = true;
      window(true);
    }
    if (n > 0 && in_window) bytes += static_cast<uint64_t>(n);
    if (now >= end || n == 0) break;
  }
  window(false);
  int64_t stopped = mono_ns();
  stop = true;
  ::shutdown(srv.get(), SHUT_RDWR);
  writer.join();
  return static_cast<double>(bytes) * 8.0 / (static_cast<double>(stopped - from) / 1e9);
}

double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string find_delayer() {
  if (const char* env = std::getenv("NETLAB_DELAY")) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (fs::path p :
       {exe.parent_path() / "netlab-delay", exe.parent_path().parent_path() / "netlab-delay"}) {
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

struct Row {
  std::string what;
  double asked_ms = 0;
  Latency lat;
  double tcp_gbps = 0, cpu_per_s = 0;
  std::string queue, delayer_summary;
};

}  // namespace

int main() {
  if (geteuid() != 0) {
    std::fprintf(stderr, "bench_impair_delay: needs root (network namespaces)\n");
    return 0;
  }
  const std::string delayer = find_delayer();
  if (delayer.empty()) {
    std::fprintf(stderr,
                 "bench_impair_delay: netlab-delay not found (build it, or set NETLAB_DELAY)\n");
    return 1;
  }
  auto nl = kernel::make_netlink();
  auto queues = kernel::make_packet_queues();
  auto procs = process::make_processes();
  const std::string prefix = "nl-bimp" + std::to_string(getpid()) + "-";
  const std::string a = prefix + "a", b = prefix + "b", log = "/tmp/" + prefix + "delay.log";
  std::vector<Row> rows;
  int rc = 0;
  try {
    nl->netns_create(a);
    nl->netns_create(b);
    nl->veth_create({a, "a0", b, "b0", 1500});
    nl->address_add({a, "a0", *Ipv4Prefix::parse("10.78.0.1/30")});
    nl->address_add({b, "b0", *Ipv4Prefix::parse("10.78.0.2/30")});
    nl->link_set_up(a, "a0", true);
    nl->link_set_up(b, "b0", true);
    const uint16_t queue = static_cast<uint16_t>(nl->link_get(b, "b0")->index);
    uint16_t port = 47600;

    {
      Row r{"plain veth", 0, {}, 0, 0, "-", ""};
      r.lat = udp_latency(a, b, 2000, 500'000, 20'000'000, port++);
      r.tcp_gbps = tcp_bps(a, b, 2'000'000'000, 500'000'000, port++, [](bool) {}) / 1e9;
      rows.push_back(r);
    }
    struct Config {
      double ms;
      bool rt;
    };
    for (Config c : {Config{0, true}, Config{1, true}, Config{10, true}, Config{50, true},
                     Config{10, false}}) {
      process::ProcessSpec spec;
      spec.ns = b;
      spec.argv = {delayer,
                   "--queue",
                   std::to_string(queue),
                   "--delay-us",
                   std::to_string(static_cast<long>(c.ms * 1000)),
                   "--seed",
                   "1"};
      if (c.rt) spec.argv.push_back("--rt");
      spec.log_path = log;
      auto pid = procs->spawn(spec);
      int64_t deadline = mono_ns() + 5'000'000'000;
      while (!queues->stats(b, queue)) {
        if (mono_ns() > deadline) throw Error("netlab-delay did not bind its queue");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      queues->steer(b, kernel::QueueSteer{"b0", queue, false});
      Row r;
      r.what = std::string("netlab-delay") + (c.rt ? "" : " (no --rt)");
      r.asked_ms = c.ms;
      r.lat =
          udp_latency(a, b, 2000, 500'000, static_cast<int64_t>(c.ms * 1e6) + 50'000'000, port++);
      double cpu0 = 0, t0 = 0, cpu1 = 0, t1 = 0;
      r.tcp_gbps = tcp_bps(a, b, 2'000'000'000, 500'000'000, port++,
                           [&](bool begin) {
                             (begin ? cpu0 : cpu1) = cpu_seconds(pid.pid);
                             (begin ? t0 : t1) = static_cast<double>(mono_ns()) / 1e9;
                           }) /
                   1e9;
      r.cpu_per_s = t1 > t0 ? (cpu1 - cpu0) / (t1 - t0) : 0;
      if (auto st = queues->stats(b, queue)) {
        r.queue = std::to_string(st->dropped) + "/" + std::to_string(st->user_dropped);
      }
      queues->unsteer(b, "b0");
      procs->stop(pid, std::chrono::seconds(2));
      std::ifstream f(log);
      std::string line, last;
      while (std::getline(f, line)) last = line;
      auto colon = last.find(": ", last.find("jitter"));
      r.delayer_summary = colon == std::string::npos ? last : last.substr(colon + 2);
      std::error_code ec;
      fs::remove(log, ec);
      rows.push_back(r);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_impair_delay: %s\n", e.what());
    rc = 1;
  }
  for (const auto& ns : {b, a}) {
    try {
      if (nl->netns_id(ns)) nl->netns_delete(ns);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup %s: %s\n", ns.c_str(), e.what());
      rc = 1;
    }
  }
  if (rows.empty()) return rc;
  const double base = rows[0].lat.p50;
  std::printf(
      "netlab-delay against a plain veth (one-way UDP: 2000 probes 0.5 ms apart; TCP: 2 s, first "
      "0.5 s skipped)\n");
  std::printf("%-26s %6s %8s %8s %8s %9s %9s %8s %6s\n", "path", "asked", "p50 ms", "p99 ms",
              "max ms", "p50-asked", "TCP Gb/s", "CPU/s", "drops");
  for (const auto& r : rows) {
    std::printf("%-26s %6.1f %8.3f %8.3f %8.3f %9.3f %9.2f %7.0f%% %6s\n", r.what.c_str(),
                r.asked_ms, r.lat.p50, r.lat.p99, r.lat.max, r.lat.p50 - r.asked_ms, r.tcp_gbps,
                r.cpu_per_s * 100, r.queue.c_str());
  }
  std::printf(
      "\nadded by the delayer at p50 (beyond the delay asked, minus the plain veth's %.3f ms):\n",
      base);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    std::printf("  %-26s %5.1f ms: +%.3f ms; CPU per Gbit/s %.0f%%; %s\n", r.what.c_str(),
                r.asked_ms, r.lat.p50 - r.asked_ms - base,
                r.tcp_gbps > 0 ? r.cpu_per_s * 100 / r.tcp_gbps : 0.0, r.delayer_summary.c_str());
  }
  return rc;
}
