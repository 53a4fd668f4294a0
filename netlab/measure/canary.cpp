#include "netlab/measure/canary.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <thread>

namespace netlab::measure {

int64_t LatenessGauge::woke(int64_t now) {
  last_ns_ = std::max<int64_t>(0, now - next_);
  max_ns_ = std::max(max_ns_, last_ns_);
  ++wakeups_;
  next_ += period_ns_;
  if (next_ <= now) next_ = now + period_ns_;
  return next_;
}

namespace {

int64_t mono_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

class ThreadCanary final : public Canary {
 public:
  explicit ThreadCanary(int64_t period_ns) : period_ns_(period_ns) {
    // Born with every signal blocked: a stop signal must reach the thread
    // whose blocking waits it is meant to interrupt (EINTR), never this one.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    thread_ = std::thread([this] { loop(); });
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~ThreadCanary() override {
    stop_.store(true);
    thread_.join();
  }

  void begin() override {
    max_ns_.store(0);
    wakeups_.store(0);
  }
  CanaryFigures figures() override {
    return {static_cast<double>(max_ns_.load()) / 1e6, wakeups_.load()};
  }

 private:
  // The daemons' class, whatever netlab's own threads run at: SCHED_OTHER,
  // nice 0, the default timer slack (a daemon's timers have it too).
  static void as_a_daemon() {
    sched_param normal{.sched_priority = 0};
    ::sched_setscheduler(0, SCHED_OTHER, &normal);  // this thread only (Linux)
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 0);
  }

  void loop() {
    as_a_daemon();
    LatenessGauge gauge(period_ns_);
    int64_t deadline = gauge.start(mono_ns());
    while (!stop_.load(std::memory_order_relaxed)) {
      const timespec ts{.tv_sec = deadline / 1'000'000'000, .tv_nsec = deadline % 1'000'000'000};
      if (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) continue;  // EINTR
      deadline = gauge.woke(mono_ns());
      const int64_t late = gauge.last_lateness_ns();
      int64_t seen = max_ns_.load(std::memory_order_relaxed);
      while (late > seen && !max_ns_.compare_exchange_weak(seen, late)) {
      }
      wakeups_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  int64_t period_ns_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> max_ns_{0};
  std::atomic<uint64_t> wakeups_{0};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Canary> start_canary(int64_t period_ns) { return std::make_unique<ThreadCanary>(period_ns); }

}  // namespace netlab::measure
