#include "netlab/report/merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "netlab/base/error.h"
#include "netlab/report/report.h"
#include "netlab/scenario/shard.h"

namespace netlab::report {

using nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

double number(const scenario::Target& t) {
  try {
    return std::stod(t.limit);
  } catch (const std::exception&) {
    throw InputError("target " + t.name + ": limit \"" + t.limit + "\" is not a number");
  }
}

// What must be the same in every part of one run.
std::string identity(const scenario::RunResult& r) {
  std::string w;
  for (const auto& [name, n] : r.work) w += fmt::format("{}x{};", name, n);
  return fmt::format("topology {}, lab {}, seed {}, scale {:g}, {}scenarios {}", r.topology, r.lab, r.seed, r.scale,
                     r.shard_by_scenario ? "split by scenario, " : "", w);
}

}  // namespace

topology::Expect expect_of(const std::vector<scenario::Target>& targets) {
  topology::Expect e;
  for (const auto& t : targets) {
    if (t.name == "reachable") e.reachable = t.limit != "false";
    else if (t.name == "max_outage_ms") e.max_outage_ms = number(t);
    else if (t.name == "max_convergence_ms") e.max_convergence_ms = number(t);
    else if (t.name == "max_failback_outage_ms") e.max_failback_outage_ms = number(t);
    else if (t.name == "max_affected_flows_pct") e.max_affected_flows_pct = number(t);
    else if (t.name == "max_loss_ms") e.max_loss_ms = number(t);
    else if (t.name == "max_recovery_ms") e.max_recovery_ms = number(t);
    else if (t.name == "max_loss_bursts") e.max_loss_bursts = static_cast<uint64_t>(number(t));
    else if (t.name == "path") e.path = split(t.limit, '+');
    else if (t.name == "path_forward") e.path_forward = split(t.limit, '+');
    else if (t.name == "path_reverse") e.path_reverse = split(t.limit, '+');
    else if (t.name == "serving") e.serving = split(t.limit, ',');
    else if (t.name == "min_delivered_pct") e.min_delivered_pct = number(t);
    else if (t.name == "max_delivered_pct") e.max_delivered_pct = number(t);
    else if (t.name == "max_loss_pct") e.max_loss_pct = number(t);
    else if (t.name == "mtu_ok") e.mtu_ok = t.limit == "true";
    else if (t.name == "failback_path") e.failback_path = topology::FailbackPath::Baseline;
    else throw InputError("target " + t.name + " is not one netlab judges");
  }
  return e;
}

namespace {

struct Part {
  const ShardReport* in;
  scenario::Shard shard;
  scenario::RunResult run;
};
using Parts = std::map<int, const Part*>;  // by shard index, 1..N

std::vector<Part> read_parts(const std::vector<ShardReport>& reports) {
  std::vector<Part> parts;
  for (const auto& r : reports) {
    Part p{&r, {}, {}};
    try {
      p.run = from_json(r.json);
    } catch (const json::exception& e) {
      throw InputError(r.file + " is not a netlab report.json: " + e.what());
    }
    if (p.run.shard.empty())
      throw InputError(r.file + " is not the report of a shard (run with --shard K/N)");
    try {
      p.shard = scenario::parse_shard(p.run.shard);
    } catch (const InputError& e) {
      throw InputError(r.file + ": " + e.what());
    }
    parts.push_back(std::move(p));
  }
  return parts;
}

// One run: the same N, the same topology, seed and work everywhere; each
// shard once, none missing.
Parts one_run(const std::vector<Part>& parts) {
  const Part& first = parts.front();
  for (const auto& p : parts) {
    if (p.shard.count != first.shard.count)
      throw InputError(fmt::format("{} is shard {} but {} is shard {}: not parts of one run", p.in->file,
                                   p.shard.str(), first.in->file, first.shard.str()));
    if (identity(p.run) != identity(first.run))
      throw InputError(fmt::format("{} and {} are not parts of one run: {} against {}", p.in->file, first.in->file,
                                   identity(p.run), identity(first.run)));
  }
  Parts by_index;
  for (const auto& p : parts) {
    auto [it, fresh] = by_index.emplace(p.shard.index, &p);
    if (!fresh)
      throw InputError(fmt::format("shard {} given twice: {} and {}", p.shard.str(), it->second->in->file, p.in->file));
  }
  std::vector<std::string> missing;
  for (int k = 1; k <= first.shard.count; ++k)
    if (!by_index.count(k)) missing.push_back(scenario::Shard{k, first.shard.count}.str());
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw InputError(fmt::format("shard{} {} missing: the run is not complete", missing.size() == 1 ? "" : "s", list));
  }
  return by_index;
}

