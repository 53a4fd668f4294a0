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
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {
namespace {

std::string obj(const std::string& ns, const std::string& what) {
  return (ns.empty() ? std::string("-") : ns) + " " + what;
}

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
    auto c = std::make_unique<Conn>();
    NetnsId id = netns_create_named(name, [&] {
      // Still on the creating thread, inside the new namespace: open the
      // socket and keep a handle, saving a namespace switch later.
      c->nsfd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      if (!c->nsfd) throw KernelError("netns_create: open", name, errno);
      c->sock.emplace();
    });
    c->id = id;
    conns_[name] = std::move(c);
    return id;
  }

  void netns_delete(const std::string& name) override {
    // Our socket and fd would keep the namespace (and its veth ends) alive.
    conns_.erase(name);
    netns_delete_named(name);
  }

  // "" (netlab's own namespace) has no /run/netns entry: absent, like the fake.
  std::optional<NetnsId> netns_id(const std::string& name) override {
    if (name.empty()) return std::nullopt;
    return netns_stat(name);
  }
  std::vector<std::string> netns_list() override { return netns_names(); }

  void veth_create(const VethPair& p) override {
    Conn& a = conn(p.ns_a);
    int peer_fd = p.ns_b == p.ns_a ? a.nsfd.get() : conn(p.ns_b).nsfd.get();
    MsgBuilder m = encode_veth_create(p, peer_fd);
    a.sock->request(m, "veth_create", p.str());
  }

  void link_set_up(const std::string& ns, const std::string& ifname, bool up) override {
    MsgBuilder m = encode_link_set_up(ifname, up);
    conn(ns).sock->request(m, "link_set_up", obj(ns, ifname));
  }

  void link_delete(const std::string& ns, const std::string& ifname) override {
    MsgBuilder m = encode_link_delete(ifname);
    conn(ns).sock->request(m, "link_delete", obj(ns, ifname));
  }

  std::optional<LinkInfo> link_get(const std::string& ns, const std::string& ifname) override {
    auto d = get_link(ns, ifname, "link_get");
    if (!d) return std::nullopt;
    return d->info;
  }

  std::vector<LinkInfo> link_list(const std::string& ns) override {
    std::vector<LinkInfo> out;
    MsgBuilder m = encode_link_dump();
    conn(ns).sock->query(m, "link_list", obj(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto d = decode_link(nlh, ns)) out.push_back(d->info);
    });
    return out;
  }

  LinkStats link_stats(const std::string& ns, const std::string& ifname) override {
    auto d = get_link(ns, ifname, "link_stats");
    if (!d) throw KernelError("link_stats", obj(ns, ifname), ENODEV);
    return d->stats;
  }

  void address_add(const Address& a) override {
    Conn& c = conn(a.ns);
    int index = ifindex(a.ns, a.ifname, "address_add");
    MsgBuilder m = encode_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, a.addr);
    c.sock->request(m, "address_add", obj(a.ns, a.str()), {EEXIST});
  }

  std::vector<Address> address_list(const std::string& ns) override {
    auto names = link_names(ns);
    std::vector<Address> out;
    MsgBuilder m = encode_address_dump();
    conn(ns).sock->query(m, "address_list", obj(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto d = decode_address(nlh)) out.push_back(Address{ns, names[d->ifindex], d->addr});
    });
    return out;
  }

  void route_replace(const Route& r) override {
    Conn& c = conn(r.ns);
    MsgBuilder m =
        encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r,
                     [&](const std::string& dev) { return ifindex(r.ns, dev, "route_replace"); });
    c.sock->request(m, "route_replace", obj(r.ns, r.str()));
  }

  void route_delete(const Route& r) override {
    Conn& c = conn(r.ns);
    // Select by destination and metric only, as `ip route del` does: a
    // route FRR replaced (other protocol, other nexthops) is still removed.
    Route sel{r.ns, r.dst, r.type, {}, 0, r.metric};
    MsgBuilder m = encode_route(RTM_DELROUTE, 0, sel, nullptr);
    auto* rtm = static_cast<rtmsg*>(NLMSG_DATA(m.nlh()));
    rtm->rtm_protocol = 0;       // any protocol
    rtm->rtm_type = RTN_UNSPEC;  // any type
    rtm->rtm_scope = RT_SCOPE_NOWHERE;
    c.sock->request(m, "route_delete", obj(r.ns, r.str()), {ESRCH});
  }

  std::vector<Route> route_list(const std::string& ns) override {
    Conn& c = conn(ns);
    auto names = link_names(ns);
    // FRR 8 installs routes as `nhid N`: resolve ids through a dump of the
    // nexthop objects (EOPNOTSUPP/EINVAL: a kernel without them, none to find).
    NexthopTable nexthops;
    MsgBuilder nm = encode_nexthop_dump();
    c.sock->query(nm, "route_list: nexthop dump", obj(ns, ""),
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
    c.sock->query(m, "route_list", obj(ns, ""), [&](const nlmsghdr* nlh) {
      if (auto r = decode_route(nlh, ns, name_of, nexthops)) out.push_back(std::move(*r));
    });
    return out;
  }

  void sysctl_set(const std::string& ns, const std::string& key,
                  const std::string& value) override {
    if (!valid_sysctl_key(key)) throw KernelError("sysctl_set", obj(ns, key), EINVAL, "bad key");
    Conn& c = conn(ns);
    // /proc/sys/net resolves against the namespace of the thread that opens
    // the file: open it from inside, write, and come back.
    NetnsGuard guard(c.nsfd.get(), ns);
    std::string path = "/proc/sys/" + key;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw KernelError("sysctl_set", obj(ns, key), errno);
    guard.leave();
    std::string text = value + "\n";
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0) throw KernelError("sysctl_set", obj(ns, key + "=" + value), errno);
    if (static_cast<size_t>(n) != text.size()) {
      throw KernelError("sysctl_set", obj(ns, key + "=" + value), EIO, "short write");
    }
  }

 private:
  struct Conn {
    NetnsId id;
    UniqueFd nsfd;  // for IFLA_NET_NS_FD and for entering (sysctl)
    std::optional<NlSocket> sock;
  };

  // The cached connection of `ns`, (re)opened when the name now refers to
  // another namespace than the one cached (deleted and created again by
  // someone else), dropped when the name is gone.
  Conn& conn(const std::string& ns) {
    auto it = conns_.find(ns);
    if (ns.empty()) {
      if (it != conns_.end()) return *it->second;
    } else {
      std::optional<NetnsId> id = netns_stat(ns);
      if (!id) {
        if (it != conns_.end()) conns_.erase(it);
        throw KernelError("netns_open", ns, ENOENT);
      }
      if (it != conns_.end() && it->second->id == *id) return *it->second;
    }
    auto c = std::make_unique<Conn>();
    c->nsfd = netns_open(ns);
    c->id = netns_id_of(c->nsfd.get());
    NetnsGuard guard(c->nsfd.get(), ns);
    c->sock.emplace();
    guard.leave();
    Conn& ref = *c;
    conns_[ns] = std::move(c);
    return ref;
  }

  std::optional<DecodedLink> get_link(const std::string& ns, const std::string& ifname,
                                      const std::string& op) {
    std::optional<DecodedLink> out;
    MsgBuilder m = encode_link_get(ifname);
    conn(ns).sock->query(m, op, obj(ns, ifname),
                         [&](const nlmsghdr* nlh) { out = decode_link(nlh, ns); }, {ENODEV});
    return out;
  }

  int ifindex(const std::string& ns, const std::string& ifname, const std::string& op) {
    auto d = get_link(ns, ifname, op);
    if (!d) throw KernelError(op, obj(ns, ifname), ENODEV, "no such interface");
    return d->info.index;
  }

  std::map<int, std::string> link_names(const std::string& ns) {
    std::map<int, std::string> names;
    for (const LinkInfo& l : link_list(ns)) names[l.index] = l.ifname;
    return names;
  }

  std::map<std::string, std::unique_ptr<Conn>> conns_;
};

}  // namespace

std::unique_ptr<Netlink> make_netlink() { return std::make_unique<RealNetlink>(); }

}  // namespace netlab::kernel
