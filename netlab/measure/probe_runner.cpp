#include "netlab/measure/probe_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "netlab/base/error.h"
#include "netlab/base/parse.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/measure/probe_format.h"
#include "netlab/measure/program_util.h"

namespace netlab::measure {

namespace {

using program::mono_ns;
using program::parse_endpoint;
using program::to_sockaddr;
using program::to_timespec;

using kernel::UniqueFd;

constexpr int kFlushMs = 20;  // the log reaches the file at least this often (< 50 ms)
constexpr int64_t kCountersEveryNs = 1'000'000'000;
constexpr int kRtPriority = 10;          // low: above every normal task, below kernel RT threads
constexpr int kReceiveBuffer = 4 << 20;  // a burst released after an outage must not overflow it
constexpr size_t kIpUdpHeaders = 28;     // what --size counts beyond the UDP payload
constexpr uint32_t kMinSize = kReflectionPacketSize + kIpUdpHeaders;

// The UDP payload of a packet of `natural` bytes under --size `size`.
size_t payload_size(uint32_t size, size_t natural) {
  return size == 0 ? natural : std::max(natural, size_t{size} - kIpUdpHeaders);
}


int64_t realtime_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}




// A mutex with priority inheritance. The sender and receiver may run
// SCHED_FIFO while the flushing main thread does not: with a plain mutex, a
// main thread preempted (by any busy process) while it holds the lock would
// hold up the real-time sender for as long as it stays preempted (measured:
// 26-46 ms stalls under CPU load). Inheriting, it runs at once instead.
class PiMutex {
 public:
  PiMutex() {
    pthread_mutexattr_t attr;
    ::pthread_mutexattr_init(&attr);
    const int rc = ::pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    if (rc == 0) ::pthread_mutex_init(&m_, &attr);
    ::pthread_mutexattr_destroy(&attr);
    if (rc != 0) throw KernelError("pthread_mutexattr_setprotocol", "PTHREAD_PRIO_INHERIT", rc);
  }
  ~PiMutex() { ::pthread_mutex_destroy(&m_); }
  PiMutex(const PiMutex&) = delete;
  PiMutex& operator=(const PiMutex&) = delete;
  // Locking a valid, non-recursive mutex that this thread does not hold
  // cannot fail.
  void lock() { ::pthread_mutex_lock(&m_); }
  void unlock() { ::pthread_mutex_unlock(&m_); }

 private:
  pthread_mutex_t m_;
};

// Records from both threads, encoded, waiting for the next flush.
class RecordQueue {
 public:
  void push(const ProbeRecord& r) {
    std::lock_guard lock(mu_);
    const size_t off = buf_.size();
    buf_.resize(off + kProbeLogRecordSize);
    encode_probe_record(
        r, std::span<std::byte, kProbeLogRecordSize>(buf_.data() + off, kProbeLogRecordSize));
  }
  // Swaps the queued bytes into `out` (emptied first), keeping capacity.
  void take(std::vector<std::byte>& out) {
    out.clear();
    std::lock_guard lock(mu_);
    out.swap(buf_);
  }

 private:
  PiMutex mu_;
  std::vector<std::byte> buf_;
};

class Probe {
 public:
  explicit Probe(const ProbeOptions& o) : o_(o) {}

  int run() {
    // SIGTERM/SIGINT are read from a signalfd by the main thread; blocked
    // here before any thread starts, so that every thread inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (int rc = ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr); rc != 0) {
      throw KernelError("pthread_sigmask", "SIGTERM SIGINT", rc);
    }
    UniqueFd sigfd(
        static_cast<int>(check_errno(::signalfd(-1, &stop_signals, SFD_CLOEXEC), "signalfd", "")));

