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
#include "netlab/kernel/netns_sockets.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"
#include "netlab/tunnel/link_codec.h"

namespace netlab::tunnel {

namespace {

using kernel::MsgBuilder;

using kernel::ns_object;

class RealTunnelKernel final : public TunnelKernel {
 public:
  void wireguard_create(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    MsgBuilder m = encode_wireguard_create(ifname, mtu);
    route(ns).request(m, "create wireguard link", ns_object(ns, ifname));
  }

  void xfrm_create(const std::string& ns, const std::string& ifname, uint32_t if_id,
                   const std::string& underlay, uint32_t mtu) override {
    uint32_t link =
        underlay.empty() ? 0 : static_cast<uint32_t>(ifindex(ns, underlay, "create xfrm link"));
    MsgBuilder m = encode_xfrm_create(ifname, if_id, link, mtu);
    route(ns).request(m, "create xfrm link",
                           ns_object(ns, ifname + " if_id " + std::to_string(if_id)));
  }

  void link_rename(const std::string& ns, const std::string& from, const std::string& to) override {
    int index = ifindex(ns, from, "rename link");
    MsgBuilder down = kernel::encode_link_set_up(from, false);
    route(ns).request(down, "rename link: set down", ns_object(ns, from));
    MsgBuilder m = encode_link_rename(index, to);
    route(ns).request(m, "rename link", ns_object(ns, from + " -> " + to));
  }

  void link_set_mtu(const std::string& ns, const std::string& ifname, uint32_t mtu) override {
    MsgBuilder m = encode_link_mtu(ifname, mtu);
    route(ns).request(m, "set mtu", ns_object(ns, ifname + " mtu " + std::to_string(mtu)));
  }

  void tun_placeholder(const std::string& ns, const std::string& ifname) override {
    // A TUN device lives in the namespace of the process that opened
    // /dev/net/tun: open it from inside.
    kernel::NetnsGuard guard(sockets_.nsfd(ns), ns);
    kernel::UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    guard.leave();
    if (!fd) throw KernelError("open /dev/net/tun for placeholder", ns_object(ns, ifname), errno);
    ifreq ifr{};
    if (ifname.size() >= sizeof ifr.ifr_name)
      throw KernelError("create placeholder", ns_object(ns, ifname), ENAMETOOLONG);
    std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size() + 1);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    check_errno(::ioctl(fd.get(), TUNSETIFF, &ifr), "create placeholder", ns_object(ns, ifname));
    // Persistent: it outlives this descriptor, and dies with the namespace.
    check_errno(::ioctl(fd.get(), TUNSETPERSIST, 1), "make placeholder persistent",
                ns_object(ns, ifname));
  }

  void rules_delete(const std::string& ns, uint32_t table) override {
    for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
      // One rule per request; ENOENT once none is left (EAFNOSUPPORT: no IPv6).
      for (int i = 0; i < 64; ++i) {
        MsgBuilder m = encode_rule_delete(family, table);
        int e = route(ns).request(m, "delete rule", ns_object(ns, "lookup " + std::to_string(table)),
                                       {ENOENT, EAFNOSUPPORT});
        if (e) break;
      }
    }
  }

  void wg_set(const std::string& ns, const WgDevice& d) override {
    MsgBuilder m = encode_wg_set_device(family(ns), d);
    sockets_.socket(ns, NETLINK_GENERIC).request(m, "configure wireguard", ns_object(ns, d.ifname));
  }

  WgDevice wg_get(const std::string& ns, const std::string& ifname) override {
    MsgBuilder m = encode_wg_get_device(family(ns), ifname);
    WgDevice d;
    sockets_.socket(ns, NETLINK_GENERIC).query(m, "read wireguard", ns_object(ns, ifname),
                    [&](const nlmsghdr* nlh) { merge_wg_device(d, decode_wg_device(nlh)); });
    return d;
  }

 private:
  kernel::NlSocket& route(const std::string& ns) { return sockets_.socket(ns); }

  // The family id is the kernel's, the same in every namespace: resolved once.
  uint16_t family(const std::string& ns) {
    if (wg_family_) return *wg_family_;
    MsgBuilder m = encode_genl_family_request("wireguard");
    sockets_.socket(ns, NETLINK_GENERIC)
        .query(m, "resolve genetlink family", ns_object(ns, "wireguard"),
               [&](const nlmsghdr* nlh) {
                 if (auto id = decode_genl_family_id(nlh)) wg_family_ = *id;
               });
    if (!wg_family_) throw KernelError("resolve genetlink family", ns_object(ns, "wireguard"), ENOENT);
    return *wg_family_;
  }

  int ifindex(const std::string& ns, const std::string& ifname, const std::string& op) {
    return sockets_.ifindex(ns, ifname, op);
  }

  kernel::NetnsSockets sockets_;
  std::optional<uint16_t> wg_family_;
};

}  // namespace

std::unique_ptr<TunnelKernel> make_tunnel_kernel() { return std::make_unique<RealTunnelKernel>(); }

}  // namespace netlab::tunnel
