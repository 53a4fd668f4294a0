#include "fake_kernel.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"

namespace netlab::testing {

using kernel::Address;
using kernel::LinkInfo;
using kernel::LinkStats;
using kernel::NetnsId;
using kernel::Nexthop;
using kernel::Route;
using kernel::RouteType;
using kernel::VethPair;

// --- FaultPlan ---

void FaultPlan::fail_nth(const std::string& op, int n, int err, std::string extack) {
  pending_[op].push_back(Pending{n, err, std::move(extack)});
}

std::optional<std::pair<int, std::string>> FaultPlan::due(const std::string& op) {
  auto it = pending_.find(op);
  if (it == pending_.end()) return std::nullopt;
  std::optional<std::pair<int, std::string>> hit;
  auto& list = it->second;
  for (auto p = list.begin(); p != list.end();) {
    if (--p->remaining == 0) {
      if (!hit) hit = std::make_pair(p->err, p->extack);
      p = list.erase(p);
    } else {
      ++p;
    }
  }
  return hit;
}

std::string errno_name(int err) {
  const char* n = strerrorname_np(err);
  return n ? n : std::to_string(err);
}

namespace {

bool valid_ifname(const std::string& name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c));
  });
}

bool valid_netns_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.size() <= 255;
}

std::string where(const std::string& ns, const std::string& what) {
  return (ns.empty() ? std::string("-") : ns) + " " + what;
}

}  // namespace

// --- FakeNetlink ---

FakeNetlink::FakeNetlink() {
  Namespace host;
  host.id = NetnsId{4, 4026531840};
  host.links["lo"] =
      Link{"lo", 1, true, 65536, std::nullopt, {*Ipv4Prefix::parse("127.0.0.1/8")}, {}};
  netns_[""] = std::move(host);
}

template <class F>
auto FakeNetlink::call(const std::string& op, const std::string& line, F&& body) {
  ops.push_back(line);
  try {
    if (auto f = faults_.due(op)) throw KernelError(op, line, f->first, f->second);
    return body();
  } catch (const KernelError& e) {
    ops.back() += " -> " + errno_name(e.err());
    throw;
  }
}

template <class F>
auto FakeNetlink::read(const std::string& op, const std::string& object, F&& body) {
  if (auto f = faults_.due(op)) throw KernelError(op, object, f->first, f->second);
  return body();
}

FakeNetlink::Namespace& FakeNetlink::ns_or_throw(const std::string& ns) {
  auto it = netns_.find(ns);
  if (it == netns_.end()) throw KernelError("netns_open", ns, ENOENT);
  return it->second;
}

FakeNetlink::Link& FakeNetlink::link_or_throw(const std::string& op, const std::string& ns,
                                              const std::string& ifname) {
  Namespace& n = ns_or_throw(ns);
  auto it = n.links.find(ifname);
  if (it == n.links.end()) throw KernelError(op, where(ns, ifname), ENODEV);
  return it->second;
}

LinkInfo FakeNetlink::info(const std::string& ns, const Link& l) const {
  LinkInfo i;
  i.ns = ns;
  i.ifname = l.name;
  i.index = l.index;
  i.admin_up = l.up;
  i.mtu = l.mtu;
  // A veth has carrier when both ends are up; other links when they are up.
  bool peer_up = true;
  if (l.peer) {
    const Link& p = netns_.at(l.peer->first).links.at(l.peer->second);
    peer_up = p.up;
  }
  i.carrier = l.up && peer_up;
  return i;
}

std::optional<std::string> FakeNetlink::sysctl(const std::string& ns,
                                               const std::string& key) const {
  auto n = netns_.find(ns);
  if (n == netns_.end()) return std::nullopt;
  auto it = n->second.sysctls.find(key);
  if (it == n->second.sysctls.end()) return std::nullopt;
  return it->second;
}

void FakeNetlink::set_stats(const std::string& ns, const std::string& ifname, const LinkStats& s) {
  netns_.at(ns).links.at(ifname).stats = s;
}

