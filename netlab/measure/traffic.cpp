#include "netlab/measure/traffic.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "netlab/base/error.h"
#include "netlab/base/parse.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/measure/program_util.h"

namespace netlab::measure {

namespace {

using program::mono_ns;
using program::parse_endpoint;
using program::to_sockaddr;
using program::to_timespec;

using kernel::UniqueFd;

volatile sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

constexpr int kRtPriority = 5;  // below netlab-probe's 10
constexpr int kReceiveBuffer = 4 << 20;
constexpr int kSendBuffer = 1 << 20;
constexpr size_t kTcpChunk = 64 * 1024;
constexpr int64_t kTcpRetryNs = 200'000'000;
constexpr double kTcpCreditNs = 10'000'000;  // a paced TCP sender holds at most 10 ms of credit





void put_u32(std::byte* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
void put_u64(std::byte* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
uint32_t get_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
uint64_t get_u64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// The log: header line at creation, then one line per record.
class Log {
 public:
  Log(const std::string& path, const std::string& header) : path_(path) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      fd_ = UniqueFd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
      if (!fd_) throw KernelError("open", path, errno);
      write(header);
      return;
    }
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    fd_ = UniqueFd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd_) throw KernelError("open", tmp, errno);
    try {
      write(header);
      if (::rename(tmp.c_str(), path.c_str()) < 0) throw KernelError("rename to", path, errno);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  void write(const std::string& text) {
    std::string_view rest = text;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw KernelError("write", path_, errno);
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }
  void close() {
    if (::close(fd_.release()) < 0) throw KernelError("close", path_, errno);
  }

 private:
  std::string path_;
  UniqueFd fd_;
};

std::string header_line(const TrafficOptions& o, bool rt) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "netlab-traffic 1 %s %s flows=%u size=%u rate_bps=%llu pps=%llu df=%d addr=%s "
                "port=%u bind=%s rt=%d\n",
                o.role == TrafficRole::Send ? "send" : "recv", o.tcp ? "tcp" : "udp", o.flows,
                o.size, static_cast<unsigned long long>(o.rate_bps),
                static_cast<unsigned long long>(o.pps), o.df ? 1 : 0, o.addr.str().c_str(), o.port,
                o.bind.str().c_str(), rt ? 1 : 0);
  return buf;
}

void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: sleeps and polls return EINTR
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

UniqueFd make_socket(int type) {
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!s) throw KernelError("socket", type == SOCK_DGRAM ? "udp" : "tcp", errno);
  return s;
}

void bind_to(int fd, Ipv4 a, uint16_t port) {
  const sockaddr_in local = to_sockaddr(a, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) < 0) {
    throw KernelError("bind", a.str() + ":" + std::to_string(port), errno);
  }
}

uint32_t ip_mtu(int fd) {
  int mtu = 0;
  socklen_t len = sizeof mtu;
  if (::getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len) < 0) return 0;  // not connected yet
  return static_cast<uint32_t>(mtu);
}

// ---------------------------------------------------------------- sender

struct SendFlow {
  UniqueFd fd;
  uint64_t seq = 0, packets = 0, bytes = 0, emsgsize = 0;
  uint32_t path_mtu = 0;
  // TCP
  bool connected = false, connecting = false;
  int64_t retry_at = 0;
};

class Sender {
 public:
  explicit Sender(const TrafficOptions& o) : o_(o), flows_(o.flows) {}

