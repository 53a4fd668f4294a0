// netlab-probe end to end: two probes, started through the real Processes
// in two namespaces joined by a veth pair, measure a blackhole the test
// makes with nftables netdev ingress drop rules on both ends. The measured
// outages must match the blackhole's real duration, and an undisturbed path
// must show no loss at all, and the loss figures (docs/measurement.md) of
// two blackholes, and of one in one direction only, must match them too.
//
// The blackhole is applied with the nft binary (a fixture), kept running in
// interactive mode per namespace: the instant right before a command is
// handed to it and the instant it has confirmed the command bracket the real
// change within well under a millisecond, where a fresh nft process per
// command would add its ~5 ms start-up to the uncertainty.
#include "netlab/measure/probe.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/measure/data_plane.h"
#include "netlab/measure/probe_runner.h"
#include "netlab/process/processes.h"
#include "support/test_util.h"

namespace netlab::measure {
namespace {

namespace fs = std::filesystem;
using kernel::UniqueFd;
using process::ExitStatus;
using process::Processes;
using process::ProcessId;
using process::ProcessSpec;
using std::chrono::milliseconds;

constexpr int64_t kMs = 1'000'000;

using ::netlab::testing::mono_ns;

using ::netlab::testing::read_text;

template <class F>
bool eventually(F cond, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

std::string ms(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

// `nft -i` inside a namespace, fed one command at a time.
class NftShell {
 public:
  struct Bracket {
    int64_t before_ns, after_ns;
  };

  NftShell(const std::string& ns, const std::string& err_path) : err_path_(err_path) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(out, O_CLOEXEC) < 0)
      throw KernelError("pipe2", "nft", errno);
    UniqueFd in_r(in[0]), out_w(out[1]);
    in_ = UniqueFd(in[1]);
    out_ = UniqueFd(out[0]);
    UniqueFd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!err) throw KernelError("open", err_path, errno);
    const std::string ns_copy = ns;
    pid_ = ::fork();
    if (pid_ < 0) throw KernelError("fork", "nft", errno);
    if (pid_ == 0) {
      if (::dup2(in_r.get(), 0) < 0 || ::dup2(out_w.get(), 1) < 0 || ::dup2(err.get(), 2) < 0)
        ::_exit(126);
      ::execl("/usr/sbin/ip", "ip", "netns", "exec", ns_copy.c_str(), "/usr/sbin/nft", "-i",
              nullptr);
      ::_exit(127);
    }
    command("add table netdev nl_ack");
  }
  ~NftShell() {
    in_.reset();  // EOF: nft -i exits
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  NftShell(const NftShell&) = delete;
  NftShell& operator=(const NftShell&) = delete;

  // Runs `cmd` and returns the instants right before nft got it and right
  // after nft confirmed it (by answering the listing that follows it).
  Bracket command(const std::string& cmd) {
    const std::string text = cmd + "\nlist table netdev nl_ack\n";
    const int64_t before = mono_ns();
    if (::write(in_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw KernelError("write", "nft -i", errno);
    }
    for (;;) {  // the listing ends with a line "}"
      const size_t nl = buffered_.find('\n');
      if (nl != std::string::npos) {
        const std::string line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        if (line == "}") break;
        continue;
      }
      pollfd p{.fd = out_.get(), .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, 5000) <= 0) throw Error("nft -i did not answer '" + cmd + "'");
      char buf[4096];
      const ssize_t n = ::read(out_.get(), buf, sizeof buf);
      if (n <= 0) throw Error("nft -i exited after '" + cmd + "'");
      buffered_.append(buf, static_cast<size_t>(n));
    }
    const int64_t after = mono_ns();
    // nft -i reports a rejected command on stderr and carries on.
    if (const std::string err = read_text(err_path_); !err.empty()) {
      throw Error("nft rejected '" + cmd + "': " + err);
    }
    return {before, after};
  }

 private:
  std::string err_path_;
  pid_t pid_ = -1;
  UniqueFd in_, out_;
  std::string buffered_;
};

const char* const kCut =
    "add table netdev nl_cut { chain in { type filter hook ingress device \"veth0\" priority -500; "
    "policy drop; }; }";
const char* const kRepair = "delete table netdev nl_cut";

class ProbePairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!fs::exists(NETLAB_PROBE_BINARY)) GTEST_SKIP() << NETLAB_PROBE_BINARY << " not built";
    prefix_ = "nl-pb" + std::to_string(::getpid());
    ns_a_ = prefix_ + "-a";
    ns_b_ = prefix_ + "-b";
    char tmpl[] = "/tmp/nl-pb-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    for (const auto& ns : {ns_a_, ns_b_}) {
      run_ok({"/usr/sbin/ip", "netns", "add", ns});
      namespaces_.push_back(ns);
      run_ok({"/usr/sbin/ip", "-n", ns, "link", "set", "lo", "up"});
    }
    run_ok({"/usr/sbin/ip", "link", "add", "veth0", "netns", ns_a_, "type", "veth", "peer", "name",
            "veth0", "netns", ns_b_});
    run_ok({"/usr/sbin/ip", "-n", ns_a_, "addr", "add", "10.77.0.1/30", "dev", "veth0"});
    run_ok({"/usr/sbin/ip", "-n", ns_b_, "addr", "add", "10.77.0.2/30", "dev", "veth0"});
    run_ok({"/usr/sbin/ip", "-n", ns_a_, "link", "set", "veth0", "up"});
    run_ok({"/usr/sbin/ip", "-n", ns_b_, "link", "set", "veth0", "up"});
  }

  // Every step runs even when an earlier one fails: the namespaces must go.
  void TearDown() override {
    auto step = [](const char* what, auto&& f) {
      try {
        f();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "teardown: " << what << ": " << e.what();
      }
    };
    for (const auto& id : probes_) step("stop probe", [&] { p_->stop(id, milliseconds(2000)); });
    step("stop nft", [&] {
      nft_a_.reset();
      nft_b_.reset();
    });
    for (const auto& ns : namespaces_) {
      step("delete namespace", [&] {
        const std::string log = tmp_ + "/teardown.log";
        const ProcessId id =
            p_->spawn({.argv = {"/usr/sbin/ip", "netns", "del", ns}, .log_path = log});
        EXPECT_TRUE(p_->wait_gone(id, milliseconds(10000)));
        EXPECT_EQ(p_->exit_status(id), ExitStatus{})
            << "ip netns del " << ns << ": " << read_text(log);
      });
    }
    if (!tmp_.empty()) fs::remove_all(tmp_);
  }

  void run_ok(std::vector<std::string> argv) {
    const std::string what = ProcessSpec{.argv = argv}.str();
    const std::string log = tmp_ + "/fixture.log";
    const ProcessId id = p_->spawn({.argv = std::move(argv), .log_path = log});
    ASSERT_TRUE(p_->wait_gone(id, milliseconds(10000))) << what;
    ASSERT_EQ(p_->exit_status(id), ExitStatus{}) << what << ": " << read_text(log);
  }

  ProbeOptions options(bool a_side, int64_t interval_us, bool rt) {
    const Ipv4 a = *Ipv4::parse("10.77.0.1"), b = *Ipv4::parse("10.77.0.2");
    return {.bind_addr = a_side ? a : b,
            .bind_port = 4000,
            .peer_addr = a_side ? b : a,
            .peer_port = 4000,
            .interval_ns = interval_us * 1000,
            .out = tmp_ + (a_side ? "/probe-a.log" : "/probe-b.log"),
            .stream_id = a_side ? 1u : 2u,
            .peer_stream_id = a_side ? 2u : 1u,
            .realtime = rt};
  }

  ProcessId start_probe(bool a_side, int64_t interval_us, bool rt) {
    const ProbeOptions o = options(a_side, interval_us, rt);
    std::vector<std::string> argv = {NETLAB_PROBE_BINARY};
    for (auto& arg : probe_args(o)) argv.push_back(arg);
    const ProcessId id =
        p_->spawn({.ns = a_side ? ns_a_ : ns_b_, .argv = argv, .log_path = o.out + ".stderr"});
    probes_.push_back(id);
    return id;
  }

  // Starts both probes and returns once packets flow both ways.
  void start_probes(int64_t interval_us, bool rt = false) {
    interval_ns_ = interval_us * 1000;
    a_ = start_probe(true, interval_us, rt);
    b_ = start_probe(false, interval_us, rt);
    ASSERT_TRUE(eventually([&] {
      return fs::exists(log_a()) && fs::exists(log_b()) &&
             !read_probe_log(log_a()).received.empty() && !read_probe_log(log_b()).received.empty();
    })) << read_text(log_a() + ".stderr")
        << read_text(log_b() + ".stderr");
  }

  // SIGTERM: both must flush, write their end record and exit 0.
  void stop_probes() {
    for (const ProcessId& id : {a_, b_}) {
      ASSERT_TRUE(p_->stop(id, milliseconds(3000)));
      EXPECT_EQ(p_->exit_status(id), ExitStatus{});
    }
    probes_.clear();
    ASSERT_EQ(read_text(log_a() + ".stderr"), "");
    ASSERT_EQ(read_text(log_b() + ".stderr"), "");
  }

  std::string log_a() const { return tmp_ + "/probe-a.log"; }
  std::string log_b() const { return tmp_ + "/probe-b.log"; }

  // One blackhole of `duration` on both ends; the brackets of each command.
  struct Blackhole {
    NftShell::Bracket cut_a, cut_b, repair_a, repair_b;
  };
  Blackhole blackhole(milliseconds duration) {
    if (!nft_a_) {
      nft_a_ = std::make_unique<NftShell>(ns_a_, tmp_ + "/nft-a.err");
      nft_b_ = std::make_unique<NftShell>(ns_b_, tmp_ + "/nft-b.err");
    }
    Blackhole h;
    h.cut_b = nft_b_->command(kCut);        // B's ingress: the forward direction (A -> B)
    h.cut_a = nft_a_->command(kCut);        // A's ingress: the reverse direction
    std::this_thread::sleep_for(duration);  // the blackhole itself, not a synchronisation
    h.repair_b = nft_b_->command(kRepair);
    h.repair_a = nft_a_->command(kRepair);
    return h;
  }

  // The measured run must be the blackhole: its duration within one probe
  // interval + 2 ms of the real one, which itself is known only between the
  // brackets of the two nft commands.
  void expect_matches(const DirectionReport& r, const NftShell::Bracket& cut,
                      const NftShell::Bracket& repair, const char* direction) {
    // The probe's resolution is its interval plus the sender's lateness
    // (probe.h): a sender that woke late around the cut or the repair
    // blurs the edge by that much. With --rt that is tens of microseconds.
    ASSERT_TRUE(r.max_lateness_ns) << direction;
    const int64_t tol = r.resolution_ns() + 2 * kMs;
    const int64_t shortest = repair.before_ns - cut.after_ns;
    const int64_t longest = repair.after_ns - cut.before_ns;
    ASSERT_EQ(r.runs.size(), 1u) << direction;
    const LossRun& run = r.runs[0];
    std::printf(
        "  %-7s outage %s, real %s..%s (nft brackets %s + %s), %lu probes lost, "
        "start %+.3f ms from cut, end %+.3f ms from repair, max sender lateness %s\n",
        direction, ms(run.duration_ns()).c_str(), ms(shortest).c_str(), ms(longest).c_str(),
        ms(cut.after_ns - cut.before_ns).c_str(), ms(repair.after_ns - repair.before_ns).c_str(),
        static_cast<unsigned long>(run.lost),
        static_cast<double>(run.start_ns - cut.before_ns) / 1e6,
        static_cast<double>(run.end_ns - repair.before_ns) / 1e6, ms(*r.max_lateness_ns).c_str());
    EXPECT_FALSE(run.open) << direction;
    EXPECT_GE(run.duration_ns(), shortest - tol) << direction;
    EXPECT_LE(run.duration_ns(), longest + tol) << direction;
    // And it is where the blackhole was on the timeline.
    EXPECT_GE(run.start_ns, cut.before_ns - tol) << direction;
    EXPECT_LE(run.start_ns, cut.after_ns + tol) << direction;
    EXPECT_GE(run.end_ns, repair.before_ns - tol) << direction;
    EXPECT_LE(run.end_ns, repair.after_ns + tol) << direction;
    EXPECT_EQ(r.longest, run);
  }

  // A blackhole of `duration` on B's ingress only: the forward direction
  // (A -> B) loses, the reverse does not.
  NftShell::Bracket oneway_cut(milliseconds duration, NftShell::Bracket& repair) {
    if (!nft_a_) {
      nft_a_ = std::make_unique<NftShell>(ns_a_, tmp_ + "/nft-a.err");
      nft_b_ = std::make_unique<NftShell>(ns_b_, tmp_ + "/nft-b.err");
    }
    const NftShell::Bracket cut = nft_b_->command(kCut);
    std::this_thread::sleep_for(duration);
    repair = nft_b_->command(kRepair);
    return cut;
  }

  void blackhole_trial(int64_t interval_us, milliseconds duration, bool rt) {
    start_probes(interval_us, rt);
    std::this_thread::sleep_for(milliseconds(200));  // a steady stream before the fault
    const int64_t t0 = mono_ns();
    const Blackhole h = blackhole(duration);
    std::this_thread::sleep_for(milliseconds(200));  // a steady stream after the repair
    const int64_t t1 = mono_ns();
    stop_probes();

    const ProbeLog a = read_probe_log(log_a()), b = read_probe_log(log_b());
    ASSERT_TRUE(a.ended && b.ended);
    const TimeWindow w{t0, t1};
    const DirectionReport fwd = analyze_direction(a, b, w), rev = analyze_direction(b, a, w);
    std::printf("blackhole %ld ms, probe interval %ld us%s:\n", static_cast<long>(duration.count()),
                static_cast<long>(interval_us), rt ? ", --rt" : "");
    expect_matches(fwd, h.cut_b, h.repair_b, "forward");
    expect_matches(rev, h.cut_a, h.repair_a, "reverse");
    EXPECT_EQ(fwd.lost, fwd.runs[0].lost);
    // The logs' evidence covers the blackhole and the steady stream after it.
    EXPECT_GT(fwd.window.end_ns, h.repair_b.after_ns + 150 * kMs);
    EXPECT_GT(rev.window.end_ns, h.repair_a.after_ns + 150 * kMs);
    EXPECT_TRUE(fwd.reachable);
  }

  std::unique_ptr<Processes> p_ = process::make_processes();
  std::string prefix_, ns_a_, ns_b_, tmp_;
  std::vector<std::string> namespaces_;
  std::vector<ProcessId> probes_;
  ProcessId a_, b_;
  int64_t interval_ns_ = 0;
  std::unique_ptr<NftShell> nft_a_, nft_b_;
};