NetnsId FakeNetlink::netns_create(const std::string& name) {
  return call("netns_create", "netns_create " + name, [&] {
    if (!valid_netns_name(name)) throw KernelError("netns", name, EINVAL);
    if (netns_.count(name)) throw KernelError("netns_create", name, EEXIST);
    Namespace n;
    n.id = NetnsId{4, next_ino_++};
    n.links["lo"] =
        Link{"lo", 1, true, 65536, std::nullopt, {*Ipv4Prefix::parse("127.0.0.1/8")}, {}};
    NetnsId id = n.id;
    netns_[name] = std::move(n);
    return id;
  });
}

void FakeNetlink::netns_delete(const std::string& name) {
  call("netns_delete", "netns_delete " + name, [&] {
    if (name.empty() || !valid_netns_name(name)) throw KernelError("netns", name, EINVAL);
    Namespace& n = ns_or_throw(name);
    // The namespace dies with its links; a veth end dying takes its peer.
    std::vector<std::string> names;
    for (auto& [ifname, l] : n.links) {
      if (ifname != "lo") names.push_back(ifname);
    }
    for (const auto& ifname : names) remove_link(name, ifname);
    netns_.erase(name);
  });
}

std::optional<NetnsId> FakeNetlink::netns_id(const std::string& name) {
  return read("netns_id", name, [&]() -> std::optional<NetnsId> {
    if (name.empty()) return std::nullopt;  // no /run/netns entry for netlab's own
    auto it = netns_.find(name);
    if (it == netns_.end()) return std::nullopt;
    return it->second.id;
  });
}

std::vector<std::string> FakeNetlink::netns_list() {
  return read("netns_list", "", [&] {
    std::vector<std::string> out;
    for (auto& [name, n] : netns_) {
      if (!name.empty()) out.push_back(name);
    }
    return out;
  });
}

void FakeNetlink::veth_create(const VethPair& p) {
  call("veth_create", "veth_create " + p.str() + " mtu " + std::to_string(p.mtu), [&] {
    Namespace& a = ns_or_throw(p.ns_a);
    Namespace& b = ns_or_throw(p.ns_b);
    if (!valid_ifname(p.if_a) || !valid_ifname(p.if_b)) {
      throw KernelError("encode", p.str(), EINVAL, "invalid interface name");
    }
    if (p.mtu < 68 || p.mtu > 65535) throw KernelError("veth_create", p.str(), EINVAL);
    if (a.links.count(p.if_a) || b.links.count(p.if_b) || (&a == &b && p.if_a == p.if_b)) {
      throw KernelError("veth_create", p.str(), EEXIST);
    }
    // A requested index is honoured as the kernel does (EEXIST when taken).
    auto taken = [](const Namespace& n, int index) {
      for (const auto& [name, l] : n.links)
        if (l.index == index) return true;
      return false;
    };
    if ((p.index_a && taken(a, p.index_a)) || (p.index_b && taken(b, p.index_b)))
      throw KernelError("veth_create", p.str(), EEXIST);
    int ia = p.index_a ? p.index_a : a.next_index++;
    int ib = p.index_b ? p.index_b : b.next_index++;
    a.links[p.if_a] = Link{p.if_a, ia, false, p.mtu, std::make_pair(p.ns_b, p.if_b), {}, {}};
    b.links[p.if_b] = Link{p.if_b, ib, false, p.mtu, std::make_pair(p.ns_a, p.if_a), {}, {}};
  });
}

void FakeNetlink::link_set_up(const std::string& ns, const std::string& ifname, bool up) {
  call("link_set_up", "link_set_up " + where(ns, ifname) + (up ? " up" : " down"), [&] {
    Link& l = link_or_throw("link_set_up", ns, ifname);
    if (l.up == up) return;
    l.up = up;
    if (up) {
      link_came_up(netns_.at(ns), ifname);
    } else {
      link_went_down(netns_.at(ns), ifname);
    }
  });
}

void FakeNetlink::link_went_down(Namespace& n, const std::string& ifname) {
  // As IPv4 does: nexthops on the device die; a route whose nexthops are
  // all dead is removed, silently.
  for (auto r = n.routes.begin(); r != n.routes.end();) {
    bool alive = false;
    for (size_t i = 0; i < r->route.nexthops.size(); ++i) {
      if (r->route.nexthops[i].dev == ifname) r->dead[i] = true;
      alive = alive || !r->dead[i];
    }
    if (!alive && r->route.type == RouteType::Unicast) {
      r = n.routes.erase(r);
    } else {
      ++r;
    }
  }
}

