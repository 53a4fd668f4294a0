#include "netlab/scenario/shard.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "netlab/base/error.h"

namespace netlab::scenario {

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Shard parse_shard(const std::string& text) {
  auto slash = text.find('/');
  Shard s;
  if (slash == std::string::npos || !parse_int(std::string_view(text).substr(0, slash), s.index) ||
      !parse_int(std::string_view(text).substr(slash + 1), s.count))
    throw InputError("--shard \"" + text + "\": expected K/N, for example 2/4");
  if (s.count < 1 || s.count > 1000)
    throw InputError("--shard " + text + ": N must be between 1 and 1000");
  if (s.index < 1 || s.index > s.count)
    throw InputError("--shard " + text + ": K must be between 1 and N (" + std::to_string(s.count) + ")");
  return s;
}

bool in_shard(const Shard& shard, size_t position) {
  return position % static_cast<size_t>(shard.count) == static_cast<size_t>(shard.index - 1);
}

std::vector<std::vector<int>> shard_trials(const Shard& shard, const std::vector<int>& trials_per_scenario) {
  std::vector<std::vector<int>> out(trials_per_scenario.size());
  size_t position = 0;
  for (size_t s = 0; s < trials_per_scenario.size(); ++s)
    for (int t = 1; t <= trials_per_scenario[s]; ++t, ++position)
      if (in_shard(shard, position)) out[s].push_back(t);
  return out;
}

std::string job_lab_name(const std::string& lab, int job) {
  const std::string suffix = "j" + std::to_string(job);
  constexpr size_t kMaxLab = 8;  // topology::valid_lab_name
  return lab.substr(0, kMaxLab - suffix.size()) + suffix;
}

uint64_t job_seed(uint64_t run_seed, int job) {
  uint64_t x = run_seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(job);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int default_jobs(int cpus) { return std::clamp(cpus / 2, 1, kMaxJobs); }

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

}  // namespace netlab::scenario
