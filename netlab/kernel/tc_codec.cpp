#include "netlab/kernel/tc_codec.h"

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "netlab/base/error.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::kernel {
namespace {

// Linux >= 6.6 (uapi headers of older distributions lack the name).
constexpr uint16_t kNetemPrngSeed = 14;  // TCA_NETEM_PRNG_SEED
// The kernel's psched tick is 64 ns (PSCHED_SHIFT 6) on every kernel since
// 2.6.31; htb's buffer and netem's legacy latency fields are in ticks.
constexpr uint64_t kNsPerTick = 64;
constexpr uint32_t kHtbProtocol = 3;  // TC_HTB_PROTOVER

template <class T>
std::optional<T> read_as(const char* p, size_t n) {
  if (n < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t ns_to_ticks(uint64_t ns) {
  uint64_t t = ns / kNsPerTick;
  return t > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                  : static_cast<uint32_t>(t);
}

// Bytes that `rate` sends in `ticks`, and the ticks `bytes` take (rounded up,
// so that the bucket holds at least `bytes`).
uint32_t ticks_for(uint32_t bytes, uint64_t rate) {
  if (rate == 0) return 0;
  long double ns = static_cast<long double>(bytes) * 1e9L / static_cast<long double>(rate);
  return ns_to_ticks(static_cast<uint64_t>(std::ceil(ns / kNsPerTick)) * kNsPerTick);
}
uint32_t bytes_for(uint32_t ticks, uint64_t rate) {
  long double b =
      static_cast<long double>(ticks) * kNsPerTick * static_cast<long double>(rate) / 1e9L;
  return static_cast<uint32_t>(std::llround(b));
}

tc_ratespec ratespec(uint64_t rate) {
  tc_ratespec r{};
  // Ethernet link layer: the kernel computes transmission times itself and
  // needs no rate table (sch_htb.c only reads one for TC_LINKLAYER_UNAWARE).
  r.linklayer = TC_LINKLAYER_ETHERNET;
  r.rate = rate >= std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                        : static_cast<uint32_t>(rate);
  return r;
}

std::string rate_str(uint64_t bytes_per_s) {
  uint64_t bits = bytes_per_s * 8;
  char buf[48];
  if (bits % 1'000'000'000 == 0 && bits != 0) {
    std::snprintf(buf, sizeof buf, "%lluGbit",
                  static_cast<unsigned long long>(bits / 1'000'000'000));
  } else if (bits % 1'000'000 == 0 && bits != 0) {
    std::snprintf(buf, sizeof buf, "%lluMbit", static_cast<unsigned long long>(bits / 1'000'000));
  } else {
    std::snprintf(buf, sizeof buf, "%llubit", static_cast<unsigned long long>(bits));
  }
  return buf;
}

std::string time_str(uint64_t ns) {
  char buf[48];
  if (ns % 1'000'000 == 0) {
    std::snprintf(buf, sizeof buf, "%llums", static_cast<unsigned long long>(ns / 1'000'000));
  } else {
    std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(ns) / 1e6);
  }
  return buf;
}

void encode_netem(MsgBuilder& m, const NetemQdisc& n) {
  // TCA_OPTIONS of netem is not a plain nest: tc_netem_qopt first, then
  // attributes (sch_netem.c parse_attr). Written as iproute2 does: the
  // attribute's length is set once its tail is known.
  tc_netem_qopt q{};
  q.latency = ns_to_ticks(n.delay_ns);
  q.jitter = ns_to_ticks(n.jitter_ns);
  q.limit = n.limit;
  q.loss = n.loss;
  size_t off = m.size();
  m.put(TCA_OPTIONS, &q, sizeof q);
  int64_t latency = static_cast<int64_t>(n.delay_ns), jitter = static_cast<int64_t>(n.jitter_ns);
  m.put(TCA_NETEM_LATENCY64, &latency, sizeof latency);
  m.put(TCA_NETEM_JITTER64, &jitter, sizeof jitter);
  if (n.seed) m.put(kNetemPrngSeed, &*n.seed, sizeof *n.seed);
  m.at<nlattr>(off)->nla_len = static_cast<uint16_t>(m.size() - off);
}

void encode_htb_class(MsgBuilder& m, const HtbClass& c) {
  if (c.rate_bytes == 0) throw KernelError("encode", "htb class", EINVAL, "rate must be above 0");
  uint64_t ceil = c.ceil_bytes ? c.ceil_bytes : c.rate_bytes;
  tc_htb_opt o{};
  o.rate = ratespec(c.rate_bytes);
  o.ceil = ratespec(ceil);
  o.buffer = ticks_for(c.burst_bytes, c.rate_bytes);
  o.cbuffer = ticks_for(c.cburst_bytes ? c.cburst_bytes : c.burst_bytes, ceil);
  o.quantum = c.quantum;
  nlattr* opts = m.nest_start(TCA_OPTIONS);
  m.put(TCA_HTB_PARMS, &o, sizeof o);
  if (c.rate_bytes >= std::numeric_limits<uint32_t>::max()) {
    m.put(TCA_HTB_RATE64, &c.rate_bytes, sizeof c.rate_bytes);
  }
  if (ceil >= std::numeric_limits<uint32_t>::max()) m.put(TCA_HTB_CEIL64, &ceil, sizeof ceil);
  m.nest_end(opts);
}

std::optional<NetemQdisc> decode_netem(const char* p, size_t n) {
  auto q = read_as<tc_netem_qopt>(p, n);
  if (!q) return std::nullopt;
  NetemQdisc out;
  out.delay_ns = uint64_t{q->latency} * kNsPerTick;
  out.jitter_ns = uint64_t{q->jitter} * kNsPerTick;
  out.limit = q->limit;
  out.loss = q->loss;
  size_t off = NLA_ALIGN(sizeof(tc_netem_qopt));
  if (off < n) {
    for_each_attr(p + off, n - off, [&](uint16_t type, const char* a, size_t len) {
      if (type == TCA_NETEM_LATENCY64) {
        if (auto v = read_as<int64_t>(a, len))
          out.delay_ns = static_cast<uint64_t>(std::max<int64_t>(*v, 0));
      } else if (type == TCA_NETEM_JITTER64) {
        if (auto v = read_as<int64_t>(a, len))
          out.jitter_ns = static_cast<uint64_t>(std::llabs(*v));
      } else if (type == kNetemPrngSeed) {
        out.seed = read_as<uint64_t>(a, len);
      }
    });
  }
  return out;
}

std::optional<HtbClass> decode_htb_class(const char* p, size_t n) {
  std::optional<tc_htb_opt> o;
  std::optional<uint64_t> rate64, ceil64;
  for_each_attr(p, n, [&](uint16_t type, const char* a, size_t len) {
    if (type == TCA_HTB_PARMS) o = read_as<tc_htb_opt>(a, len);
    if (type == TCA_HTB_RATE64) rate64 = read_as<uint64_t>(a, len);
    if (type == TCA_HTB_CEIL64) ceil64 = read_as<uint64_t>(a, len);
  });
  if (!o) return std::nullopt;
  HtbClass c;
  c.rate_bytes = rate64 ? *rate64 : o->rate.rate;
  c.ceil_bytes = ceil64 ? *ceil64 : o->ceil.rate;
  c.burst_bytes = bytes_for(o->buffer, c.rate_bytes);
  c.cburst_bytes = bytes_for(o->cbuffer, c.ceil_bytes);
  c.quantum = o->quantum;
  return c;
}

std::optional<HtbQdisc> decode_htb_qdisc(const char* p, size_t n) {
  std::optional<tc_htb_glob> g;
  for_each_attr(p, n, [&](uint16_t type, const char* a, size_t len) {
    if (type == TCA_HTB_INIT) g = read_as<tc_htb_glob>(a, len);
  });
  if (!g) return std::nullopt;
  return HtbQdisc{g->defcls, g->rate2quantum};
}

}  // namespace

std::string tc_handle_str(uint32_t h) {
  if (h == kTcRoot) return "root";
  char buf[32];
  if ((h & 0xFFFF) == 0) {
    std::snprintf(buf, sizeof buf, "%x:", h >> 16);
  } else {
    std::snprintf(buf, sizeof buf, "%x:%x", h >> 16, h & 0xFFFF);
  }
  return buf;
}

std::string TcObject::kind() const {
  if (std::holds_alternative<NetemQdisc>(options)) return "netem";
  if (std::holds_alternative<FifoQdisc>(options)) return "bfifo";
  return "htb";
}

std::string TcObject::str() const {
  std::string s = type == Type::Qdisc ? "qdisc " : "class ";
  s += kind() + " " + tc_handle_str(handle);
  s += parent == kTcRoot ? " root" : " parent " + tc_handle_str(parent);
  if (const auto* q = std::get_if<HtbQdisc>(&options)) {
    s += " default " + std::to_string(q->default_minor);
    if (q->rate2quantum != 10) s += " r2q " + std::to_string(q->rate2quantum);
  } else if (const auto* c = std::get_if<HtbClass>(&options)) {
    s += " rate " + rate_str(c->rate_bytes) + " ceil " +
         rate_str(c->ceil_bytes ? c->ceil_bytes : c->rate_bytes);
    s += " burst " + std::to_string(c->burst_bytes) + "b cburst " +
         std::to_string(c->cburst_bytes ? c->cburst_bytes : c->burst_bytes) + "b";
    if (c->quantum) s += " quantum " + std::to_string(c->quantum);
  } else if (const auto* n = std::get_if<NetemQdisc>(&options)) {
    char loss[32];
    std::snprintf(loss, sizeof loss, "%g%%", netem_percent(n->loss));
    s += " delay " + time_str(n->delay_ns) + " jitter " + time_str(n->jitter_ns) + " loss " + loss +
         " limit " + std::to_string(n->limit);
    if (n->seed) s += " seed " + std::to_string(*n->seed);
  } else if (const auto* f = std::get_if<FifoQdisc>(&options)) {
    s += " limit " + std::to_string(f->limit_bytes) + "b";
  }
  return s;
}

uint32_t netem_probability(double percent) {
  if (!(percent > 0)) return 0;
  if (percent >= 100) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(
      std::llround(percent / 100.0 * static_cast<double>(std::numeric_limits<uint32_t>::max())));
}

double netem_percent(uint32_t p) {
  double v =
      static_cast<double>(p) / static_cast<double>(std::numeric_limits<uint32_t>::max()) * 100.0;
  return std::round(v * 1e4) / 1e4;  // netem's resolution is far finer than 0.0001%
}

uint64_t mbit_to_bytes(double mbit) {
  if (!(mbit > 0)) return 0;
  return static_cast<uint64_t>(std::llround(mbit * 1e6 / 8.0));
}

MsgBuilder encode_tc(uint16_t flags, int ifindex, const TcObject& o) {
  const bool qdisc = o.type == TcObject::Type::Qdisc;
  if (qdisc && std::holds_alternative<HtbClass>(o.options))
    throw KernelError("encode", o.str(), EINVAL, "an htb class is not a qdisc");
  if (!qdisc && !std::holds_alternative<HtbClass>(o.options))
    throw KernelError("encode", o.str(), EINVAL, "only htb classes are modelled");
  MsgBuilder m(qdisc ? RTM_NEWQDISC : RTM_NEWTCLASS, flags);
  auto* t = m.header<tcmsg>();
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = ifindex;
  t->tcm_handle = o.handle;
  t->tcm_parent = o.parent;
  m.put_strz(TCA_KIND, o.kind());
  if (const auto* q = std::get_if<HtbQdisc>(&o.options)) {
    tc_htb_glob g{};
    g.version = kHtbProtocol;
    g.rate2quantum = q->rate2quantum;
    g.defcls = q->default_minor;
    nlattr* opts = m.nest_start(TCA_OPTIONS);
    m.put(TCA_HTB_INIT, &g, sizeof g);
    m.nest_end(opts);
  } else if (const auto* c = std::get_if<HtbClass>(&o.options)) {
    encode_htb_class(m, *c);
  } else if (const auto* f = std::get_if<FifoQdisc>(&o.options)) {
    tc_fifo_qopt q{};
    q.limit = f->limit_bytes;
    m.put(TCA_OPTIONS, &q, sizeof q);
  } else {
    encode_netem(m, std::get<NetemQdisc>(o.options));
  }
  return m;
}

MsgBuilder encode_tc_delete_root(int ifindex) {
  MsgBuilder m(RTM_DELQDISC, 0);
  auto* t = m.header<tcmsg>();
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = ifindex;
  t->tcm_parent = TC_H_ROOT;
  return m;
}

MsgBuilder encode_tc_dump(TcObject::Type type, int ifindex) {
  MsgBuilder m(type == TcObject::Type::Qdisc ? RTM_GETQDISC : RTM_GETTCLASS, NLM_F_DUMP);
  auto* t = m.header<tcmsg>();
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = ifindex;
  return m;
}

std::optional<DecodedTc> decode_tc(const nlmsghdr* nlh) {
  const uint16_t type = nlh->nlmsg_type;
  const bool qdisc = type == RTM_NEWQDISC || type == RTM_DELQDISC;
  if (!qdisc && type != RTM_NEWTCLASS && type != RTM_DELTCLASS) return std::nullopt;
  size_t payload = mnl_nlmsg_get_payload_len(nlh);
  if (payload < sizeof(tcmsg)) return std::nullopt;
  const auto* p = static_cast<const char*>(mnl_nlmsg_get_payload(nlh));
  tcmsg t;
  std::memcpy(&t, p, sizeof t);
  std::string kind;
  const char* opts = nullptr;
  size_t opts_len = 0;
  size_t off = NLMSG_ALIGN(sizeof(tcmsg));
  if (off < payload) {
    for_each_attr(p + off, payload - off, [&](uint16_t a, const char* v, size_t n) {
      if (a == TCA_KIND) kind.assign(v, strnlen(v, n));
      if (a == TCA_OPTIONS) opts = v, opts_len = n;
    });
  }
  DecodedTc d;
  d.ifindex = t.tcm_ifindex;
  d.object.type = qdisc ? TcObject::Type::Qdisc : TcObject::Type::Class;
  d.object.handle = t.tcm_handle;
  d.object.parent = t.tcm_parent;
  if (opts == nullptr) return std::nullopt;
  if (kind == "netem" && qdisc) {
    auto n = decode_netem(opts, opts_len);
    if (!n) return std::nullopt;
    d.object.options = *n;
  } else if (kind == "bfifo" && qdisc) {
    auto f = read_as<tc_fifo_qopt>(opts, opts_len);
    if (!f) return std::nullopt;
    d.object.options = FifoQdisc{f->limit};
  } else if (kind == "htb" && qdisc) {
    auto h = decode_htb_qdisc(opts, opts_len);
    if (!h) return std::nullopt;
    d.object.options = *h;
  } else if (kind == "htb") {
    auto c = decode_htb_class(opts, opts_len);
    if (!c) return std::nullopt;
    d.object.options = *c;
    // The kernel reports a class directly under the qdisc with parent
    // TC_H_ROOT; the request named the qdisc ("parent 1:"), and so does netlab.
    if (d.object.parent == kTcRoot) d.object.parent = d.object.handle & 0xFFFF0000u;
  } else {
    return std::nullopt;
  }
  return d;
}

}  // namespace netlab::kernel