void FakeNetlink::link_came_up(Namespace& n, const std::string& ifname) {
  for (auto& r : n.routes) {
    for (size_t i = 0; i < r.route.nexthops.size(); ++i) {
      if (r.route.nexthops[i].dev == ifname) r.dead[i] = false;
    }
  }
}

void FakeNetlink::remove_link(const std::string& ns, const std::string& ifname) {
  Namespace& n = netns_.at(ns);
  auto it = n.links.find(ifname);
  if (it == n.links.end()) return;
  auto peer = it->second.peer;
  link_went_down(n, ifname);
  n.links.erase(it);
  if (peer && netns_.count(peer->first)) {
    Namespace& pn = netns_.at(peer->first);
    if (pn.links.count(peer->second)) {
      link_went_down(pn, peer->second);
      pn.links.erase(peer->second);
    }
  }
}

void FakeNetlink::link_delete(const std::string& ns, const std::string& ifname) {
  call("link_delete", "link_delete " + where(ns, ifname), [&] {
    link_or_throw("link_delete", ns, ifname);
    if (ifname == "lo") throw KernelError("link_delete", where(ns, ifname), EOPNOTSUPP);
    remove_link(ns, ifname);
  });
}

std::optional<LinkInfo> FakeNetlink::link_get(const std::string& ns, const std::string& ifname) {
  return read("link_get", where(ns, ifname), [&]() -> std::optional<LinkInfo> {
    Namespace& n = ns_or_throw(ns);
    auto it = n.links.find(ifname);
    if (it == n.links.end()) return std::nullopt;
    return info(ns, it->second);
  });
}

std::vector<LinkInfo> FakeNetlink::link_list(const std::string& ns) {
  return read("link_list", ns, [&] {
    std::vector<LinkInfo> out;
    for (auto& [name, l] : ns_or_throw(ns).links) out.push_back(info(ns, l));
    std::sort(out.begin(), out.end(),
              [](const LinkInfo& a, const LinkInfo& b) { return a.index < b.index; });
    return out;
  });
}

LinkStats FakeNetlink::link_stats(const std::string& ns, const std::string& ifname) {
  return read("link_stats", where(ns, ifname),
              [&] { return link_or_throw("link_stats", ns, ifname).stats; });
}

void FakeNetlink::address_add(const Address& a) {
  call("address_add", "address_add " + where(a.ns, a.str()), [&] {
    Link& l = link_or_throw("address_add", a.ns, a.ifname);
    // Same address and prefix length: EEXIST, which address_add tolerates.
    if (std::find(l.addresses.begin(), l.addresses.end(), a.addr) == l.addresses.end()) {
      l.addresses.push_back(a.addr);
    }
  });
}

std::vector<Address> FakeNetlink::address_list(const std::string& ns) {
  return read("address_list", ns, [&] {
    std::vector<Address> out;
    for (auto& [name, l] : ns_or_throw(ns).links) {
      for (const auto& p : l.addresses) out.push_back(Address{ns, name, p});
    }
    return out;
  });
}

void FakeNetlink::route_replace(const Route& r) {
  call("route_replace", "route_replace " + where(r.ns, r.str()), [&] {
    Namespace& n = ns_or_throw(r.ns);
    const std::string obj = where(r.ns, r.str());
    if (!r.dst.is_network()) {
      throw KernelError("route_replace", obj, EINVAL, "Invalid prefix for given prefix length");
    }
    StoredRoute s{r, {}};
    if (r.type == RouteType::Blackhole) {
      s.route.nexthops.clear();
    } else if (r.nexthops.empty()) {
      throw KernelError("route_replace", obj, EINVAL, "no nexthop");
    }
    for (Nexthop& nh : s.route.nexthops) {
      if (!nh.via && nh.dev.empty()) throw KernelError("route_replace", obj, EINVAL);
      // The gateway must be on a connected subnet of an up link (of the
      // given device, or any).
      const Link* on = nullptr;
      if (!nh.dev.empty()) {
        auto it = n.links.find(nh.dev);
        if (it == n.links.end()) throw KernelError("route_replace", obj, ENODEV);
        on = &it->second;
        if (!on->up) throw KernelError("route_replace", obj, ENETDOWN, "Nexthop device is not up");
      }
      if (nh.via) {
        const Link* found = nullptr;
        for (auto& [name, l] : n.links) {
          if (on && &l != on) continue;
          if (!l.up) continue;
          for (const auto& p : l.addresses) {
            if (p.contains(*nh.via)) found = &l;
          }
        }
        if (!found) {
          throw KernelError("route_replace", obj, ENETUNREACH, "Nexthop has invalid gateway");
        }
        nh.dev = found->name;
      }
    }
    s.dead.assign(s.route.nexthops.size(), false);
    for (auto& existing : n.routes) {
      if (existing.route.dst == r.dst && existing.route.metric == r.metric) {
        existing = s;
        return;
      }
    }
    n.routes.push_back(s);
  });
}

