// netlab-delay: the NFQUEUE delayer (netlab/impair/delayer.h).
#include <cstdio>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/impair/delayer.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(netlab::impair::kDelayUsage, stdout);
    return 0;
  }
  netlab::impair::DelayOptions options;
  try {
    options = netlab::impair::parse_delay_args(args);
  } catch (const netlab::Error& e) {
    std::fprintf(stderr, "netlab-delay: %s\n%s", e.what(), netlab::impair::kDelayUsage);
    return 2;
  }
  return netlab::impair::run_delayer(options);
}
