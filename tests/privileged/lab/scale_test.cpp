// A ring of 100 routers (`netlab generate ring 100`) on the real kernel and
// FRR: daemons started concurrently, every session Established, every
// daemon in the journal before it could run (its "process" intent, then its
// identity, in order; zebra's before its router's other daemons'), nothing
// in the lab's namespaces that the journal does not name, and nothing left
// after the teardown. Lab "spd100", namespaces "nl-spd100-*".
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/netns.h"
#include "netlab/lab/journal.h"
#include "netlab/lab/lab.h"
#include "netlab/lab/system_host.h"
#include "netlab/plan/keys.h"
#include "netlab/plan/planner.h"
#include "netlab/process/netns_pids.h"
#include "netlab/process/processes.h"
#include "netlab/topology/generate.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::lab {
namespace {

TEST(Scale, ARingOf100RoutersConvergesWithEveryDaemonJournaledFirst) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto caps = kernel::make_capability_probe()->probe();
  if (caps.frr_version.empty()) GTEST_SKIP() << "FRR is not installed";
  topology::GenerateOptions g;
  g.shape = topology::Shape::Ring;
  g.routers = 100;
  g.name = "spd100";
  auto r = topology::load_string(topology::generate(g), "ring.toml");
  ASSERT_TRUE(r.topology);
  topology::validate(*r.topology, r.diagnostics);
  ASSERT_TRUE(r.ok()) << r.render();
  plan::PlanOptions po;
  po.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  auto keys = plan::make_key_source();
  plan::Plan p = plan::make_plan(*r.topology, po, *keys);
  SystemHost sys;
  sys.host().progress = nullptr;

  UpOptions o;
  o.converge_timeout = std::chrono::seconds(180);
  auto lab = Lab::up(p, sys.host(), o);
  EXPECT_TRUE(lab->check_converged().ok());
  const auto& t = lab->timings();
  std::printf("ring of 100: namespaces+links %.0f ms, daemons started %.0f ms, converged %.0f ms\n",
              (t.kernel_done_ns - t.start_ns) / 1e6, (t.daemons_started_ns - t.start_ns) / 1e6,
              (t.converged_ns - t.start_ns) / 1e6);

  // The journal: every daemon's intent, then its identity right after; a
  // router's zebra before its other daemons.
  auto entries = Journal::read(p.runtime_dir);
  std::map<std::string, std::vector<std::string>> order;  // node -> daemons in journal order
  std::map<pid_t, uint64_t> journaled;                     // pid -> start time
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].op != "process") continue;
    ASSERT_LT(i + 1, entries.size());
    const auto& id = entries[i + 1];
    ASSERT_EQ(id.op, "process-id");
    EXPECT_EQ(id.data.value("name", ""), entries[i].data.value("name", ""));
    order[id.data.value("node", "")].push_back(id.data.value("name", ""));
    journaled[id.data.value("pid", 0)] = id.data.value("start", uint64_t{0});
  }
  for (const auto& n : p.nodes) {
    if (!n.is_router()) continue;
    ASSERT_EQ(order[n.name].size(), n.daemons.size()) << n.name;
    EXPECT_EQ(order[n.name].front(), "zebra") << n.name;
  }
  // Everything running inside the lab's namespaces is journaled, with the
  // start time it has.
  std::set<std::pair<uint64_t, uint64_t>> ids;
  for (const auto& n : p.nodes) {
    auto fd = kernel::netns_open(n.ns);
    auto id = kernel::netns_id_of(fd.get());
    ids.insert({id.dev, id.ino});
  }
  size_t inside = 0;
  for (const auto& [ns, pids] : process::pids_in_netns_all(ids))
    for (pid_t pid : pids) {
      ++inside;
      auto start = process::read_start_time(pid);
      ASSERT_TRUE(journaled.count(pid)) << "pid " << pid << " runs in the lab but is not journaled";
      if (start) {
        EXPECT_EQ(*start, journaled[pid]);
      }
    }
  EXPECT_EQ(inside, journaled.size());

  auto d0 = std::chrono::steady_clock::now();
  lab->down();
  std::printf("down: %.0f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - d0).count());
  for (const auto& ns : sys.host().netlink.netns_list()) EXPECT_FALSE(ns.starts_with("nl-spd100-")) << ns;
  EXPECT_FALSE(std::filesystem::exists(p.runtime_dir));
}

}  // namespace
}  // namespace netlab::lab
