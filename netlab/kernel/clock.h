// Time. Every measurement in netlab is on CLOCK_MONOTONIC, which all network
// namespaces of a host share, so probe timestamps taken in two namespaces,
// route events and the fault's own instant lie on one timeline.
#pragma once

#include <cstdint>
#include <memory>

namespace netlab::kernel {

// CLOCK_MONOTONIC now, in ns: the one place netlab reads it. Code that is
// tested on a fake clock takes a Clock& instead; this is for the helpers
// that run on their own (the delayer, timeouts of a child process).
int64_t monotonic_ns();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ns() = 0;       // CLOCK_MONOTONIC
  virtual int64_t realtime_ns() = 0;  // CLOCK_REALTIME, to place FRR's log lines on the timeline
  virtual void sleep_ns(int64_t ns) = 0;
};

Clock& system_clock();

}  // namespace netlab::kernel
