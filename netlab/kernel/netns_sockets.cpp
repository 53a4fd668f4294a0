#include "netlab/kernel/netns_sockets.h"

#include <cerrno>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {

std::string ns_object(const std::string& ns, const std::string& what) {
  return (ns.empty() ? std::string("-") : ns) + " " + what;
}

std::optional<NetnsId> current_netns_identity(const std::string& ns) {
  if (ns.empty()) return std::nullopt;
  std::optional<NetnsId> id = netns_stat(ns);
  if (!id) throw KernelError("netns_open", ns, ENOENT);
  return id;
}

NetnsSockets::Entry& NetnsSockets::entry(const std::string& ns) {
  std::optional<NetnsId> id;
  if (auto* cached = cached_in_netns(entries_, ns, id)) return **cached;
  auto e = std::make_unique<Entry>();
  e->nsfd = netns_open(ns);
  if (!ns.empty()) e->id = netns_id_of(e->nsfd.get());
  Entry& ref = *e;
  entries_[ns] = std::move(e);
  return ref;
}

NlSocket& NetnsSockets::socket(const std::string& ns, int bus) {
  Entry& e = entry(ns);
  auto it = e.sockets.find(bus);
  if (it != e.sockets.end()) return it->second;
  NetnsGuard guard(e.nsfd.get(), ns);
  NlSocket s(bus);
  guard.leave();
  return e.sockets.emplace(bus, std::move(s)).first->second;
}

int NetnsSockets::ifindex(const std::string& ns, const std::string& ifname,
                          const std::string& op) {
  int index = 0;
  MsgBuilder m = encode_link_get(ifname);
  socket(ns).query(m, op, ns_object(ns, ifname),
                   [&](const nlmsghdr* nlh) {
                     if (auto d = decode_link(nlh, ns)) index = d->info.index;
                   },
                   {ENODEV});
  if (!index) throw KernelError(op, ns_object(ns, ifname), ENODEV, "no such interface");
  return index;
}

int NetnsSockets::nsfd(const std::string& ns) { return entry(ns).nsfd.get(); }

void NetnsSockets::adopt(const std::string& ns, NetnsId id, UniqueFd nsfd, NlSocket route) {
  auto e = std::make_unique<Entry>();
  e->id = id;
  e->nsfd = std::move(nsfd);
  e->sockets.emplace(NETLINK_ROUTE, std::move(route));
  entries_[ns] = std::move(e);
}

void NetnsSockets::forget(const std::string& ns) { entries_.erase(ns); }

}  // namespace netlab::kernel
