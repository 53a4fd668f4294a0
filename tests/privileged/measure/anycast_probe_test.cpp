// netlab-probe against an anycast service, end to end: a client in echo
// mode and two reflecting instances holding one service address, in three
// namespaces the test makes (the client linked to each instance). Routing
// moves the service from one instance to the other; blackholes made with
// nftables on one direction at a time must show up in that direction's
// figure only, with their real duration (probe.h, "Anycast probes").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "netlab/base/error.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"
#include "netlab/process/processes.h"
#include "support/test_util.h"

namespace netlab::measure {
namespace {

namespace fs = std::filesystem;
using process::ExitStatus;
using process::Processes;
using process::ProcessId;
using process::ProcessSpec;
using std::chrono::milliseconds;

constexpr int64_t kMs = 1'000'000;
constexpr const char* kService = "10.78.9.9";

using ::netlab::testing::mono_ns;

using ::netlab::testing::read_text;

// The instants right before a command started and right after it ended:
// the real change lies between them.
struct Bracket {
  int64_t before_ns = 0, after_ns = 0;
};

class AnycastProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!fs::exists(NETLAB_PROBE_BINARY)) GTEST_SKIP() << NETLAB_PROBE_BINARY << " not built";
    const std::string prefix = "nl-ac" + std::to_string(::getpid());
    client_ = prefix + "-c";
    inst_ = {prefix + "-1", prefix + "-2"};
    char tmpl[] = "/tmp/nl-ac-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    for (const auto& ns : {client_, inst_[0], inst_[1]}) {
      run_ok({"/usr/sbin/ip", "netns", "add", ns});
      namespaces_.push_back(ns);
      run_ok({"/usr/sbin/ip", "-n", ns, "link", "set", "lo", "up"});
    }
    // client:i1 10.78.0.1 <-> 10.78.0.2 i1 ; client:i2 10.78.0.5 <-> 10.78.0.6 i2
    for (int i = 0; i < 2; ++i) {
      const std::string c = "10.78.0." + std::to_string(1 + 4 * i), s = "10.78.0." + std::to_string(2 + 4 * i);
      const std::string dev = "i" + std::to_string(i + 1);
      run_ok({"/usr/sbin/ip", "link", "add", dev, "netns", client_, "type", "veth", "peer", "name", "c",
              "netns", inst_[i]});
      run_ok({"/usr/sbin/ip", "-n", client_, "addr", "add", c + "/30", "dev", dev});
      run_ok({"/usr/sbin/ip", "-n", inst_[i], "addr", "add", s + "/30", "dev", "c"});
      run_ok({"/usr/sbin/ip", "-n", client_, "link", "set", dev, "up"});
      run_ok({"/usr/sbin/ip", "-n", inst_[i], "link", "set", "c", "up"});
      run_ok({"/usr/sbin/ip", "-n", inst_[i], "addr", "add", std::string(kService) + "/32", "dev", "lo"});
      // Reflections go back to the client's probe address over this link.
      if (i == 1) run_ok({"/usr/sbin/ip", "-n", inst_[i], "route", "add", "10.78.0.1/32", "via", c});
    }
    route_service_to(0);
  }

  void TearDown() override {
    for (const auto& id : probes_) {
      try {
        p_->stop(id, milliseconds(2000));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "stop probe: " << e.what();
      }
    }
    for (const auto& ns : namespaces_) {
      const ProcessId id =
          p_->spawn({.argv = {"/usr/sbin/ip", "netns", "del", ns}, .log_path = tmp_ + "/teardown.log"});
      EXPECT_TRUE(p_->wait_gone(id, milliseconds(10000)));
    }
    if (!tmp_.empty()) fs::remove_all(tmp_);
  }

  Bracket run_ok(std::vector<std::string> argv) {
    const std::string what = ProcessSpec{.argv = argv}.str();
    const std::string log = tmp_ + "/fixture.log";
    Bracket b;
    b.before_ns = mono_ns();
    const ProcessId id = p_->spawn({.argv = std::move(argv), .log_path = log});
    EXPECT_TRUE(p_->wait_gone(id, milliseconds(10000))) << what;
    b.after_ns = mono_ns();
    EXPECT_EQ(p_->exit_status(id), ExitStatus{}) << what << ": " << read_text(log);
    return b;
  }

  Bracket route_service_to(int i) {
    return run_ok({"/usr/sbin/ip", "-n", client_, "route", "replace", std::string(kService) + "/32", "via",
                   "10.78.0." + std::to_string(2 + 4 * i)});
  }

  // Drops everything arriving on `dev` in `ns` (netdev ingress), or stops.
  Bracket drop(const std::string& ns, const std::string& dev, bool on) {
    const std::string cmd =
        on ? "add table netdev nl_ac { chain in { type filter hook ingress device \"" + dev +
                 "\" priority -500; policy drop; }; }"
           : "delete table netdev nl_ac";
    return run_ok({"/usr/sbin/ip", "netns", "exec", ns, "/usr/sbin/nft", cmd});
  }

  void start(int64_t interval_us) {
    const Ipv4 client = *Ipv4::parse("10.78.0.1"), service = *Ipv4::parse(kService);
    for (int i = 0; i < 2; ++i) {
      ProbeOptions o{.bind_addr = service, .bind_port = 4000, .peer_addr = client, .peer_port = 4000,
                     .interval_ns = interval_us * 1000, .out = tmp_ + "/inst" + std::to_string(i + 1) + ".log",
                     .stream_id = uint32_t(i + 1), .peer_stream_id = 1, .mode = ProbeMode::kReflect,
                     .realtime = true};
      spawn(inst_[i], o);
    }
    ProbeOptions c{.bind_addr = client, .bind_port = 4000, .peer_addr = service, .peer_port = 4000,
                   .interval_ns = interval_us * 1000, .out = tmp_ + "/client.log", .stream_id = 1,
                   .mode = ProbeMode::kEcho, .realtime = true};
    spawn(client_, c);
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
    while (!fs::exists(tmp_ + "/client.log") || read_probe_log(tmp_ + "/client.log").echoed.empty()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << read_text(tmp_ + "/client.log.stderr");
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  void spawn(const std::string& ns, const ProbeOptions& o) {
    std::vector<std::string> argv = {NETLAB_PROBE_BINARY};
    for (auto& a : probe_args(o)) argv.push_back(a);
    probes_.push_back(p_->spawn({.ns = ns, .argv = argv, .log_path = o.out + ".stderr"}));
  }

  void stop() {
    for (const auto& id : probes_) {
      ASSERT_TRUE(p_->stop(id, milliseconds(3000)));
      EXPECT_EQ(p_->exit_status(id), ExitStatus{});
    }
    probes_.clear();
    client_log_ = read_probe_log(tmp_ + "/client.log");
    instance_logs_ = {read_probe_log(tmp_ + "/inst1.log"), read_probe_log(tmp_ + "/inst2.log")};
    ASSERT_TRUE(client_log_.ended && instance_logs_[0].ended && instance_logs_[1].ended);
  }

  // A run that is the blackhole: within one interval + 2 ms of it.
  static void expect_run_matches(const DirectionReport& r, const Bracket& cut, const Bracket& repair,
                                 const char* what) {
    ASSERT_EQ(r.runs.size(), 1u) << what;
    const LossRun& run = r.runs[0];
    const int64_t tol = r.interval_ns + 2 * kMs;
    std::printf("  %s: %s (real %.3f..%.3f ms)\n", what, run.str().c_str(),
                double(repair.before_ns - cut.after_ns) / 1e6, double(repair.after_ns - cut.before_ns) / 1e6);
    EXPECT_FALSE(run.open) << what;
    EXPECT_GE(run.duration_ns(), repair.before_ns - cut.after_ns - tol) << what;
    EXPECT_LE(run.duration_ns(), repair.after_ns - cut.before_ns + tol) << what;
    EXPECT_GE(run.start_ns, cut.before_ns - tol) << what;
    EXPECT_LE(run.end_ns, repair.after_ns + tol) << what;
  }

  std::unique_ptr<Processes> p_ = process::make_processes();
  std::string client_, tmp_;
  std::vector<std::string> inst_, namespaces_;
  std::vector<ProcessId> probes_;
  ProbeLog client_log_;
  std::vector<ProbeLog> instance_logs_;
};

TEST_F(AnycastProbeTest, TheServiceMovesBetweenInstancesAndEachServesItsShare) {
  start(1000);
  std::this_thread::sleep_for(milliseconds(300));
  const Bracket moved = route_service_to(1);
  std::this_thread::sleep_for(milliseconds(300));
  stop();
  const TimeWindow before{moved.before_ns - 250 * kMs, moved.before_ns};
  const TimeWindow after{moved.after_ns + 10 * kMs, moved.after_ns + 260 * kMs};
  auto b = served_by(instance_logs_, before), a = served_by(instance_logs_, after);
  EXPECT_GE(b[0], 240u);
  EXPECT_EQ(b[1], 0u);
  EXPECT_EQ(a[0], 0u);
  EXPECT_GE(a[1], 240u);
  // Both instances reflected; the client knows which answered.
  EXPECT_FALSE(instance_logs_[0].reflected.empty());
  EXPECT_FALSE(instance_logs_[1].reflected.empty());
  EXPECT_EQ(client_log_.echoed.front().instance, 1u);
  EXPECT_EQ(client_log_.echoed.back().instance, 2u);
  const TimeWindow all{moved.before_ns - 250 * kMs, moved.after_ns + 260 * kMs};
  // Moving a route loses nothing here: no run either way.
  EXPECT_THAT(analyze_anycast_forward(client_log_, instance_logs_, all).runs, ::testing::IsEmpty());
  EXPECT_THAT(analyze_anycast_reverse(client_log_, instance_logs_, all).runs, ::testing::IsEmpty());
}

TEST_F(AnycastProbeTest, AReverseBlackholeIsReverseLossOnly) {
  start(1000);
  route_service_to(1);
  std::this_thread::sleep_for(milliseconds(300));
  const Bracket cut = drop(client_, "i2", true);  // reflections from instance 2 lost
  std::this_thread::sleep_for(milliseconds(200));
  const Bracket repair = drop(client_, "i2", false);
  std::this_thread::sleep_for(milliseconds(300));
  stop();
  const TimeWindow w{cut.before_ns - 200 * kMs, repair.after_ns + 200 * kMs};
  const DirectionReport fwd = analyze_anycast_forward(client_log_, instance_logs_, w);
  const DirectionReport rev = analyze_anycast_reverse(client_log_, instance_logs_, w);
  EXPECT_THAT(fwd.runs, ::testing::IsEmpty());
  expect_run_matches(rev, cut, repair, "reverse");
  EXPECT_EQ(rev.lost, rev.runs[0].lost);
}

TEST_F(AnycastProbeTest, AForwardBlackholeIsForwardLossOnly) {
  start(1000);
  route_service_to(1);
  std::this_thread::sleep_for(milliseconds(300));
  const Bracket cut = drop(inst_[1], "c", true);  // probes to instance 2 lost
  std::this_thread::sleep_for(milliseconds(200));
  const Bracket repair = drop(inst_[1], "c", false);
  std::this_thread::sleep_for(milliseconds(300));
  stop();
  const TimeWindow w{cut.before_ns - 200 * kMs, repair.after_ns + 200 * kMs};
  const DirectionReport fwd = analyze_anycast_forward(client_log_, instance_logs_, w);
  const DirectionReport rev = analyze_anycast_reverse(client_log_, instance_logs_, w);
  expect_run_matches(fwd, cut, repair, "forward");
  // Nothing arrived, so nothing was reflected and nothing is reverse loss.
  EXPECT_THAT(rev.runs, ::testing::IsEmpty());
  EXPECT_EQ(rev.lost, 0u);
}

}  // namespace
}  // namespace netlab::measure
