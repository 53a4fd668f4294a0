// Splitting a run over several machines: `--shard K/N`.
//
// The work of a run is its trials in serial order (scenario by scenario,
// trial 1..n within each; for a sweep, failure by failure). Shard K of N
// takes every N-th unit starting at the K-th, so that shards get equal
// shares whatever the scenarios' trial counts, and the union of all N shards
// is exactly the serial run, each unit once. Deterministic: the same file
// and options give the same split on every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netlab::scenario {

struct Shard {
  int index = 1;  // K, 1-based
  int count = 1;  // N
  bool whole() const { return count == 1; }
  std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
  bool operator==(const Shard&) const = default;
};

// "K/N" with 1 <= K <= N <= 1000; throws InputError naming what is wrong.
Shard parse_shard(const std::string& text);

// Whether unit `position` (0-based, in serial order) belongs to `shard`.
bool in_shard(const Shard& shard, size_t position);

// The 1-based trial numbers of each scenario that `shard` runs, given each
// scenario's trial count in serial order.
std::vector<std::vector<int>> shard_trials(const Shard& shard, const std::vector<int>& trials_per_scenario);

// Splitting a run over N labs on one machine: `--jobs N`. Job K is shard K/N
// of the work, on a lab of its own named by job_lab_name(), with its own
// seed job_seed(): the labs never share a name (so no namespace, runtime
// directory or process of one is another's), and each job's random choices
// follow from the run's seed alone.
constexpr int kMaxJobs = 16;

// `--jobs` when not given: one lab per two CPUs this process may run on
// (`cpus`, from sched_getaffinity), at least 1, at most kMaxJobs (the run
// then caps it at its work units). docs/ci.md has the reasoning and figures.
int default_jobs(int cpus);
// The CPUs this process may run on (sched_getaffinity); 1 when unknown.
int usable_cpus();

// `lab` cut to fit with "j<K>" after it: a valid lab name
// ([a-z][a-z0-9]{0,7}, topology/names.h) different for every K of one lab.
// `lab` must be a valid lab name, 1 <= job <= kMaxJobs.
std::string job_lab_name(const std::string& lab, int job);

// The seed of job K (1-based) of a run seeded `run_seed`: a fixed mix of the
// two (splitmix64), recorded with the run so a job can be repeated alone.
uint64_t job_seed(uint64_t run_seed, int job);

}  // namespace netlab::scenario
