#include "netlab/kernel/clock.h"

#include <time.h>

#include <cerrno>

#include "netlab/base/error.h"

namespace netlab::kernel {
namespace {

int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);  // cannot fail for these clock ids
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

class SystemClock final : public Clock {
 public:
  int64_t now_ns() override { return monotonic_ns(); }
  int64_t realtime_ns() override { return read_clock(CLOCK_REALTIME); }
  // Sleeps until an absolute deadline, so a signal interrupting the sleep
  // does not stretch it.
  void sleep_ns(int64_t ns) override {
    if (ns <= 0) return;
    int64_t deadline = now_ns() + ns;
    timespec ts{static_cast<time_t>(deadline / 1'000'000'000),
                static_cast<long>(deadline % 1'000'000'000)};
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr)) == EINTR) {
    }
    if (rc != 0) throw KernelError("clock_nanosleep", "CLOCK_MONOTONIC", rc);
  }
};

}  // namespace

int64_t monotonic_ns() { return read_clock(CLOCK_MONOTONIC); }

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace netlab::kernel
