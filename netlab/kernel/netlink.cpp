// The real Netlink: rtnetlink through libmnl, one socket per namespace.
//
// libmnl rather than libnl-route: the encoders stay pure functions tested by
// round trip (rtnl_codec.h), and the kernel's extended-ack text reaches the
// exception (libnl 3.7 only logs it).
#include "netlab/kernel/netlink.h"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/netns_sockets.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {
namespace {

bool valid_sysctl_key(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

class RealNetlink final : public Netlink {
 public:
  NetnsId netns_create(const std::string& name) override {
    UniqueFd nsfd;
    std::optional<NlSocket> sock;
    NetnsId id = netns_create_named(name, [&] {
      // Still on the creating thread, inside the new namespace: open the
      // socket and keep a handle, saving a namespace switch later.
      nsfd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      if (!nsfd) throw KernelError("netns_create: open", name, errno);
      sock.emplace();
    });
    sockets_.adopt(name, id, std::move(nsfd), std::move(*sock));
    return id;
  }

  void netns_delete(const std::string& name) override {
    // Our socket and fd would keep the namespace (and its veth ends) alive.
    sockets_.forget(name);
    netns_delete_named(name);
  }

  // "" (netlab's own namespace) has no /run/netns entry: absent, like the fake.
  std::optional<NetnsId> netns_id(const std::string& name) override {
    if (name.empty()) return std::nullopt;
    return netns_stat(name);
  }
  std::vector<std::string> netns_list() override { return netns_names(); }

  void veth_create(const VethPair& p) override {
    int peer_fd = sockets_.nsfd(p.ns_b);
    MsgBuilder m = encode_veth_create(p, peer_fd);
    sockets_.socket(p.ns_a).request(m, "veth_create", p.str());
  }

  void link_set_up(const std::string& ns, const std::string& ifname, bool up) override {
    MsgBuilder m = encode_link_set_up(ifname, up);
    sockets_.socket(ns).request(m, "link_set_up", ns_object(ns, ifname));
  }

  void link_delete(const std::string& ns, const std::string& ifname) override {
    MsgBuilder m = encode_link_delete(ifname);
    sockets_.socket(ns).request(m, "link_delete", ns_object(ns, ifname));
  }

  std::optional<LinkInfo> link_get(const std::string& ns, const std::string& ifname) override {
    auto d = get_link(ns, ifname, "link_get");
    if (!d) return std::nullopt;
    return d->info;
  }

  std::vector<LinkInfo> link_list(const std::string& ns) override {
    std::vector<LinkInfo> out;
    MsgBuilder m = encode_link_dump();
    sockets_.socket(ns).query(m, "link_list", ns_object(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto d = decode_link(nlh, ns)) out.push_back(d->info);
    });
    return out;
  }

  LinkStats link_stats(const std::string& ns, const std::string& ifname) override {
    auto d = get_link(ns, ifname, "link_stats");
    if (!d) throw KernelError("link_stats", ns_object(ns, ifname), ENODEV);
    return d->stats;
  }

  void address_add(const Address& a) override {
    NlSocket& sock = sockets_.socket(a.ns);
    int index = ifindex(a.ns, a.ifname, "address_add");
    MsgBuilder m = encode_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, a.addr);
    sock.request(m, "address_add", ns_object(a.ns, a.str()), {EEXIST});
  }

