// The scheduling canary: evidence of whether the host starved the lab's
// routing daemons of CPU during a trial.
//
// The probe sender runs SCHED_FIFO, so its lateness says how well a
// real-time thread was served, not how FRR's daemons (SCHED_OTHER, nice 0)
// were: BFD packets are sent by bfdd, which waits in the normal run queue
// like every other task. The canary is a thread of exactly that class: it
// sleeps to absolute CLOCK_MONOTONIC deadlines (clock_nanosleep
// TIMER_ABSTIME, one every `period`) and records how late it woke. When it
// was late by X ms, any daemon that wanted the CPU at that moment could have
// been kept off it for as long.
//
// Why a thread of the netlab process and not a process inside the lab: the
// lab's namespaces do not isolate CPU (no cgroup is made per lab), so a
// thread of the same class on the same run queues sees the same scheduling a
// daemon does; it needs no journal entry, nothing to clean up after a crash,
// and its figures need no log to be read back. It sets its own policy
// (SCHED_OTHER, nice 0) rather than inheriting netlab's, and it never waits
// on the runner's loop: it shares no lock with it, only two atomics.
//
// Threads: the canary's own, started by start_canary() with every signal
// blocked (they go to netlab's other threads), joined by the destructor. begin()/figures() may be called from any one other thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace netlab::measure {

// The worst lateness of a series of wake-ups on an absolute period; pure, so
// that the computation is tested with made-up instants.
class LatenessGauge {
 public:
  explicit LatenessGauge(int64_t period_ns) : period_ns_(period_ns) {}
  // The first deadline, one period after `now`.
  int64_t start(int64_t now) { return next_ = now + period_ns_; }
  // A wake-up at `now` for the deadline start()/woke() returned last: its
  // lateness is recorded, and the next deadline returned. Woken a period or
  // more late, the schedule re-anchors a period from now: the missed
  // deadlines are not counted again as late wake-ups of their own.
  int64_t woke(int64_t now);
  // The window starts again: nothing late so far.
  void reset() { max_ns_ = 0, wakeups_ = 0; }
  int64_t max_lateness_ns() const { return max_ns_; }
  int64_t last_lateness_ns() const { return last_ns_; }
  uint64_t wakeups() const { return wakeups_; }

 private:
  int64_t period_ns_;
  int64_t next_ = 0;
  int64_t max_ns_ = 0, last_ns_ = 0;
  uint64_t wakeups_ = 0;
};

struct CanaryFigures {
  double max_lateness_ms = 0;  // the worst wake-up of the window
  uint64_t wakeups = 0;        // how many were measured (0: no evidence)
};

class Canary {
 public:
  virtual ~Canary() = default;
  // A new window starts now.
  virtual void begin() = 0;
  // The figures of the window since begin().
  virtual CanaryFigures figures() = 0;
};

inline constexpr int64_t kCanaryPeriodNs = 10'000'000;  // 10 ms

// A running canary thread; stopped and joined when destroyed.
std::unique_ptr<Canary> start_canary(int64_t period_ns = kCanaryPeriodNs);

}  // namespace netlab::measure
