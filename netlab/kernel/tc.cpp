// The real Tc and PacketQueues: rtnetlink and nf_tables through libmnl,
// one socket per namespace.
#include "netlab/kernel/tc.h"

#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/netns_sockets.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {
namespace {

class RealTc final : public Tc {
 public:
  void replace(const std::string& ns, const std::string& ifname, const TcObject& o) override {
    MsgBuilder m = encode_tc(NLM_F_CREATE | NLM_F_REPLACE, sockets_.ifindex(ns, ifname, "tc_replace"), o);
    NlSocket& s = sockets_.socket(ns);
    s.request(m, "tc_replace", ns_object(ns, ifname + " " + o.str()));
  }

  void delete_root(const std::string& ns, const std::string& ifname) override {
    MsgBuilder m = encode_tc_delete_root(sockets_.ifindex(ns, ifname, "tc_delete"));
    NlSocket& s = sockets_.socket(ns);
    // ENOENT: only the default qdisc is there ("Cannot delete qdisc with handle of zero").
    s.request(m, "tc_delete", ns_object(ns, ifname + " root"), {ENOENT});
  }

  std::vector<TcObject> list(const std::string& ns, const std::string& ifname) override {
    int index = sockets_.ifindex(ns, ifname, "tc_list");
    NlSocket& s = sockets_.socket(ns);
    std::vector<TcObject> out;
    for (auto type : {TcObject::Type::Qdisc, TcObject::Type::Class}) {
      MsgBuilder m = encode_tc_dump(type, index);
      s.query(m, "tc_list", ns_object(ns, ifname), [&](const nlmsghdr* nlh) {
        // The qdisc dump covers every interface of the namespace.
        if (auto d = decode_tc(nlh); d && d->ifindex == index) out.push_back(d->object);
      });
    }
    return out;
  }

 private:
  NetnsSockets sockets_;
};

class RealPacketQueues final : public PacketQueues {
 public:
  void steer(const std::string& ns, const QueueSteer& s) override {
    send_batch(ns, encode_steer(s), "nfqueue_steer", ns_object(ns, s.str()));
  }

  void unsteer(const std::string& ns, const std::string& ifname) override {
    send_batch(ns, encode_unsteer(ifname), "nfqueue_unsteer", ns_object(ns, ifname));
  }

  std::optional<QueueStats> stats(const std::string& ns, uint16_t queue) override {
    // /proc/thread-self/net is the calling thread's namespace.
    NetnsGuard guard(sockets_.nsfd(ns), ns);
    std::ifstream f("/proc/thread-self/net/netfilter/nfnetlink_queue");
    std::stringstream text;
    text << f.rdbuf();
    guard.leave();
    for (const QueueStats& q : parse_nfnetlink_queue(text.str())) {
      if (q.queue == queue) return q;
    }
    return std::nullopt;
  }

 private:
  // Sends one nf_tables batch and reads the ack of every message in it. The
  // kernel applies a batch whole or not at all; its first error is thrown.
  void send_batch(const std::string& ns, std::vector<MsgBuilder> batch, const std::string& op,
                  const std::string& object) {
    NlSocket& s = sockets_.socket(ns, NETLINK_NETFILTER);
    std::string buf;
    std::set<uint32_t> pending;
    for (MsgBuilder& m : batch) {
      nlmsghdr* h = m.nlh();
      h->nlmsg_flags |= NLM_F_REQUEST;
      h->nlmsg_seq = ++seq_;
      if (h->nlmsg_flags & NLM_F_ACK) pending.insert(h->nlmsg_seq);
      buf.append(m.data(), m.size());
    }
    const uint32_t first = batch.front().nlh()->nlmsg_seq;
    if (::send(s.fd(), buf.data(), buf.size(), 0) < 0) throw KernelError(op, object, errno);
    std::optional<NlError> failure;
    std::vector<char> rx(1 << 16);
    while (!pending.empty()) {
      pollfd p{s.fd(), POLLIN, 0};
      int n = ::poll(&p, 1, 2000);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) throw KernelError(op, object, ETIMEDOUT, "no ack from nf_tables");
      if (n < 0) throw KernelError(op, object, errno);
      ssize_t r = ::recv(s.fd(), rx.data(), rx.size(), 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        throw KernelError(op, object, errno);
      }
      int len = static_cast<int>(r);
      for (auto* h = reinterpret_cast<const nlmsghdr*>(rx.data()); NLMSG_OK(h, len);
           h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_seq < first || h->nlmsg_seq > seq_) continue;  // an earlier batch's
        if (h->nlmsg_type != NLMSG_ERROR) continue;
        NlError e = decode_error(h);
        pending.erase(h->nlmsg_seq);
        if (e.err != 0 && !failure) failure = e;
        // An error on a message that asked no ack (the batch framing) ends it.
        if (e.err != 0 && (h->nlmsg_seq == first || h->nlmsg_seq == seq_)) pending.clear();
      }
    }
    if (failure) throw KernelError(op, object, failure->err, failure->extack);
  }

  NetnsSockets sockets_;
  uint32_t seq_ = static_cast<uint32_t>(::time(nullptr));
};

}  // namespace

std::vector<QueueStats> parse_nfnetlink_queue(const std::string& text) {
  // "%5u %6u %5u %1u %5u %5u %5u %8u %2d": queue, portid, queue total,
  // copy mode, copy range, dropped, user dropped, id sequence, 1.
  std::vector<QueueStats> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    unsigned long q, portid, total, mode, range, dropped, user_dropped, seq;
    if (!(l >> q >> portid >> total >> mode >> range >> dropped >> user_dropped >> seq)) continue;
    if (q > 0xFFFF) continue;
    out.push_back(QueueStats{static_cast<uint16_t>(q), static_cast<uint32_t>(portid),
                             static_cast<uint32_t>(total), static_cast<uint32_t>(dropped),
                             static_cast<uint32_t>(user_dropped), static_cast<uint32_t>(seq)});
  }
  return out;
}

std::unique_ptr<Tc> make_tc() { return std::make_unique<RealTc>(); }
std::unique_ptr<PacketQueues> make_packet_queues() { return std::make_unique<RealPacketQueues>(); }

}  // namespace netlab::kernel
