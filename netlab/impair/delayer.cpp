#include "netlab/impair/delayer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

#include "netlab/base/error.h"
#include "netlab/base/parse.h"
#include "netlab/impair/delay_schedule.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::impair {

namespace {

using kernel::MsgBuilder;
using kernel::NlSocket;
using kernel::UniqueFd;

constexpr int kRtPriority = 10;
constexpr int kReceiveBuffer = 16 << 20;  // packet messages are ~100 bytes: 100k+ of them
constexpr int kReadsPerWakeup = 1024;     // then the timer gets its turn
constexpr int64_t kMaxDelayUs = 60'000'000;

using kernel::monotonic_ns;

uint16_t queue_msg_type(uint16_t msg) {
  return static_cast<uint16_t>((NFNL_SUBSYS_QUEUE << 8) | msg);
}

MsgBuilder queue_msg(uint16_t msg, uint16_t queue, uint16_t flags = 0) {
  MsgBuilder m(queue_msg_type(msg), flags, 256);
  auto* g = m.header<nfgenmsg>();
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons(queue);
  return m;
}

class Delayer {
 public:
  explicit Delayer(const DelayOptions& o)
      : o_(o), schedule_(o.delay_us * 1000, o.jitter_us * 1000, o.seed) {}

  int run() {
    setup_signals();
    setup_scheduling();
    bind_queue();
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!timer_) throw KernelError("timerfd_create", "", errno);
    loop();
    release_all();
    unbind_queue();
    std::fprintf(stderr, "netlab-delay: queue %u delay %lldus jitter %lldus: %s\n", o_.queue,
                 static_cast<long long>(o_.delay_us), static_cast<long long>(o_.jitter_us),
                 stats_.str().c_str());
    return 0;
  }

 private:
  struct Held {
    uint32_t id;
    int64_t release_ns;
  };

  void setup_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) throw KernelError("sigprocmask", "", errno);
    signals_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals_) throw KernelError("signalfd", "", errno);
  }

  void setup_scheduling() {
    // Timer wake-ups to the nanosecond the kernel can give (default slack
    // is 50 us, which would add to every delay).
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (o_.realtime) {
      sched_param p{};
      p.sched_priority = kRtPriority;
      if (::sched_setscheduler(0, SCHED_FIFO, &p) != 0) {
        std::fprintf(stderr, "netlab-delay: warning: SCHED_FIFO not granted: %s\n",
                     std::strerror(errno));
      }
    }
  }

  void bind_queue() {
    sock_.emplace(NETLINK_NETFILTER);
    const std::string what = "queue " + std::to_string(o_.queue);
    int fd = sock_->fd();
    int one = 1;
    // A full socket buffer loses the message of a packet, not the packet:
    // it stays queued and the next batch verdict releases it.
    ::setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
    int size = kReceiveBuffer;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }

    MsgBuilder bind = queue_msg(NFQNL_MSG_CONFIG, o_.queue);
    nfq_nlmsg_cfg_put_cmd(bind.nlh(), AF_INET, NFQNL_CFG_CMD_BIND);
    sock_->request(bind, "nfqueue_bind", what);

    MsgBuilder params = queue_msg(NFQNL_MSG_CONFIG, o_.queue);
    nfq_nlmsg_cfg_put_params(params.nlh(), NFQNL_COPY_META, 0);
    nfq_nlmsg_cfg_put_qmaxlen(params.nlh(), o_.limit);
    sock_->request(params, "nfqueue_params", what);

    // GSO packets whole (one message per super-packet). Kernels before 3.10
    // refuse the flag: then they are segmented, slower but correct.
    MsgBuilder flags = queue_msg(NFQNL_MSG_CONFIG, o_.queue);
    mnl_attr_put_u32(flags.nlh(), NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_GSO));
    mnl_attr_put_u32(flags.nlh(), NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO));
    sock_->request(flags, "nfqueue_flags", what, {EOPNOTSUPP, EINVAL});
    bound_ = true;

    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
      throw KernelError("fcntl", what, errno);
  }

  void unbind_queue() {
    if (!bound_) return;
    int fd = sock_->fd();
    int fl = ::fcntl(fd, F_GETFL);
    if (fl >= 0) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    MsgBuilder unbind = queue_msg(NFQNL_MSG_CONFIG, o_.queue);
    nfq_nlmsg_cfg_put_cmd(unbind.nlh(), AF_INET, NFQNL_CFG_CMD_UNBIND);
    try {
      sock_->request(unbind, "nfqueue_unbind", "queue " + std::to_string(o_.queue));
    } catch (const Error& e) {
      // Closing the socket unbinds too; say so and go on.
      std::fprintf(stderr, "netlab-delay: %s\n", e.what());
    }
    bound_ = false;
  }

  void loop() {
    pollfd fds[3] = {
        {sock_->fd(), POLLIN, 0}, {timer_.get(), POLLIN, 0}, {signals_.get(), POLLIN, 0}};
    for (;;) {
      int n = ::poll(fds, 3, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw KernelError("poll", "", errno);
      }
      if (fds[2].revents) return;  // SIGTERM / SIGINT
      if (fds[0].revents & POLLIN) read_packets();
      if (fds[0].revents & (POLLERR | POLLHUP)) throw KernelError("nfqueue", "socket", EPIPE);
      if (fds[1].revents & POLLIN) {
        uint64_t expirations;
        while (::read(timer_.get(), &expirations, sizeof expirations) < 0 && errno == EINTR) {
        }
      }
      release_due();
    }
  }

  void read_packets() {
    for (int i = 0; i < kReadsPerWakeup; ++i) {
      ssize_t r = ::recv(sock_->fd(), rx_, sizeof rx_, MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == ENOBUFS) continue;  // only without NETLINK_NO_ENOBUFS
        throw KernelError("recv", "nfqueue", errno);
      }
      const int64_t now = monotonic_ns();
      int len = static_cast<int>(r);
      for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_); mnl_nlmsg_ok(nlh, len);
           nlh = mnl_nlmsg_next(nlh, &len)) {
        if (nlh->nlmsg_type == NLMSG_ERROR) {
          if (kernel::decode_error(nlh).err != 0) ++stats_.netlink_errors;
          continue;
        }
        if (nlh->nlmsg_type != queue_msg_type(NFQNL_MSG_PACKET)) continue;
        nlattr* attr[NFQA_MAX + 1] = {};
        if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == nullptr) continue;
        auto* ph =
            static_cast<const nfqnl_msg_packet_hdr*>(mnl_attr_get_payload(attr[NFQA_PACKET_HDR]));
        held_.push_back(Held{ntohl(ph->packet_id), schedule_.release_at(now)});
        ++stats_.packets;
      }
      if (held_.size() > stats_.max_held) stats_.max_held = held_.size();
    }
  }

  // Accepts every held packet up to and including `id`, in one message.
  void verdict_upto(uint32_t id) {
    MsgBuilder v = queue_msg(NFQNL_MSG_VERDICT_BATCH, o_.queue);
    nfq_nlmsg_verdict_put(v.nlh(), static_cast<int>(id), NF_ACCEPT);
    v.nlh()->nlmsg_flags |= NLM_F_REQUEST;
    for (;;) {
      if (::send(sock_->fd(), v.data(), v.size(), 0) >= 0) break;
      if (errno == EINTR) continue;
      throw KernelError("nfqueue_verdict", "queue " + std::to_string(o_.queue), errno);
    }
    ++stats_.verdicts;
  }

  void release_due() {
    const int64_t now = monotonic_ns();
    std::optional<uint32_t> last;
    while (!held_.empty() && held_.front().release_ns <= now) {
      const int64_t late = now - held_.front().release_ns;
      stats_.late_sum_ns += late;
      if (late > stats_.late_max_ns) stats_.late_max_ns = late;
      last = held_.front().id;
      held_.pop_front();
      ++stats_.released;
    }
    if (last) verdict_upto(*last);
    arm_timer();
  }

  void arm_timer() {
    const int64_t at = held_.empty() ? 0 : held_.front().release_ns;
    if (at == armed_for_) return;
    itimerspec its{};
    if (at != 0) {
      its.it_value.tv_sec = at / 1'000'000'000;
      its.it_value.tv_nsec = at % 1'000'000'000;
    }
    if (::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &its, nullptr) != 0)
      throw KernelError("timerfd_settime", "", errno);
    armed_for_ = at;
  }

  void release_all() {
    if (!bound_ || held_.empty()) return;
    const uint32_t last = held_.back().id;
    stats_.released += held_.size();
    held_.clear();
    verdict_upto(last);
  }

  DelayOptions o_;
  DelaySchedule schedule_;
  std::optional<NlSocket> sock_;
  UniqueFd timer_, signals_;
  bool bound_ = false;
  std::deque<Held> held_;
  int64_t armed_for_ = 0;
  DelayStats stats_;
  alignas(nlmsghdr) char rx_[1 << 16];
};

}  // namespace

