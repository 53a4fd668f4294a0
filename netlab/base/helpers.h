// Where netlab finds the programs it runs beside itself (netlab-probe, netlab-traffic,
// netlab-delay, netlab-tunnel-watch).
//
// One lookup for every caller, in this order:
//   1. $NETLAB_LIBEXEC_DIR, when set (tests, unusual installs);
//   2. the directory of the running executable (the build tree: netlab and
//      its helpers are linked into the same directory);
//   3. ../lib/netlab beside it (the installed layout: /usr/bin/netlab and
//      /usr/lib/netlab/netlab-probe, as the Debian package lays them out);
//   4. the build tree this binary was configured in, for programs inside it
//      (benchmarks and tests, which run from their own sub-directories).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netlab {

// The directories searched, in order (those that apply to this process).
std::vector<std::string> helper_dirs();

// The first executable `name` in helper_dirs(), or nullopt.
std::optional<std::string> find_helper(std::string_view name);

// find_helper(name), or an EnvironmentError naming every place looked at.
std::string require_helper(std::string_view name);

}  // namespace netlab
