// netlab-probe: the data-plane probe (netlab/measure/probe_runner.h).
#include <cstdio>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/probe_runner.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(netlab::measure::kProbeUsage, stdout);
    return 0;
  }
  netlab::measure::ProbeOptions options;
  try {
    options = netlab::measure::parse_probe_args(args);
  } catch (const netlab::Error& e) {
    std::fprintf(stderr, "netlab-probe: %s\n%s", e.what(), netlab::measure::kProbeUsage);
    return 2;
  }
  return netlab::measure::run_probe(options);
}