void FakeNetlink::route_delete(const Route& r) {
  call("route_delete", "route_delete " + where(r.ns, r.str()), [&] {
    Namespace& n = ns_or_throw(r.ns);
    for (auto it = n.routes.begin(); it != n.routes.end(); ++it) {
      if (it->route.dst == r.dst && (r.metric == 0 || it->route.metric == r.metric)) {
        n.routes.erase(it);
        return;
      }
    }
    // ESRCH: nothing to delete, which route_delete tolerates.
  });
}

std::vector<Route> FakeNetlink::route_list(const std::string& ns) {
  return read("route_list", ns, [&] {
    Namespace& n = ns_or_throw(ns);
    std::vector<Route> out;
    // Connected routes of up links, as the kernel adds them (proto kernel).
    for (auto& [name, l] : n.links) {
      if (!l.up || name == "lo") continue;
      for (const auto& p : l.addresses) {
        Route c;
        c.ns = ns;
        c.dst = p.normalized();
        c.nexthops.push_back(Nexthop{std::nullopt, name});
        c.protocol = 2;
        out.push_back(c);
      }
    }
    for (const auto& s : n.routes) {
      Route r = s.route;
      r.nexthops.clear();
      for (size_t i = 0; i < s.route.nexthops.size(); ++i) {
        if (!s.dead[i]) r.nexthops.push_back(s.route.nexthops[i]);
      }
      out.push_back(r);
    }
    std::stable_sort(out.begin(), out.end(), [](const Route& a, const Route& b) {
      return std::tie(a.dst, a.metric) < std::tie(b.dst, b.metric);
    });
    return out;
  });
}

void FakeNetlink::sysctl_set(const std::string& ns, const std::string& key,
                             const std::string& value) {
  call("sysctl_set", "sysctl_set " + where(ns, key + "=" + value), [&] {
    Namespace& n = ns_or_throw(ns);
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
      throw KernelError("sysctl_set", where(ns, key), EINVAL, "bad key");
    }
    // Per-interface keys exist only while the interface does.
    for (const char* prefix : {"net/ipv4/conf/", "net/ipv6/conf/", "net/ipv4/neigh/"}) {
      if (key.rfind(prefix, 0) != 0) continue;
      std::string rest = key.substr(std::strlen(prefix));
      std::string ifname = rest.substr(0, rest.find('/'));
      if (ifname != "all" && ifname != "default" && !n.links.count(ifname)) {
        throw KernelError("sysctl_set", where(ns, key), ENOENT);
      }
    }
    n.sysctls[key] = value;
  });
}

// --- FakeNft ---

std::string FakeNft::one_line(const std::string& commands) {
  std::string out;
  size_t start = 0;
  while (start <= commands.size()) {
    size_t end = commands.find('\n', start);
    if (end == std::string::npos) end = commands.size();
    std::string line = commands.substr(start, end - start);
    size_t b = line.find_first_not_of(" \t");
    size_t e = line.find_last_not_of(" \t");
    if (b != std::string::npos) {
      if (!out.empty()) out += "; ";
      out += line.substr(b, e - b + 1);
    }
    start = end + 1;
  }
  return out;
}

void FakeNft::check_ns(const std::string& ns) const {
  if (world_ && !world_->has_netns(ns)) throw KernelError("netns_open", ns, ENOENT);
}

void FakeNft::set_list_json(const std::string& ns, const std::string& command, std::string json) {
  listings_[{ns, command}] = std::move(json);
}

