#include "netlab/scenario/paths.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

namespace netlab::scenario {

namespace {

// The node and the link or tunnel behind `router`'s neighbour `peer`.
std::optional<std::pair<std::string, std::string>> neighbour(const plan::Plan& plan, const std::string& router,
                                                             const std::string& peer) {
  for (const auto& s : plan.sessions) {
    if (s.a == router && s.b_addr.str() == peer) return std::make_pair(s.b, s.over);
    if (s.b == router && s.a_addr.str() == peer) return std::make_pair(s.a, s.over);
  }
  return std::nullopt;
}

// The paths that tie with the best one on everything BGP compares before
// their age (the best one included).
std::vector<lab::BgpPath> ties(const std::vector<lab::BgpPath>& paths, const lab::BgpPath& best) {
  std::vector<lab::BgpPath> out;
  for (const auto& p : paths)
    if (p.valid && p.local_pref == best.local_pref && p.as_path_length == best.as_path_length &&
        p.origin == best.origin && p.med == best.med && p.external == best.external)
      out.push_back(p);
  return out;
}

// FRR keeps the older of two external paths while one of them is selected;
// the router ID, then the neighbour's address, decide only when both came in
// the same best-path run (at bring-up: two sessions to one router), and the
// next reset decides by age again. Between internal paths the router ID
// always decides: fixed, not history.
bool decided_by_history(const lab::BgpPath& best, const std::vector<lab::BgpPath>& tied) {
  if (best.reason == "Older Path") return true;
  return (best.reason == "Router ID" || best.reason == "Neighbor IP") &&
         std::all_of(tied.begin(), tied.end(), [](const lab::BgpPath& p) { return p.external; });
}

const lab::BgpPath* best_of(const std::vector<lab::BgpPath>& paths) {
  for (const auto& p : paths)
    if (p.best) return &p;
  return nullptr;
}

std::string overs(const plan::Plan& plan, const std::string& router, const std::vector<lab::BgpPath>& paths) {
  std::string s;
  for (const auto& p : paths) {
    auto n = neighbour(plan, router, p.peer);
    s += (s.empty() ? "" : ", ") + (n ? n->second : p.peer);
  }
  return s;
}

// Follows the best path to `address` from `router` hop by hop, adding the
// choice points on the way to `survey`.
void walk(lab::Control& c, const plan::Plan& plan, std::string router, const std::string& address,
          PathSurvey& survey) {
  std::set<std::string> seen;
  while (seen.insert(router).second) {
    const auto paths = c.bgp_paths(router, address);
    const lab::BgpPath* best = best_of(paths);
    if (!best) return;
    const auto tied = ties(paths, *best);
    const auto multipath = std::count_if(tied.begin(), tied.end(), [](const lab::BgpPath& p) { return p.multipath; });
    if (tied.size() > 1 && multipath > 1) {
      survey.notes.push_back(fmt::format("{} spreads the probe to {} over {} (ECMP: a hash of the flow decides, not history)",
                                         router, address, overs(plan, router, tied)));
    } else if (tied.size() > 1 && decided_by_history(*best, tied)) {
      PathChoice choice{router, address, {}};
      for (const auto& p : tied)
        if (auto n = neighbour(plan, router, p.peer)) choice.alternatives.push_back({p.peer, n->second});
      std::sort(choice.alternatives.begin(), choice.alternatives.end(),
                [](const PathAlternative& a, const PathAlternative& b) { return a.over < b.over; });
      if (choice.alternatives.size() > 1) survey.choices.push_back(std::move(choice));
    } else if (tied.size() > 1) {
      survey.notes.push_back(fmt::format("{} chooses between {} by {} (fixed, not history)", router,
                                         overs(plan, router, tied), best->reason));
    }
    auto next = neighbour(plan, router, best->peer);
    if (!next) return;  // originated here, or learned from outside the plan
    router = next->first;
  }
}

// The router next to a host: where the host's traffic enters the routing.
std::optional<std::string> gateway(const plan::Plan& plan, const plan::PlanNode& host) {
  if (host.ifaces.empty()) return std::nullopt;
  const plan::PlanNode* g = plan.node(host.ifaces.front().peer_node);
  if (!g || !g->is_router()) return std::nullopt;
  return g->name;
}

}  // namespace

PathSurvey settled_survey(lab::Control& c, const plan::Plan& plan, const topology::Probe& probe,
                          std::chrono::milliseconds timeout) {
  // A session is Established (and the lab converged) a moment before its
  // paths arrive: a path surveyed too early has no rival yet.
  c.wait_converged(timeout);
  lab::sleep_until(c, c.clock().now_ns() + 1'000'000'000);
  return survey_paths(c, plan, probe);
}

size_t PathSurvey::starts() const {
  size_t n = 1;
  for (const auto& c : choices) n = std::max(n, c.alternatives.size());
  return n;
}

std::vector<std::pair<const PathChoice*, const PathAlternative*>> PathSurvey::start(size_t k) const {
  std::vector<std::pair<const PathChoice*, const PathAlternative*>> out;
  for (const auto& c : choices) out.emplace_back(&c, &c.alternatives[k % c.alternatives.size()]);
  return out;
}

std::string PathSurvey::name(size_t k) const {
  std::string s;
  for (const auto& [c, a] : start(k)) s += (s.empty() ? "" : ", ") + c->router + ": " + a->over;
  return s.empty() ? "-" : s;
}

PathSurvey survey_paths(lab::Control& c, const plan::Plan& plan, const topology::Probe& probe) {
  PathSurvey survey;
  const plan::PlanNode* from = plan.node(probe.from);
  if (!from || from->ifaces.empty()) return survey;
  std::vector<const plan::PlanNode*> to = plan.anycast_instances(probe.to);
  std::string to_address = probe.to;
  if (to.empty()) {
    const plan::PlanNode* n = plan.node(probe.to);
    if (!n || n->ifaces.empty()) return survey;
    to = {n};
    to_address = n->ifaces.front().address.addr.str();
  }
  if (auto g = gateway(plan, *from)) walk(c, plan, *g, to_address, survey);
  for (const auto* t : to)
    if (auto g = gateway(plan, *t)) walk(c, plan, *g, from->ifaces.front().address.addr.str(), survey);
  return survey;
}

std::string make_active(lab::Control& c, const PathSurvey& survey, size_t k, std::chrono::milliseconds timeout) {
  std::vector<std::pair<std::string, std::string>> resets;  // router, peer
  for (const auto& [choice, want] : survey.start(k)) {
    const auto paths = c.bgp_paths(choice->router, choice->address);
    const lab::BgpPath* best = best_of(paths);
    if (best && best->peer == want->peer) continue;
    for (const auto& other : choice->alternatives) {
      std::pair<std::string, std::string> r{choice->router, other.peer};
      if (other.peer != want->peer && std::find(resets.begin(), resets.end(), r) == resets.end()) resets.push_back(r);
    }
  }
  if (resets.empty()) return "";
  for (const auto& [router, peer] : resets) {
    c.say("  cover_paths: resetting " + router + "'s session with " + peer + " to make " + survey.name(k) + " active");
    c.bgp_clear(router, peer);
  }
  c.wait_converged(timeout);
  // The reset sessions' paths come back after the routes are in place; the
  // choice is judged once they are.
  lab::sleep_until(c, c.clock().now_ns() + 1'000'000'000);
  std::string why;
  for (const auto& [choice, want] : survey.start(k)) {
    const auto paths = c.bgp_paths(choice->router, choice->address);
    const lab::BgpPath* best = best_of(paths);
    if (best && best->peer == want->peer) continue;
    std::string reset;
    for (const auto& [router, peer] : resets)
      if (router == choice->router) reset += (reset.empty() ? "" : ", ") + peer;
    why += fmt::format("{}{} still prefers {} ({}) after its sessions with {} were reset", why.empty() ? "" : "; ",
                       choice->router, best ? best->peer : std::string("no path"), best ? best->reason : "-", reset);
  }
  return why;
}

PathCoverage::PathCoverage(lab::Control& c, const plan::Plan& plan, const topology::Probe& probe, int trials,
                           std::vector<int>& numbers, std::chrono::milliseconds timeout)
    : control_(c), survey_(settled_survey(c, plan, probe, timeout)), timeout_(timeout) {
  for (size_t k = 0; k < survey_.starts() && !survey_.choices.empty(); ++k) cover_.alternatives.push_back(survey_.name(k));
  std::string note;
  for (const auto& n : survey_.notes) note += (note.empty() ? "" : "; ") + n;
  if (survey_.choices.empty())
    note += std::string(note.empty() ? "" : "; ") + "no router of the probe's way holds equal paths that history decides";
  const int starts = static_cast<int>(survey_.starts());
  const bool all = static_cast<int>(numbers.size()) == trials;
  if (starts > trials && all) {
    for (int i = trials + 1; i <= starts; ++i) numbers.push_back(i);
    note += fmt::format("{}{} trial{} asked for {} starting paths: ran {}, one per starting path", note.empty() ? "" : "; ",
                        trials, trials == 1 ? "" : "s", starts, starts);
  } else if (starts > trials) {
    note += fmt::format("{}{} trials cover only {} of the {} starting paths", note.empty() ? "" : "; ", trials, trials,
                        starts);
  }
  cover_.note = note;
}

size_t PathCoverage::start_of(int trial) const {
  return static_cast<size_t>(trial - 1) % survey_.starts();
}

void PathCoverage::not_active(const std::string& alternative, const std::string& why) {
  std::pair<std::string, std::string> entry{alternative, why};
  if (std::find(cover_.not_active.begin(), cover_.not_active.end(), entry) == cover_.not_active.end())
    cover_.not_active.push_back(std::move(entry));
}

void PathCoverage::before(int trial) {
  if (survey_.choices.empty()) return;
  const size_t k = start_of(trial);
  control_.say("  cover_paths: trial " + std::to_string(trial) + " starts on " + survey_.name(k));
  if (std::string why = make_active(control_, survey_, k, timeout_); !why.empty()) not_active(survey_.name(k), why);
}

void PathCoverage::after(const Trial& t) {
  if (survey_.choices.empty()) return;
  const size_t k = start_of(t.index);
  std::string missing;
  for (const auto& [choice, want] : survey_.start(k))
    if (std::find(t.path_before.begin(), t.path_before.end(), want->over) == t.path_before.end())
      missing += (missing.empty() ? "" : ", ") + want->over;
  if (missing.empty()) return;
  std::string before;
  for (const auto& l : t.path_before) before += (before.empty() ? "" : ",") + l;
  not_active(survey_.name(k), fmt::format("trial {} started on {}, not on {}", t.index, before.empty() ? "-" : before,
                                          missing));
}

}  // namespace netlab::scenario