  int run() {
    bool rt = false;
    if (o_.realtime && !o_.tcp) {
      sched_param p{.sched_priority = kRtPriority};
      const int rc = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p);
      if (rc == 0) {
        rt = true;
      } else {
        std::fprintf(stderr,
                     "netlab-traffic: --rt: SCHED_FIFO not permitted (%s); running without\n",
                     std::strerror(rc));
      }
    }
    log_.emplace(o_.out, header_line(o_, rt));
    if (o_.tcp) {
      run_tcp();
    } else {
      run_udp();
    }
    refresh_mtu();
    record('e', mono_ns(), true);
    log_->close();
    return 0;
  }

 private:
  void run_udp() {
    const TrafficPacing pace = traffic_pacing(o_.rate_bps, o_.pps, o_.size);
    for (uint32_t f = 0; f < o_.flows; ++f) {
      SendFlow& fl = flows_[f];
      fl.fd = make_socket(SOCK_DGRAM);
      const int pmtu = o_.df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
      check_errno(::setsockopt(fl.fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu),
                  "setsockopt IP_MTU_DISCOVER", "");
      if (::setsockopt(fl.fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &kSendBuffer, sizeof kSendBuffer) <
          0) {
        ::setsockopt(fl.fd.get(), SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
      }
      bind_to(fl.fd.get(), o_.bind, 0);
      udp_connect(fl);
    }
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    std::vector<std::byte> packet(o_.size - kTrafficHeaders);
    put_u32(packet.data(), kTrafficMagic);

    const int64_t start = mono_ns();
    double anchor = static_cast<double>(start);
    uint64_t tick = 0;
    uint32_t next_flow = 0;
    int64_t next_sample = start + kTrafficSampleNs;
    bool first = true;
    while (!g_stop) {
      const int64_t deadline =
          static_cast<int64_t>(anchor + static_cast<double>(tick) * pace.tick_ns);
      const int64_t wake = std::min(deadline, next_sample);
      const timespec ts = to_timespec(wake);
      const int rc = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      if (g_stop) break;
      if (rc == EINTR) continue;
      if (rc != 0) throw KernelError("clock_nanosleep", "sender", rc);
      int64_t now = mono_ns();
      if (now >= deadline) {
        for (uint32_t i = 0; i < pace.batch; ++i) {
          send_udp(flows_[next_flow], packet);
          next_flow = next_flow + 1 == o_.flows ? 0 : next_flow + 1;
        }
        if (first) {
          first = false;
          refresh_mtu();
          record('b', mono_ns());
        }
        ++tick;
        const double next = anchor + static_cast<double>(tick) * pace.tick_ns;
        now = mono_ns();
        if (next <= static_cast<double>(now)) {  // a whole tick late: no catch-up burst
          anchor = static_cast<double>(now);
          tick = 0;
          ++late_;
        }
      }
      if (now >= next_sample) {
        refresh_mtu();
        record('s', now);
        next_sample = now + kTrafficSampleNs;
      }
    }
  }

  // Fails while there is no route to the destination (counted as a send
  // error); retried at the flow's next send.
  bool udp_connect(SendFlow& fl) {
    const uint32_t flow = static_cast<uint32_t>(&fl - flows_.data());
    const sockaddr_in to = to_sockaddr(o_.addr, static_cast<uint16_t>(o_.port + flow));
    fl.connected = ::connect(fl.fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
    return fl.connected;
  }

  void send_udp(SendFlow& fl, std::vector<std::byte>& packet) {
    if (!fl.connected && !udp_connect(fl)) {
      ++errors_;
      return;
    }
    const uint32_t flow = static_cast<uint32_t>(&fl - flows_.data());
    put_u32(packet.data() + 4, flow);
    put_u64(packet.data() + 8, fl.seq);
    const ssize_t n = ::send(fl.fd.get(), packet.data(), packet.size(), MSG_DONTWAIT);
    if (n >= 0) {
      ++fl.seq;  // a gap in the sequence is a packet lost on the path, not at the sender
      ++fl.packets;
      fl.bytes += o_.size;
    } else if (errno == EMSGSIZE) {
      ++fl.emsgsize;
      fl.path_mtu = ip_mtu(fl.fd.get());
    } else {
      ++errors_;
    }
  }

  void run_tcp() {
    std::vector<std::byte> chunk(kTcpChunk);
    const int64_t start = mono_ns();
    int64_t next_sample = start + kTrafficSampleNs;
    double credit = 0;  // bytes a paced sender may write now
    int64_t last_credit = start;
    bool first = true;
    std::vector<pollfd> fds(o_.flows);
    // A paced sender writes a millisecond's worth at a time (at least a
    // segment), not a write per byte of credit.
    const double quantum = std::clamp(static_cast<double>(o_.rate_bps) / 8 / 1000, 1448.0,
                                      static_cast<double>(kTcpChunk));
    uint32_t rotate = 0;  // the flow served first: every flow gets its turn at the credit
    while (!g_stop) {
      int64_t now = mono_ns();
      if (o_.rate_bps > 0) {
        const double cap =
            std::max<double>(kTcpChunk, static_cast<double>(o_.rate_bps) / 8 * kTcpCreditNs / 1e9);
        credit = std::min(cap, credit + static_cast<double>(o_.rate_bps) / 8 *
                                            static_cast<double>(now - last_credit) / 1e9);
        last_credit = now;
      }
      const bool may_write = o_.rate_bps == 0 || credit >= quantum;
      for (uint32_t f = 0; f < o_.flows; ++f) {
        SendFlow& fl = flows_[f];
        if (!fl.connected && !fl.connecting && now >= fl.retry_at) tcp_connect(fl, f);
        fds[f] = {.fd = fl.fd ? fl.fd.get() : -1,
                  .events = static_cast<short>(
                      fl.connecting || (fl.connected && may_write) ? POLLOUT : 0),
                  .revents = 0};
      }
      int timeout_ms = static_cast<int>(std::max<int64_t>(1, (next_sample - now) / 1'000'000));
      if (!may_write) {
        const double wait_ns = (quantum - credit) * 8e9 / static_cast<double>(o_.rate_bps);
        timeout_ms = std::min(timeout_ms, std::max(1, static_cast<int>(wait_ns / 1e6)));
      }
      const int rc = ::poll(fds.data(), fds.size(), timeout_ms);
      if (rc < 0 && errno != EINTR) throw KernelError("poll", "sender", errno);
      if (g_stop) break;
      const uint32_t first_flow = rotate;
      for (uint32_t k = 0; rc > 0 && k < o_.flows; ++k) {
        const uint32_t f = (first_flow + k) % o_.flows;
        SendFlow& fl = flows_[f];
        if (fds[f].revents == 0 || !fl.fd) continue;
        if (fl.connecting) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(fl.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            tcp_fail(fl);
            continue;
          }
          fl.connecting = false;
          fl.connected = true;
          fl.path_mtu = ip_mtu(fl.fd.get());
          continue;
        }
        size_t want = chunk.size();
        if (o_.rate_bps > 0) {
          if (credit < quantum) continue;
          want = std::min(want, static_cast<size_t>(credit));
        }
        const ssize_t n = ::send(fl.fd.get(), chunk.data(), want, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
          ++fl.packets;
          fl.bytes += static_cast<uint64_t>(n);
          if (o_.rate_bps > 0) credit -= static_cast<double>(n);
          rotate = f + 1 == o_.flows ? 0 : f + 1;
          if (first) {
            first = false;
            record('b', mono_ns());
          }
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          tcp_fail(fl);
        }
      }
      now = mono_ns();
      if (now >= next_sample) {
        if (first) {  // nothing written yet (no connection): still a begin record
          first = false;
          record('b', now);
        }
        refresh_mtu();
        record('s', now);
        next_sample = now + kTrafficSampleNs;
      }
    }
  }

  void tcp_connect(SendFlow& fl, uint32_t f) {
    fl.fd = make_socket(SOCK_STREAM);
    bind_to(fl.fd.get(), o_.bind, 0);
    const int flags = ::fcntl(fl.fd.get(), F_GETFL);
    ::fcntl(fl.fd.get(), F_SETFL, flags | O_NONBLOCK);
    const sockaddr_in to = to_sockaddr(o_.addr, static_cast<uint16_t>(o_.port + f));
    if (::connect(fl.fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
      fl.connected = true;
      fl.path_mtu = ip_mtu(fl.fd.get());
    } else if (errno == EINPROGRESS) {
      fl.connecting = true;
    } else {
      tcp_fail(fl);
    }
  }

  void tcp_fail(SendFlow& fl) {
    ++errors_;
    fl.fd.reset();
    fl.connected = fl.connecting = false;
    fl.retry_at = mono_ns() + kTcpRetryNs;
  }

  void refresh_mtu() {
    for (auto& fl : flows_) {
      if (fl.fd && fl.connected) {
        if (uint32_t m = ip_mtu(fl.fd.get()); m != 0) fl.path_mtu = m;
      }
    }
  }

  void record(char kind, int64_t now, bool per_flow = false) {
    uint64_t packets = 0, bytes = 0, emsgsize = 0;
    uint32_t mtu = 0;
    std::string text;
    char buf[160];
    for (size_t f = 0; f < flows_.size(); ++f) {
      const SendFlow& fl = flows_[f];
      packets += fl.packets;
      bytes += fl.bytes;
      emsgsize += fl.emsgsize;
      if (fl.path_mtu != 0 && (mtu == 0 || fl.path_mtu < mtu)) mtu = fl.path_mtu;
      if (per_flow) {
        std::snprintf(buf, sizeof buf, "f %zu %llu %llu %llu %u\n", f,
                      static_cast<unsigned long long>(fl.packets),
                      static_cast<unsigned long long>(fl.bytes),
                      static_cast<unsigned long long>(fl.emsgsize), fl.path_mtu);
        text += buf;
      }
    }
    std::snprintf(buf, sizeof buf, "%c %lld %llu %llu %llu %llu %u %llu\n", kind,
                  static_cast<long long>(now), static_cast<unsigned long long>(packets),
                  static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(emsgsize),
                  static_cast<unsigned long long>(errors_), mtu,
                  static_cast<unsigned long long>(late_));
    text += buf;
    log_->write(text);
  }

  const TrafficOptions o_;
  std::vector<SendFlow> flows_;
  std::optional<Log> log_;
  uint64_t errors_ = 0, late_ = 0;
};

// -------------------------------------------------------------- receiver

struct RecvFlow {
  uint64_t packets = 0, bytes = 0, expected = 0;
};

class Receiver {
 public:
  explicit Receiver(const TrafficOptions& o) : o_(o), flows_(o.flows) {}

  int run() {
    // Bound before the log exists: a reader that sees the log may send.
    for (uint32_t f = 0; f < o_.flows; ++f) {
      UniqueFd s = make_socket(o_.tcp ? SOCK_STREAM : SOCK_DGRAM);
      if (o_.tcp) {
        const int one = 1;
        ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      } else if (::setsockopt(s.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer,
                              sizeof kReceiveBuffer) < 0) {
        ::setsockopt(s.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
      }
      bind_to(s.get(), o_.addr, static_cast<uint16_t>(o_.port + f));
      if (o_.tcp) check_errno(::listen(s.get(), 16), "listen", o_.addr.str());
      socks_.push_back(std::move(s));
    }
    log_.emplace(o_.out, header_line(o_, false));
    record('b', mono_ns());
    if (o_.tcp) {
      run_tcp();
    } else {
      run_udp();
    }
    record('e', mono_ns(), true);
    log_->close();
    return 0;
  }

 private:
  void run_udp() {
    constexpr size_t kBatch = 32;
    constexpr size_t kBuf = 65536;
    std::vector<std::byte> bufs(kBatch * kBuf);
    std::vector<iovec> iov(kBatch);
    std::vector<mmsghdr> msgs(kBatch);
    std::vector<pollfd> fds;
    for (auto& s : socks_) fds.push_back({.fd = s.get(), .events = POLLIN, .revents = 0});
    int64_t next_sample = mono_ns() + kTrafficSampleNs;
    while (!g_stop) {
      int64_t now = mono_ns();
      const int timeout_ms =
          static_cast<int>(std::max<int64_t>(0, (next_sample - now + 999'999) / 1'000'000));
      const int rc = ::poll(fds.data(), fds.size(), timeout_ms);
      if (rc < 0 && errno != EINTR) throw KernelError("poll", "receiver", errno);
      if (g_stop) break;
      for (size_t f = 0; rc > 0 && f < fds.size(); ++f) {
        if (fds[f].revents == 0) continue;
        for (;;) {
          for (size_t i = 0; i < kBatch; ++i) {
            iov[i] = {.iov_base = bufs.data() + i * kBuf, .iov_len = kBuf};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
          }
          const int n = ::recvmmsg(fds[f].fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
          if (n <= 0) break;
          for (int i = 0; i < n; ++i)
            count(f, bufs.data() + static_cast<size_t>(i) * kBuf, msgs[i].msg_len);
          if (static_cast<size_t>(n) < kBatch) break;
        }
      }
      now = mono_ns();
      if (now >= next_sample) {
        record('s', now);
        next_sample = now + kTrafficSampleNs;
      }
    }
  }

  void count(size_t f, const std::byte* p, size_t len) {
    if (len < 16 || get_u32(p) != kTrafficMagic || get_u32(p + 4) != f) {
      ++foreign_;
      return;
    }
    RecvFlow& fl = flows_[f];
    ++fl.packets;
    fl.bytes += len + kTrafficHeaders;
    fl.expected = std::max(fl.expected, get_u64(p + 8) + 1);
  }

  void run_tcp() {
    struct Conn {
      UniqueFd fd;
      size_t flow;
    };
    std::vector<Conn> conns;
    std::vector<std::byte> buf(256 * 1024);
    int64_t next_sample = mono_ns() + kTrafficSampleNs;
    std::vector<pollfd> fds;
    while (!g_stop) {
      fds.clear();
      for (auto& s : socks_) fds.push_back({.fd = s.get(), .events = POLLIN, .revents = 0});
      for (auto& c : conns) fds.push_back({.fd = c.fd.get(), .events = POLLIN, .revents = 0});
      int64_t now = mono_ns();
      const int timeout_ms =
          static_cast<int>(std::max<int64_t>(0, (next_sample - now + 999'999) / 1'000'000));
      const int rc = ::poll(fds.data(), fds.size(), timeout_ms);
      if (rc < 0 && errno != EINTR) throw KernelError("poll", "receiver", errno);
      if (g_stop) break;
      std::vector<size_t> closed;
      for (size_t i = 0; rc > 0 && i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (i < socks_.size()) {
          UniqueFd c(::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
          if (c) conns.push_back({std::move(c), i});
          continue;
        }
        Conn& c = conns[i - socks_.size()];
        for (;;) {
          const ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
          if (n > 0) {
            ++flows_[c.flow].packets;
            flows_[c.flow].bytes += static_cast<uint64_t>(n);
            continue;
          }
          if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            closed.push_back(i - socks_.size());
          }
          break;
        }
      }
      for (auto it = closed.rbegin(); it != closed.rend(); ++it) {
        conns.erase(conns.begin() + static_cast<ptrdiff_t>(*it));
      }
      now = mono_ns();
      if (now >= next_sample) {
        record('s', now);
        next_sample = now + kTrafficSampleNs;
      }
    }
  }

  void record(char kind, int64_t now, bool per_flow = false) {
    uint64_t packets = 0, bytes = 0, expected = 0;
    std::string text;
    char buf[160];
    for (size_t f = 0; f < flows_.size(); ++f) {
      const RecvFlow& fl = flows_[f];
      packets += fl.packets;
      bytes += fl.bytes;
      expected += fl.expected;
      if (per_flow) {
        std::snprintf(buf, sizeof buf, "f %zu %llu %llu %llu\n", f,
                      static_cast<unsigned long long>(fl.packets),
                      static_cast<unsigned long long>(fl.bytes),
                      static_cast<unsigned long long>(fl.expected));
        text += buf;
      }
    }
    std::snprintf(buf, sizeof buf, "%c %lld %llu %llu %llu %llu\n", kind,
                  static_cast<long long>(now), static_cast<unsigned long long>(packets),
                  static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(expected),
                  static_cast<unsigned long long>(foreign_));
    text += buf;
    log_->write(text);
  }

  const TrafficOptions o_;
  std::vector<RecvFlow> flows_;
  std::vector<UniqueFd> socks_;
  std::optional<Log> log_;
  uint64_t foreign_ = 0;
};

}  // namespace

TrafficPacing traffic_pacing(uint64_t rate_bps, uint64_t pps, uint32_t size) {
  if (rate_bps == 0 && pps == 0) throw InputError("a UDP sender needs --rate-bps or --pps");
  if (size == 0) throw InputError("--size must be positive");
  double p = 0;
  if (rate_bps > 0) p = static_cast<double>(rate_bps) / (8.0 * size);
  if (pps > 0 && (p == 0 || static_cast<double>(pps) < p)) p = static_cast<double>(pps);
  TrafficPacing t;
  t.pps = p;
  t.interval_ns = 1e9 / p;
  t.batch = static_cast<uint32_t>(std::max(1.0, std::ceil(kTrafficMinTickNs / t.interval_ns)));
  t.tick_ns = t.interval_ns * t.batch;
  return t;
}

TrafficOptions parse_traffic_args(std::span<const std::string> args) {
  TrafficOptions o;
  bool role = false, bind = false, size = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError(flag + ": missing value");
      return args[++i];
    };
    if (flag == "--send" || flag == "--recv") {
      if (role) throw InputError("--send and --recv exclude each other");
      role = true;
      o.role = flag == "--send" ? TrafficRole::Send : TrafficRole::Recv;
      parse_endpoint(flag, value(), o.addr, o.port);
    } else if (flag == "--bind") {
      const std::string& v = value();
      auto a = Ipv4::parse(v);
      if (!a) throw InputError("--bind " + v + ": not an IPv4 address");
      o.bind = *a;
      bind = true;
    } else if (flag == "--out") {
      o.out = value();
      if (o.out.empty()) throw InputError("--out: empty path");
    } else if (flag == "--flows") {
      o.flows = parse_uint<uint32_t>(flag, value(), 1, kTrafficMaxFlows);
    } else if (flag == "--rate-bps") {
      o.rate_bps = parse_uint<uint64_t>(flag, value(), 1, 100'000'000'000ULL);
    } else if (flag == "--pps") {
      o.pps = parse_uint<uint64_t>(flag, value(), 1, 100'000'000ULL);
    } else if (flag == "--size") {
      o.size = parse_uint<uint32_t>(flag, value(), kTrafficMinSize, kTrafficMaxSize);
      size = true;
    } else if (flag == "--df") {
      o.df = true;
    } else if (flag == "--tcp") {
      o.tcp = true;
    } else if (flag == "--rt") {
      o.realtime = true;
    } else {
      throw InputError("unknown argument '" + flag + "'");
    }
  }
  if (!role) throw InputError("--send or --recv is required");
  if (o.out.empty()) throw InputError("--out is required");
  if (uint32_t{o.port} + o.flows - 1 > 65535) {
    throw InputError("ports " + std::to_string(o.port) + ".." +
                     std::to_string(uint32_t{o.port} + o.flows - 1) + ": beyond 65535");
  }
  if (o.role == TrafficRole::Recv) {
    if (bind) throw InputError("--bind is for --send (the receiver binds --recv's address)");
    if (o.rate_bps || o.pps || size || o.df || o.realtime) {
      throw InputError("--rate-bps, --pps, --size, --df and --rt are for --send");
    }
  } else {
    if (!bind) throw InputError("--send needs --bind");
    if (o.tcp && (o.pps || size || o.df || o.realtime)) {
      throw InputError("--pps, --size, --df and --rt are for UDP; TCP sizes its own segments");
    }
    if (!o.tcp && o.rate_bps == 0 && o.pps == 0) {
      throw InputError("a UDP sender needs --rate-bps or --pps");
    }
  }
  return o;
}

std::vector<std::string> traffic_args(const TrafficOptions& o) {
  const std::string ep = o.addr.str() + ":" + std::to_string(o.port);
  std::vector<std::string> a;
  if (o.role == TrafficRole::Send) {
    a = {"--send", ep, "--bind", o.bind.str()};
  } else {
    a = {"--recv", ep};
  }
  a.insert(a.end(), {"--out", o.out});
  if (o.flows != 1) a.insert(a.end(), {"--flows", std::to_string(o.flows)});
  if (o.tcp) a.push_back("--tcp");
  if (o.role == TrafficRole::Send) {
    if (o.rate_bps) a.insert(a.end(), {"--rate-bps", std::to_string(o.rate_bps)});
    if (!o.tcp) {
      if (o.pps) a.insert(a.end(), {"--pps", std::to_string(o.pps)});
      a.insert(a.end(), {"--size", std::to_string(o.size)});
      if (o.df) a.push_back("--df");
      if (o.realtime) a.push_back("--rt");
    }
  }
  return a;
}

int run_traffic(const TrafficOptions& o) {
  try {
    install_signals();
    if (o.role == TrafficRole::Send) return Sender(o).run();
    return Receiver(o).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab-traffic: %s\n", e.what());
    return 1;
  }
}

}  // namespace netlab::measure
