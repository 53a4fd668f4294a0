#include "netlab/lab/lab.h"

#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "netlab/base/time_scale.h"
#include "netlab/kernel/nft_rules.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/process/events.h"
#include "netlab/topology/names.h"
#include "netlab/version.h"

namespace netlab::lab {

namespace fs = std::filesystem;
using nlohmann::json;

std::string runtime_dir(const std::string& root, const std::string& name) {
  return root + "/" + name;
}

namespace {

// FRR's daemons drop privileges to the `frr` user; their runtime directory
// and config must be theirs. Resolved once; when netlab runs unprivileged
// (unit tests on a temporary runtime root) ownership is left alone.
struct FrrIds {
  bool apply = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

FrrIds frr_ids() {
  FrrIds ids;
  if (::geteuid() != 0) return ids;
  passwd* pw = ::getpwnam("frr");
  if (!pw) throw EnvironmentError("FRR is not installed (no `frr` user): apt-get install frr");
  ids = {true, pw->pw_uid, pw->pw_gid};
  return ids;
}

void make_dir(const std::string& path, mode_t mode, bool exclusive = false) {
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno != EEXIST || exclusive) throw KernelError("mkdir", path, errno);
  }
  check_errno(::chmod(path.c_str(), mode), "chmod", path);
}

void own(const std::string& path, const FrrIds& ids, bool frr_user) {
  if (!ids.apply) return;
  check_errno(::chown(path.c_str(), frr_user ? ids.uid : 0, ids.gid), "chown", path);
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  check_errno(fd, "create", path);
  const char* p = text.data();
  size_t left = text.size();
  while (left) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw KernelError("write", path, e);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::close(fd);
  check_errno(::chmod(path.c_str(), mode), "chmod", path);
}

std::string node_dir(const plan::Plan& p, const std::string& node) {
  return p.runtime_dir + "/nodes/" + node;
}

json identity_json(const std::string& name, const NetnsIdentity& id) {
  json j = {{"name", name}, {"dev", id.id.dev}, {"ino", id.id.ino}};
  if (id.cookie) j["cookie"] = *id.cookie;
  return j;
}

NetnsIdentity identity_from(const json& j) {
  NetnsIdentity id{{j.value("dev", uint64_t{0}), j.value("ino", uint64_t{0})}, std::nullopt};
  if (j.contains("cookie") && j["cookie"].is_number_unsigned()) id.cookie = j["cookie"].get<uint64_t>();
  return id;
}

process::ProcessId self_id() {
  return {::getpid(), process::read_start_time(::getpid()).value_or(0)};
}

}  // namespace

std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

LabRecord read_lab_record(const std::vector<Entry>& entries) {
  LabRecord r;
  for (const auto& e : entries) {
    if (e.op == "lab") {
      r.journal = true;
      r.name = e.data.value("name", "");
      r.topology = e.data.value("topology", "");
      r.version = e.data.value("version", "");
      r.boot_id = e.data.value("boot_id", "");
      r.created = e.data.value("created", int64_t{0});
      r.owner = {e.data.value("owner_pid", 0), e.data.value("owner_start", uint64_t{0})};
    } else if (e.op == "state") {
      r.last_state = e.data.value("state", "");
      r.last_state_by = {e.data.value("pid", 0), e.data.value("start", uint64_t{0})};
    }
  }
  return r;
}

// Every random choice of the lab derives from the Plan's seed, decided once
// by whoever made the Plan (plan::decide_seed) and never chosen again here.
Lab::Lab(const plan::Plan& p, Host& h, Journal j) : plan_(p), host_(h), journal_(std::move(j)) {}

Lab::~Lab() {
  if (!down_ && !released_) {
    try {
      down();
    } catch (const std::exception& e) {
      // A destructor must not throw: say what is left, `netlab down` can
      // finish it from the journal.
      host_.say(std::string(e.what()) + "\n  finish it with `netlab down " + plan_.lab + "`");
    }
  }
}

void Lab::check_stop() const {
  if (host_.stopping()) throw Interrupted();
}

Namespaces& Lab::namespaces() {
  if (host_.namespaces) return *host_.namespaces;
  if (!own_namespaces_) own_namespaces_ = namespaces_over(host_.netlink);
  return *own_namespaces_;
}

void Lab::release() {
  released_ = true;
  try {
    journal_.append("state", {{"state", "kept"}});
  } catch (const Error& e) {
    // The lab is kept either way; `netlab ls` then shows its earlier state.
    host_.say(std::string("could not journal that lab ") + plan_.lab + " is kept: " + e.what());
  }
}

