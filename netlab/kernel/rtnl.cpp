#include "netlab/kernel/rtnl.h"

#include <libmnl/libmnl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "netlab/base/error.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::kernel {

MsgBuilder::MsgBuilder(uint16_t type, uint16_t flags, size_t capacity) : buf_(capacity, 0) {
  nlmsghdr* h = mnl_nlmsg_put_header(buf_.data());
  h->nlmsg_type = type;
  h->nlmsg_flags = flags;
}

void* MsgBuilder::reserve(size_t len) {
  size_t aligned = MNL_ALIGN(len);
  if (size() + aligned > buf_.size()) {
    throw KernelError("encode", "netlink message type " + std::to_string(nlh()->nlmsg_type),
                      EMSGSIZE);
  }
  return mnl_nlmsg_put_extra_header(nlh(), len);
}

void MsgBuilder::put(uint16_t type, const void* data, size_t len) {
  if (!mnl_attr_put_check(nlh(), buf_.size(), type, len, data)) {
    throw KernelError("encode", "netlink attribute " + std::to_string(type), EMSGSIZE);
  }
}

nlattr* MsgBuilder::nest_start(uint16_t type) {
  nlattr* n = mnl_attr_nest_start_check(nlh(), buf_.size(), type);
  if (n == nullptr) {
    throw KernelError("encode", "netlink nest " + std::to_string(type), EMSGSIZE);
  }
  return n;
}

void MsgBuilder::nest_end(nlattr* nest) { mnl_attr_nest_end(nlh(), nest); }

NlError decode_error(const nlmsghdr* nlh) {
  NlError out;
  size_t payload = mnl_nlmsg_get_payload_len(nlh);
  const char* p = static_cast<const char*>(mnl_nlmsg_get_payload(nlh));
  size_t hlen;
  if (nlh->nlmsg_type == NLMSG_DONE) {
    if (payload < sizeof(int)) return out;
    int e;
    std::memcpy(&e, p, sizeof e);
    out.err = -e;
    hlen = sizeof(int);
  } else {
    if (payload < sizeof(nlmsgerr)) {
      out.err = EBADMSG;
      return out;
    }
    const auto* e = reinterpret_cast<const nlmsgerr*>(p);
    out.err = -e->error;
    hlen = sizeof(nlmsgerr);
    // Without NLM_F_CAPPED the kernel echoes the whole request after the
    // header; the TLVs follow it.
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) hlen += e->msg.nlmsg_len - sizeof(nlmsghdr);
  }
  const size_t off = MNL_ALIGN(hlen);
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= payload) return out;
  for_each_attr(p + off, payload - off,
                [&](uint16_t type, const char* s, size_t n) {
                  if (type == NLMSGERR_ATTR_MSG) out.extack.assign(s, strnlen(s, n));
                });
  return out;
}

void NlSocket::Closer::operator()(mnl_socket* s) const { mnl_socket_close(s); }

NlSocket::NlSocket(int bus, std::initializer_list<unsigned> groups) : rx_(1 << 17) {
  mnl_socket* s = mnl_socket_open2(bus, SOCK_CLOEXEC);
  if (s == nullptr) throw KernelError("netlink_socket", "bus " + std::to_string(bus), errno);
  sock_.reset(s);
  int one = 1;
  // Extended acks carry the kernel's reason ("Nexthop has invalid gateway");
  // capped acks keep the echoed request out of error messages.
  mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof one);
  mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof one);
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    throw KernelError("netlink_bind", "bus " + std::to_string(bus), errno);
  }
  for (unsigned g : groups) {
    if (setsockopt(mnl_socket_get_fd(s), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) {
      throw KernelError("netlink_join_group", std::to_string(g), errno);
    }
  }
  portid_ = mnl_socket_get_portid(s);
  seq_ = static_cast<uint32_t>(time(nullptr));
}

NlSocket::NlSocket(NlSocket&&) noexcept = default;
NlSocket& NlSocket::operator=(NlSocket&&) noexcept = default;
NlSocket::~NlSocket() = default;

int NlSocket::fd() const { return mnl_socket_get_fd(sock_.get()); }

int NlSocket::request(MsgBuilder& msg, const std::string& op, const std::string& object,
                      std::initializer_list<int> tolerated) {
  return query(msg, op, object, nullptr, tolerated);
}

int NlSocket::query(MsgBuilder& msg, const std::string& op, const std::string& object,
                    const std::function<void(const nlmsghdr*)>& on_reply,
                    std::initializer_list<int> tolerated) {
  nlmsghdr* req = msg.nlh();
  req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  req->nlmsg_seq = ++seq_;
  req->nlmsg_pid = 0;
  const bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  if (mnl_socket_sendto(sock_.get(), req, req->nlmsg_len) < 0) {
    throw KernelError(op, object, errno);
  }
  auto fail = [&](const NlError& e) -> int {
    if (std::find(tolerated.begin(), tolerated.end(), e.err) != tolerated.end()) return e.err;
    throw KernelError(op, object, e.err, e.extack);
  };
  int result = 0;
  bool error_seen = false;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_.get(), rx_.data(), rx_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw KernelError(op, object, errno);
    }
    auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data());
    int len = static_cast<int>(n);
    for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      // Leftovers of an earlier request that threw halfway are skipped.
      if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != portid_) continue;
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        NlError e = decode_error(nlh);
        // A dump is answered by NLMSG_DONE; an error before it ends it too.
        if (e.err != 0) {
          result = fail(e);
          error_seen = true;
        }
        if (!dump || e.err != 0) return result;
        continue;
      }
      if (nlh->nlmsg_type == NLMSG_DONE) {
        NlError e = decode_error(nlh);
        if (e.err != 0 && !error_seen) result = fail(e);
        return result;
      }
      if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN) continue;
      if (on_reply) on_reply(nlh);
    }
  }
}

}  // namespace netlab::kernel
