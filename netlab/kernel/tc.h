// Traffic control per namespace: qdiscs and classes (rtnetlink), and the
// steering of an interface's received packets into an NFQUEUE (nf_tables
// with the xtables NFQUEUE target, see tc_nfqueue_codec.h). The seams
// netlab/impair works through; a recording fake lives with its tests.
//
// The real implementations keep one socket per namespace, opened inside it
// (a netlink socket stays bound to the namespace it was created in), and
// reopen it when a namespace of the same name is a different one.
// Errors: KernelError with the operation, "<ns> <ifname>", errno and the
// kernel's extended ack. Threads: one instance is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/kernel/tc_codec.h"
#include "netlab/kernel/tc_nfqueue_codec.h"

namespace netlab::kernel {

class Tc {
 public:
  virtual ~Tc() = default;
  // Creates or replaces `o` on ifname's egress (NLM_F_CREATE | NLM_F_REPLACE).
  virtual void replace(const std::string& ns, const std::string& ifname, const TcObject& o) = 0;
  // Deletes ifname's root qdisc and with it every class and child; the
  // interface goes back to its default. No error when it has none.
  virtual void delete_root(const std::string& ns, const std::string& ifname) = 0;
  // The htb and netem qdiscs and classes on ifname, qdiscs first, in kernel order.
  virtual std::vector<TcObject> list(const std::string& ns, const std::string& ifname) = 0;
};

// An NFQUEUE as /proc/net/netfilter/nfnetlink_queue shows it.
struct QueueStats {
  uint16_t queue = 0;
  uint32_t portid = 0;        // the bound program's netlink port
  uint32_t held = 0;          // packets waiting for a verdict now
  uint32_t dropped = 0;       // dropped by the kernel: the queue was full
  uint32_t user_dropped = 0;  // dropped: the program's socket buffer was full
  uint32_t last_id = 0;       // id of the last packet queued
  bool operator==(const QueueStats&) const = default;
};

// Parses /proc/net/netfilter/nfnetlink_queue text (one line per bound queue).
std::vector<QueueStats> parse_nfnetlink_queue(const std::string& text);

class PacketQueues {
 public:
  virtual ~PacketQueues() = default;
  // Installs (or replaces) the steering rule of s.ifname in `ns`.
  virtual void steer(const std::string& ns, const QueueSteer& s) = 0;
  // Removes the rule (its emptied table stays: tc_nfqueue_codec.h says why);
  // no error when there is none. Packets already queued stay queued.
  virtual void unsteer(const std::string& ns, const std::string& ifname) = 0;
  // The queue as seen in `ns`; nullopt while no program is bound to it.
  virtual std::optional<QueueStats> stats(const std::string& ns, uint16_t queue) = 0;
};

std::unique_ptr<Tc> make_tc();
std::unique_ptr<PacketQueues> make_packet_queues();

}  // namespace netlab::kernel
