// Splitting a run over several machines: `--shard K/N`.
//
// The work of a run is its trials in serial order (scenario by scenario,
// trial 1..n within each; for a sweep, failure by failure). Shard K of N
// takes every N-th unit starting at the K-th, so that shards get equal
// shares whatever the scenarios' trial counts, and the union of all N shards
// is exactly the serial run, each unit once. Deterministic: the same file
// and options give the same split on every machine.
#pragma once

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

}  // namespace netlab::scenario
