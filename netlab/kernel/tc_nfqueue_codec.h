// Steering the IPv4 packets an interface receives into an NFQUEUE, where a
// userspace program (netlab-delay) holds them: one nf_tables table per
// interface, as nf_tables batches (NETLINK_NETFILTER). Pure: no sockets.
//
// Why nf_tables messages carrying the xtables NFQUEUE target: kernels
// without netem often lack nft's own `queue` statement (nft_queue) too, but
// have the xtables NFQUEUE target; nf_tables runs it through nft_compat,
// exactly what `iptables-nft -j NFQUEUE` installs. libnftables cannot
// express an xtables target in its syntax, and running iptables would mean a
// program per rule and its text parser; these messages are three lines of
// nf_tables each, and the table they make is an ordinary nftables table:
// `nft list table ip nl_delay_eth1` shows it, `delete table` removes it.
//
//   table ip nl_delay_<if> {
//     chain pre { type filter hook prerouting priority -300; policy accept;
//       iifname "<if>" counter queue num <N> }   # xt target NFQUEUE rev 3
//   }
//
// Priority -300 (raw) runs after the netdev ingress hook, where netlab's
// cuts and nftables loss drop packets, and before conntrack and routing, so
// forwarded and local traffic are delayed alike.
//
// The table and its base chain are never deleted, only emptied: when any
// netfilter hook of a namespace is unregistered (a base chain deleted, by
// anyone: a table of a cut being removed too), the kernel drops every packet
// that any NFQUEUE of that namespace holds (nf_queue_nf_hook_drop(), checked
// on 6.x: 20 held packets, an unrelated netdev table deleted, 0 arrive).
// Unsteering flushes the rule instead, so the held packets stay and their
// program releases them; the empty table dies with the namespace.
//
// Errors: encoders throw KernelError("encode", ...) on impossible input.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlab/kernel/rtnl.h"

namespace netlab::kernel {

struct QueueSteer {
  std::string ifname;
  uint16_t queue = 0;
  // Without bypass (netlab's choice, see impair.h): while no program is
  // bound to the queue the kernel drops the packets; with bypass it would
  // let them through undelayed.
  bool bypass = false;
  bool operator==(const QueueSteer&) const = default;
  std::string str() const;  // "iifname eth1 -> queue 3" (+ " bypass")
};

inline constexpr int32_t kSteerPriority = -300;  // NF_IP_PRI_RAW

// "nl_delay_" + ifname, every byte outside [A-Za-z0-9] written as _XX (hex),
// so that two interface names never share a table.
std::string steer_table(const std::string& ifname);

// One batch, in order: BATCH_BEGIN, NEWTABLE, NEWCHAIN (both created when
// absent), DELRULE (the chain flushed), NEWRULE, BATCH_END: idempotent (a
// second call replaces the rule instead of adding another). Sequence numbers
// are left 0 for the sender; every message between BEGIN and END asks for
// an ack.
std::vector<MsgBuilder> encode_steer(const QueueSteer& s);
// The same without NEWRULE: the chain left empty (see above for why it is
// not deleted); no error when nothing was steered.
std::vector<MsgBuilder> encode_unsteer(const std::string& ifname);

// What a batch says, for tests: the message types between BEGIN and END
// (NFT_MSG_*), the table of its last NEWTABLE, and the chain and rule of
// NEWCHAIN/NEWRULE when present.
struct DecodedSteerBatch {
  bool framed = false;  // BATCH_BEGIN ... BATCH_END for the nf_tables subsystem
  std::vector<uint16_t> types;
  uint8_t family = 0;
  std::string table;
  std::string chain;
  std::optional<uint32_t> hooknum;
  std::optional<int32_t> priority;
  std::string chain_type;
  std::optional<QueueSteer> steer;  // iifname compare + NFQUEUE target
  std::string target;               // "NFQUEUE"
  std::optional<uint32_t> target_rev;
};
DecodedSteerBatch decode_steer_batch(const std::vector<MsgBuilder>& batch);

}  // namespace netlab::kernel
