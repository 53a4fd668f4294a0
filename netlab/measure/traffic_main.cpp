// netlab-traffic: the rate-controlled traffic generator (netlab/measure/traffic.h).
#include <cstdio>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/traffic.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(netlab::measure::kTrafficUsage, stdout);
    return 0;
  }
  netlab::measure::TrafficOptions options;
  try {
    options = netlab::measure::parse_traffic_args(args);
  } catch (const netlab::Error& e) {
    std::fprintf(stderr, "netlab-traffic: %s\n%s", e.what(), netlab::measure::kTrafficUsage);
    return 2;
  }
  return netlab::measure::run_traffic(options);
}