std::string DelayStats::str() const {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "%llu packets, %llu released, %llu verdicts, max held %llu, lateness mean %.1f us "
      "max %.1f us, %llu netlink errors",
      static_cast<unsigned long long>(packets), static_cast<unsigned long long>(released),
      static_cast<unsigned long long>(verdicts), static_cast<unsigned long long>(max_held),
      released ? static_cast<double>(late_sum_ns) / static_cast<double>(released) / 1e3 : 0.0,
      static_cast<double>(late_max_ns) / 1e3, static_cast<unsigned long long>(netlink_errors));
  return buf;
}

DelayOptions parse_delay_args(std::span<const std::string> args) {
  DelayOptions o;
  bool have_queue = false, have_delay = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--rt") {
      o.realtime = true;
      continue;
    }
    if (i + 1 >= args.size()) throw InputError(a + ": missing value");
    const std::string& v = args[++i];
    if (a == "--queue") {
      o.queue = parse_uint<uint16_t>(a, v, 0, 65535);
      have_queue = true;
    } else if (a == "--delay-us") {
      o.delay_us = parse_uint<int64_t>(a, v, 0, kMaxDelayUs);
      have_delay = true;
    } else if (a == "--jitter-us") {
      o.jitter_us = parse_uint<int64_t>(a, v, 0, kMaxDelayUs);
    } else if (a == "--seed") {
      o.seed = parse_uint<uint64_t>(a, v, 0, UINT64_MAX);
    } else if (a == "--limit") {
      o.limit = parse_uint<uint32_t>(a, v, 1, 1'000'000);
    } else {
      throw InputError("unknown option " + a);
    }
  }
  if (!have_queue) throw InputError("--queue is required");
  if (!have_delay) throw InputError("--delay-us is required");
  return o;
}

std::vector<std::string> delay_args(const DelayOptions& o) {
  std::vector<std::string> a = {
      "--queue",     std::to_string(o.queue),     "--delay-us", std::to_string(o.delay_us),
      "--jitter-us", std::to_string(o.jitter_us), "--seed",     std::to_string(o.seed),
      "--limit",     std::to_string(o.limit)};
  if (o.realtime) a.push_back("--rt");
  return a;
}

int run_delayer(const DelayOptions& o) {
  try {
    Delayer d(o);
    return d.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab-delay: %s\n", e.what());
    return 1;
  }
}

}  // namespace netlab::impair
