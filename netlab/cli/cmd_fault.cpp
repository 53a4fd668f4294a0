// netlab fault / repair / impair: breaking a running lab by hand.
//
// The same faults as a scenario's (fault/kinds.h), made from words on the
// command line ("cut dx1", "domain location=ny5", "degrade dx1 loss_pct=5"),
// injected into a lab that `netlab up` left running, and recorded in the
// lab's journal: `repair` re-makes each recorded fault from its words and
// repairs it, `status` and `events` show them, and `down` removes whatever
// is still in place with the lab (cuts and link states live in the lab's
// namespaces, helper processes are journaled). A lab that a netlab process
// still owns (a `run`, or an `up` still building) is refused: its trials
// measure the lab and must be the only ones touching it.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/fault/fault.h"
#include "netlab/fault/kinds.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/lab/control.h"
#include "netlab/base/helpers.h"
#include "netlab/lab/journal.h"
#include "netlab/measure/live_gaps.h"
#include "netlab/measure/probe_runner.h"
#include "netlab/topology/diagnostics.h"

namespace netlab::cli {

namespace {

std::vector<std::string> names_of_links(const plan::Plan& p, bool links, bool tunnels) {
  std::vector<std::string> out;
  if (links)
    for (const auto& l : p.links) out.push_back(l.name);
  if (tunnels)
    for (const auto& t : p.tunnels) out.push_back(t.name);
  return out;
}

[[noreturn]] void unknown(const std::string& what, const std::string& name,
                          const std::vector<std::string>& candidates) {
  std::string near = topology::closest(name, candidates);
  throw InputError("no " + what + " named \"" + name + "\"" +
                   (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
}

double number(const std::string& key, const std::string& value) {
  try {
    size_t used = 0;
    double v = std::stod(value, &used);
    if (used == value.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw InputError(key + "=" + value + ": expected a number >= 0");
}

}  // namespace

// "cut dx1", "oneway dx1 from=cgw", "domain location=ny5", "flap dx1
// period_ms=500 count=4": a fault as a scenario would hold it, its targets
// checked against the plan. Throws InputError naming what is wrong.
topology::Fault fault_from_words(const std::vector<std::string>& words, const plan::Plan& p) {
  std::vector<std::string> kinds;
  for (const auto& k : fault::kKinds) kinds.emplace_back(k.name);
  if (words.empty()) throw InputError("name a fault: one of " + [&] {
                              std::string s;
                              for (const auto& k : kinds) s += (s.empty() ? "" : ", ") + k;
                              return s;
                            }());
  const fault::KindInfo* info = fault::find_kind(words[0]);
  if (!info) unknown("fault kind", words[0], kinds);
  topology::Fault f;
  f.kind = info->kind;
  using K = topology::FaultKind;
  size_t next = 1;
  if (f.kind == K::Domain) {
    auto eq = words.size() > 1 ? words[1].find('=') : std::string::npos;
    if (eq == std::string::npos)
      throw InputError("a domain fault names its domain, e.g. `domain location=ny5` (site, location, az, region)");
    auto type = topology::domain_type_from_string(words[1].substr(0, eq));
    if (!type) throw InputError("\"" + words[1].substr(0, eq) + "\" is not a domain type: site, location, az or region");
    f.domain_type = *type;
    f.domain_value = words[1].substr(eq + 1);
    next = 2;
  } else {
    if (words.size() < 2 || words[1].find('=') != std::string::npos)
      throw InputError("`" + words[0] + "` needs its target, e.g. `" + words[0] + " " +
                       (f.kind == K::Crash || f.kind == K::Poweroff ? "cgw" : "dx1") + "`");
    f.target = words[1];
    next = 2;
    if (f.kind == K::Crash || f.kind == K::Poweroff) {
      std::vector<std::string> nodes;
      for (const auto& n : p.nodes) nodes.push_back(n.name);
      if (!p.node(f.target)) unknown("node", f.target, nodes);
    } else if (f.kind == K::Maintenance) {
      if (!p.tunnel(f.target)) unknown("tunnel", f.target, names_of_links(p, false, true));
    } else if (!p.link(f.target) && !p.tunnel(f.target)) {
      unknown("link or tunnel", f.target, names_of_links(p, true, true));
    }
  }
  for (size_t i = next; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos) throw InputError("\"" + words[i] + "\": expected key=value");
    std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    auto only = [&](K owner) {
      if (f.kind != owner)
        throw InputError(key + " only applies to a " + std::string(fault::kind_info(owner).name) + " fault");
    };
    if (key == "from") {
      only(K::Oneway);
      if (!p.node(value)) unknown("node", value, {});
      f.from = value;
    } else if (key == "loss_pct") {
      only(K::Degrade);
      f.loss_pct = number(key, value);
      if (*f.loss_pct > 100) throw InputError("loss_pct=" + value + ": at most 100");
    } else if (key == "delay_ms") {
      only(K::Degrade);
      f.delay_ms = number(key, value);
    } else if (key == "period_ms") {
      only(K::Flap);
      f.period_ms = static_cast<uint32_t>(number(key, value));
      if (f.period_ms == 0) throw InputError("period_ms must be at least 1");
    } else if (key == "count") {
      only(K::Flap);
      f.count = static_cast<uint32_t>(number(key, value));
      if (f.count == 0) throw InputError("count must be at least 1");
    } else {
      throw InputError("unknown setting \"" + key + "\" (from, loss_pct, delay_ms, period_ms, count)");
    }
  }
  if (f.kind == K::Oneway && !f.from) throw InputError("a oneway fault needs from=NODE (whose sent traffic is lost)");
  if (f.kind == K::Degrade && !f.loss_pct && !f.delay_ms)
    throw InputError("a degrade fault needs loss_pct=, delay_ms= or both");
  return f;
}

namespace {

// A running lab, attached for one live command: refused while another netlab
// owns it, and locked against a second live command at the same time.
struct Attached {
  RealHost rh;
  plan::Plan plan;
  kernel::UniqueFd lock;
  std::unique_ptr<lab::Lab> lab;
  std::unique_ptr<lab::Control> control;
  std::vector<lab::Entry> entries;

  explicit Attached(const std::string& name) {
    require_root("netlab " + name);
    require_lab(name);
    auto p = running_plan(name);
    if (!p)
      throw InputError("lab " + name + " has no copy of its topology (started by `netlab run`?): "
                       "live faults need a lab brought up with `netlab up`");
    plan = std::move(*p);
    lock = kernel::UniqueFd(::open(plan.runtime_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (lock.get() < 0) throw KernelError("open", plan.runtime_dir, errno);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
      throw InputError("lab " + name + " is being changed by another live netlab command; try again");
    entries = lab::Journal::read(plan.runtime_dir);
    auto rec = lab::read_lab_record(entries);
    bool owner_alive = false;
    try {
      owner_alive = rec.owner.pid > 0 && rh.host().processes.alive(rec.owner);
    } catch (const Error&) {
    }
    if (owner_alive)
      throw InputError("lab " + name + " is in use by netlab (pid " + std::to_string(rec.owner.pid) +
                       "), which measures it; live faults need a lab left running by `netlab up`");
    if (rec.last_state == "tearing-down")
      throw InputError("lab " + name + " is being torn down");
    rh.host().stop = install_stop_signals();
    lab = lab::Lab::attach(plan, rh.host());
    control = lab::make_control(*lab);
  }
};

// The faults recorded in the journal and not repaired yet, by id.
std::map<int, nlohmann::json> faults_in_place(const std::vector<lab::Entry>& entries) {
  std::map<int, nlohmann::json> out;
  for (const auto& e : entries) {
    if (e.op == "fault") out[e.data.value("id", 0)] = e.data;
    if (e.op == "repair") out.erase(e.data.value("id", 0));
  }
  return out;
}

int next_fault_id(const std::vector<lab::Entry>& entries) {
  int id = 0;
  for (const auto& e : entries)
    if (e.op == "fault") id = std::max(id, e.data.value("id", 0));
  return id + 1;
}

void print_actions(const fault::Fault& f, int64_t t0) {
  for (const auto& a : f.actions())
    std::printf("  %+8.1f ms  %-12s %-16s %s\n", static_cast<double>(a.t_ns - t0) / 1e6, a.node.c_str(),
                a.kind.c_str(), a.detail.c_str());
}

int cmd_fault(const std::string& name, const std::vector<std::string>& words) {
  Attached at(name);
  topology::Fault spec = fault_from_words(words, at.plan);
  for (const auto& [id, f] : faults_in_place(at.entries))
    if (f.value("what", "") == spec.str())
      throw InputError("fault " + std::to_string(id) + " (" + spec.str() + ") is already in place; "
                       "`netlab repair " + name + " " + std::to_string(id) + "` first");
  auto fault = fault::make_fault(spec, at.plan, *at.control);
  const int id = next_fault_id(at.entries);
  auto& clock = at.control->clock();
  const int64_t realtime = clock.realtime_ns();
  // Journaled before it is injected: a netlab killed half-way leaves a
  // record that `repair` and `down` act on.
  at.lab->journal().append("fault", {{"id", id}, {"what", spec.str()}, {"words", words}, {"realtime_ns", realtime}});
  int64_t t0 = 0;
  try {
    t0 = fault->inject();
  } catch (...) {
    // Half-injected: undo what was done, and say so in the journal.
    try {
      fault->repair();
      at.lab->journal().append("repair", {{"id", id}, {"what", spec.str()}, {"realtime_ns", clock.realtime_ns()}});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "netlab: the half-done fault could not be undone: %s\n", e.what());
    }
    throw;
  }
  std::printf("fault %d in place on lab %s: %s\n", id, name.c_str(), spec.str().c_str());
  print_actions(*fault, t0);
  std::printf("repair it with `netlab repair %s %d` (or --all)\n", name.c_str(), id);
  return 0;
}

int cmd_repair(const std::string& name, const std::vector<int>& ids, bool all) {
  Attached at(name);
  auto in_place = faults_in_place(at.entries);
  if (!all && ids.empty()) throw InputError("name the faults to repair (see `netlab status " + name + "`) or --all");
  std::vector<int> todo;
  if (all) {
    for (auto it = in_place.rbegin(); it != in_place.rend(); ++it) todo.push_back(it->first);  // newest first
  } else {
    for (int id : ids) {
      if (!in_place.count(id)) throw InputError("lab " + name + " has no fault " + std::to_string(id) + " in place");
      todo.push_back(id);
    }
  }
  if (todo.empty()) std::printf("lab %s has no fault in place\n", name.c_str());
  for (int id : todo) {
    const auto& rec = in_place.at(id);
    topology::Fault spec = fault_from_words(rec.value("words", std::vector<std::string>{}), at.plan);
    auto fault = fault::make_fault(spec, at.plan, *at.control);
    const int64_t t0 = fault->repair();
    at.lab->journal().append("repair", {{"id", id}, {"what", spec.str()}, {"realtime_ns", at.control->clock().realtime_ns()}});
    std::printf("fault %d repaired on lab %s: %s\n", id, name.c_str(), spec.str().c_str());
    print_actions(*fault, t0);
  }
  return 0;
}

struct ImpairArgs {
  std::string lab, link;
  std::optional<double> delay_ms, jitter_ms, loss_pct, rate_mbit, pps;
  bool reset = false, show = false;
};

int cmd_impair(const ImpairArgs& a) {
  Attached at(a.lab);
  // The impairment of each link now: the topology's, then what the journal
  // says was put on it since.
  std::map<std::string, nlohmann::json> live;
  for (const auto& e : at.entries)
    if (e.op == "impair") live[e.data.value("link", "")] = e.data;
  if (a.show) {
    std::printf("%-16s %-10s %s\n", "LINK", "FROM", "IMPAIRMENT");
    std::vector<std::string> names;
    for (const auto& l : at.plan.links) names.push_back(l.name);
    for (const auto& t : at.plan.tunnels) names.push_back(t.name);
    for (const auto& name : names) {
      auto it = live.find(name);
      impair::Impairment topo = lab::base_impairment(at.plan, name);
      if (it != live.end() && !it->second.value("reset", false)) {
        impair::Impairment i{it->second.value("delay_ms", 0.0), it->second.value("jitter_ms", 0.0),
                             it->second.value("loss_pct", 0.0), it->second.value("rate_mbit", 0.0),
                             it->second.value("pps", 0.0)};
        std::printf("%-16s %-10s %s\n", name.c_str(), "netlab impair", i.str().c_str());
      } else if (!topo.empty()) {
        std::printf("%-16s %-10s %s\n", name.c_str(), "topology", topo.str().c_str());
      }
    }
    return 0;
  }
  if (a.link.empty()) throw InputError("name the link to impair (or --show)");
  if (!at.plan.link(a.link) && !at.plan.tunnel(a.link))
    unknown("link or tunnel", a.link, names_of_links(at.plan, true, true));
  if (a.reset) {
    at.lab->restore_link(a.link);
    at.lab->journal().append("impair", {{"link", a.link}, {"reset", true}});
    std::printf("%s: back to the topology's impairment\n", a.link.c_str());
    return 0;
  }
  if (!a.delay_ms && !a.jitter_ms && !a.loss_pct && !a.rate_mbit && !a.pps)
    throw InputError("give --delay, --jitter, --loss, --rate or --pps (or --reset, --show)");
  impair::Impairment imp{a.delay_ms.value_or(0), a.jitter_ms.value_or(0), a.loss_pct.value_or(0),
                         a.rate_mbit.value_or(0), a.pps.value_or(0)};
  at.lab->impair_link(a.link, imp);
  at.lab->journal().append("impair", {{"link", a.link},
                                      {"delay_ms", imp.delay_ms},
                                      {"jitter_ms", imp.jitter_ms},
                                      {"loss_pct", imp.loss_pct},
                                      {"rate_mbit", imp.rate_mbit},
                                      {"pps", imp.pps}});
  std::printf("%s: %s\n", a.link.c_str(), imp.str().c_str());
  return 0;
}


std::string clock_text(int64_t realtime_ns) {
  time_t s = static_cast<time_t>(realtime_ns / 1'000'000'000);
  tm t{};
  localtime_r(&s, &t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>((realtime_ns / 1'000'000) % 1000));
  return buf;
}

// One direction of a live probe: the log of the receiving end.
struct LiveDirection {
  std::string label;  // "server -> app"
  measure::ProbeLogFollower log;
  measure::LiveGaps gaps;
  int64_t realtime_offset = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC, from the log's header
  bool open_said = false;
  int64_t complete_until = 0;  // the last heartbeat: every packet received before it is in the log
};

// Reads what the direction's log gained; prints each outage that ended, and
// once an outage that is still open after `quiet_ns`.
void follow(LiveDirection& d, int64_t quiet_ns) {
  if (auto h = d.log.header()) d.realtime_offset = h->start_realtime_ns - h->start_ns;
  for (const auto& r : d.log.read_new()) {
    if (r.kind == measure::RecordKind::kHeartbeat) d.complete_until = r.a;
    if (r.kind != measure::RecordKind::kReceived) continue;
    if (auto o = d.gaps.received(r.seq, r.b)) {
      std::printf("%s  %-24s outage %9.1f ms  (%llu probes lost, back at %s)\n",
                  clock_text(o->last_before_ns + d.realtime_offset).c_str(), d.label.c_str(), o->ms,
                  static_cast<unsigned long long>(o->lost), clock_text(o->first_after_ns + d.realtime_offset).c_str());
      d.open_said = false;
    }
  }
  if (auto o = d.gaps.open_at(d.complete_until, quiet_ns); o && !d.open_said) {
    std::printf("%s  %-24s no probe arriving (outage in progress)\n",
                clock_text(o->last_before_ns + d.realtime_offset).c_str(), d.label.c_str());
    d.open_said = true;
  }
}

void print_totals(const std::vector<LiveDirection>& dirs) {
  for (const auto& d : dirs) {
    const auto& t = d.gaps.totals();
    std::printf("%-24s received %llu, lost %llu, %llu outage%s, longest %.1f ms\n", d.label.c_str(),
                static_cast<unsigned long long>(t.received), static_cast<unsigned long long>(t.lost),
                static_cast<unsigned long long>(t.outages), t.outages == 1 ? "" : "s", t.longest_ms);
  }
}

int cmd_probe(const std::string& name, const std::string& from, const std::string& to, double interval_ms) {
  Attached at(name);
  const plan::PlanNode* a = at.plan.node(from);
  const plan::PlanNode* b = at.plan.node(to);
  std::vector<std::string> nodes;
  for (const auto& n : at.plan.nodes) nodes.push_back(n.name);
  if (!a) unknown("node", from, nodes);
  if (!b) unknown("node", to, nodes);
  if (a->ifaces.empty() || b->ifaces.empty()) throw InputError("both ends of a probe need an interface");
  if (interval_ms < 0.1 || interval_ms > 1000) throw InputError("--interval-ms must be between 0.1 and 1000");
  const std::string probe = require_helper("netlab-probe");
  const std::string dir = at.plan.runtime_dir + "/probe";
  ::mkdir(dir.c_str(), 0700);
  // Ports apart from the trials' and from another live probe's.
  const uint16_t port = static_cast<uint16_t>(at.plan.probe_port + 500 + ::getpid() % 400);
  const std::string tag = "live-probe-" + std::to_string(::getpid());
  std::vector<std::pair<std::string, std::string>> started;  // node, process name
  std::vector<std::string> files;
  auto cleanup = [&] {
    for (const auto& [node, proc] : started) {
      try {
        at.lab->stop_process(node, proc);
      } catch (const std::exception&) {
        // `netlab down` stops it from the journal.
      }
    }
    for (const auto& f : files) ::unlink(f.c_str());
  };
  auto start = [&](const plan::PlanNode* me, const plan::PlanNode* peer, uint32_t id, uint32_t peer_id) {
    measure::ProbeOptions o;
    o.bind_addr = me->ifaces.front().address.addr;
    o.bind_port = port;
    o.peer_addr = peer->ifaces.front().address.addr;
    o.peer_port = port;
    o.interval_ns = static_cast<int64_t>(interval_ms * 1e6);
    o.out = dir + "/" + tag + "-" + me->name + ".log";
    o.stream_id = id;
    o.peer_stream_id = peer_id;
    o.realtime = true;
    process::ProcessSpec spec;
    spec.ns = me->ns;
    spec.argv = {probe};
    for (auto& arg : measure::probe_args(o)) spec.argv.push_back(arg);
    spec.log_path = dir + "/" + tag + "-" + me->name + ".out";
    files.push_back(o.out);
    files.push_back(spec.log_path);
    at.lab->spawn_process(me->name, tag, spec);
    started.push_back({me->name, tag});
    return o.out;
  };
  std::vector<LiveDirection> dirs;
  try {
    std::string log_a = start(a, b, 1, 2);
    std::string log_b = start(b, a, 2, 1);
    dirs.push_back({from + " -> " + to, measure::ProbeLogFollower(log_b), measure::LiveGaps(static_cast<int64_t>(interval_ms * 1e6))});
    dirs.push_back({to + " -> " + from, measure::ProbeLogFollower(log_a), measure::LiveGaps(static_cast<int64_t>(interval_ms * 1e6))});
  } catch (...) {
    cleanup();
    throw;
  }
  at.lock.reset();  // faults may be injected while the probe runs
  std::printf("probing %s <-> %s every %g ms; each outage is printed as it ends; Ctrl-C to stop\n",
              from.c_str(), to.c_str(), interval_ms);
  std::fflush(stdout);
  auto& clock = at.control->clock();
  const int64_t quiet = std::max<int64_t>(20'000'000, static_cast<int64_t>(interval_ms * 1e6 * 20));
  try {
    while (!stop_requested()) {
      for (auto& d : dirs) follow(d, quiet);
      std::fflush(stdout);
      if (!std::filesystem::exists(at.plan.runtime_dir + "/journal")) break;  // the lab is gone
      clock.sleep_ns(20'000'000);
    }
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
  print_totals(dirs);
  return 0;
}

}  // namespace

Runner define_probe(CLI::App& c) {
  auto lab = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto interval = std::make_shared<double>(1.0);
  c.add_option("lab", *lab, "lab name")->required();
  c.add_option("from", *from, "node sending (and receiving the other direction)")->required();
  c.add_option("to", *to, "node at the other end")->required();
  c.add_option("--interval-ms", *interval, "time between probes, ms (default 1)");
  return [lab, from, to, interval] { return cmd_probe(*lab, *from, *to, *interval); };
}

Runner define_fault(CLI::App& c) {
  auto lab = std::make_shared<std::string>();
  auto words = std::make_shared<std::vector<std::string>>();
  c.add_option("lab", *lab, "lab name (brought up with `netlab up`)")->required();
  c.add_option("fault", *words,
               "the fault as a scenario writes it: `cut dx1`, `down dx1`, `oneway dx1 from=cgw`, `crash cgw`, "
               "`poweroff cgw`, `domain location=ny5`, `degrade dx1 loss_pct=5 delay_ms=20`, "
               "`flap dx1 period_ms=500 count=3`, `bgp_down dx1`, `maintenance vpn1-t1`")
      ->required();
  return [lab, words] { return cmd_fault(*lab, *words); };
}

Runner define_repair(CLI::App& c) {
  auto lab = std::make_shared<std::string>();
  auto ids = std::make_shared<std::vector<int>>();
  auto all = std::make_shared<bool>(false);
  c.add_option("lab", *lab, "lab name")->required();
  c.add_option("id", *ids, "fault numbers, as `netlab fault` and `netlab status` show them");
  c.add_flag("--all", *all, "every fault in place, newest first");
  return [lab, ids, all] { return cmd_repair(*lab, *ids, *all); };
}

Runner define_impair(CLI::App& c) {
  auto a = std::make_shared<ImpairArgs>();
  c.add_option("lab", a->lab, "lab name")->required();
  c.add_option("link", a->link, "link or tunnel");
  c.add_option("--delay", a->delay_ms, "one-way delay, ms");
  c.add_option("--jitter", a->jitter_ms, "delay variation, ms");
  c.add_option("--loss", a->loss_pct, "random loss, percent");
  c.add_option("--rate", a->rate_mbit, "rate limit, Mbit/s");
  c.add_option("--pps", a->pps, "packet-rate limit, packets/s (the excess is dropped)");
  c.add_flag("--reset", a->reset, "back to the topology's impairment of the link");
  c.add_flag("--show", a->show, "list the impairments in place");
  return [a] { return cmd_impair(*a); };
}

}  // namespace netlab::cli