TEST_F(ProbePairTest, Blackhole200msIsMeasuredInBothDirections) {
  blackhole_trial(1000, milliseconds(200), true);
}

TEST_F(ProbePairTest, Blackhole50msIsMeasuredInBothDirections) {
  blackhole_trial(1000, milliseconds(50), true);
}

TEST_F(ProbePairTest, Blackhole50msAt200usIntervals) {
  blackhole_trial(200, milliseconds(50), true);
}

// Without SCHED_FIFO the sender is late more often on a busy host; the
// figures still hold within the resolution the log reports.
TEST_F(ProbePairTest, Blackhole50msWithoutRealtime) {
  blackhole_trial(1000, milliseconds(50), false);
}

void print_lateness(const char* who, const ProbeLog& log, TimeWindow w) {
  const LatenessStats st = lateness_stats(log.sent, log.header.interval_ns, w);
  std::printf(
      "  %s sender lateness over %lu sends%s: p50 %.1f us, p99 %.1f us, max %.1f us, "
      "%lu re-anchored\n",
      who, static_cast<unsigned long>(st.samples), log.header.realtime ? " (SCHED_FIFO)" : "",
      static_cast<double>(st.p50_ns) / 1e3, static_cast<double>(st.p99_ns) / 1e3,
      static_cast<double>(st.max_ns) / 1e3, static_cast<unsigned long>(st.late_by_an_interval));
}