void FakeNft::run(const std::string& ns, const std::string& commands) {
  ops.push_back("nft " + (ns.empty() ? std::string("-") : ns) + " " + one_line(commands));
  try {
    check_ns(ns);
    if (auto f = faults_.due("run")) throw KernelError("nft", ns, f->first, f->second);
    applied[ns].push_back(commands);
  } catch (const KernelError& e) {
    ops.back() += " -> " + errno_name(e.err());
    throw;
  }
}

std::string FakeNft::list_json(const std::string& ns, const std::string& command) {
  check_ns(ns);
  if (auto f = faults_.due("list_json")) throw KernelError("nft", ns, f->first, f->second);
  auto it = listings_.find({ns, command});
  if (it != listings_.end()) return it->second;
  return R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]})";
}

void FakeNft::forget(const std::string& ns) {
  ops.push_back("nft_forget " + (ns.empty() ? std::string("-") : ns));
}

// --- FakeClock ---

void FakeClock::sleep_ns(int64_t ns) {
  if (ns > 0) now_ += ns;
  {
    std::lock_guard lock(mu_);
    sleeps_.push_back(ns);
  }
  if (on_sleep) on_sleep(now_.load());
}

std::vector<int64_t> FakeClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

// --- FakeRouteMonitor ---

void FakeRouteMonitor::push(kernel::RouteEvent e) {
  std::lock_guard lock(mu_);
  if (stopped_ || !watched_.count(e.route.ns)) {
    ++dropped_;
    return;
  }
  events_.push_back(std::move(e));
}

void FakeRouteMonitor::push_error(kernel::RouteMonitorError e) {
  std::lock_guard lock(mu_);
  errors_.push_back(std::move(e));
}

void FakeRouteMonitor::fail_nth(const std::string& op, int n, int err, std::string extack) {
  std::lock_guard lock(mu_);
  faults_.fail_nth(op, n, err, std::move(extack));
}

std::vector<std::string> FakeRouteMonitor::ops() const {
  std::lock_guard lock(mu_);
  return ops_;
}

std::set<std::string> FakeRouteMonitor::watched() const {
  std::lock_guard lock(mu_);
  return watched_;
}

bool FakeRouteMonitor::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

size_t FakeRouteMonitor::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void FakeRouteMonitor::watch(const std::string& ns) {
  std::lock_guard lock(mu_);
  ops_.push_back("watch " + ns);
  if (auto f = faults_.due("watch")) {
    ops_.back() += " -> " + errno_name(f->first);
    throw KernelError("route_monitor_watch", ns, f->first, f->second);
  }
  if (stopped_) {
    ops_.back() += " -> ESHUTDOWN";
    throw KernelError("route_monitor_watch", ns, ESHUTDOWN, "monitor stopped");
  }
  watched_.insert(ns);
}

std::vector<kernel::RouteEvent> FakeRouteMonitor::drain() {
  std::lock_guard lock(mu_);
  std::vector<kernel::RouteEvent> out;
  out.swap(events_);
  return out;
}

std::vector<kernel::RouteMonitorError> FakeRouteMonitor::errors() {
  std::lock_guard lock(mu_);
  return errors_;
}

void FakeRouteMonitor::stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  ops_.push_back("stop");
  stopped_ = true;
}

// --- FakeCapabilityProbe ---

kernel::Capabilities FakeCapabilityProbe::this_machine() {
  kernel::Capabilities c;
  c.root = true;
  c.netns = true;
  c.veth = true;
  c.nft_netdev = true;
  c.wireguard_kernel = false;
  c.xfrm_esp = false;
  c.netem = false;
  c.htb = true;
  c.nfqueue = true;
  c.tun = true;
  c.kernel_release = "6.1.0-fake";
  c.frr_version = "8.4.4";
  c.frr_bfdd = true;
  c.wireguard_go = "/usr/bin/wireguard-go";
  c.charon = "/usr/sbin/charon-systemd";
  c.swanctl = "/usr/sbin/swanctl";
  return c;
}

kernel::Capabilities FakeCapabilityProbe::full() {
  kernel::Capabilities c = this_machine();
  c.wireguard_kernel = true;
  c.xfrm_esp = true;
  c.netem = true;
  return c;
}

}  // namespace netlab::testing
