// The one per-namespace cache of netlink sockets: every real kernel
// interface (Netlink, Tc, PacketQueues, tunnel::TunnelKernel) keeps its
// sockets here instead of a cache of its own.
//
// A socket stays bound to the namespace it was opened in, so each is opened
// once inside its namespace and kept. A name is not an identity: a namespace
// deleted and created again under the same name is another namespace, so
// every lookup compares the cached namespace's identity (device and inode of
// its nsfs file) with what /run/netns/NAME is now, reopens when they differ
// and drops the entry when the name is gone. "" is netlab's own namespace
// (that of the process), which has no name to check.
//
// Errors: KernelError("netns_open", NAME, ENOENT) when the name is absent;
// the socket's own errors otherwise. Threads: one NetnsSockets is used by one
// thread at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/types.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::kernel {

// The identity /run/netns/NAME has now; throws KernelError("netns_open",
// NAME, ENOENT) when absent. nullopt for "" (the process's own namespace).
std::optional<NetnsId> current_netns_identity(const std::string& ns);

// The identity check of every per-namespace cache (these sockets, the nft
// contexts): the cached value of `ns` in `cache` (a map from name to a value
// with an `id` member) when it is of the namespace the name refers to now,
// else nullptr; `id` gets that identity. When the name is gone the entry is
// dropped and KernelError(ENOENT) thrown.
template <class Map, class Value = typename Map::mapped_type>
Value* cached_in_netns(Map& cache, const std::string& ns, std::optional<NetnsId>& id) {
  auto it = cache.find(ns);
  try {
    id = current_netns_identity(ns);
  } catch (...) {
    if (it != cache.end()) cache.erase(it);
    throw;
  }
  if (it == cache.end()) return nullptr;
  if constexpr (requires { it->second->id; }) {
    return it->second->id == id ? &it->second : nullptr;
  } else {
    return it->second.id == id ? &it->second : nullptr;
  }
}

// How errors name an object inside a namespace: "NS WHAT" ("-" for "").
std::string ns_object(const std::string& ns, const std::string& what);

class NetnsSockets {
 public:
  // The socket of `bus` (NETLINK_ROUTE, NETLINK_GENERIC, ...) in `ns`,
  // opened inside it on first use.
  NlSocket& socket(const std::string& ns, int bus = NETLINK_ROUTE);
  // The index of `ifname` in `ns`; KernelError(op, ..., ENODEV) when absent.
  int ifindex(const std::string& ns, const std::string& ifname, const std::string& op);
  // An fd of the namespace (for IFLA_NET_NS_FD, or to enter it), kept open
  // as long as the entry is cached.
  int nsfd(const std::string& ns);
  // Caches a namespace just created (its fd and a route socket opened
  // inside it), saving the reopen.
  void adopt(const std::string& ns, NetnsId id, UniqueFd nsfd, NlSocket route);
  // Drops the entry: its sockets and fd would keep a deleted namespace alive.
  void forget(const std::string& ns);

 private:
  struct Entry {
    std::optional<NetnsId> id;  // nullopt for ""
    UniqueFd nsfd;
    std::map<int, NlSocket> sockets;  // by bus
  };
  Entry& entry(const std::string& ns);

  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace netlab::kernel