    open_socket();
    stopfd_ = UniqueFd(
        static_cast<int>(check_errno(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd", "")));

    const bool rt = o_.realtime && enter_realtime();
    const int64_t start = mono_ns();
    create_log(start, rt);

    int status = 0;
    std::thread receiver, sender;
    try {
      // Both threads inherit the scheduling policy of this one, which then
      // goes back to normal: flushing the log is not urgent.
      receiver = std::thread([this] { guarded([this] { receive_loop(); }); });
      if (o_.mode != ProbeMode::kReflect)
        sender = std::thread([this, start] { guarded([this, start] { send_loop(start); }); });
      if (rt) {
        sched_param normal{.sched_priority = 0};
        if (int rc = ::pthread_setschedparam(::pthread_self(), SCHED_OTHER, &normal); rc != 0) {
          throw KernelError("pthread_setschedparam", "SCHED_OTHER", rc);
        }
      }
      main_loop(sigfd.get());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "netlab-probe: %s\n", e.what());
      status = 1;
    }
    stop_threads(sender, receiver);
    if (status == 0 && fatal_.load()) {
      std::lock_guard lock(fatal_mu_);
      std::fprintf(stderr, "netlab-probe: %s\n", fatal_message_.c_str());
      status = 1;
    }
    if (status == 0) {
      try {
        finish();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "netlab-probe: %s\n", e.what());
        status = 1;
      }
    }
    return status;
  }

 private:
  void open_socket() {
    sock_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock_) throw KernelError("socket", "udp", errno);
    // Beyond net.core.rmem_max when we may (CAP_NET_ADMIN), else as allowed.
    if (::setsockopt(sock_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer,
                     sizeof kReceiveBuffer) < 0) {
      check_errno(
          ::setsockopt(sock_.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer),
          "setsockopt SO_RCVBUF", "");
    }
    if (o_.df) {
      const int v = *o_.df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
      check_errno(::setsockopt(sock_.get(), IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof v),
                  "setsockopt IP_MTU_DISCOVER", "");
    }
    const sockaddr_in local = to_sockaddr(o_.bind_addr, o_.bind_port);
    if (::bind(sock_.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) < 0) {
      throw KernelError("bind", o_.bind_addr.str() + ":" + std::to_string(o_.bind_port), errno);
    }
  }

