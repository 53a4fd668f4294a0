// netlab up / down / ls / status / exec / vtysh: labs by hand.
#include <CLI/CLI.hpp>

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/exec_in_netns.h"
#include "netlab/lab/journal.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/names.h"

namespace netlab::cli {

namespace {

std::string root() { return plan_options().runtime_root; }

std::vector<std::string> lab_names() {
  std::vector<std::string> out;
  struct Closedir {
    void operator()(DIR* d) const { closedir(d); }
  };
  std::unique_ptr<DIR, Closedir> d(opendir(root().c_str()));
  if (!d) return out;
  while (dirent* e = readdir(d.get())) {
    std::string n = e->d_name;
    if (topology::valid_lab_name(n)) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What the journal says about a lab, for ls, status and down.
struct LabInfo {
  std::string name, topology, state = "unknown";
  lab::LabRecord record;
  int64_t created = 0;
  bool owner_alive = false;
  int processes = 0, processes_alive = 0;
  std::vector<std::string> namespaces;
  // Per node, each process of the journal (its latest start) and whether it
  // still runs: what `status` shows as DAEMONS.
  std::map<std::string, std::vector<std::pair<std::string, bool>>> daemons;
};

// "zebra bgpd bfdd staticd", a process that no longer runs as "bgpd:STOPPED".
std::string daemons_column(const std::vector<std::pair<std::string, bool>>& ds) {
  std::string out;
  for (const auto& [name, running] : ds) out += (out.empty() ? "" : " ") + name + (running ? "" : ":STOPPED");
  return out.empty() ? "-" : out;
}

LabInfo lab_info(const std::string& name, process::Processes& procs) {
  LabInfo info;
  info.name = name;
  std::vector<lab::Entry> entries;
  try {
    entries = lab::Journal::read(lab::runtime_dir(root(), name));
  } catch (const Error&) {
    info.state = "stale (no journal)";
    return info;
  }
  const lab::LabRecord& rec = info.record = lab::read_lab_record(entries);
  info.topology = rec.topology;
  info.created = rec.created;
  if (!rec.journal) {
    info.state = "stale (empty journal)";
    return info;
  }
  // The latest process of each (node, name): a crashed and restarted
  // daemon has several lines.
  std::map<std::pair<std::string, std::string>, process::ProcessId> latest;
  for (const auto& e : entries) {
    if (e.op == "netns") info.namespaces.push_back(e.data.value("name", ""));
    if (e.op == "process-id")
      latest[{e.data.value("node", ""), e.data.value("name", "")}] = {e.data.value("pid", 0),
                                                                       e.data.value("start", uint64_t{0})};
  }
  const std::string boot = lab::current_boot_id();
  if (!rec.boot_id.empty() && rec.boot_id != boot) {
    info.state = "stale (from before a reboot)";
    return info;
  }
  auto alive = [&](const process::ProcessId& id) {
    try {
      return id.pid > 0 && procs.alive(id);
    } catch (const Error&) {
      return false;
    }
  };
  for (const auto& [key, id] : latest) {
    ++info.processes;
    bool running = alive(id);
    if (running) ++info.processes_alive;
    info.daemons[key.first].push_back({key.second, running});
  }
  info.owner_alive = alive(rec.owner);
  const std::string owner = "netlab pid " + std::to_string(rec.owner.pid);
  const bool kept = rec.last_state == "kept" || rec.last_state == "up";
  if (rec.last_state == "tearing-down") {
    info.state = alive(rec.last_state_by)
                     ? "tearing down (netlab pid " + std::to_string(rec.last_state_by.pid) + ")"
                     : "stale (teardown interrupted)";
  } else if (info.owner_alive) {
    info.state = rec.last_state.empty() ? "starting (" + owner + ")" : "running (" + owner + ")";
  } else if (!kept) {
    info.state = "stale (its " + owner + " is gone)";
  } else if (info.processes_alive < info.processes) {
    info.state = "degraded (" + std::to_string(info.processes - info.processes_alive) + " of " +
                 std::to_string(info.processes) + " processes gone)";
  } else {
    info.state = "up";
  }
  return info;
}

// The journal's owner is a netlab process (pid and start time matched; the
// name too, before netlab signals it).
bool is_netlab(const process::ProcessId& id) {
  if (id.pid <= 1) return false;
  std::ifstream in("/proc/" + std::to_string(id.pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm == "netlab";
}

std::string age(int64_t created_s) {
  int64_t now = kernel::system_clock().realtime_ns() / 1'000'000'000;
  int64_t s = std::max<int64_t>(0, now - created_s);
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m", s / 60);
  if (s < 172800) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

void require_node(const std::string& lab, const std::string& node) {
  auto entries = lab::Journal::read(lab::runtime_dir(root(), lab));
  std::string ns = topology::netns_name(lab, node);
  std::vector<std::string> nodes;
  for (const auto& e : entries)
    if (e.op == "netns") {
      std::string n = e.data.value("name", "");
      if (n == ns) return;
      nodes.push_back(n.substr(topology::netns_prefix(lab).size()));
    }
  std::string near = topology::closest(node, nodes);
  throw InputError("lab " + lab + " has no node \"" + node + "\"" +
                   (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
}

}  // namespace

int cmd_up(const std::string& file) {
  auto t = load_topology(file);
  auto p = make_plan(t);
  p.seed = plan::decide_seed(std::nullopt, p.seed);
  require_root("netlab up");
  RealHost rh;
  require_environment(rh.caps());
  rh.host().stop = install_stop_signals();
  auto lab = lab::Lab::up(p, rh.host());
  // The topology travels with the lab, for `netlab status`.
  std::ofstream(p.runtime_dir + "/topology.toml") << t.source;
  // A signal until here still tears the lab down (the destructor); once it
  // is kept, it stays.
  if (stop_requested()) throw lab::Interrupted();
  lab->release();
  const auto& tm = lab->timings();
  std::printf("lab %s is up: %zu nodes, %zu links, %zu tunnels, %zu BGP sessions; converged in %.2f s\n",
              p.lab.c_str(), p.nodes.size(), p.links.size(), p.tunnels.size(), p.sessions.size(),
              static_cast<double>(tm.converged_ns - tm.start_ns) / 1e9);
  std::printf("  netlab exec %s NODE -- CMD   netlab vtysh %s NODE   netlab down %s\n", p.lab.c_str(),
              p.lab.c_str(), p.lab.c_str());
  return 0;
}

int cmd_down(const std::vector<std::string>& labs, bool all) {
  require_root("netlab down");
  RealHost rh;
  // A signal must not stop a teardown half-way: it is only noted.
  install_stop_signals();
  auto& procs = rh.host().processes;
  std::vector<std::string> names = all ? lab_names() : labs;
  if (all && names.empty()) std::printf("no labs\n");
  int rc = 0;
  for (const auto& name : names) {
    if (!topology::valid_lab_name(name)) {
      std::fprintf(stderr, "netlab down: \"%s\" is not a lab name\n", name.c_str());
      rc = 2;
      continue;
    }
    const std::string dir = lab::runtime_dir(root(), name);
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) {
      std::printf("lab %s: nothing to remove\n", name.c_str());
      continue;
    }
    // A netlab still building or running the lab would go on creating what
    // this teardown removes: ask it to stop (it tears down by itself), and
    // stop it if it does not.
    LabInfo info = lab_info(name, procs);
    const process::ProcessId me{::getpid(), process::read_start_time(::getpid()).value_or(0)};
    const process::ProcessId owner = info.record.owner;
    if (info.owner_alive && !(owner == me) && is_netlab(owner)) {
      std::printf("lab %s: netlab pid %d is running it: stopping it (it tears the lab down)\n",
                  name.c_str(), owner.pid);
      std::fflush(stdout);
      try {
        // SIGTERM, and SIGKILL if it has not finished in time; the journal
        // teardown below does the rest either way.
        if (!procs.stop(owner, std::chrono::seconds(30)))
          std::fprintf(stderr, "  netlab pid %d did not exit\n", owner.pid);
      } catch (const Error& e) {
        std::fprintf(stderr, "  %s\n", e.what());
      }
      if (::lstat(dir.c_str(), &st) != 0) {
        std::printf("lab %s: torn down by netlab pid %d\n", name.c_str(), owner.pid);
        continue;
      }
    }
    const int64_t t0 = kernel::system_clock().now_ns();
    auto r = lab::teardown(root(), name, rh.host());
    const double ms = static_cast<double>(kernel::system_clock().now_ns() - t0) / 1e6;
    auto count = [&](const char* prefix) {
      return std::count_if(r.removed.begin(), r.removed.end(),
                           [&](const std::string& s) { return s.starts_with(prefix); });
    };
    if (r.removed.empty() && r.refused.empty() && r.errors.empty()) {
      std::printf("lab %s: nothing to remove\n", name.c_str());
      continue;
    }
    std::printf("lab %s: removed %zd namespaces, %zd processes%s in %.0f ms\n", name.c_str(),
                count("namespace"), count("process"),
                count("directory") ? " and its runtime files" : "", ms);
    for (const auto& x : r.refused) std::printf("  left alone: %s\n", x.c_str());
    for (const auto& x : r.errors) std::fprintf(stderr, "  could not remove: %s\n", x.c_str());
    if (!r.complete()) {
      std::fprintf(stderr, "  run `netlab down %s` again once the cause is fixed\n", name.c_str());
      rc = rc ? rc : 4;
    }
  }
  return rc;
}

int cmd_ls() {
  require_root("netlab ls");
  auto procs = process::make_processes();
  auto names = lab_names();
  if (names.empty()) {
    std::printf("no labs\n");
    return 0;
  }
  std::printf("%-9s %-40s %-6s %-6s %s\n", "LAB", "STATE", "AGE", "NODES", "TOPOLOGY");
  bool stale = false;
  for (const auto& n : names) {
    LabInfo i = lab_info(n, *procs);
    stale = stale || i.state.starts_with("stale");
    std::printf("%-9s %-40s %-6s %-6zu %s\n", n.c_str(), i.state.c_str(),
                i.created ? age(i.created).c_str() : "-", i.namespaces.size(), i.topology.c_str());
  }
  if (stale) std::printf("stale: its netlab is gone; remove it with `netlab down LAB` (or --all)\n");
  return 0;
}

int cmd_status(const std::string& name) {
  require_root("netlab status");
  require_lab(name);
  RealHost rh;
  LabInfo info = lab_info(name, rh.host().processes);
  std::printf("lab %s: %s, age %s, topology %s\n", name.c_str(), info.state.c_str(),
              age(info.created).c_str(), info.topology.c_str());
  std::printf("  %zu namespaces, %d of %d processes running, runtime %s\n", info.namespaces.size(),
              info.processes_alive, info.processes, lab::runtime_dir(root(), name).c_str());
  auto running = running_plan(name);
  if (!running) {
    std::printf("(no copy of the topology: the lab was started by `netlab run`, or its netlab "
                "stopped before `up` finished)\n");
    return 0;
  }
  const plan::Plan& p = *running;
  std::printf("\n%-15s %-9s %-8s %s\n", "NODE", "ROLE", "NETNS", "DAEMONS");
  for (const auto& n : p.nodes) {
    bool ns = rh.host().netlink.netns_id(n.ns).has_value();
    auto d = info.daemons.find(n.name);
    std::printf("%-15s %-9s %-8s %s\n", n.name.c_str(), std::string(topology::to_string(n.role)).c_str(),
                ns ? "up" : "MISSING", d == info.daemons.end() ? "-" : daemons_column(d->second).c_str());
  }
  // Faults injected by hand (`netlab fault`) and not repaired yet.
  std::vector<std::pair<int, std::string>> faults;
  for (const auto& e : lab::Journal::read(lab::runtime_dir(root(), name))) {
    if (e.op == "fault") faults.push_back({e.data.value("id", 0), e.data.value("what", "")});
    if (e.op == "repair")
      std::erase_if(faults, [&](const auto& f) { return f.first == e.data.value("id", 0); });
  }
  if (!faults.empty()) {
    std::printf("\nFAULTS IN PLACE (netlab repair %s ID|--all)\n", name.c_str());
    for (const auto& [id, what] : faults) std::printf("  %d  %s\n", id, what.c_str());
  }
  std::printf("\n%-15s %-8s %-28s %s\n", "LINK", "KIND", "ENDS", "STATE");
  for (const auto& l : p.links) {
    std::string state;
    for (const auto* e : {&l.a, &l.b}) {
      auto li = rh.host().netlink.link_get(e->ns, e->ifname);
      state += (state.empty() ? "" : " / ") + e->node + ":" +
               (!li ? "missing" : li->admin_up ? (li->carrier ? "up" : "no-carrier") : "down");
    }
    std::printf("%-15s %-8s %-28s %s\n", l.name.c_str(), std::string(topology::to_string(l.kind)).c_str(),
                (l.a.node + " <-> " + l.b.node).c_str(), state.c_str());
  }
  std::printf("\n%-15s %-8s %-32s %s\n", "SESSION", "KIND", "PEERS", "STATE");
  std::map<std::string, std::map<std::string, std::string>> states;
  for (const auto& n : p.nodes) {
    if (!n.is_router()) continue;
    try {
      states[n.name] = lab::parse_bgp_summary(rh.host().frr.vtysh(n, {"show bgp summary json"}));
    } catch (const Error&) {
    }
  }
  for (const auto& s : p.sessions) {
    auto& st = states[s.a];
    auto it = st.find(s.b_addr.str());
    std::printf("%-15s %-8s %-32s %s\n", s.over.c_str(), std::string(plan::to_string(s.kind)).c_str(),
                (s.a + " <-> " + s.b).c_str(), it == st.end() ? "unknown" : it->second.c_str());
  }
  return 0;
}

int cmd_exec(const std::string& lab, const std::string& node, const std::vector<std::string>& argv) {
  require_root("netlab exec");
  require_lab(lab);
  require_node(lab, node);
  kernel::exec_in_netns(topology::netns_name(lab, node), argv);
}

int cmd_vtysh(const std::string& lab, const std::string& node, const std::vector<std::string>& cmds) {
  require_root("netlab vtysh");
  require_lab(lab);
  require_node(lab, node);
  std::string dir = lab::runtime_dir(root(), lab) + "/nodes/" + node + "/frr";
  std::vector<std::string> argv{"vtysh", "--vty_socket", dir};
  for (const auto& c : cmds) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execvp("vtysh", args.data());
  throw KernelError("exec", "vtysh", errno);
}


Runner define_up(CLI::App& c) {
  auto file = std::make_shared<std::string>();
  c.add_option("file", *file, "topology file")->required();
  return [file] { return cmd_up(*file); };
}

Runner define_down(CLI::App& c) {
  struct Args {
    std::vector<std::string> labs;
    bool all = false;
  };
  auto a = std::make_shared<Args>();
  c.add_option("lab", a->labs, "lab name(s)");
  c.add_flag("--all", a->all, "every lab on this host");
  return [a] {
    if (a->labs.empty() && !a->all) {
      std::fprintf(stderr, "netlab down: name a lab, or --all\n");
      return 2;
    }
    return cmd_down(a->labs, a->all);
  };
}

Runner define_ls(CLI::App&) {
  return [] { return cmd_ls(); };
}

Runner define_status(CLI::App& c) {
  auto lab = std::make_shared<std::string>();
  c.add_option("lab", *lab, "lab name")->required();
  return [lab] { return cmd_status(*lab); };
}

namespace {
struct NodeArgs {
  std::string lab, node;
  std::vector<std::string> rest;
};
}  // namespace

Runner define_exec(CLI::App& c) {
  auto a = std::make_shared<NodeArgs>();
  c.add_option("lab", a->lab)->required();
  c.add_option("node", a->node)->required();
  c.add_option("command", a->rest, "the command and its arguments, after --")->required();
  return [a] { return cmd_exec(a->lab, a->node, a->rest); };
}

Runner define_vtysh(CLI::App& c) {
  auto a = std::make_shared<NodeArgs>();
  c.add_option("lab", a->lab)->required();
  c.add_option("node", a->node)->required();
  c.add_option("-c,--command", a->rest, "run these commands and exit");
  return [a] { return cmd_vtysh(a->lab, a->node, a->rest); };
}

}  // namespace netlab::cli