// Trial `t` of scenario `name`, which belongs to the shard of `unit`, from
// whichever part has it (into `s`, with the scenario's description and
// targets from the first part that ran it); refused when a part has a trial
// of another shard, or when its own shard lacks it without an error.
void take_trial(const Parts& by_index, const std::string& name, int t, size_t unit, scenario::ScenarioResult& s,
                std::vector<scenario::Target>& targets) {
  const int count = by_index.begin()->second->shard.count;
  const auto owner_of = [&](size_t u) { return static_cast<int>(u % static_cast<size_t>(count)) + 1; };
  for (const auto& [k, part] : by_index) {
    const scenario::ScenarioResult* mine = nullptr;
    for (const auto& x : part->run.scenarios)
      if (x.name == name) mine = &x;
    if (!mine) continue;
    if (targets.empty()) {
      s.description = mine->description;
      s.fault = mine->fault;
      s.hold_s = mine->hold_s;
      targets = mine->targets;
    }
    auto hit = std::find_if(mine->trials.begin(), mine->trials.end(),
                            [&](const scenario::Trial& x) { return x.index == t; });
    if (hit == mine->trials.end()) continue;
    if (!scenario::in_shard(part->shard, unit))
      throw InputError(fmt::format("{}: trial {} of scenario {} belongs to shard {}, not {}", part->in->file, t, name,
                                   scenario::Shard{owner_of(unit), count}.str(), part->shard.str()));
    scenario::Trial tr = *hit;
    if (tr.shard.empty()) tr.shard = part->run.shard;
    if (tr.host.empty()) tr.host = part->run.host;
    s.trials.push_back(std::move(tr));
  }
  // Its shard must have run it, unless the scenario ended there with an error.
  if (s.trials.empty() || s.trials.back().index != t) {
    const Part* owner = by_index.at(owner_of(unit));
    auto sc = std::find_if(owner->run.scenarios.begin(), owner->run.scenarios.end(),
                           [&](const scenario::ScenarioResult& x) { return x.name == name; });
    if (sc == owner->run.scenarios.end() || sc->error.empty())
      throw InputError(fmt::format("{} (shard {}) lacks trial {} of scenario {}", owner->in->file, owner->shard.str(),
                                   t, name));
  }
}

// What cover_paths did in each part that ran the scenario, as one: every
// alternative found, every one a part could not make active (each once).
void merge_cover(const scenario::ScenarioResult& part, scenario::ScenarioResult& s) {
  if (!part.cover) return;
  if (!s.cover) s.cover.emplace();
  auto add = [](auto& into, const auto& x) {
    if (std::find(into.begin(), into.end(), x) == into.end()) into.push_back(x);
  };
  for (const auto& a : part.cover->alternatives) add(s.cover->alternatives, a);
  for (const auto& n : part.cover->not_active) add(s.cover->not_active, n);
  if (s.cover->note.empty()) s.cover->note = part.cover->note;
}

}  // namespace

MergedRun merge_shards(const std::vector<ShardReport>& reports) {
  if (reports.empty()) throw InputError("report --merge: name the shards' report.json files");
  const std::vector<Part> parts = read_parts(reports);
  const Parts by_index = one_run(parts);

  MergedRun out;
  scenario::RunResult& m = out.result;
  const auto& base = by_index.at(1)->run;
  m.netlab_version = base.netlab_version;
  m.kernel_release = base.kernel_release;
  m.frr_version = base.frr_version;
  m.backends = base.backends;
  m.lab = base.lab;
  m.topology = base.topology;
  m.description = base.description;
  m.seed = base.seed;
  m.scale = base.scale;
  m.bringup_ms = base.bringup_ms;
  m.bringup_split_ms = base.bringup_split_ms;

  // Serial order: scenario by scenario, trial by trial; each unit belongs to
  // exactly one shard (scenario/shard.h).
  size_t position = 0;
  for (const auto& [name, count] : base.work) {
    scenario::ScenarioResult s;
    s.name = name;
    std::vector<scenario::Target> targets;
    const size_t scenario_position = position;
    for (int t = 1; t <= count; ++t)
      take_trial(by_index, name, t, base.shard_by_scenario ? scenario_position : position++, s, targets);
    if (base.shard_by_scenario) ++position;
    for (const auto& [k, part] : by_index)
      for (const auto& x : part->run.scenarios) {
        if (x.name == name && !x.error.empty())
          s.error += (s.error.empty() ? "" : "; ") + ("shard " + part->shard.str() + ": " + x.error);
        if (x.name == name) merge_cover(x, s);
      }
    scenario::evaluate(expect_of(targets), s);
    m.scenarios.push_back(std::move(s));
  }

  out.json = to_json(m);
  out.json["shards"] = json::array();
  for (const auto& [k, part] : by_index)
    out.json["shards"].push_back({{"shard", part->run.shard},
                                  {"host", part->run.host},
                                  {"file", part->in->file},
                                  {"netlab_version", part->run.netlab_version},
                                  {"kernel_release", part->run.kernel_release},
                                  {"frr_version", part->run.frr_version},
                                  {"bringup_ms", part->run.bringup_ms}});
  return out;
}

}  // namespace netlab::report