  bool enter_realtime() {
    sched_param p{.sched_priority = kRtPriority};
    if (int rc = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p); rc != 0) {
      std::fprintf(stderr, "netlab-probe: --rt: SCHED_FIFO not permitted (%s); running without\n",
                   std::strerror(rc));
      return false;
    }
    return true;
  }

  // The log appears under its name with its header already in it, so that
  // a reader never sees a half-created file: written to a temporary name in
  // the same directory and renamed. Anything that is not a regular file
  // (a device, a FIFO) is opened in place instead.
  void create_log(int64_t start, bool rt) {
    ProbeHeader h{.stream_id = o_.stream_id,
                  .peer_stream_id = o_.peer_stream_id,
                  .realtime = rt,
                  .mode = o_.mode,
                  .interval_ns = o_.interval_ns,
                  .start_ns = start,
                  .start_realtime_ns = realtime_ns(),
                  .bind_addr = o_.bind_addr,
                  .bind_port = o_.bind_port,
                  .peer_addr = o_.peer_addr,
                  .peer_port = o_.peer_port};
    std::array<std::byte, kProbeLogHeaderSize> bytes;
    encode_probe_header(h, bytes);

    struct stat st;
    if (::stat(o_.out.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      out_ = UniqueFd(::open(o_.out.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
      if (!out_) throw KernelError("open", o_.out, errno);
      write_all(bytes);
      return;
    }
    const std::string tmp = o_.out + ".tmp-" + std::to_string(::getpid());
    out_ = UniqueFd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out_) throw KernelError("open", tmp, errno);
    try {
      write_all(bytes);
      if (::rename(tmp.c_str(), o_.out.c_str()) < 0) throw KernelError("rename to", o_.out, errno);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }

  void write_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(out_.get(), bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw KernelError("write", o_.out, errno);
      }
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
  }

  template <class F>
  void guarded(F f) {
    try {
      f();
    } catch (const std::exception& e) {
      std::lock_guard lock(fatal_mu_);
      fatal_message_ = e.what();
      fatal_.store(true);
    }
  }

  void send_loop(int64_t start) {
    // Wake-ups as close to the deadline as the timer allows (the default
    // slack is 50 us, 5% of a 1 ms interval).
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    const sockaddr_in peer = to_sockaddr(o_.peer_addr, o_.peer_port);
    std::vector<std::byte> packet(payload_size(o_.size, kProbePacketSize));
    int64_t deadline = start;
    for (uint64_t seq = 0; !stop_.load(std::memory_order_relaxed); ++seq) {
      const timespec ts = to_timespec(deadline);
      int rc;
      while ((rc = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr)) == EINTR) {
      }
      if (rc != 0) throw KernelError("clock_nanosleep", "sender", rc);
      if (stop_.load(std::memory_order_relaxed)) break;

      const int64_t now = mono_ns();
      encode_probe_packet({.stream_id = o_.stream_id, .seq = seq, .tx_ns = now},
                          std::span<std::byte, kProbePacketSize>(packet.data(), kProbePacketSize));
      // Never blocking: while the next hop's address does not resolve (its
      // router powered off), the packets waiting for ARP hold the socket's
      // send buffer, and a blocking sendto() then stalls until resolution
      // fails (measured: 2.7 s). A send the kernel cannot queue at once is a
      // lost probe (EAGAIN, counted as a send error), not a late sender.
      const ssize_t n = ::sendto(sock_.get(), packet.data(), packet.size(), MSG_DONTWAIT,
                                 reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
      const int err = n < 0 ? errno : 0;
      queue_.push({.kind = RecordKind::kSent,
                   .aux = static_cast<uint32_t>(err),
                   .seq = seq,
                   .a = now,
                   .b = now - deadline});
      (err == 0 ? sent_ : send_errors_).fetch_add(1, std::memory_order_relaxed);

      deadline += o_.interval_ns;
      if (deadline <= now) {
        // An interval or more late: send the next one an interval from now
        // rather than a burst of the missed ones.
        deadline = now + o_.interval_ns;
        late_wakeups_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }

  void receive_loop() {
    std::vector<std::byte> buf(65536);  // any --size the peer sends
    sockaddr_in from{};
    iovec iov{.iov_base = buf.data(), .iov_len = buf.size()};
    msghdr msg{};
    pollfd fds[2] = {{.fd = sock_.get(), .events = POLLIN, .revents = 0},
                     {.fd = stopfd_.get(), .events = POLLIN, .revents = 0}};
    for (;;) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        throw KernelError("poll", "receiver", errno);
      }
      if (fds[1].revents != 0) return;
      for (;;) {  // drain everything queued, one timestamp per datagram
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        const ssize_t n = ::recvmsg(sock_.get(), &msg, MSG_DONTWAIT);
        const int64_t rx = mono_ns();
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          if (errno != EINTR) recv_errors_.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        auto p =
            decode_probe_packet(std::span<const std::byte>(buf.data(), static_cast<size_t>(n)));
        const bool from_peer = msg.msg_namelen == sizeof from && from.sin_family == AF_INET &&
                               from.sin_addr.s_addr == o_.peer_addr.network_order() &&
                               ntohs(from.sin_port) == o_.peer_port;
        bool stream_ok = false;
        if (p) {
          switch (o_.mode) {
            case ProbeMode::kStream:
              stream_ok = !p->reflected && (o_.peer_stream_id != 0 ? p->stream_id == o_.peer_stream_id
                                                                   : p->stream_id != o_.stream_id);
              break;
            case ProbeMode::kEcho:  // our own stream, back from the service
              stream_ok = p->reflected && p->stream_id == o_.stream_id;
              break;
            case ProbeMode::kReflect:
              stream_ok = !p->reflected && p->stream_id == o_.peer_stream_id;
              break;
          }
        }
        if (!from_peer || !stream_ok) {
          foreign_.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        if (o_.mode == ProbeMode::kEcho) {
          queue_.push({.kind = RecordKind::kEchoed,
                       .aux = p->instance,
                       .seq = p->seq,
                       .a = p->reflect_tx_ns,
                       .b = rx});
        } else {
          queue_.push({.kind = RecordKind::kReceived, .seq = p->seq, .a = p->tx_ns, .b = rx});
        }
        received_.fetch_add(1, std::memory_order_relaxed);
        if (o_.mode == ProbeMode::kReflect) reflect(*p, from);
      }
    }
  }

  // Sends `p` back to where it came from, as a reflection; counted with the
  // sends (sent_ / send_errors_), logged as kReflected.
  void reflect(ProbePacket p, const sockaddr_in& to) {
    std::vector<std::byte> packet(payload_size(o_.size, kReflectionPacketSize));
    p.reflected = true;
    p.instance = o_.stream_id;
    p.reflect_tx_ns = mono_ns();
    encode_reflection_packet(
        p, std::span<std::byte, kReflectionPacketSize>(packet.data(), kReflectionPacketSize));
    // Non-blocking as the sender's: a stalled reflection would stall receiving.
    const ssize_t n = ::sendto(sock_.get(), packet.data(), packet.size(), MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(&to), sizeof to);
    const int err = n < 0 ? errno : 0;
    queue_.push({.kind = RecordKind::kReflected,
                 .aux = static_cast<uint32_t>(err),
                 .seq = p.seq,
                 .a = p.reflect_tx_ns,
                 .b = p.tx_ns});
    (err == 0 ? sent_ : send_errors_).fetch_add(1, std::memory_order_relaxed);
  }

  void main_loop(int sigfd) {
    pollfd pfd{.fd = sigfd, .events = POLLIN, .revents = 0};
    int64_t next_counters = mono_ns() + kCountersEveryNs;
    for (;;) {
      const int rc = ::poll(&pfd, 1, kFlushMs);
      if (rc < 0 && errno != EINTR) throw KernelError("poll", "signalfd", errno);
      if (fatal_.load()) return;
      const int64_t now = mono_ns();
      if (now >= next_counters) {
        push_counters(now);
        next_counters = now + kCountersEveryNs;
      }
      flush(now, RecordKind::kHeartbeat);
      if (rc > 0) return;  // SIGTERM or SIGINT
    }
  }

  // Writes everything queued, then a heartbeat (or end) record stamped
  // `now`, taken before the queue was taken: every packet received before
  // it is in the file.
  void flush(int64_t now, RecordKind marker) {
    queue_.take(pending_);
    const size_t off = pending_.size();
    pending_.resize(off + kProbeLogRecordSize);
    encode_probe_record(
        {.kind = marker, .a = now},
        std::span<std::byte, kProbeLogRecordSize>(pending_.data() + off, kProbeLogRecordSize));
    write_all(pending_);
  }

  void push_counters(int64_t now) {
    auto put = [&](ProbeCounter id, const std::atomic<uint64_t>& v) {
      queue_.push({.kind = RecordKind::kCounter,
                   .aux = static_cast<uint32_t>(id),
                   .seq = v.load(std::memory_order_relaxed),
                   .a = now});
    };
    put(ProbeCounter::kSent, sent_);
    put(ProbeCounter::kSendErrors, send_errors_);
    put(ProbeCounter::kReceived, received_);
    put(ProbeCounter::kForeign, foreign_);
    put(ProbeCounter::kRecvErrors, recv_errors_);
    put(ProbeCounter::kLateWakeups, late_wakeups_);
  }

  void stop_threads(std::thread& sender, std::thread& receiver) {
    stop_.store(true);
    const uint64_t one = 1;
    // The eventfd is non-blocking and far from full: this cannot fail.
    if (::write(stopfd_.get(), &one, sizeof one) < 0) {
      std::fprintf(stderr, "netlab-probe: waking the receiver: %s\n", std::strerror(errno));
    }
    if (sender.joinable()) sender.join();  // within one interval
    if (receiver.joinable()) receiver.join();
  }

  void finish() {
    const int64_t now = mono_ns();
    push_counters(now);
    flush(now, RecordKind::kEnd);
    if (::close(out_.release()) < 0) throw KernelError("close", o_.out, errno);
  }

  const ProbeOptions o_;
  UniqueFd sock_, out_, stopfd_;
  RecordQueue queue_;
  std::vector<std::byte> pending_;  // main thread only
  std::atomic<bool> stop_{false};
  std::atomic<bool> fatal_{false};
  std::mutex fatal_mu_;
  std::string fatal_message_;
  std::atomic<uint64_t> sent_{0}, send_errors_{0}, received_{0}, foreign_{0}, recv_errors_{0},
      late_wakeups_{0};
};

}  // namespace

ProbeOptions parse_probe_args(std::span<const std::string> args) {
  ProbeOptions o;
  bool bind = false, peer = false, interval = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError(flag + ": missing value");
      return args[++i];
    };
    if (flag == "--bind") {
      parse_endpoint(flag, value(), o.bind_addr, o.bind_port);
      bind = true;
    } else if (flag == "--peer") {
      parse_endpoint(flag, value(), o.peer_addr, o.peer_port);
      peer = true;
    } else if (flag == "--interval-us") {
      o.interval_ns = parse_uint<int64_t>(flag, value(), 10, 1'000'000) * 1000;
      interval = true;
    } else if (flag == "--out") {
      o.out = value();
      if (o.out.empty()) throw InputError("--out: empty path");
    } else if (flag == "--stream-id") {
      o.stream_id = parse_uint<uint32_t>(flag, value(), 1, UINT32_MAX);
    } else if (flag == "--peer-stream-id") {
      o.peer_stream_id = parse_uint<uint32_t>(flag, value(), 1, UINT32_MAX);
    } else if (flag == "--echo" || flag == "--reflect") {
      if (o.mode != ProbeMode::kStream) throw InputError("--echo and --reflect exclude each other");
      o.mode = flag == "--echo" ? ProbeMode::kEcho : ProbeMode::kReflect;
    } else if (flag == "--rt") {
      o.realtime = true;
    } else if (flag == "--size") {
      o.size = parse_uint<uint32_t>(flag, value(), kMinSize, 65535);
    } else if (flag == "--df" || flag == "--no-df") {
      if (o.df) throw InputError("--df and --no-df: give one, once");
      o.df = flag == "--df";
    } else {
      throw InputError("unknown argument '" + flag + "'");
    }
  }
  if (!bind) throw InputError("--bind is required");
  if (!peer) throw InputError("--peer is required");
  if (!interval) throw InputError("--interval-us is required");
  if (o.out.empty()) throw InputError("--out is required");
  if (o.mode == ProbeMode::kStream && o.peer_stream_id == o.stream_id) {
    throw InputError("--peer-stream-id must differ from --stream-id");
  }
  if (o.mode == ProbeMode::kReflect && o.peer_stream_id == 0) {
    throw InputError("--reflect needs --peer-stream-id: the stream it reflects");
  }
  if (o.mode == ProbeMode::kEcho && o.peer_stream_id != 0) {
    throw InputError("--echo receives its own stream back; --peer-stream-id does not apply");
  }
  return o;
}

std::vector<std::string> probe_args(const ProbeOptions& o) {
  std::vector<std::string> a = {
      "--bind",        o.bind_addr.str() + ":" + std::to_string(o.bind_port),
      "--peer",        o.peer_addr.str() + ":" + std::to_string(o.peer_port),
      "--interval-us", std::to_string(o.interval_ns / 1000),
      "--out",         o.out,
      "--stream-id",   std::to_string(o.stream_id)};
  if (o.peer_stream_id != 0) {
    a.push_back("--peer-stream-id");
    a.push_back(std::to_string(o.peer_stream_id));
  }
  if (o.mode == ProbeMode::kEcho) a.push_back("--echo");
  if (o.mode == ProbeMode::kReflect) a.push_back("--reflect");
  if (o.realtime) a.push_back("--rt");
  if (o.size != 0) {
    a.push_back("--size");
    a.push_back(std::to_string(o.size));
  }
  if (o.df) a.push_back(*o.df ? "--df" : "--no-df");
  return a;
}

int run_probe(const ProbeOptions& o) {
  try {
    return Probe(o).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab-probe: %s\n", e.what());
    return 1;
  }
}

}  // namespace netlab::measure
