// Traffic control as value types and rtnetlink messages: the htb qdisc and
// class that limit a link's rate, and the netem qdisc that delays, jitters
// and drops where the kernel has it. Pure: no sockets, no namespaces (the
// real Tc in tc.h sends these). Each encoder is tested by decoding its output
// back (tests/unit/impair/tc_codec_test.cpp).
//
// Units are the kernel's: rates in bytes per second, times in nanoseconds,
// netem's loss as a probability scaled to 2^32-1 (iproute2's convention).
// Interfaces travel as ifindexes; the caller resolves names.
// Errors: encoders throw KernelError("encode", ...) on impossible input.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "netlab/kernel/rtnl.h"

namespace netlab::kernel {

// tc handles: major:minor in one u32, as `tc` prints them ("1:", "1:1").
constexpr uint32_t tc_handle(uint16_t major, uint16_t minor) {
  return (uint32_t{major} << 16) | minor;
}
inline constexpr uint32_t kTcRoot = 0xFFFFFFFFu;  // TC_H_ROOT
std::string tc_handle_str(uint32_t handle);       // "1:", "1:1", "root"

// The htb qdisc itself: which class unclassified traffic goes to.
struct HtbQdisc {
  uint32_t default_minor = 1;  // "default 1": 1:1
  uint32_t rate2quantum = 10;
  bool operator==(const HtbQdisc&) const = default;
};

// One htb class: a token bucket of `rate` refilled with `burst` bytes of
// depth, allowed to borrow up to `ceil`.
struct HtbClass {
  uint64_t rate_bytes = 0;   // bytes per second
  uint64_t ceil_bytes = 0;   // bytes per second; rate_bytes when 0 in a request
  uint32_t burst_bytes = 0;  // bucket depth at `rate`
  uint32_t cburst_bytes = 0;
  uint32_t quantum = 0;  // bytes a class may send per round (0: the kernel's rate/r2q)
  bool operator==(const HtbClass&) const = default;
};

// A byte-limited FIFO (`bfifo`): the leaf under an htb class, so that a
// rate-limited link buffers what a real one would, not the device's
// txqueuelen of packets (1000 x 1514 B is 1.2 s at 10 Mbit/s).
struct FifoQdisc {
  uint32_t limit_bytes = 0;
  bool operator==(const FifoQdisc&) const = default;
};

struct NetemQdisc {
  uint64_t delay_ns = 0;
  uint64_t jitter_ns = 0;        // uniform +- (netem's default without a distribution table)
  uint32_t loss = 0;             // probability * 0xFFFFFFFF
  uint32_t limit = 1000;         // packets held at most
  std::optional<uint64_t> seed;  // TCA_NETEM_PRNG_SEED (Linux >= 6.6; older kernels ignore it)
  bool operator==(const NetemQdisc&) const = default;
};

// A qdisc or a class on one interface.
struct TcObject {
  enum class Type : uint8_t { Qdisc, Class };
  Type type = Type::Qdisc;
  uint32_t handle = 0;  // qdisc: major:0; class: its classid
  uint32_t parent = kTcRoot;
  std::variant<HtbQdisc, HtbClass, NetemQdisc, FifoQdisc> options;

  std::string kind() const;  // "htb", "netem", "bfifo"
  bool operator==(const TcObject&) const = default;
  // "qdisc htb 1: root default 1", "class htb 1:1 parent 1: rate 10Mbit ceil 10Mbit
  // burst 15000b cburst 15000b", "qdisc netem 10: parent 1:1 delay 10ms jitter 1ms loss 1%
  // limit 10000 seed 7", "qdisc bfifo 10: parent 1:1 limit 125000b"
  std::string str() const;
};

// Loss in percent (0..100) as netem's u32 probability, and back.
uint32_t netem_probability(double percent);
double netem_percent(uint32_t probability);

// Rate in Mbit/s (10^6 bit/s, as `tc` reads "10mbit") -> bytes per second.
uint64_t mbit_to_bytes(double mbit);

// RTM_NEWQDISC / RTM_NEWTCLASS for `o` on interface `ifindex`. With
// NLM_F_CREATE | NLM_F_REPLACE it creates or replaces, as `tc ... replace`.
MsgBuilder encode_tc(uint16_t flags, int ifindex, const TcObject& o);
// RTM_DELQDISC of the root qdisc of `ifindex` (`tc qdisc del dev X root`):
// the kernel deletes its classes and children with it.
MsgBuilder encode_tc_delete_root(int ifindex);
// RTM_GETQDISC / RTM_GETTCLASS dump of one interface.
MsgBuilder encode_tc_dump(TcObject::Type type, int ifindex);

struct DecodedTc {
  int ifindex = 0;
  TcObject object;
};
// nullopt for messages that are not a qdisc or class of a kind modelled here
// (the default noqueue, pfifo leaves, ...).
std::optional<DecodedTc> decode_tc(const nlmsghdr* nlh);

}  // namespace netlab::kernel