std::unique_ptr<Lab> Lab::up(const plan::Plan& p, Host& h, const UpOptions& opt) {
  const std::string root = fs::path(p.runtime_dir).parent_path().string();
  // Impairments this host cannot make are refused before anything exists.
  for (const auto& l : p.links) {
    if (l.impair.empty()) continue;
    if (!h.impairer) throw EnvironmentError("link " + l.name + " has `impair`, but no impairment backend is set up");
    h.impairer->check(impairment_of(l.impair), "link " + l.name);
  }

  // Refuse a name in use before creating anything: a runtime directory (a
  // lab, running or stale), or a namespace with this lab's prefix (of a lab
  // under another runtime root, or made by someone else).
  struct stat st;
  if (::lstat(p.runtime_dir.c_str(), &st) == 0) {
    std::string why = "it exists";
    try {
      LabRecord rec = read_lab_record(Journal::read(p.runtime_dir));
      if (rec.owner.pid > 0 && h.processes.alive(rec.owner))
        why = "netlab (pid " + std::to_string(rec.owner.pid) + ") is running it";
      else if (rec.last_state == "kept" || rec.last_state == "up")
        why = "it is up";
      else
        why = "it is stale: the netlab that built it is gone";
    } catch (const Error&) {
    }
    throw NameInUse("lab \"" + p.lab + "\" is in use (" + why + ", " + p.runtime_dir +
                    "); see `netlab ls`, remove it with `netlab down " + p.lab +
                    "`, or choose another [lab].name");
  }
  const std::string prefix = topology::netns_prefix(p.lab);
  for (const auto& ns : h.netlink.netns_list())
    if (ns.starts_with(prefix))
      throw NameInUse("namespace " + ns + " exists, but no lab \"" + p.lab + "\" is recorded in " +
                      root + "; netlab did not create it and will not touch it. "
                      "Choose another [lab].name (or remove it yourself if it is yours).");
  if (h.stopping()) throw Interrupted();

  FrrIds ids = frr_ids();
  make_dir(root, 0755);
  // mkdir is the lock: of two netlab processes starting the same lab, one
  // gets EEXIST here.
  if (::mkdir(p.runtime_dir.c_str(), 0710) != 0) {
    if (errno == EEXIST) throw NameInUse("lab \"" + p.lab + "\" is being started by another netlab");
    throw KernelError("mkdir", p.runtime_dir, errno);
  }
  std::unique_ptr<Lab> lab;
  try {
    own(p.runtime_dir, ids, false);
    check_errno(::chmod(p.runtime_dir.c_str(), 0710), "chmod", p.runtime_dir);
    Journal j = Journal::create(p.runtime_dir);
    process::ProcessId me = self_id();
    j.append("lab", {{"name", p.lab},
                     {"owner_pid", me.pid},
                     {"owner_start", me.start_time},
                     {"boot_id", current_boot_id()},
                     {"created", h.clock.realtime_ns() / 1'000'000'000},
                     {"topology", p.topology_path},
                     {"version", NETLAB_VERSION}});
    lab.reset(new Lab(p, h, std::move(j)));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(p.runtime_dir, ec);
    throw;
  }
  try {
    lab->build(opt);
  } catch (const std::exception& e) {
    h.say(std::string(dynamic_cast<const Interrupted*>(&e) ? "interrupted" : "bring-up failed") +
          ": tearing down lab " + p.lab);
    try {
      lab->down();
    } catch (const std::exception& d) {
      // The reason the bring-up stopped is what the caller must see (and
      // its exit code); what is left is said here, and the destructor tries
      // once more.
      h.say(d.what());
    }
    throw;
  }
  return lab;
}

std::unique_ptr<Lab> Lab::attach(const plan::Plan& p, Host& h) {
  std::unique_ptr<Lab> lab(new Lab(p, h, Journal::open(p.runtime_dir)));
  lab->released_ = true;  // never torn down from here: `netlab down` does that
  // The latest process of each (node, name): a restarted daemon has several.
  for (const auto& e : Journal::read(p.runtime_dir)) {
    if (e.op != "process-id") continue;
    lab->processes_[e.data.value("node", "")][e.data.value("name", "")] = {
        e.data.value("pid", 0), e.data.value("start", uint64_t{0})};
  }
  // What the topology's impairments put on each link at bring-up, so that a
  // live impairment replaces it and a restore brings it back (the plans are
  // derived, as at bring-up, from the plan alone).
  if (h.impairer) {
    for (const auto& l : lab->plan_.links) {
      impair::Impairment imp = impairment_of(l.impair);
      if (imp.empty()) continue;
      std::vector<impair::DirectionPlan> plans;
      for (const auto& d : {impair::Direction{{l.a.node, l.a.ns, l.a.ifname}, {l.b.node, l.b.ns, l.b.ifname}},
                            impair::Direction{{l.b.node, l.b.ns, l.b.ifname}, {l.a.node, l.a.ns, l.a.ifname}}})
        plans.push_back(h.impairer->plan(d, imp, impair::direction_seed(lab->plan_.seed.value_or(0), d),
                                         node_dir(lab->plan_, d.to.node) + "/delay-" + d.to.ifname + ".log"));
      lab->impairments_[l.name] = std::move(plans);
    }
    for (const auto& t : lab->plan_.tunnels) {
      impair::Impairment imp = impairment_of(t.impair);
      if (imp.empty()) continue;
      // Limits this host could not enforce were not applied at bring-up.
      try {
        h.impairer->check(imp, "tunnel " + t.name);
      } catch (const EnvironmentError&) {
        continue;
      }
      std::vector<impair::DirectionPlan> plans;
      for (const auto& d : {impair::Direction{{t.a.node, t.a.ns, t.a.ifname}, {t.b.node, t.b.ns, t.b.ifname}},
                            impair::Direction{{t.b.node, t.b.ns, t.b.ifname}, {t.a.node, t.a.ns, t.a.ifname}}})
        plans.push_back(h.impairer->plan(d, imp, impair::direction_seed(lab->plan_.seed.value_or(0), d),
                                         node_dir(lab->plan_, d.to.node) + "/delay-" + d.to.ifname + ".log"));
      lab->impairments_[t.name] = std::move(plans);
    }
  }
  return lab;
}

process::ProcessId Lab::spawn_process(const std::string& node, const std::string& name,
                                      const process::ProcessSpec& spec) {
  journal_.append("process", {{"node", node}, {"name", name}, {"ns", spec.ns}, {"argv0", spec.argv.at(0)}});
  // Journaled while the child is held before execve: a process that runs
  // its program is always in the journal (Processes::spawn_held).
  process::ProcessId id = host_.processes.spawn_held(spec, [&](const process::ProcessId& held) {
    journal_.append("process-id",
                    {{"node", node}, {"name", name}, {"pid", held.pid}, {"start", held.start_time}});
  });
  processes_[node][name] = id;
  return id;
}

bool Lab::stop_process(const std::string& node, const std::string& name,
                       std::chrono::milliseconds grace) {
  auto n = processes_.find(node);
  if (n == processes_.end()) return true;
  auto it = n->second.find(name);
  if (it == n->second.end()) return true;
  bool gone = host_.processes.stop(it->second, grace);
  if (gone) n->second.erase(it);
  return gone;
}

// Namespaces: each recorded before it exists, and identified from inside
// before it gets its name.
void Lab::create_namespaces() {
  Host& h = host_;
  auto& nl = h.netlink;
  check_stop();
  h.say("creating " + std::to_string(plan_.nodes.size()) + " namespaces");
  for (const auto& n : plan_.nodes) {
    check_stop();
    journal_.append("netns", {{"name", n.ns}});
    namespaces().create(n.ns, [&](const NetnsIdentity& id) {
      journal_.append("netns-id", identity_json(n.ns, id));
    });
    for (const auto& [k, v] : n.sysctls) nl.sysctl_set(n.ns, k, v);
  }
}

// Links: both ends of each veth are created in their namespaces at once.
void Lab::create_links() {
  Host& h = host_;
  auto& nl = h.netlink;
  h.say("creating " + std::to_string(plan_.links.size()) + " links");
  for (const auto& l : plan_.links) {
    check_stop();
    journal_.append("veth", {{"link", l.name}, {"a", l.a.ns + ":" + l.a.ifname}, {"b", l.b.ns + ":" + l.b.ifname}});
    nl.veth_create({l.a.ns, l.a.ifname, l.b.ns, l.b.ifname, l.mtu, l.a.ifindex, l.b.ifindex});
    for (const auto* e : {&l.a, &l.b}) {
      nl.address_add({e->ns, e->ifname, e->address});
      nl.link_set_up(e->ns, e->ifname, true);
    }
  }
  // Hosts' anycast service addresses, on their loopback (up since the
  // namespace was created); their routers route the address to them.
  for (const auto& n : plan_.nodes)
    if (n.anycast) nl.address_add({n.ns, "lo", {*n.anycast, 32}});
  for (const auto& n : plan_.nodes)
    for (const auto& r : n.routes) nl.route_replace(r);
  block_frag_needed();
  // Impairments the topology puts on links from the start.
  if (h.impairer)
    for (const auto& [k, v] : h.impairer->backends().entries()) backends_[k] = v;
  for (const auto& l : plan_.links) {
    if (l.impair.empty()) continue;
    check_stop();
    impair_link(l.name, impairment_of(l.impair));
  }
}

// PMTUD blackholes (pmtud = false): each router at such a link's or tunnel's
// ends drops the ICMP "fragmentation needed" it would send for that MTU. The
// rules go with the namespace.
void Lab::block_frag_needed() {
  std::map<std::string, std::set<uint32_t>> mtus;  // namespace -> MTUs
  auto add = [&](const std::string& node, const std::string& ns, uint32_t mtu) {
    const plan::PlanNode* n = plan_.node(node);
    if (n && n->is_router()) mtus[ns].insert(mtu);
  };
  for (const auto& l : plan_.links)
    if (!l.pmtud)
      for (const auto* e : {&l.a, &l.b}) add(e->node, e->ns, l.mtu);
  for (const auto& t : plan_.tunnels)
    if (!t.pmtud)
      for (const auto* e : {&t.a, &t.b}) add(e->node, e->ns, t.mtu);
  for (const auto& [ns, set] : mtus) {
    check_stop();
    std::string commands;
    for (uint32_t m : set) commands += kernel::nft_rules::no_frag_needed(m);
    host_.nft.run(ns, commands);
  }
}

// Tunnels.
void Lab::start_tunnels() {
  Host& h = host_;
  auto& nl = h.netlink;
  if (!plan_.tunnels.empty()) {
    h.say("starting " + std::to_string(plan_.tunnels.size()) + " tunnels");
    make_dir(plan_.runtime_dir + "/keys", 0700);
  }
  for (const auto& t : plan_.tunnels) {
    check_stop();
    auto backend = h.tunnel_backend(t.type);
    backends_[std::string("tunnel ") + t.name] = backend->name();
    backends_[std::string(topology::to_string(t.type))] = backend->name();
    for (const auto* e : {&t.a, &t.b}) {
      make_dir(e->run_dir, 0700);
      if (t.type == topology::TunnelType::Wireguard)
        write_file(plan_.runtime_dir + "/keys/" + t.name + "-" + e->node + ".key",
                   e->keys.private_key + "\n", 0600);
      int k = 0;
      for (const auto& spec : backend->processes(t, *e))
        spawn_process(e->node, t.name + (k++ ? "-" + std::to_string(k) : ""), spec);
    }
    tunnel::Context ctx{nl, h.processes, h.clock};
    backend->configure(t, t.a, t.b, ctx);
    check_stop();
    backend->configure(t, t.b, t.a, ctx);
    // AWS's per-tunnel limits, on the tunnel interfaces of both ends (gone
    // with the namespaces, so a failed bring-up leaves nothing behind).
    // A host that cannot enforce them still runs the lab, and says so:
    // every VPN tunnel has limits by default.
    if (!t.impair.empty()) {
      std::string why;
      if (!h.impairer) {
        why = "no impairment backend is set up";
      } else {
        try {
          h.impairer->check(impairment_of(t.impair), "tunnel " + t.name);
        } catch (const EnvironmentError& e) {
          why = e.what();
        }
      }
      if (why.empty()) {
        impair_link(t.name, impairment_of(t.impair));
      } else {
        backends_[std::string("tunnel ") + t.name + " limits"] = "not applied: " + why;
        h.say("tunnel " + t.name + ": rate limits not applied: " + why);
      }
    }
  }
}

void Lab::build(const UpOptions& opt) {
  Host& h = host_;
  timings_.start_ns = h.clock.now_ns();
  FrrIds ids = frr_ids();

  create_namespaces();

  // Runtime directories.
  make_dir(plan_.runtime_dir + "/nodes", 0710);
  own(plan_.runtime_dir + "/nodes", ids, false);
  for (const auto& n : plan_.nodes) {
    std::string d = node_dir(plan_, n.name);
    make_dir(d, 0710);
    own(d, ids, false);
    if (n.is_router()) {
      make_dir(n.frr_dir, 0750);
      own(n.frr_dir, ids, true);
    }
  }

  create_links();
  timings_.kernel_done_ns = h.clock.now_ns();

  start_tunnels();

  // FRR: configs, then every zebra, then the other daemons once each zebra
  // listens (bgpd started before its zebra retries only after a second).
  h.say("starting FRR on " +
        std::to_string(std::count_if(plan_.nodes.begin(), plan_.nodes.end(),
                                     [](const plan::PlanNode& n) { return n.is_router(); })) +
        " routers");
  for (const auto& n : plan_.nodes) {
    if (!n.is_router()) continue;
    // frr.conf for people (and `show running-config` comparisons); each
    // daemon reads its own share.
    std::string conf = n.frr_dir + "/frr.conf";
    write_file(conf, n.frr_config, 0640);
    own(conf, ids, true);
    for (const auto& [daemon, text] : n.frr_daemon_configs) {
      std::string f = n.frr_dir + "/" + daemon + ".conf";
      write_file(f, text, 0640);
      own(f, ids, true);
    }
  }
  if (!opt.daemons) return;
  std::vector<std::string> routers;
  for (const auto& n : plan_.nodes)
    if (n.is_router()) routers.push_back(n.name);
  check_stop();
  start_routers(routers, opt.start_parallel);
  timings_.daemons_started_ns = h.clock.now_ns();

  check_stop();
  h.say("waiting for BGP to converge");
  wait_converged(scaled(opt.converge_timeout));
  timings_.converged_ns = h.clock.now_ns();
  journal_.append("state", {{"state", "converged"}});
}

void Lab::start_daemons(const std::string& node) { start_routers({node}, 1); }

unsigned start_parallelism(unsigned requested) {
  if (requested) return requested;
  cpu_set_t set;
  int cpus = ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  if (cpus <= 0) cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Measured on a ring of 50 routers, 2 busy CPUs: 1 at once 11.6 s, 4 at
  // once 6.1 s, 16 at once 5.3 s (spawning and zebra's start are CPU-bound).
  return std::max(2u, 4 * static_cast<unsigned>(cpus));
}

void Lab::start_routers(const std::vector<std::string>& nodes, unsigned parallel) {
  parallel = start_parallelism(parallel);
  // A router whose zebra runs and whose socket is awaited.
  struct Starting {
    const plan::PlanNode* n;
    std::string sock;
    process::ProcessId zebra;
    kernel::UniqueFd exited;  // zebra's pidfd, when there is one
    std::chrono::steady_clock::time_point deadline;
  };
  constexpr uint64_t kExit = uint64_t{1} << 63;  // key bit: the pidfd's news, not the socket's
  std::map<uint64_t, Starting> starting;
  process::EventWait events;
  size_t next = 0;
  uint64_t next_key = 0;

  auto is_socket = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
  };
  auto launch = [&](const std::string& node) {
    const plan::PlanNode* n = plan_.node(node);
    if (!n || !n->is_router()) throw Error("node " + node + " runs no routing daemons");
    Starting s{n, n->frr_dir + "/zserv.api", {}, {}, {}};
    // A zebra killed by a fault leaves its socket behind: waiting for that
    // one would start staticd before the new zebra listens, and staticd then
    // never registers its static routes' next hops (their routes stay out of
    // the RIB).
    if (::unlink(s.sock.c_str()) != 0 && errno != ENOENT) throw KernelError("unlink", s.sock, errno);
    const uint64_t key = next_key++;
    // Watched before zebra exists: its socket cannot appear unseen.
    events.watch_path(s.sock, key);
    for (const auto& d : n->daemons)
      if (d.name == "zebra") s.zebra = spawn_process(n->name, d.name, d.spec);
    s.exited = host_.processes.exit_fd(s.zebra);
    if (s.exited) events.watch_fd(s.exited.get(), key | kExit);
    s.deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(scaled_ns(10'000'000'000));
    starting.emplace(key, std::move(s));
  };
  // zebra creates its API socket when it is ready for clients; the other
  // daemons started before it retry only after a second.
  auto check = [&](uint64_t key) {
    auto it = starting.find(key);
    if (it == starting.end()) return;
    Starting& s = it->second;
    if (is_socket(s.sock)) {
      events.forget(key);
      events.forget(key | kExit);
      for (const auto& d : s.n->daemons)
        if (d.name != "zebra") spawn_process(s.n->name, d.name, d.spec);
      starting.erase(it);
      return;
    }
    if (!host_.processes.alive(s.zebra))
      throw Error("zebra on " + s.n->name + " exited at start; see " + s.n->frr_dir +
                  "/zebra.out and frr.log");
    if (std::chrono::steady_clock::now() > s.deadline)
      throw Error("zebra on " + s.n->name + " did not open " + s.sock + " within 10 s");
  };

  while (next < nodes.size() || !starting.empty()) {
    check_stop();
    while (next < nodes.size() && starting.size() < parallel) launch(nodes[next++]);
    // The wakeup without news is for the stop flag and the deadlines.
    auto news = events.wait(std::chrono::milliseconds(20));
    if (news.empty()) {
      // No event: look at every router once (a timeout is due, or the
      // socket came from a source inotify does not see). The sleep of no
      // time lets a test's fake clock make things happen meanwhile.
      host_.clock.sleep_ns(0);
      std::vector<uint64_t> keys;
      for (const auto& [k, s] : starting) keys.push_back(k);
      for (uint64_t k : keys) check(k);
      continue;
    }
    for (uint64_t k : news) check(k & ~kExit);
  }
}

void Lab::kill_daemons(const std::string& node) {
  const plan::PlanNode* n = plan_.node(node);
  auto it = processes_.find(node);
  if (!n || it == processes_.end()) return;
  std::vector<process::ProcessId> killed;
  for (const auto& d : n->daemons) {
    auto p = it->second.find(d.name);
    if (p == it->second.end()) continue;
    host_.processes.signal(p->second, SIGKILL);
    killed.push_back(p->second);
    it->second.erase(p);
  }
  for (const auto& id : killed) host_.processes.wait_gone(id, std::chrono::seconds(5));
  journal_.append("killed", {{"node", node}});
}

bool Lab::daemons_running(const std::string& node) {
  const plan::PlanNode* n = plan_.node(node);
  auto it = processes_.find(node);
  if (!n || it == processes_.end()) return false;
  for (const auto& d : n->daemons) {
    auto p = it->second.find(d.name);
    if (p == it->second.end() || !host_.processes.alive(p->second)) return false;
  }
  return true;
}

impair::Impairment impairment_of(const topology::Impairment& i) {
  return {i.delay_ms.value_or(0), i.jitter_ms.value_or(0), i.loss_pct.value_or(0), i.rate_mbit.value_or(0),
          i.pps.value_or(0)};
}

impair::Impairment base_impairment(const plan::Plan& p, const std::string& name) {
  if (const auto* l = p.link(name)) return impairment_of(l->impair);
  if (const auto* t = p.tunnel(name)) return impairment_of(t->impair);
  return {};
}

int64_t Lab::impair_link(const std::string& name, const impair::Impairment& imp) {
  if (!host_.impairer) throw EnvironmentError("no impairment backend is set up on this host");
  struct Ends {
    impair::End a, b;
  };
  Ends ends;
  if (const auto* l = plan_.link(name))
    ends = {{l->a.node, l->a.ns, l->a.ifname}, {l->b.node, l->b.ns, l->b.ifname}};
  else if (const auto* t = plan_.tunnel(name))
    ends = {{t->a.node, t->a.ns, t->a.ifname}, {t->b.node, t->b.ns, t->b.ifname}};
  else
    throw InputError("no link or tunnel named \"" + name + "\"");
  const int64_t t0 = host_.clock.now_ns();
  unimpair_link(name);
  if (imp.empty()) return t0;
  // Each direction is impaired where its backend acts (the sender's egress
  // for tc, the receiver's ingress for nftables and the delayer).
  std::vector<impair::DirectionPlan> plans;
  for (const auto& d : {impair::Direction{ends.a, ends.b}, impair::Direction{ends.b, ends.a}}) {
    uint64_t seed = impair::direction_seed(plan_.seed.value_or(0), d);
    plans.push_back(host_.impairer->plan(d, imp, seed, node_dir(plan_, d.to.node) + "/delay-" + d.to.ifname + ".log"));
  }
  // Delayers first, both, so the two directions start within a millisecond.
  std::vector<std::optional<process::ProcessId>> pids;
  for (const auto& p : plans)
    pids.push_back(p.delayer ? std::optional(spawn_process(p.dir.to.node, p.process_name(), *p.delayer))
                             : std::nullopt);
  impairments_[name] = plans;
  int64_t first = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    int64_t t = host_.impairer->apply(plans[i], pids[i]);
    if (i == 0) first = t;
  }
  return first;
}

int64_t Lab::unimpair_link(const std::string& name) {
  auto it = impairments_.find(name);
  if (it == impairments_.end()) return host_.clock.now_ns();
  int64_t first = 0;
  bool have = false;
  for (const auto& p : it->second) {
    int64_t t = host_.impairer->remove(p);
    if (!have) first = t, have = true;
    if (p.delayer) stop_process(p.dir.to.node, p.process_name());
  }
  impairments_.erase(it);
  return have ? first : host_.clock.now_ns();
}

int64_t Lab::restore_link(const std::string& name) {
  return impair_link(name, base_impairment(plan_, name));
}

void Lab::reapply_routes(const std::string& node) {
  const plan::PlanNode* n = plan_.node(node);
  if (!n) return;
  for (const auto& r : n->routes) host_.netlink.route_replace(r);
}

ConvergenceState Lab::check_converged() {
  ConvergenceState st;
  // Routes first: one netlink dump per router, cheap. BGP state costs a
  // vtysh process per router (~0.1 s), so it is asked only once every
  // expected route is in place, of all routers at once.
  std::map<std::string, std::set<Ipv4Prefix>> fib;
  for (const auto& e : plan_.expected_routes) {
    auto it = fib.find(e.node);
    if (it == fib.end()) {
      std::set<Ipv4Prefix> have;
      for (const auto& r : host_.netlink.route_list(plan_.node(e.node)->ns))
        have.insert(r.dst.normalized());
      it = fib.emplace(e.node, std::move(have)).first;
    }
    if (!it->second.count(e.prefix.normalized()))
      st.missing.push_back("route " + e.prefix.str() + " (from " + e.origin + ") not installed at " + e.node);
  }
  if (!st.missing.empty()) return st;

  std::vector<const plan::PlanNode*> routers;
  for (const auto& n : plan_.nodes)
    if (n.is_router() && std::any_of(plan_.sessions.begin(), plan_.sessions.end(),
                                     [&](const plan::Session& s) { return s.a == n.name || s.b == n.name; }))
      routers.push_back(&n);
  auto states = ask_routers(routers, "show bgp summary json", parse_bgp_summary, st);
  for (const auto& s : plan_.sessions) {
    for (bool a_side : {true, false}) {
      const std::string& me = a_side ? s.a : s.b;
      const std::string peer = (a_side ? s.b_addr : s.a_addr).str();
      auto it = states.find(me);
      if (it == states.end()) continue;
      auto p = it->second.find(peer);
      std::string state = p == it->second.end() ? "not configured" : p->second;
      if (state != "Established")
        st.missing.push_back("BGP " + me + " -> " + (a_side ? s.b : s.a) + " over " + s.over +
                             ": " + state);
    }
  }
  if (!st.missing.empty()) return st;

  // A session Established whose BFD is not up yet would see a fault only
  // after its BGP hold time: a trial started then measures the hold, not
  // the design. BFD is part of converged.
  std::vector<const plan::PlanNode*> bfd_routers;
  for (const auto* n : routers)
    if (std::any_of(plan_.sessions.begin(), plan_.sessions.end(), [&](const plan::Session& s) {
          return s.bfd && (s.a == n->name || s.b == n->name);
        }))
      bfd_routers.push_back(n);
  auto bfd = ask_routers(bfd_routers, "show bfd peers json", parse_bfd_peers, st);
  for (const auto& s : plan_.sessions) {
    if (!s.bfd) continue;
    for (bool a_side : {true, false}) {
      const std::string& me = a_side ? s.a : s.b;
      auto it = bfd.find(me);
      if (it == bfd.end()) continue;
      auto p = it->second.find((a_side ? s.b_addr : s.a_addr).str());
      std::string status = p == it->second.end() ? "no session" : p->second;
      if (status != "up")
        st.missing.push_back("BFD " + me + " -> " + (a_side ? s.b : s.a) + " over " + s.over +
                             ": " + status);
    }
  }
  return st;
}

std::map<std::string, std::map<std::string, std::string>> Lab::ask_routers(
    const std::vector<const plan::PlanNode*>& routers, const std::string& command,
    std::map<std::string, std::string> (*parse)(const std::string&), ConvergenceState& st) {
  // A bounded number of vtysh at once: 300 at once on two CPUs starved
  // each other past vtysh's 10 s deadline, and the lab never "converged".
  std::vector<std::string> replies(routers.size()), errors(routers.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < routers.size();) {
      try {
        replies[i] = host_.frr.vtysh(*routers[i], {command});
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    }
  };
  {
    std::vector<std::future<void>> workers;
    const size_t n = std::min<size_t>(routers.size(), start_parallelism(0));
    for (size_t w = 0; w < n; ++w) workers.push_back(std::async(std::launch::async, worker));
    for (auto& w : workers) w.get();
  }
  std::map<std::string, std::map<std::string, std::string>> out;
  for (size_t i = 0; i < routers.size(); ++i) {
    try {
      if (!errors[i].empty()) throw Error(errors[i]);
      out[routers[i]->name] = parse(replies[i]);
    } catch (const Error& e) {
      st.missing.push_back(routers[i]->name + ": " + e.what());
    }
  }
  return out;
}

void Lab::wait_converged(std::chrono::milliseconds timeout) {
  const int64_t deadline = host_.clock.now_ns() + timeout.count() * 1'000'000;
  size_t last_missing = SIZE_MAX;
  for (;;) {
    check_stop();
    ConvergenceState st = check_converged();
    if (st.ok()) return;
    if (st.missing.size() != last_missing) {
      last_missing = st.missing.size();
      host_.say("  still waiting for " + std::to_string(last_missing) + ": " + st.missing.front() +
                (last_missing > 1 ? ", ..." : ""));
    }
    if (host_.clock.now_ns() >= deadline) {
      std::string msg = "the lab did not converge within " +
                        std::to_string(timeout.count() / 1000) + " s:";
      for (const auto& m : st.missing) msg += "\n  " + m;
      throw NotConverged(msg);
    }
    host_.clock.sleep_ns(100'000'000);
  }
}

void Lab::down() {
  if (down_) return;
  const std::string root = fs::path(plan_.runtime_dir).parent_path().string();
  TeardownReport r = teardown(root, plan_.lab, host_);
  down_ = r.complete();
  if (!r.complete()) {
    std::string msg = "teardown of lab " + plan_.lab + " is incomplete:";
    for (const auto& e : r.errors) msg += "\n  " + e;
    throw Error(msg);
  }
}

namespace {

// One teardown of a lab at a time: an exclusive lock on its runtime
// directory, held until the directory is gone (or the teardown gave up).
class DirLock {
 public:
  explicit DirLock(const std::string& dir)
      : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) {
    if (!fd_) {
      if (errno == ENOENT) return;
      throw KernelError("open", dir, errno);
    }
    while (::flock(fd_.get(), LOCK_EX) < 0) {
      if (errno != EINTR) throw KernelError("lock", dir, errno);
    }
  }
  // The directory still exists (another teardown did not remove it while
  // this one waited for the lock).
  bool exists() const {
    struct stat st;
    return fd_ && ::fstat(fd_.get(), &st) == 0 && st.st_nlink > 0;
  }

 private:
  kernel::UniqueFd fd_;
};

}  // namespace

