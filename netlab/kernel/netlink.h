// Netlink: the only way netlab changes the kernel's network state.
//
// Operations name their target namespace by its name under /run/netns; the
// real implementation keeps one rtnetlink socket per namespace, opened inside
// it (sockets stay bound to the namespace they were created in), so no
// operation ever needs to move the calling thread between namespaces for
// longer than the socket's creation.
//
// Errors: every failure throws KernelError with the operation, the object,
// errno and the kernel's extended-ack message. Threads: one Netlink may be
// used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/types.h"

namespace netlab::kernel {

class Netlink {
 public:
  virtual ~Netlink() = default;

  // Named namespaces, as `ip netns add/del` keep them: a bind mount of the
  // namespace's nsfs file at /run/netns/NAME. create fails with EEXIST when
  // the name is taken. delete only unmounts and unlinks; the namespace dies
  // with its last process.
  virtual NetnsId netns_create(const std::string& name) = 0;
  virtual void netns_delete(const std::string& name) = 0;
  virtual std::optional<NetnsId> netns_id(const std::string& name) = 0;  // nullopt: absent
  virtual std::vector<std::string> netns_list() = 0;  // names under /run/netns

  virtual void veth_create(const VethPair&) = 0;
  virtual void link_set_up(const std::string& ns, const std::string& ifname, bool up) = 0;
  virtual void link_delete(const std::string& ns, const std::string& ifname) = 0;
  virtual std::optional<LinkInfo> link_get(const std::string& ns, const std::string& ifname) = 0;
  virtual std::vector<LinkInfo> link_list(const std::string& ns) = 0;
  virtual LinkStats link_stats(const std::string& ns, const std::string& ifname) = 0;

  virtual void address_add(const Address&) = 0;  // EEXIST is not an error (idempotent)
  virtual std::vector<Address> address_list(const std::string& ns) = 0;  // IPv4, all links
  virtual void route_replace(const Route&) = 0;  // NLM_F_CREATE | NLM_F_REPLACE
  // Removes the route to route.dst with route.metric (0: the first of any
  // metric), whatever its protocol and nexthops. ESRCH is not an error.
  virtual void route_delete(const Route&) = 0;
  // The IPv4 main table as the kernel has it, connected routes (proto
  // kernel) included; unicast and blackhole routes only. Routes installed
  // with nexthop objects (FRR's `nhid`) come with their nexthops resolved.
  virtual std::vector<Route> route_list(const std::string& ns) = 0;

  // Writes /proc/sys/<key> as seen from inside `ns`; key like "net/ipv4/ip_forward".
  virtual void sysctl_set(const std::string& ns, const std::string& key,
                          const std::string& value) = 0;
};

std::unique_ptr<Netlink> make_netlink();

}  // namespace netlab::kernel
