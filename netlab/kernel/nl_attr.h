// Walking netlink attributes for the kernel codecs: each attribute's type
// (flags masked off), payload and payload length, in order. A malformed tail
// (a length shorter than a header, or past the end) ends the walk instead of
// being read past. Internal to netlab/kernel.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>

namespace netlab::kernel {

template <class F>
void for_each_attr(const void* start, size_t len, F&& f) {
  const char* p = static_cast<const char*>(start);
  const char* end = p + len;
  while (p + sizeof(nlattr) <= end) {
    const auto* a = reinterpret_cast<const nlattr*>(p);
    if (a->nla_len < sizeof(nlattr) || p + a->nla_len > end) return;
    f(static_cast<uint16_t>(a->nla_type & NLA_TYPE_MASK), p + NLA_HDRLEN,
      static_cast<size_t>(a->nla_len - NLA_HDRLEN));
    p += NLA_ALIGN(a->nla_len);
  }
}

}  // namespace netlab::kernel
