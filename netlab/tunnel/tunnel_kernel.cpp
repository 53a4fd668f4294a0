#include "netlab/tunnel/tunnel_kernel.h"

#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"
#include "netlab/tunnel/link_codec.h"

namespace netlab::tunnel {

namespace {

using kernel::MsgBuilder;
using kernel::NlSocket;

std::string obj(const std::string& ns, const std::string& what) {
  return (ns.empty() ? std::string("-") : ns) + " " + what;
}

class RealTunnelKernel final : public TunnelKernel {
 public:
  void wireguard_create(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    MsgBuilder m = encode_wireguard_create(ifname, mtu);
    conn(ns).route.request(m, "create wireguard link", obj(ns, ifname));
  }

  void xfrm_create(const std::string& ns, const std::string& ifname, uint32_t if_id,
                   const std::string& underlay, uint32_t mtu) override {
    uint32_t link =
        underlay.empty() ? 0 : static_cast<uint32_t>(ifindex(ns, underlay, "create xfrm link"));
    MsgBuilder m = encode_xfrm_create(ifname, if_id, link, mtu);
    conn(ns).route.request(m, "create xfrm link",
                           obj(ns, ifname + " if_id " + std::to_string(if_id)));
  }

  void link_rename(const std::string& ns, const std::string& from, const std::string& to) override {
    int index = ifindex(ns, from, "rename link");
    MsgBuilder down = kernel::encode_link_set_up(from, false);
    conn(ns).route.request(down, "rename link: set down", obj(ns, from));
    MsgBuilder m = encode_link_rename(index, to);
    conn(ns).route.request(m, "rename link", obj(ns, from + " -> " + to));
  }

  void link_set_mtu(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    MsgBuilder m = encode_link_mtu(ifname, mtu);
    conn(ns).route.request(m, "set mtu", obj(ns, ifname + " mtu " + std::to_string(mtu)));
  }

  void tun_placeholder(const std::string& ns, const std::string& ifname) override {
    // A TUN device lives in the namespace of the process that opened
    // /dev/net/tun: open it from inside.
    kernel::UniqueFd fd;
    if (ns.empty()) {
      fd.reset(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    } else {
      kernel::UniqueFd nsfd = kernel::netns_open(ns);
      kernel::NetnsGuard guard(nsfd.get(), ns);
      fd.reset(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
      guard.leave();
    }
    if (!fd) throw KernelError("open /dev/net/tun for placeholder", obj(ns, ifname), errno);
    ifreq ifr{};
    if (ifname.size() >= sizeof ifr.ifr_name)
      throw KernelError("create placeholder", obj(ns, ifname), ENAMETOOLONG);
    std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size() + 1);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    check_errno(::ioctl(fd.get(), TUNSETIFF, &ifr), "create placeholder", obj(ns, ifname));
    // Persistent: it outlives this descriptor, and dies with the namespace.
    check_errno(::ioctl(fd.get(), TUNSETPERSIST, 1), "make placeholder persistent",
                obj(ns, ifname));
  }

  void rules_delete(const std::string& ns, uint32_t table) override {
    for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
      // One rule per request; ENOENT once none is left (EAFNOSUPPORT: no IPv6).
      for (int i = 0; i < 64; ++i) {
        MsgBuilder m = encode_rule_delete(family, table);
        int e = conn(ns).route.request(m, "delete rule", obj(ns, "lookup " + std::to_string(table)),
                                       {ENOENT, EAFNOSUPPORT});
        if (e) break;
      }
    }
  }

  void wg_set(const std::string& ns, const WgDevice& d) override {
    Conn& c = conn(ns);
    MsgBuilder m = encode_wg_set_device(family(c, ns), d);
    c.generic.request(m, "configure wireguard", obj(ns, d.ifname));
  }

  WgDevice wg_get(const std::string& ns, const std::string& ifname) override {
    Conn& c = conn(ns);
    MsgBuilder m = encode_wg_get_device(family(c, ns), ifname);
    WgDevice d;
    c.generic.query(m, "read wireguard", obj(ns, ifname),
                    [&](const nlmsghdr* nlh) { merge_wg_device(d, decode_wg_device(nlh)); });
    return d;
  }

 private:
  struct Conn {
    NlSocket route{NETLINK_ROUTE};
    NlSocket generic{NETLINK_GENERIC};
    std::optional<uint16_t> wg_family;
  };

  // Sockets stay bound to the namespace they were opened in: open them
  // inside once and keep them.
  Conn& conn(const std::string& ns) {
    auto it = conns_.find(ns);
    if (it != conns_.end()) return *it->second;
    std::unique_ptr<Conn> c;
    if (ns.empty()) {
      c = std::make_unique<Conn>();
    } else {
      kernel::UniqueFd fd = kernel::netns_open(ns);
      kernel::NetnsGuard guard(fd.get(), ns);
      c = std::make_unique<Conn>();
      guard.leave();
    }
    Conn& ref = *c;
    conns_[ns] = std::move(c);
    return ref;
  }

  uint16_t family(Conn& c, const std::string& ns) {
    if (c.wg_family) return *c.wg_family;
    MsgBuilder m = encode_genl_family_request("wireguard");
    c.generic.query(m, "resolve genetlink family", obj(ns, "wireguard"), [&](const nlmsghdr* nlh) {
      if (auto id = decode_genl_family_id(nlh)) c.wg_family = *id;
    });
    if (!c.wg_family) throw KernelError("resolve genetlink family", obj(ns, "wireguard"), ENOENT);
    return *c.wg_family;
  }

  int ifindex(const std::string& ns, const std::string& ifname, const std::string& op) {
    int index = 0;
    MsgBuilder m = kernel::encode_link_get(ifname);
    conn(ns).route.query(m, op, obj(ns, ifname),
                         [&](const nlmsghdr* nlh) {
                           if (auto d = kernel::decode_link(nlh, ns)) index = d->info.index;
                         },
                         {ENODEV});
    if (!index) throw KernelError(op, obj(ns, ifname), ENODEV, "no such interface");
    return index;
  }

  std::map<std::string, std::unique_ptr<Conn>> conns_;
};

}  // namespace

std::unique_ptr<TunnelKernel> make_tunnel_kernel() { return std::make_unique<RealTunnelKernel>(); }

}  // namespace netlab::tunnel
