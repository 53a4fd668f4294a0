// cover_paths: the paths BGP holds at equal preference for the probe, where
// history decides which one is active, each made the active one in turn
// (docs/measurement.md, "Path-dependent outcomes").
//
// Where a router has several paths to the probe's destination that tie on
// everything BGP compares before the age of a path (local preference,
// AS_PATH length, origin, MED, eBGP over iBGP), FRR keeps the one it learned
// first ("Older Path"; "Router ID" or "Neighbor IP" when both came at
// once, as at bring-up, until a reset gives them different ages). Which that is
// depends on which session came up first: history, not design. A real
// network changes it the same way: a session that resets loses its age.
// So does netlab: to make one path active it resets the sessions of the
// others (`clear bgp`), waits until the lab is converged again, and checks.
//
// The routers that decide: the probe's way is followed from the router next
// to each end, along the best path, hop by hop, to the router that
// originates the destination; each router on it whose choice is such a tie
// is a choice point. Multipath (ECMP) routers spread flows by hash and are
// left alone: they are named in a note.
//
// Everything goes through lab::Control, so unit tests run on the fakes.
// Threads: one thread. Errors: what the Control throws.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "netlab/lab/control.h"
#include "netlab/plan/plan.h"
#include "netlab/scenario/results.h"
#include "netlab/topology/model.h"

namespace netlab::scenario {

// One path a choice point may take: learned from `peer` over `over`.
struct PathAlternative {
  std::string peer;  // the neighbour's address
  std::string over;  // the link or tunnel the session runs on
};

// A router whose choice between equally preferred paths decides the
// probe's way to `address`.
struct PathChoice {
  std::string router, address;
  std::vector<PathAlternative> alternatives;  // sorted by `over`
};

struct PathSurvey {
  std::vector<PathChoice> choices;
  std::vector<std::string> notes;  // multipath routers left alone
  // How many starting paths there are: the most alternatives of any choice
  // (1 when there is no choice).
  size_t starts() const;
  // Starting path k: at each choice, alternative k modulo its count.
  std::vector<std::pair<const PathChoice*, const PathAlternative*>> start(size_t k) const;
  // "cgw: vpn1-t1" (several choices: joined by ", ").
  std::string name(size_t k) const;
};

// Follows the probe's way in both directions over the lab's BGP.
PathSurvey survey_paths(lab::Control&, const plan::Plan&, const topology::Probe&);

// The same once the lab is converged and its paths have had a second to
// arrive (a session is up a moment before its paths are).
PathSurvey settled_survey(lab::Control&, const plan::Plan&, const topology::Probe&, std::chrono::milliseconds timeout);

// Makes starting path k the active one: resets the sessions of the other
// alternatives at every choice point whose best path is not the wanted one,
// waits for convergence (at most `timeout`), and checks each choice again.
// Returns why it could not, or "" when every choice took the wanted path.
std::string make_active(lab::Control&, const PathSurvey&, size_t k, std::chrono::milliseconds timeout);

// cover_paths over a scenario's trials: surveys the paths when made, makes
// each trial's starting path active before it (trial N: starting path
// (N-1) modulo their count, so the trials go round-robin), and checks the
// path the trial started on after it.
class PathCoverage {
 public:
  // `trials`: the scenario's trial count; `numbers`: the trials this run
  // measures (all of them, or a shard's). When there are more starting paths
  // than trials and this run measures them all, trials are added to
  // `numbers`: one per starting path at least.
  PathCoverage(lab::Control&, const plan::Plan&, const topology::Probe&, int trials, std::vector<int>& numbers,
               std::chrono::milliseconds timeout);
  void before(int trial);
  void after(const Trial&);
  const PathCover& result() const { return cover_; }

 private:
  size_t start_of(int trial) const;
  void not_active(const std::string& alternative, const std::string& why);

  lab::Control& control_;
  PathSurvey survey_;
  std::chrono::milliseconds timeout_;
  PathCover cover_;
};

}  // namespace netlab::scenario
