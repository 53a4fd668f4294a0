#include "netlab/lab/namespaces.h"

#include <set>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/process/netns_pids.h"
#include "netlab/process/processes.h"

namespace netlab::lab {

bool NetnsIdentity::matches(const NetnsIdentity& recorded) const {
  if (!(id == recorded.id)) return false;
  if (cookie && recorded.cookie) return *cookie == *recorded.cookie;
  return true;
}

std::string NetnsIdentity::str() const {
  return id.str() + (cookie ? " cookie " + std::to_string(*cookie) : "");
}

namespace {

class RealNamespaces final : public Namespaces {
 public:
  NetnsIdentity create(const std::string& name,
                       const std::function<void(const NetnsIdentity&)>& identified) override {
    NetnsIdentity made;
    kernel::NetnsId id = kernel::netns_create_named(name, {}, [&](const kernel::NetnsId& inside) {
      // On the creating thread, inside the new namespace, before its name.
      made = {inside, kernel::current_netns_cookie()};
      if (identified) identified(made);
    });
    if (!(id == made.id))
      throw KernelError("netns_create", name, EEXIST,
                        "the name was mounted over by another namespace");
    return made;
  }

  std::optional<NetnsIdentity> identify(const std::string& name) override {
    auto fd = open_named(name);
    if (!fd) return std::nullopt;
    return identity_of(fd->get(), name);
  }

  std::vector<process::ProcessId> processes_inside(const std::string& name,
                                                   const NetnsIdentity& expected) override {
    std::vector<process::ProcessId> out;
    auto fd = open_named(name);  // pins the namespace until we return
    if (!fd) return out;
    NetnsIdentity now = identity_of(fd->get(), name);
    if (!now.matches(expected))
      throw Error("namespace " + name + " is now " + now.str() + ", not " + expected.str());
    for (pid_t pid : process::pids_in_netns(now.id.dev, now.id.ino)) {
      auto start = process::read_start_time(pid);
      if (start) out.push_back({pid, *start});  // gone meanwhile: not inside
    }
    return out;
  }

  std::map<std::string, std::vector<process::ProcessId>> processes_inside_all(
      const std::vector<std::pair<std::string, NetnsIdentity>>& namespaces) override {
    std::map<std::string, std::vector<process::ProcessId>> out;
    std::vector<kernel::UniqueFd> pinned;  // until the search is over
    std::map<std::pair<uint64_t, uint64_t>, std::string> by_id;
    for (const auto& [name, expected] : namespaces) {
      auto fd = open_named(name);
      if (!fd) continue;
      NetnsIdentity now = identity_of(fd->get(), name);
      if (!now.matches(expected))
        throw Error("namespace " + name + " is now " + now.str() + ", not " + expected.str());
      by_id[{now.id.dev, now.id.ino}] = name;
      out[name];
      pinned.push_back(std::move(*fd));
    }
    if (by_id.empty()) return out;
    std::set<std::pair<uint64_t, uint64_t>> ids;
    for (const auto& [id, name] : by_id) ids.insert(id);
    for (const auto& [id, pids] : process::pids_in_netns_all(ids)) {
      auto& list = out[by_id.at(id)];
      for (pid_t pid : pids) {
        auto start = process::read_start_time(pid);
        if (start) list.push_back({pid, *start});  // gone meanwhile: not inside
      }
    }
    return out;
  }

  bool remove_placeholder(const std::string& name) override {
    return kernel::netns_remove_placeholder(name);
  }

 private:
  // An fd of /run/netns/NAME when a namespace is mounted there.
  static std::optional<kernel::UniqueFd> open_named(const std::string& name) {
    if (!kernel::netns_stat(name)) return std::nullopt;
    try {
      return kernel::netns_open(name);
    } catch (const KernelError& e) {
      if (e.err() == ENOENT) return std::nullopt;
      throw;
    }
  }

  static NetnsIdentity identity_of(int fd, const std::string& name) {
    return {kernel::netns_id_of(fd), kernel::netns_cookie(fd, name)};
  }
};

class NetlinkNamespaces final : public Namespaces {
 public:
  explicit NetlinkNamespaces(kernel::Netlink& nl) : nl_(nl) {}

  NetnsIdentity create(const std::string& name,
                       const std::function<void(const NetnsIdentity&)>& identified) override {
    NetnsIdentity made{nl_.netns_create(name), std::nullopt};
    if (identified) {
      try {
        identified(made);
      } catch (...) {
        try {
          nl_.netns_delete(name);
        } catch (const Error&) {
        }
        throw;
      }
    }
    return made;
  }

  std::optional<NetnsIdentity> identify(const std::string& name) override {
    auto id = nl_.netns_id(name);
    if (!id) return std::nullopt;
    return NetnsIdentity{*id, std::nullopt};
  }

  std::vector<process::ProcessId> processes_inside(const std::string&,
                                                   const NetnsIdentity&) override {
    return {};
  }

  bool remove_placeholder(const std::string&) override { return false; }

 private:
  kernel::Netlink& nl_;
};

}  // namespace

std::unique_ptr<Namespaces> make_namespaces() { return std::make_unique<RealNamespaces>(); }

std::unique_ptr<Namespaces> namespaces_over(kernel::Netlink& nl) {
  return std::make_unique<NetlinkNamespaces>(nl);
}

}  // namespace netlab::lab
