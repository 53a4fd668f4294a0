// Labs with different names run side by side without touching each other:
// two labs are up while a third is built, has its core link cut by
// `netlab run --scenario` (netlab's own fault path), and is torn down. The
// two others see nothing of it: their namespaces keep their identities,
// their BGP sessions stay Established, their FRR logs record no BFD or BGP
// state change, and a 1 kHz probe between their hosts (netlab-probe, each
// way) loses nothing. A lab whose name is in use cannot be started a second
// time.
#include <gmock/gmock.h>

#include <regex>

#include "lifecycle_fixture.h"
#include "netlab/lab/frr.h"
#include "netlab/measure/frr_events.h"
#include "netlab/measure/probe.h"
#include "support/test_util.h"

namespace netlab::cli::testing {
namespace {

using ::testing::HasSubstr;

using ::netlab::testing::mono_ns;

// A probe pair of a lab: h1 and h2 each send to the other every ms.
struct ProbePair {
  Child h1, h2;
  std::string log_h1, log_h2;
};

TEST_F(LifecycleTest, ThreeLabsSideBySide) {
  const std::string a = lab_name('a'), b = lab_name('b'), c = lab_name('c');
  const std::string file_a = topology(a), file_b = topology(b), file_c = topology(c);

  // Two labs brought up at the same time.
  Child up_a = start({"up", file_a});
  Child up_b = start({"up", file_b});
  for (auto [lab, up] : {std::pair{a, &up_a}, std::pair{b, &up_b}}) {
    auto rc = up->wait();
    if (rc != 0 && known_flake(up->err())) rc = up_until(lab, {}).status;  // once more, alone
    ASSERT_EQ(rc, 0) << up->err();
  }

  // A name in use is refused, and the running lab is left as it was.
  Result again = netlab({"up", file_a});
  EXPECT_EQ(again.status, 2) << again.err;
  EXPECT_THAT(again.err, HasSubstr("lab \"" + a + "\" is in use"));
  Result ls = netlab({"ls"});
  EXPECT_EQ(ls.status, 0);
  EXPECT_THAT(ls.out, ::testing::ContainsRegex(a + " +up "));
  EXPECT_THAT(ls.out, ::testing::ContainsRegex(b + " +up "));
  Result status = netlab({"status", a});
  EXPECT_EQ(status.status, 0) << status.err;
  std::smatch running;
  ASSERT_TRUE(std::regex_search(status.out, running,
                                std::regex(R"(([0-9]+) of ([0-9]+) processes running)")))
      << status.out;
  EXPECT_EQ(running[1], running[2]) << status.out;
  EXPECT_THAT(status.out, ::testing::ContainsRegex("core +lan +r1 <-> r2 +Established"));

  // BFD comes up after BGP (which is what "converged" waits for): wait for
  // it, so that from here on a and b have no reason to change state.
  for (const auto& lab : {a, b})
    for (const auto& r : {"r1", "r2"})
      EXPECT_TRUE(eventually(
          [&] {
            Result v = netlab({"vtysh", lab, r, "-c", "show bfd peers json"}, seconds(30));
            return v.status == 0 && v.out.find("\"status\":\"up\"") != std::string::npos;
          },
          seconds(20)))
          << "BFD never came up in " << lab << " " << r;

  // What a and b will be compared against.
  std::map<std::string, std::optional<kernel::NetnsId>> ids;
  for (const auto& lab : {a, b})
    for (const auto& n : lab_namespaces(lab)) ids[n] = kernel::netns_stat(n);
  ASSERT_EQ(ids.size(), 10u);
  std::vector<measure::FrrLogTail> logs;
  for (const auto& lab : {a, b})
    for (const auto& r : {"r1", "r2"}) {
      logs.emplace_back(lab_dir(lab) + "/nodes/" + r + "/frr/frr.log");
      logs.back().skip_to_end();
    }
  // Probes in a and b, started with `netlab exec` (not journaled: they are
  // the kind of process `netlab down` must find inside a lab's namespaces).
  std::map<std::string, ProbePair> probes;
  for (const auto& lab : {a, b}) {
    ProbePair& p = probes[lab];
    p.log_h1 = tmp_ + "/" + lab + "-h1.probe";
    p.log_h2 = tmp_ + "/" + lab + "-h2.probe";
    p.h1 = start({"exec", lab, "h1", "--", NETLAB_PROBE_BINARY, "--bind", "10.1.0.1:47100",
                  "--peer", "10.2.0.2:47100", "--interval-us", "1000", "--out", p.log_h1,
                  "--stream-id", "1", "--peer-stream-id", "2"});
    p.h2 = start({"exec", lab, "h2", "--", NETLAB_PROBE_BINARY, "--bind", "10.2.0.2:47100",
                  "--peer", "10.1.0.1:47100", "--interval-us", "1000", "--out", p.log_h2,
                  "--stream-id", "2", "--peer-stream-id", "1"});
  }
  for (auto& [lab, p] : probes)
    ASSERT_TRUE(eventually(
        [&] {
          try {
            return !measure::read_probe_log(p.log_h1).received.empty() &&
                   !measure::read_probe_log(p.log_h2).received.empty();
          } catch (const std::exception&) {
            return false;
          }
        },
        seconds(10)))
        << "the probes of " << lab << " do not get through: " << p.h1.err() << p.h2.err();
  const int64_t t_begin = mono_ns();

  // Lab c: up, cut, repair, down, by netlab's own fault path.
  Result run_c =
      netlab({"run", file_c, "--scenario", "core-cut", "--jobs", "1", "--out", tmp_ + "/out-c"}, seconds(120));
  if (run_c.status == 4 && known_flake(run_c.err))
    run_c =
        netlab({"run", file_c, "--scenario", "core-cut", "--jobs", "1", "--out", tmp_ + "/out-c"}, seconds(120));
  EXPECT_TRUE(run_c.status == 0 || run_c.status == 1) << run_c.err;
  EXPECT_THAT(run_c.out, HasSubstr("core-cut: cut core"));
  const int64_t t_end = mono_ns();
  Snapshot none;
  expect_gone(c, none);

  // a and b: the same namespaces, no BFD or BGP event, every session up.
  for (const auto& [n, id] : ids) EXPECT_EQ(kernel::netns_stat(n), id) << n;
  for (auto& log : logs) {
    auto events = log.read_new();
    EXPECT_TRUE(events.empty()) << events.size() << " state changes, first " << events.front().kind
                                << " " << events.front().peer;
  }
  for (const auto& lab : {a, b}) {
    for (const auto& r : {"r1", "r2"}) {
      Result v = netlab({"vtysh", lab, r, "-c", "show bgp summary json"}, seconds(30));
      ASSERT_EQ(v.status, 0) << v.err;
      auto peers = lab::parse_bgp_summary(v.out);
      EXPECT_EQ(peers.size(), 2u) << lab << " " << r;
      for (const auto& [peer, state] : peers)
        EXPECT_EQ(state, "Established") << lab << " " << r << " " << peer;
    }
  }
  // Every probe sent while c lived arrived, both ways.
  for (auto& [lab, p] : probes) {
    for (Child* c : {&p.h1, &p.h2}) {
      ::kill(c->pid, SIGTERM);
      EXPECT_EQ(c->wait(seconds(10)), 0) << c->err();
    }
    auto h1 = measure::read_probe_log(p.log_h1), h2 = measure::read_probe_log(p.log_h2);
    measure::TimeWindow window{t_begin, t_end};
    for (auto [from, to] : {std::pair{&h1, &h2}, std::pair{&h2, &h1}}) {
      auto d = measure::analyze_direction(*from, *to, window);
      EXPECT_GT(d.sent, 5000u) << lab << ": lab c lived " << (t_end - t_begin) / 1'000'000 << " ms";
      EXPECT_EQ(d.lost, 0u) << lab << ": " << d.lost << " of " << d.sent << " probes lost";
    }
  }
}

}  // namespace
}  // namespace netlab::cli::testing
