// Netlink plumbing shared by the real Netlink, RouteMonitor and the
// capability probe: building a message (pure, no I/O) and a socket that
// sends one request and reads its answer with the kernel's extended ack.
//
// NlSocket owns one libmnl socket, bound to the network namespace the
// calling thread was in when it was constructed. Errors: KernelError(op,
// object, errno, extack). Threads: one NlSocket is used by one thread at a time.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

struct mnl_socket;

namespace netlab::kernel {

// One netlink message being built in its own buffer. Every put checks the
// capacity and throws KernelError("encode", ..., EMSGSIZE) instead of
// writing past it.
class MsgBuilder {
 public:
  MsgBuilder(uint16_t type, uint16_t flags, size_t capacity = 8192);
  MsgBuilder(MsgBuilder&&) = default;
  MsgBuilder& operator=(MsgBuilder&&) = default;

  nlmsghdr* nlh() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  const nlmsghdr* nlh() const { return reinterpret_cast<const nlmsghdr*>(buf_.data()); }
  const char* data() const { return buf_.data(); }
  size_t size() const { return nlh()->nlmsg_len; }

  // The family header (ifinfomsg, rtmsg...), zeroed; call once, first.
  template <class T>
  T* header() {
    return static_cast<T*>(reserve(sizeof(T)));
  }
  // len bytes (aligned) at the end of the message, zeroed, counted in nlmsg_len.
  void* reserve(size_t len);
  void put(uint16_t type, const void* data, size_t len);
  void put_u8(uint16_t type, uint8_t v) { put(type, &v, sizeof v); }
  void put_u32(uint16_t type, uint32_t v) { put(type, &v, sizeof v); }
  void put_strz(uint16_t type, const std::string& s) { put(type, s.c_str(), s.size() + 1); }
  nlattr* nest_start(uint16_t type);
  void nest_end(nlattr* nest);
  // Offset of a pointer inside the message, to find a nest again after
  // further puts (the buffer never moves: it is allocated once).
  template <class T>
  T* at(size_t offset) {
    return reinterpret_cast<T*>(buf_.data() + offset);
  }

 private:
  std::vector<char> buf_;
};

// An NLMSG_ERROR (or NLMSG_DONE with an error) decoded: errno (positive, 0 is
// an ack) and the extended-ack message when the kernel sent one.
struct NlError {
  int err = 0;
  std::string extack;
};
NlError decode_error(const nlmsghdr* nlh);

class NlSocket {
 public:
  // Opens a `bus` socket (NETLINK_ROUTE, NETLINK_XFRM...) in the calling
  // thread's current network namespace, with NETLINK_EXT_ACK and
  // NETLINK_CAP_ACK on; `groups` are RTNLGRP_* numbers to join.
  explicit NlSocket(int bus = NETLINK_ROUTE, std::initializer_list<unsigned> groups = {});
  NlSocket(NlSocket&&) noexcept;
  NlSocket& operator=(NlSocket&&) noexcept;
  ~NlSocket();

  int fd() const;

  // Sends msg (sequence number and NLM_F_ACK set here) and reads until its
  // ack. Returns 0, or the errno when it is listed in `tolerated`; throws
  // KernelError(op, object, errno, extack) otherwise.
  int request(MsgBuilder& msg, const std::string& op, const std::string& object,
              std::initializer_list<int> tolerated = {});
  // Like request(), calling on_reply for each answer (of a GET or each part
  // of a dump, NLM_F_DUMP) before the ack or NLMSG_DONE.
  int query(MsgBuilder& msg, const std::string& op, const std::string& object,
            const std::function<void(const nlmsghdr*)>& on_reply,
            std::initializer_list<int> tolerated = {});

 private:
  struct Closer {
    void operator()(mnl_socket* s) const;
  };
  std::unique_ptr<mnl_socket, Closer> sock_;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  std::vector<char> rx_;
};

}  // namespace netlab::kernel