class ProbeNoLossTest : public ProbePairTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ProbeNoLossTest, AnUndisturbedPathShowsNoLossOverTwoSeconds) {
  const bool rt = GetParam();
  start_probes(1000, rt);
  const int64_t t0 = mono_ns();
  std::this_thread::sleep_for(milliseconds(2000));  // the measurement period
  const int64_t t1 = mono_ns();
  // The receivers' evidence must reach past t1 by the in-flight allowance.
  std::this_thread::sleep_for(milliseconds(20));
  stop_probes();

  const ProbeLog a = read_probe_log(log_a()), b = read_probe_log(log_b());
  EXPECT_EQ(a.header.realtime, rt);  // root may use SCHED_FIFO
  const TimeWindow w{t0, t1};
  for (const auto& [name, r] : {std::pair{"forward", analyze_direction(a, b, w)},
                                std::pair{"reverse", analyze_direction(b, a, w)}}) {
    EXPECT_THAT(r.runs, ::testing::IsEmpty()) << name << ": " << r.runs[0].str();
    EXPECT_EQ(r.lost, 0u) << name;
    EXPECT_EQ(r.outage_ns(), 0) << name;
    EXPECT_TRUE(r.reachable) << name;
    // Every send in the window is accounted for: a send every millisecond,
    // less the deadlines a late sender gave up (re-anchored, never a burst).
    EXPECT_LE(r.sent, static_cast<uint64_t>((t1 - t0) / kMs + 1)) << name;
    EXPECT_GE(r.sent, rt ? 1900u : 1000u) << name;
    EXPECT_EQ(r.duplicates, 0u) << name;
  }
  EXPECT_EQ(
      analyze_direction(a, b, w).sent,
      static_cast<uint64_t>(std::count_if(a.sent.begin(), a.sent.end(), [&](const SentProbe& s) {
        return s.tx_ns >= w.begin_ns && s.tx_ns < w.end_ns;
      })));
  EXPECT_EQ(a.counters.sent, a.sent.size());
  EXPECT_EQ(a.counters.send_errors, 0u);
  EXPECT_EQ(a.counters.foreign, 0u);
  EXPECT_EQ(b.counters.received, b.received.size());
  print_lateness("A", a, w);
  print_lateness("B", b, w);
}

