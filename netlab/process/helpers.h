// Where netlab finds the programs it runs beside itself (netlab-probe,
// netlab-delay, netlab-tunnel-watch): one lookup for all of them, so the
// tool, the tests and the benchmarks agree.
//
// In order: the environment variable NETLAB_<NAME> (the program's name in
// capitals, '-' as '_', without "netlab-": NETLAB_TUNNEL_WATCH), then the
// directory of the running executable, then its parent directory (a
// benchmark in build/bench/ finds build/netlab-probe).
// Errors: EnvironmentError naming every place looked in. Threads: any.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace netlab::process {

// "netlab-tunnel-watch" -> "NETLAB_TUNNEL_WATCH".
std::string helper_env_var(std::string_view program);

// The first executable found, nullopt when none is.
std::optional<std::string> find_helper(std::string_view program);

// As find_helper(), throwing EnvironmentError when the program is missing.
std::string helper_path(std::string_view program);

}  // namespace netlab::process