namespace {

// The namespaces the journal names, newest first, with the identities it
// recorded for them.
std::vector<std::string> journaled_namespaces(const std::vector<Entry>& entries,
                                              std::map<std::string, NetnsIdentity>& ids) {
  std::vector<std::string> names;
  for (const auto& e : entries) {
    const std::string n = e.data.value("name", std::string());
    if (e.op == "netns" && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    if (e.op == "netns-id") ids[n] = identity_from(e.data);
  }
  std::reverse(names.begin(), names.end());
  return names;
}

// After a reboot: every namespace of the lab's names that exists now was made
// by someone else.
void refuse_after_reboot(Namespaces& nss, const std::vector<std::string>& names, const std::string& name,
                         TeardownReport& rep) {
  for (const auto& ns : names) {
    try {
      if (nss.identify(ns))
        rep.refused.push_back("namespace " + ns + ": made after the reboot that ended lab " + name +
                              ", so not this lab's");
    } catch (const Error& e) {
      rep.errors.push_back("namespace " + ns + ": " + e.what());
    }
  }
}

// 1. Processes, newest first: SIGKILL all, then wait for all. Nothing a
// lab runs keeps state beyond its namespace and runtime directory, both
// about to go, so there is nothing to let a process finish. A pid whose
// start time differs is another process now: signal() leaves it alone.
void kill_journaled_processes(const std::vector<Entry>& entries, Host& h, TeardownReport& rep) {
  std::vector<std::pair<process::ProcessId, std::string>> procs;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->op != "process-id") continue;
    process::ProcessId id{it->data.value("pid", 0), it->data.value("start", uint64_t{0})};
    if (id.pid <= 0) continue;
    procs.push_back({id, "process " + std::to_string(id.pid) + " (" +
                             it->data.value("name", std::string()) + " on " +
                             it->data.value("node", std::string()) + ")"});
  }
  std::vector<std::pair<process::ProcessId, std::string>> killed;
  for (auto& [id, what] : procs) {
    try {
      if (!h.processes.alive(id)) continue;
      h.processes.signal(id, SIGKILL);
      killed.push_back({id, what});
    } catch (const Error& e) {
      rep.refused.push_back(what + ": " + e.what());
    }
  }
  for (auto& [id, what] : killed) {
    try {
      if (h.processes.wait_gone(id, std::chrono::milliseconds(5000))) rep.removed.push_back(what);
      else rep.errors.push_back(what + " did not exit");
    } catch (const Error& e) {
      rep.refused.push_back(what + ": " + e.what());
    }
  }
}

