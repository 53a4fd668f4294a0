// Shared by the lab unit tests: a plan of tests/data/lab/small.toml renamed
// to lab "ut", under a temporary runtime root, and fakes of everything a Lab
// works through (FakeNetlink, FakeNft, FakeProcesses, FakeClock, and here:
// Frr, a tunnel backend, Namespaces with cookies and placeholders).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/lab/journal.h"
#include "netlab/lab/lab.h"
#include "netlab/lab/namespaces.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"
#include "support/fake_kernel.h"
#include "support/fake_processes.h"
#include "support/test_util.h"
#include "support/test_plan.h"

namespace netlab::lab::testing {

using netlab::testing::FakeClock;
using netlab::testing::FakeNetlink;
using netlab::testing::FakeNft;
using netlab::testing::FakeProcesses;

using ::netlab::testing::read_text;

// The small lifecycle topology under another lab name.
inline std::string small_topology(const std::string& lab) {
  std::string text = read_text(std::string(NETLAB_TEST_DATA) + "/lab/small.toml");
  const std::string from = "\nname = \"lt\"";
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, from.size(), "\nname = \"" + lab + "\"");
  return text;
}

inline plan::Plan plan_for(const std::string& lab, const std::string& runtime_root) {
  auto r = topology::load_string(small_topology(lab), "small.toml");
  EXPECT_TRUE(r.ok()) << r.render();
  plan::PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  o.runtime_root = runtime_root;
  ::netlab::testing::FixedKeySource keys;
  return plan::make_plan(*r.topology, o, keys);
}

// Every BGP session of the plan Established (or not), as vtysh would say.
class FakeFrr : public Frr {
 public:
  explicit FakeFrr(const plan::Plan& p) : plan_(p) {}
  bool established = true;
  bool bfd_up = true;
  std::string vtysh(const plan::PlanNode& n, const std::vector<std::string>& commands) override {
    if (commands == std::vector<std::string>{"show bfd peers json"}) {
      std::string peers;
      for (const auto& s : plan_.sessions) {
        if (!s.bfd || (s.a != n.name && s.b != n.name)) continue;
        const std::string addr = (s.a == n.name ? s.b_addr : s.a_addr).str();
        peers += std::string(peers.empty() ? "" : ",") + "{\"peer\":\"" + addr + "\",\"status\":\"" +
                 (bfd_up ? "up" : "down") + "\"}";
      }
      return "[" + peers + "]";
    }
    std::string peers;
    for (const auto& s : plan_.sessions) {
      if (s.a != n.name && s.b != n.name) continue;
      const std::string addr = (s.a == n.name ? s.b_addr : s.a_addr).str();
      peers += std::string(peers.empty() ? "" : ",") + "\"" + addr + "\":{\"state\":\"" +
               (established ? "Established" : "Active") + "\"}";
    }
    return "{\"ipv4Unicast\":{\"peers\":{" + peers + "}}}";
  }

 private:
  const plan::Plan& plan_;
};

// One process per tunnel end, configured by doing nothing.
class FakeBackend : public tunnel::Backend {
 public:
  std::string name() const override { return "fake-wireguard"; }
  std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                              const plan::TunnelEnd& me) override {
    process::ProcessSpec s;
    s.ns = me.ns;
    s.argv = {"/usr/bin/wireguard-go", "-f", me.ifname};
    return {s};
  }
  void configure(const plan::PlanTunnel&, const plan::TunnelEnd&, const plan::TunnelEnd&,
                 tunnel::Context&) override {}
};

// Namespaces over a FakeNetlink that, like the kernel, gives identities
// (inode and cookie) of its own, can hand a new namespace the inode of a
// dead one, leaves placeholders, and holds processes "inside" namespaces.
class FakeNamespaces : public Namespaces {
 public:
  FakeNamespaces(FakeNetlink& nl, FakeProcesses& procs) : nl_(nl), procs_(procs) {}

  // Runs after `identified`, before the name exists; a test throws from it
  // to emulate netlab dying in between.
  std::function<void(const std::string& name)> before_name;
  std::vector<std::string> ops;
  std::set<std::string> placeholders;
  std::map<std::string, std::vector<process::ProcessId>> inside;

  NetnsIdentity create(const std::string& name,
                       const std::function<void(const NetnsIdentity&)>& identified) override {
    ops.push_back("create " + name);
    if (nl_.has_netns(name) || placeholders.count(name))
      throw KernelError("netns_create", name, EEXIST);
    NetnsIdentity id{{4, next_ino_++}, next_cookie_++};
    if (identified) identified(id);
    if (before_name) before_name(name);
    nl_.netns_create(name);
    ids_[name] = id;
    return id;
  }
  std::optional<NetnsIdentity> identify(const std::string& name) override {
    if (!nl_.has_netns(name)) return std::nullopt;
    return ids_.at(name);
  }
  std::vector<process::ProcessId> processes_inside(const std::string& name,
                                                   const NetnsIdentity& expected) override {
    auto now = identify(name);
    if (!now) return {};
    if (!now->matches(expected)) throw Error("replaced");
    std::vector<process::ProcessId> out;
    for (const auto& id : inside[name])
      if (procs_.alive(id)) out.push_back(id);
    return out;
  }
  bool remove_placeholder(const std::string& name) override {
    ops.push_back("remove_placeholder " + name);
    return placeholders.erase(name) > 0;
  }

  // Someone else's namespace under `name` (created outside netlab).
  NetnsIdentity make_foreign(const std::string& name, std::optional<uint64_t> ino = std::nullopt) {
    if (nl_.has_netns(name)) nl_.netns_delete(name);
    nl_.netns_create(name);
    NetnsIdentity id{{4, ino.value_or(next_ino_++)}, next_cookie_++};
    ids_[name] = id;
    nl_.ops.clear();
    return id;
  }
  NetnsIdentity id_of(const std::string& name) const { return ids_.at(name); }

 private:
  FakeNetlink& nl_;
  FakeProcesses& procs_;
  std::map<std::string, NetnsIdentity> ids_;
  uint64_t next_ino_ = 4026533000;
  uint64_t next_cookie_ = 7000;
};

// A temporary runtime root, removed at the end.
class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/nlu-XXXXXX";
    if (!::mkdtemp(tmpl)) throw KernelError("mkdtemp", tmpl, errno);
    path_ = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// zebra's API socket, which Lab::start_daemons waits for.
inline kernel::UniqueFd listen_unix(const std::string& path) {
  kernel::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    throw KernelError("bind", path, errno);
  return s;
}

}  // namespace netlab::lab::testing