  std::vector<Address> address_list(const std::string& ns) override {
    auto names = link_names(ns);
    std::vector<Address> out;
    MsgBuilder m = encode_address_dump();
    sockets_.socket(ns).query(m, "address_list", ns_object(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto d = decode_address(nlh)) out.push_back(Address{ns, names[d->ifindex], d->addr});
    });
    return out;
  }

  void route_replace(const Route& r) override {
    NlSocket& sock = sockets_.socket(r.ns);
    MsgBuilder m =
        encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r,
                     [&](const std::string& dev) { return ifindex(r.ns, dev, "route_replace"); });
    sock.request(m, "route_replace", ns_object(r.ns, r.str()));
  }

  void route_delete(const Route& r) override {
    NlSocket& sock = sockets_.socket(r.ns);
    // Select by destination and metric only, as `ip route del` does: a
    // route FRR replaced (other protocol, other nexthops) is still removed.
    Route sel{r.ns, r.dst, r.type, {}, 0, r.metric};
    MsgBuilder m = encode_route(RTM_DELROUTE, 0, sel, nullptr);
    auto* rtm = static_cast<rtmsg*>(NLMSG_DATA(m.nlh()));
    rtm->rtm_protocol = 0;       // any protocol
    rtm->rtm_type = RTN_UNSPEC;  // any type
    rtm->rtm_scope = RT_SCOPE_NOWHERE;
    sock.request(m, "route_delete", ns_object(r.ns, r.str()), {ESRCH});
  }

  std::vector<Route> route_list(const std::string& ns) override {
    NlSocket& sock = sockets_.socket(ns);
    auto names = link_names(ns);
    // FRR 8 installs routes as `nhid N`: resolve ids through a dump of the
    // nexthop objects (EOPNOTSUPP/EINVAL: a kernel without them, none to find).
    NexthopTable nexthops;
    MsgBuilder nm = encode_nexthop_dump();
    sock.query(nm, "route_list: nexthop dump", ns_object(ns, ""),
                  [&](const nlmsghdr* nlh) {
                    if (auto nh = decode_nexthop(nlh)) nexthops[nh->id] = *nh;
                  },
                  {EOPNOTSUPP, EINVAL, EAFNOSUPPORT});
    std::vector<Route> out;
    IfnameOf name_of = [&](int i) {
      auto it = names.find(i);
      return it != names.end() ? it->second : "if" + std::to_string(i);
    };
    MsgBuilder m = encode_route_dump();
    sock.query(m, "route_list", ns_object(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto r = decode_route(nlh, ns, name_of, nexthops)) out.push_back(std::move(*r));
    });
    return out;
  }

  void sysctl_set(const std::string& ns, const std::string& key,
                  const std::string& value) override {
    if (!valid_sysctl_key(key)) throw KernelError("sysctl_set", ns_object(ns, key), EINVAL, "bad key");
    // /proc/sys/net resolves against the namespace of the thread that opens
    // the file: open it from inside, write, and come back.
    NetnsGuard guard(sockets_.nsfd(ns), ns);
    std::string path = "/proc/sys/" + key;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw KernelError("sysctl_set", ns_object(ns, key), errno);
    guard.leave();
    std::string text = value + "\n";
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0) throw KernelError("sysctl_set", ns_object(ns, key + "=" + value), errno);
    if (static_cast<size_t>(n) != text.size()) {
      throw KernelError("sysctl_set", ns_object(ns, key + "=" + value), EIO, "short write");
    }
  }

 private:
  std::optional<DecodedLink> get_link(const std::string& ns, const std::string& ifname,
                                      const std::string& op) {
    std::optional<DecodedLink> out;
    MsgBuilder m = encode_link_get(ifname);
    sockets_.socket(ns).query(m, op, ns_object(ns, ifname),
                         [&](const nlmsghdr* nlh) { out = decode_link(nlh, ns); }, {ENODEV});
    return out;
  }

  int ifindex(const std::string& ns, const std::string& ifname, const std::string& op) {
    return sockets_.ifindex(ns, ifname, op);
  }

  std::map<int, std::string> link_names(const std::string& ns) {
    std::map<int, std::string> names;
    for (const LinkInfo& l : link_list(ns)) names[l.index] = l.ifname;
    return names;
  }

  NetnsSockets sockets_;
};

}  // namespace

std::unique_ptr<Netlink> make_netlink() { return std::make_unique<RealNetlink>(); }

}  // namespace netlab::kernel