struct Doomed {
  std::string ns;
  NetnsIdentity recorded;
};

// 2. Namespaces, newest first, each only if it is the one this lab made.
std::vector<Doomed> namespaces_to_delete(Namespaces& nss, const std::vector<std::string>& names,
                                         const std::map<std::string, NetnsIdentity>& ids,
                                         const std::string& prefix, const std::string& name, TeardownReport& rep) {
  std::vector<Doomed> doomed;
  for (const auto& ns : names) {
    if (!ns.starts_with(prefix)) {
      rep.refused.push_back("namespace " + ns + ": not named for lab " + name);
      continue;
    }
    std::optional<NetnsIdentity> now;
    try {
      now = nss.identify(ns);
      // Not a namespace: absent, or the empty placeholder of a create
      // that was interrupted before the namespace was mounted on it.
      if (!now) {
        if (nss.remove_placeholder(ns)) rep.removed.push_back("placeholder /run/netns/" + ns);
        continue;
      }
    } catch (const Error& e) {
      rep.errors.push_back("namespace " + ns + ": " + e.what());
      continue;
    }
    auto recorded = ids.find(ns);
    if (recorded == ids.end()) {
      // The identity is journaled before the name exists: without one,
      // this lab never named a namespace so. Someone else did.
      rep.refused.push_back("namespace " + ns + " (" + now->str() +
                            "): this lab never named a namespace so (no identity in its journal)");
      continue;
    }
    if (!now->matches(recorded->second)) {
      rep.refused.push_back("namespace " + ns + " (" + now->str() +
                            ") is not the one this lab created (" + recorded->second.str() + ")");
      continue;
    }
    doomed.push_back({ns, recorded->second});
  }
  return doomed;
}

