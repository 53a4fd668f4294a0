// The validity guard on a real lab: a CPU hog beside the lab starves the
// routing daemons' scheduling class during a trial, and the guard marks that
// attempt invalid and runs the trial again; hogged again, the trial is
// reported invalid and its targets inconclusive; without the hog the same
// trial is valid on its first attempt.
//
// The hog: one SCHED_FIFO thread per CPU (priority 5, below the probe's 10,
// so the probe keeps its 1 ms schedule), pinned, spinning for 2.5 s. RT
// throttling (kernel.sched_rt_runtime_us, 950000 of every 1000000 here)
// leaves SCHED_OTHER tasks 5 % of each CPU, so the daemons and the canary
// wait up to ~950 ms at a time (measured alone: 955 ms), beyond half of
// BFD 300x3. Many nice -20 spinners starve less surely (4 per CPU: 53 ms,
// 16 per CPU: 649 ms). The hog starves
// everything else on the machine too, so it is short, and its threads end at
// their own deadline and are joined whatever the test does.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "lab_fixture.h"

namespace netlab::testing {
namespace {

int64_t mono_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A SCHED_FIFO spinner on every CPU this process may use, for `seconds`.
// Joined by the destructor (the threads end at their deadline, or at once
// when stopped), so no path out of a test leaves it running.
class CpuHog {
 public:
  CpuHog(double seconds, int priority) {
    const int64_t until = mono_ns() + static_cast<int64_t>(seconds * 1e9);
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ::sched_getaffinity(0, sizeof allowed, &allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &allowed)) continue;
      threads_.emplace_back([this, cpu, until, priority] { spin(cpu, until, priority); });
    }
  }
  ~CpuHog() {
    stop_.store(true);
    wait();
  }
  // Until every spinner reached its deadline.
  void wait() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  bool realtime() const { return refused_.load() == 0; }

 private:
  void spin(int cpu, int64_t until, int priority) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ::pthread_setaffinity_np(::pthread_self(), sizeof one, &one);
    sched_param p{.sched_priority = priority};
    if (::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &p) != 0) {
      refused_.fetch_add(1);
      return;  // not permitted: no hog rather than a SCHED_OTHER one
    }
    while (!stop_.load(std::memory_order_relaxed) && mono_ns() < until) {
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> refused_{0};
  std::vector<std::thread> threads_;
};

std::string rt_runtime() {
  std::ifstream f("/proc/sys/kernel/sched_rt_runtime_us");
  std::string s;
  std::getline(f, s);
  return s;
}

// The size of the log of trial 1's first probe of scenario `name`; none
// before that probe started. A repeated attempt's probe truncates it.
// (The first such log by name: always the same one.)
std::optional<uintmax_t> probe_log_size(const std::string& dir, const std::string& name) {
  std::error_code ec;
  std::optional<std::filesystem::path> first;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().starts_with(name + "-1-") && (!first || e.path() < *first)) first = e.path();
  if (!first) return std::nullopt;
  const auto n = std::filesystem::file_size(*first, ec);
  return ec ? std::nullopt : std::optional<uintmax_t>(n);
}

topology::Scenario cut_dx(const std::string& name) {
  topology::Scenario sc;
  sc.name = name;
  sc.fault.kind = topology::FaultKind::Cut;
  sc.fault.target = "dx";
  sc.hold_s = 3;
  sc.trials = 1;
  sc.expect.max_outage_ms = 1500;
  return sc;
}

class GuardLab : public SharedLab<GuardLab> {
 public:
  static constexpr const char* kTopology = "two-routers.toml";
};

