#include "netlab/scenario/shard.h"

#include <charconv>

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

}  // namespace netlab::scenario