// Anything still inside is of this lab (a `netlab exec` command, or
// anything else started there): it must go, or the namespaces and their
// links live on after their names are gone. One /proc scan a round for
// all of them; everything found is killed before anything is waited for.
// Returns the namespaces that could not be emptied.
std::set<std::string> kill_processes_inside(Namespaces& nss, const std::vector<Doomed>& doomed, Host& h,
                                            TeardownReport& rep) {
  std::set<std::string> failed;
  std::vector<std::pair<std::string, NetnsIdentity>> wanted;
  for (const auto& d : doomed) wanted.push_back({d.ns, d.recorded});
  std::set<process::ProcessId> seen;
  for (int round = 0; !wanted.empty(); ++round) {
    std::map<std::string, std::vector<process::ProcessId>> inside;
    try {
      inside = nss.processes_inside_all(wanted);
    } catch (const Error&) {
      // One namespace replaced meanwhile spoils the batch: ask each.
      for (const auto& [ns, id] : wanted) {
        try {
          inside[ns] = nss.processes_inside(ns, id);
        } catch (const Error& e1) {
          rep.errors.push_back("namespace " + ns + ": " + e1.what());
          failed.insert(ns);
        }
      }
    }
    std::vector<process::ProcessId> to_wait;
    std::vector<std::pair<std::string, NetnsIdentity>> again;
    for (const auto& [ns, id] : wanted) {
      auto it = inside.find(ns);
      if (failed.count(ns) || it == inside.end() || it->second.empty()) continue;
      if (round == 50) {
        rep.errors.push_back("namespace " + ns + ": " + std::to_string(it->second.size()) +
                             " processes inside would not die");
        failed.insert(ns);
        continue;
      }
      again.push_back({ns, id});
      for (const auto& p : it->second) {
        try {
          h.processes.signal(p, SIGKILL);
          to_wait.push_back(p);
          if (seen.insert(p).second)
            rep.removed.push_back("process " + std::to_string(p.pid) + " in " + ns);
        } catch (const Error& e) {
          rep.errors.push_back("namespace " + ns + ": " + e.what());
          failed.insert(ns);
        }
      }
    }
    for (const auto& p : to_wait) {
      try {
        h.processes.wait_gone(p, std::chrono::milliseconds(200));
      } catch (const Error&) {
      }
    }
    wanted.clear();
    for (auto& w : again)
      if (!failed.count(w.first)) wanted.push_back(std::move(w));
  }
  return failed;
}

