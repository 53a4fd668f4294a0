// Named namespaces the way the lab journal needs them, beyond Netlink:
// created so that the journal records each one's identity BEFORE it has its
// name, identified by more than an inode, and searched for the processes
// inside them.
//
// Why more than the nsfs inode: the kernel hands a dead namespace's inode
// number to the very next namespace created, so "same name, same inode" does
// not prove "same namespace" once the lab's namespace may have been deleted
// and another made under its name. The cookie (SO_NETNS_COOKIE) is never
// reused while the host runs; the journal records both and teardown compares
// both.
//
// The real implementation works on the kernel directly (kernel/netns.h) and
// leaves Netlink alone, which opens its socket in a namespace on first use.
// namespaces_over() adapts a bare Netlink (unit tests' FakeNetlink): the
// identity is then journaled right after creation, without a cookie.
//
// Errors: KernelError. Threads: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/kernel/netlink.h"
#include "netlab/kernel/types.h"
#include "netlab/process/processes.h"

namespace netlab::lab {

struct NetnsIdentity {
  kernel::NetnsId id;
  std::optional<uint64_t> cookie;  // nullopt: the kernel has none (before 5.14), or not recorded
  bool operator==(const NetnsIdentity&) const = default;
  // The same namespace as `recorded`: the same inode and, when both carry a
  // cookie, the same cookie.
  bool matches(const NetnsIdentity& recorded) const;
  std::string str() const;  // "4:4026532818 cookie 8350"
};

class Namespaces {
 public:
  virtual ~Namespaces() = default;
  // Creates the named namespace (lo up). `identified` runs before the name
  // exists; if it throws, the name is never made and the exception
  // propagates. EEXIST, touching nothing, when the name is taken.
  virtual NetnsIdentity create(const std::string& name,
                               const std::function<void(const NetnsIdentity&)>& identified) = 0;
  // What /run/netns/NAME is now; nullopt when absent or only a placeholder.
  virtual std::optional<NetnsIdentity> identify(const std::string& name) = 0;
  // The processes inside namespace `name`, which must still be `expected`
  // (checked while the namespace is pinned by an open fd, so that its inode
  // cannot be handed to another namespace during the search). Throws Error
  // when the name now holds another namespace; empty when it is gone.
  virtual std::vector<process::ProcessId> processes_inside(const std::string& name,
                                                           const NetnsIdentity& expected) = 0;
  // processes_inside() of several namespaces, by one search of /proc:
  // name -> its processes (names that are gone map to nothing). Throws
  // Error when any name now holds another namespace.
  virtual std::map<std::string, std::vector<process::ProcessId>> processes_inside_all(
      const std::vector<std::pair<std::string, NetnsIdentity>>& namespaces) {
    std::map<std::string, std::vector<process::ProcessId>> out;
    for (const auto& [name, expected] : namespaces) out[name] = processes_inside(name, expected);
    return out;
  }
  // Removes the empty placeholder file an interrupted create leaves at
  // /run/netns/NAME; true when there was one. Never touches a namespace.
  virtual bool remove_placeholder(const std::string& name) = 0;
};

std::unique_ptr<Namespaces> make_namespaces();
// Over a bare Netlink: no cookies, no placeholders, no process search (a
// fake kernel has no processes in its namespaces).
std::unique_ptr<Namespaces> namespaces_over(kernel::Netlink&);

}  // namespace netlab::lab