TEST_F(GuardLab, WithoutAHogTheTrialIsValidAtOnce) {
  auto r = lab_->runner().run(cut_dx("idle-cut"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.trials.size(), 1u);
  const auto& t = r.trials[0];
  std::printf("  idle host: canary %.2f ms late, probe sender %.2f ms (limit %.0f ms)\n",
              t.canary_max_lateness_ms.value_or(-1), t.probe_max_lateness_ms, t.starvation_limit_ms);
  ASSERT_TRUE(t.canary_max_lateness_ms.has_value());
  EXPECT_EQ(t.starvation_limit_ms, 450);
  EXPECT_TRUE(t.valid) << t.invalid_reason;
  EXPECT_EQ(t.repeated_reason, "");
  EXPECT_EQ(r.verdict(), scenario::Verdict::Pass) << r.targets.back().detail;
}

// Runs `sc` (one trial) on the lab, hogging the CPU for 2.5 s in each of
// its first `hogged` attempts, from just after the attempt's probe got
// through: its baseline has begun, and with it the canary's window (a hog
// before that would starve the runner too, and be over before the window
// opened). Each hog ends long before the next attempt starts. False when
// no hog could run real-time.
bool run_hogged(RealLab& lab, const topology::Scenario& sc, int hogged, scenario::ScenarioResult& r) {
  std::exception_ptr failed;
  std::atomic<bool> done{false};
  std::thread run([&] {
    try {
      r = lab.runner().run(sc);
    } catch (...) {
      failed = std::current_exception();
    }
    done.store(true);
  });
  const std::string dir = lab.plan().runtime_dir + "/probe";
  bool realtime = true;
  uintmax_t seen = 0;
  for (int k = 0; k < hogged && !done.load();) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto size = probe_log_size(dir, sc.name);
    if (!size || (k > 0 && *size >= seen)) {  // no probe yet, or still the last attempt's
      seen = std::max(seen, size.value_or(0));
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CpuHog hog(2.5, 5);
    hog.wait();
    realtime = realtime && hog.realtime();
    seen = probe_log_size(dir, sc.name).value_or(0);
    ++k;
  }
  run.join();
  if (failed) std::rethrow_exception(failed);
  return realtime;
}

TEST_F(GuardLab, AHogDuringTheFirstAttemptMakesItInvalidAndTheTrialIsRunAgain) {
  if (rt_runtime() == "-1") GTEST_SKIP() << "RT throttling is off: a SCHED_FIFO hog would stop the machine";
  scenario::ScenarioResult r;
  if (!run_hogged(*lab_, cut_dx("hogged-cut"), 1, r)) GTEST_SKIP() << "SCHED_FIFO not permitted here: no hog";
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.trials.size(), 1u);
  const auto& t = r.trials[0];
  std::printf("  first attempt: %s\n  second attempt: canary %.2f ms late, probe sender %.2f ms, %s\n",
              t.repeated_reason.c_str(), t.canary_max_lateness_ms.value_or(-1), t.probe_max_lateness_ms,
              t.valid ? "valid" : t.invalid_reason.c_str());
  EXPECT_EQ(t.repeated_reason.rfind("host starved: a SCHED_OTHER task was ", 0), 0u) << t.repeated_reason;
  EXPECT_NE(t.repeated_reason.find("(limit 450 ms, half of BFD 300x3)"), std::string::npos);
  EXPECT_EQ(t.index, 1);
  EXPECT_TRUE(t.valid) << t.invalid_reason;
}

TEST_F(GuardLab, AHogInBothAttemptsLeavesTheTrialInvalidAndItsTargetsInconclusive) {
  if (rt_runtime() == "-1") GTEST_SKIP() << "RT throttling is off: a SCHED_FIFO hog would stop the machine";
  scenario::ScenarioResult r;
  if (!run_hogged(*lab_, cut_dx("starved-cut"), 2, r)) GTEST_SKIP() << "SCHED_FIFO not permitted here: no hog";
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.trials.size(), 1u);
  const auto& t = r.trials[0];
  std::printf("  first attempt: %s\n  second attempt: %s\n", t.repeated_reason.c_str(),
              t.valid ? "valid" : t.invalid_reason.c_str());
  EXPECT_FALSE(t.valid);
  EXPECT_EQ(t.invalid_reason.rfind("host starved: a SCHED_OTHER task was ", 0), 0u) << t.invalid_reason;
  EXPECT_FALSE(t.repeated_reason.empty());
  EXPECT_EQ(r.verdict(), scenario::Verdict::Inconclusive);
  for (const auto& x : r.targets) {
    EXPECT_EQ(x.verdict, scenario::Verdict::Inconclusive) << x.name;
    EXPECT_NE(x.detail.find("trial 1 invalid: host starved"), std::string::npos) << x.name << ": " << x.detail;
  }
}

}  // namespace
}  // namespace netlab::testing