void delete_namespaces(Namespaces& nss, const std::vector<Doomed>& doomed, const std::set<std::string>& failed,
                       Host& h, TeardownReport& rep) {
  for (const auto& d : doomed) {
    if (failed.count(d.ns)) continue;
    try {
      // Once more right before the deletion, which goes by name.
      auto now = nss.identify(d.ns);
      if (!now) continue;
      if (!now->matches(d.recorded)) {
        rep.refused.push_back("namespace " + d.ns + " (" + now->str() + ") was replaced during teardown");
        continue;
      }
      h.nft.forget(d.ns);
      h.netlink.netns_delete(d.ns);
      rep.removed.push_back("namespace " + d.ns);
    } catch (const Error& e) {
      rep.errors.push_back("namespace " + d.ns + ": " + e.what());
    }
  }
}

}  // namespace

TeardownReport teardown(const std::string& root, const std::string& name, Host& h) {
  TeardownReport rep;
  const std::string dir = runtime_dir(root, name);
  DirLock lock(dir);
  if (!lock.exists()) return rep;  // nothing of this lab exists (any more)

  std::vector<Entry> entries;
  try {
    entries = Journal::read(dir);
  } catch (const Error&) {
    // A runtime directory without a journal: netlab died between mkdir and
    // the journal's creation, before anything else existed.
  }
  const LabRecord rec = read_lab_record(entries);
  try {
    process::ProcessId me = self_id();
    Journal::open(dir).append("state", {{"state", "tearing-down"}, {"pid", me.pid}, {"start", me.start_time}});
  } catch (const Error&) {
  }
  std::unique_ptr<Namespaces> fallback;
  Namespaces& nss = h.namespaces ? *h.namespaces : *(fallback = namespaces_over(h.netlink));
  const std::string prefix = topology::netns_prefix(name);
  std::future<void> node_files;

  std::map<std::string, NetnsIdentity> ids;
  const std::vector<std::string> names = journaled_namespaces(entries, ids);

  // A journal of another boot: its processes and namespaces died with that
  // boot, and whatever carries their pids or names now is not this lab's.
  // (Only a runtime root on persistent storage outlives a reboot.)
  const std::string boot = current_boot_id();
  if (!rec.boot_id.empty() && !boot.empty() && rec.boot_id != boot) {
    refuse_after_reboot(nss, names, name, rep);
  } else {
    kill_journaled_processes(entries, h, rep);

    // The nodes' files (FRR's configs, logs and sockets: most of the
    // runtime directory, ~20 files a router) go beside the namespaces now
    // that the lab's processes are gone. The journal stays to the end, so a
    // teardown that fails can still be retried.
    node_files = std::async(std::launch::async, [d = dir + "/nodes"] {
      std::error_code ec;
      fs::remove_all(d, ec);
    });

    const std::vector<Doomed> doomed = namespaces_to_delete(nss, names, ids, prefix, name, rep);
    const std::set<std::string> failed = kill_processes_inside(nss, doomed, h, rep);
    delete_namespaces(nss, doomed, failed, h, rep);
  }

  // 3. Files: the runtime directory is this lab's own; it goes last, and
  // only when everything above is gone, so a failed teardown can be retried.
  if (node_files.valid()) node_files.get();
  if (rep.errors.empty()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) rep.errors.push_back("remove " + dir + ": " + ec.message());
    else rep.removed.push_back("directory " + dir);
  }
  return rep;
}

}  // namespace netlab::lab