INSTANTIATE_TEST_SUITE_P(Probe, ProbeNoLossTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Realtime" : "Normal"; });

// The loss figures (outage_of, docs/measurement.md) of a real stream: a
// blackhole of 100 ms, 50 ms of traffic, a blackhole of 200 ms, then more
// than a clean period of traffic. Each figure must lie within the trial's
// resolution + 2 ms of the blackholes' real times, which are themselves
// known only between the brackets of the nft commands.
TEST_F(ProbePairTest, TwoBlackholesGiveEveryLossFigure) {
  start_probes(1000, true);
  std::this_thread::sleep_for(milliseconds(200));
  const Blackhole h1 = blackhole(milliseconds(100));
  std::this_thread::sleep_for(milliseconds(50));
  const Blackhole h2 = blackhole(milliseconds(200));
  std::this_thread::sleep_for(milliseconds(1300));  // more than the 1000 ms clean period
  const int64_t t1 = mono_ns();
  stop_probes();

  const ProbeLog a = read_probe_log(log_a()), b = read_probe_log(log_b());
  using Side = NftShell::Bracket Blackhole::*;
  for (const auto& [name, fwd, cut, repair] :
       {std::tuple{"forward", true, Side{&Blackhole::cut_b}, Side{&Blackhole::repair_b}},
        std::tuple{"reverse", false, Side{&Blackhole::cut_a}, Side{&Blackhole::repair_a}}}) {
    // The fault instant: the first cut of this direction's receiver.
    const int64_t fault = (h1.*cut).before_ns;
    const DirectionReport r = fwd ? analyze_direction(a, b, {fault, t1}) : analyze_direction(b, a, {fault, t1});
    const Outage o = outage_of(r, fault);
    ASSERT_TRUE(r.max_lateness_ns) << name;
    const double tol = static_cast<double>(r.resolution_ns() + 2 * kMs) / kMs;
    auto ms_from = [&](int64_t t) { return static_cast<double>(t - fault) / kMs; };
    auto span = [](const NftShell::Bracket& c, const NftShell::Bracket& x, bool longest) {
      return static_cast<double>(longest ? x.after_ns - c.before_ns : x.before_ns - c.after_ns) / kMs;
    };
    std::printf("  %-7s longest %.3f ms, loss %.3f ms, %lu bursts, recovery %.3f ms, lost %.3f..%.3f ms, "
                "resolution %.3f ms\n",
                name, o.outage_ms, o.loss_ms, static_cast<unsigned long>(o.bursts), o.recovery_ms,
                o.first_lost_ms.value_or(-1), o.last_lost_ms.value_or(-1), static_cast<double>(r.resolution_ns()) / kMs);
    EXPECT_EQ(o.bursts, 2u) << name;
    EXPECT_GE(o.outage_ms, span(h2.*cut, h2.*repair, false) - tol) << name;
    EXPECT_LE(o.outage_ms, span(h2.*cut, h2.*repair, true) + tol) << name;
    EXPECT_GE(o.loss_ms, span(h1.*cut, h1.*repair, false) + span(h2.*cut, h2.*repair, false) - tol) << name;
    EXPECT_LE(o.loss_ms, span(h1.*cut, h1.*repair, true) + span(h2.*cut, h2.*repair, true) + tol) << name;
    EXPECT_TRUE(o.recovered) << name;
    EXPECT_TRUE(o.recovery_sustained) << name;
    EXPECT_GE(o.recovery_ms, ms_from((h2.*repair).before_ns) - tol) << name;
    EXPECT_LE(o.recovery_ms, ms_from((h2.*repair).after_ns) + tol) << name;
    ASSERT_TRUE(o.first_lost_ms && o.last_lost_ms) << name;
    EXPECT_GE(*o.first_lost_ms, -tol) << name;
    EXPECT_LE(*o.first_lost_ms, ms_from((h1.*cut).after_ns) + tol) << name;
    EXPECT_GE(*o.last_lost_ms, ms_from((h2.*repair).before_ns) - tol) << name;
    EXPECT_LE(*o.last_lost_ms, ms_from((h2.*repair).after_ns) + tol) << name;
  }
}

// A blackhole in one direction shows in that direction's figures only.
TEST_F(ProbePairTest, AOneWayBlackholeLeavesTheOtherDirectionClean) {
  start_probes(1000, true);
  std::this_thread::sleep_for(milliseconds(200));
  NftShell::Bracket repair{};
  const NftShell::Bracket cut = oneway_cut(milliseconds(100), repair);
  std::this_thread::sleep_for(milliseconds(1200));
  const int64_t t1 = mono_ns();
  stop_probes();

  const ProbeLog a = read_probe_log(log_a()), b = read_probe_log(log_b());
  const int64_t fault = cut.before_ns;
  const DirectionReport fr = analyze_direction(a, b, {fault, t1});
  const Outage fwd = outage_of(fr, fault), rev = outage_of(analyze_direction(b, a, {fault, t1}), fault);
  const double tol = static_cast<double>(fr.resolution_ns() + 2 * kMs) / kMs;
  std::printf("  forward longest %.3f ms, loss %.3f ms, %lu bursts, recovery %.3f ms; reverse %lu bursts\n",
              fwd.outage_ms, fwd.loss_ms, static_cast<unsigned long>(fwd.bursts), fwd.recovery_ms,
              static_cast<unsigned long>(rev.bursts));
  EXPECT_EQ(fwd.bursts, 1u);
  EXPECT_GE(fwd.loss_ms, static_cast<double>(repair.before_ns - cut.after_ns) / kMs - tol);
  EXPECT_LE(fwd.loss_ms, static_cast<double>(repair.after_ns - cut.before_ns) / kMs + tol);
  // One burst: the same interruption, counted (loss) or timed on send
  // times (the longest gap), which differ by what the sender was late.
  EXPECT_NEAR(fwd.loss_ms, fwd.outage_ms, tol);
  EXPECT_TRUE(fwd.recovery_sustained);
  EXPECT_LE(fwd.recovery_ms, static_cast<double>(repair.after_ns - fault) / kMs + tol);
  EXPECT_EQ(rev.bursts, 0u);
  EXPECT_EQ(rev.loss_ms, 0);
  EXPECT_EQ(rev.outage_ms, 0);
  EXPECT_EQ(rev.recovery_ms, 0);
  EXPECT_FALSE(rev.first_lost_ms);
  EXPECT_FALSE(rev.last_lost_ms);
}

TEST_F(ProbePairTest, AStalledProbeIsNotLossAndDoesNotBurst) {
  start_probes(1000);
  std::this_thread::sleep_for(milliseconds(100));
  // Freeze A for ~100 ms: its sender misses ~100 deadlines, its receiver
  // stops reading (the socket buffer holds what arrives).
  const int64_t t0 = mono_ns();
  p_->signal(a_, SIGSTOP);
  std::this_thread::sleep_for(milliseconds(100));
  p_->signal(a_, SIGCONT);
  std::this_thread::sleep_for(milliseconds(200));
  const int64_t t1 = mono_ns();
  stop_probes();

  const ProbeLog a = read_probe_log(log_a()), b = read_probe_log(log_b());
  const TimeWindow w{t0, t1};
  const DirectionReport fwd = analyze_direction(a, b, w), rev = analyze_direction(b, a, w);
  EXPECT_THAT(fwd.runs, ::testing::IsEmpty());
  EXPECT_THAT(rev.runs, ::testing::IsEmpty());
  ASSERT_TRUE(fwd.max_lateness_ns);
  EXPECT_GE(*fwd.max_lateness_ns, 90 * kMs);  // the stall is visible as lateness
  EXPECT_GE(fwd.resolution_ns(), 91 * kMs);
  // After the stall: one send, then the schedule goes on from there: no
  // burst of the ~100 missed sends (at most one send per interval in the
  // next 10 ms, give or take the one in progress), and no seq skipped.
  size_t stall = 0;
  for (size_t i = 0; i < a.sent.size(); ++i) {
    if (a.sent[i].lateness_ns >= 90 * kMs) stall = i;
  }
  ASSERT_GT(stall, 0u);
  ASSERT_LT(stall + 20, a.sent.size());
  const int64_t resumed = a.sent[stall].tx_ns;
  const auto after = std::count_if(a.sent.begin(), a.sent.end(), [&](const SentProbe& s) {
    return s.tx_ns >= resumed && s.tx_ns < resumed + 10 * kMs;
  });
  EXPECT_LE(after, 11) << "burst after the stall";
  EXPECT_GE(after, 5);
  for (size_t i = 1; i < a.sent.size(); ++i) EXPECT_EQ(a.sent[i].seq, a.sent[i - 1].seq + 1);
  EXPECT_GE(a.counters.late_wakeups, 1u);
}

TEST_F(ProbePairTest, TheLogIsReadableWhileTheProbeRuns) {
  start_probes(1000);
  // Several looks at the live log: each time, what arrived up to 50 ms ago
  // (the flush period) is already in the file.
  for (int i = 0; i < 5; ++i) {
    const int64_t now = mono_ns();
    const ProbeLog b = read_probe_log(log_b());
    EXPECT_FALSE(b.ended);
    EXPECT_GT(b.covered_until_ns, now - 50 * kMs);
    ASSERT_FALSE(b.received.empty());
    EXPECT_GT(b.received.back().rx_ns, now - 50 * kMs);
    std::this_thread::sleep_for(milliseconds(37));
  }
  stop_probes();
  EXPECT_TRUE(read_probe_log(log_b()).ended);
}

TEST_F(ProbePairTest, AWriteErrorIsFatal) {
  ProbeOptions o = options(true, 1000, false);
  o.out = "/dev/full";  // every write fails with ENOSPC
  std::vector<std::string> argv = {NETLAB_PROBE_BINARY};
  for (auto& arg : probe_args(o)) argv.push_back(arg);
  const std::string err = tmp_ + "/full.stderr";
  const ProcessId id = p_->spawn({.ns = ns_a_, .argv = argv, .log_path = err});
  probes_.push_back(id);
  ASSERT_TRUE(p_->wait_gone(id, milliseconds(5000)));
  EXPECT_EQ(p_->exit_status(id), (ExitStatus{.code = 1}));
  EXPECT_THAT(read_text(err), ::testing::HasSubstr("write /dev/full: No space left on device"));
}

TEST_F(ProbePairTest, SendErrorsAreCountedNotFatal) {
  // No route to the peer at all: every sendto fails (ENETUNREACH), and the
  // probe keeps going and says so.
  ProbeOptions o = options(true, 1000, false);
  o.peer_addr = *Ipv4::parse("10.99.0.1");
  std::vector<std::string> argv = {NETLAB_PROBE_BINARY};
  for (auto& arg : probe_args(o)) argv.push_back(arg);
  const ProcessId id = p_->spawn({.ns = ns_a_, .argv = argv, .log_path = o.out + ".stderr"});
  probes_.push_back(id);
  ASSERT_TRUE(
      eventually([&] { return fs::exists(o.out) && read_probe_log(o.out).sent.size() >= 20; }));
  EXPECT_TRUE(p_->alive(id));
  ASSERT_TRUE(p_->stop(id, milliseconds(3000)));
  EXPECT_EQ(p_->exit_status(id), ExitStatus{});
  const ProbeLog log = read_probe_log(o.out);
  EXPECT_EQ(log.counters.sent, 0u);
  EXPECT_EQ(log.counters.send_errors, log.sent.size());
  for (const SentProbe& s : log.sent) EXPECT_EQ(s.error, ENETUNREACH);
}

}  // namespace
}  // namespace netlab::measure
