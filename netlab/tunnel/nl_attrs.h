// Safe walks over netlink attributes for the tunnel codecs (libmnl's
// iteration macros assign void* and do not compile as C++). Malformed tails
// end the walk instead of being read past. Internal to netlab/tunnel.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstddef>

namespace netlab::tunnel::nl {

template <class F>
void walk(const void* start, size_t len, F&& f) {
  const char* p = static_cast<const char*>(start);
  const char* end = p + len;
  while (p + sizeof(nlattr) <= end) {
    const auto* a = reinterpret_cast<const nlattr*>(p);
    if (a->nla_len < sizeof(nlattr) || p + a->nla_len > end) return;
    f(a);
    p += NLA_ALIGN(a->nla_len);
  }
}

// The attributes of a message after a family header of `hdrlen` bytes.
template <class F>
void each_attr(const nlmsghdr* nlh, size_t hdrlen, F&& f) {
  size_t payload = mnl_nlmsg_get_payload_len(nlh);
  size_t off = MNL_ALIGN(hdrlen);
  if (payload <= off) return;
  walk(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + off, payload - off, f);
}

// The attributes inside a nest.
template <class F>
void each_nested(const nlattr* nest, F&& f) {
  walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), f);
}

}  // namespace netlab::tunnel::nl
