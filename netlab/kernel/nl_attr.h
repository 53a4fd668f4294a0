// Walking netlink attributes: the one walker of netlab's codecs (kernel/,
// tunnel/, impair/). libmnl's iteration macros assign void* and do not
// compile as C++, hence a walker of our own. A malformed tail (a length
// shorter than a header, or past the end) ends the walk instead of being
// read past. Pure; safe from any thread.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>

namespace netlab::kernel {

// Calls f(const nlattr*) for each attribute in [start, start + len).
template <class F>
void walk_attrs(const void* start, size_t len, F&& f) {
  const char* p = static_cast<const char*>(start);
  const char* end = p + len;
  while (p + sizeof(nlattr) <= end) {
    const auto* a = reinterpret_cast<const nlattr*>(p);
    if (a->nla_len < sizeof(nlattr) || p + a->nla_len > end) return;
    f(a);
    p += NLA_ALIGN(a->nla_len);
  }
}

// Calls f(type, payload, payload length) for each attribute, the type with
// its flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER) masked off.
template <class F>
void for_each_attr(const void* start, size_t len, F&& f) {
  walk_attrs(start, len, [&](const nlattr* a) {
    f(static_cast<uint16_t>(a->nla_type & NLA_TYPE_MASK),
      reinterpret_cast<const char*>(a) + NLA_HDRLEN, static_cast<size_t>(a->nla_len - NLA_HDRLEN));
  });
}

// Calls f(const nlattr*) for each attribute of a message, after its family
// header of `hdrlen` bytes (ifinfomsg, genlmsghdr...).
template <class F>
void each_attr(const nlmsghdr* nlh, size_t hdrlen, F&& f) {
  if (nlh->nlmsg_len < NLMSG_HDRLEN) return;
  size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
  size_t off = NLMSG_ALIGN(hdrlen);
  if (payload <= off) return;
  walk_attrs(static_cast<const char*>(NLMSG_DATA(nlh)) + off, payload - off, f);
}

// Calls f(const nlattr*) for each attribute inside a nest.
template <class F>
void each_nested(const nlattr* nest, F&& f) {
  walk_attrs(reinterpret_cast<const char*>(nest) + NLA_HDRLEN,
             static_cast<size_t>(nest->nla_len - NLA_HDRLEN), f);
}

}  // namespace netlab::kernel
