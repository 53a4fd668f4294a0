// cover_paths on the fakes: finding the routers whose choice between equal
// paths history decides, making each path the active one by resetting the
// other sessions, and spreading the trials over the starting paths.
#include "netlab/scenario/paths.h"

#include <gtest/gtest.h>

#include "support/fake_control.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeControl;

class Paths : public ::testing::Test {
 protected:
  void SetUp() override {
    probe_ = *topo_.lab.probe;
    server_ = plan_.node("server")->ifaces.front().address.addr.str();
    app_ = plan_.node("app")->ifaces.front().address.addr.str();
    for (const auto& s : plan_.sessions) {
      if (s.over == "t1") cgw_t1_ = s.a_addr.str(), vpn_t1_ = s.b_addr.str();
      if (s.over == "t2") cgw_t2_ = s.a_addr.str(), vpn_t2_ = s.b_addr.str();
      if (s.over == "vpn-vgw") vpn_lan_ = s.a_addr.str(), vgw_lan_ = s.b_addr.str();
    }
    // Forward (to app): cgw ties t1/t2, vpn has one path from vgw, vgw
    // originates. Reverse (to server): vgw has one path from vpn, vpn ties.
    control_.bgp_routes["vgw " + app_] = {local()};
    control_.bgp_routes["vpn " + app_] = {ibgp(vgw_lan_)};
    control_.bgp_routes["vgw " + server_] = {ibgp(vpn_lan_)};
    control_.bgp_routes["cgw " + server_] = {local()};
    set_best("cgw " + app_, vpn_t1_, vpn_t2_);
    set_best("vpn " + server_, cgw_t1_, cgw_t2_);
  }

  static lab::BgpPath local() { return {.peer = "0.0.0.0", .best = true, .reason = "Local Route"}; }
  static lab::BgpPath ibgp(const std::string& peer) { return {.peer = peer, .best = true, .reason = "First path received"}; }
  // Two equal external paths, `best` the older one.
  void set_best(const std::string& key, const std::string& best, const std::string& other, bool ecmp = false) {
    control_.bgp_routes[key] = {
        {.peer = best, .best = true, .multipath = ecmp, .external = true, .reason = "Older Path", .as_path_length = 1},
        {.peer = other, .multipath = ecmp, .external = true, .as_path_length = 1}};
  }
  // A reset session's paths come back younger: the other one becomes best.
  void reset_moves_paths() {
    control_.on_call = [this](const std::string& line) {
      if (line == "bgp-clear cgw " + vpn_t1_) set_best("cgw " + app_, vpn_t2_, vpn_t1_);
      if (line == "bgp-clear cgw " + vpn_t2_) set_best("cgw " + app_, vpn_t1_, vpn_t2_);
      if (line == "bgp-clear vpn " + cgw_t1_) set_best("vpn " + server_, cgw_t2_, cgw_t1_);
      if (line == "bgp-clear vpn " + cgw_t2_) set_best("vpn " + server_, cgw_t1_, cgw_t2_);
    };
  }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/two-paths.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  topology::Probe probe_;
  FakeClock clock_;
  FakeControl control_{clock_};
  std::string server_, app_, cgw_t1_, vpn_t1_, cgw_t2_, vpn_t2_, vpn_lan_, vgw_lan_;
};

TEST_F(Paths, FindsTheRoutersWhereHistoryDecidesInEachDirection) {
  auto s = survey_paths(control_, plan_, probe_);
  ASSERT_EQ(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[0].router, "cgw");
  EXPECT_EQ(s.choices[0].address, app_);
  EXPECT_EQ(s.choices[1].router, "vpn");
  EXPECT_EQ(s.choices[1].address, server_);
  ASSERT_EQ(s.choices[1].alternatives.size(), 2u);
  EXPECT_EQ(s.choices[1].alternatives[0].over, "t1");
  EXPECT_EQ(s.choices[1].alternatives[0].peer, cgw_t1_);
  EXPECT_EQ(s.starts(), 2u);
  EXPECT_EQ(s.name(0), "cgw: t1, vpn: t1");
  EXPECT_EQ(s.name(1), "cgw: t2, vpn: t2");
  EXPECT_EQ(s.name(2), s.name(0));
  EXPECT_TRUE(s.notes.empty());
}

TEST_F(Paths, EcmpAndFixedTieBreaksAreLeftAloneAndNamed) {
  set_best("cgw " + app_, vpn_t1_, vpn_t2_, true);
  control_.bgp_routes["vpn " + server_][0].reason = "Router ID";
  for (auto& p : control_.bgp_routes["vpn " + server_]) p.external = false;  // iBGP: the router ID is fixed
  auto s = survey_paths(control_, plan_, probe_);
  EXPECT_TRUE(s.choices.empty());
  EXPECT_EQ(s.starts(), 1u);
  ASSERT_EQ(s.notes.size(), 2u);
  EXPECT_EQ(s.notes[0], "cgw spreads the probe to " + app_ + " over t1, t2 (ECMP: a hash of the flow decides, not history)");
  EXPECT_EQ(s.notes[1], "vpn chooses between t1, t2 by Router ID (fixed, not history)");
}

TEST_F(Paths, PathsThatCameAtOnceAreDecidedByHistoryToo) {
  // At bring-up both sessions to one router come up in one best-path run:
  // FRR falls through to the neighbour's address, until a reset ages them.
  control_.bgp_routes["cgw " + app_][0].reason = "Neighbor IP";
  control_.bgp_routes["vpn " + server_][0].reason = "Router ID";
  EXPECT_EQ(survey_paths(control_, plan_, probe_).choices.size(), 2u);
}

TEST_F(Paths, APathTiedOnLessIsNoAlternative) {
  control_.bgp_routes["vpn " + server_][1].as_path_length = 3;  // prepended: policy decides
  auto s = survey_paths(control_, plan_, probe_);
  ASSERT_EQ(s.choices.size(), 1u);
  EXPECT_EQ(s.choices[0].router, "cgw");
}

TEST_F(Paths, MakesAnAlternativeActiveByResettingTheOthersSessions) {
  reset_moves_paths();
  auto s = survey_paths(control_, plan_, probe_);
  control_.clear();
  EXPECT_EQ(make_active(control_, s, 0, std::chrono::seconds(60)), "");
  EXPECT_TRUE(control_.ops().empty()) << "t1 is active already: nothing to reset";
  EXPECT_EQ(make_active(control_, s, 1, std::chrono::seconds(60)), "");
  EXPECT_EQ(control_.ops(), (std::vector<std::string>{"bgp-clear cgw " + vpn_t1_, "bgp-clear vpn " + cgw_t1_,
                                                       "wait-converged 60000ms"}));
  EXPECT_EQ(control_.bgp_routes["cgw " + app_][0].peer, vpn_t2_);
}

TEST_F(Paths, SaysWhyAnAlternativeCouldNotBeMadeActive) {
  auto s = survey_paths(control_, plan_, probe_);  // resets change nothing here
  const std::string why = make_active(control_, s, 1, std::chrono::seconds(60));
  EXPECT_EQ(why, "cgw still prefers " + vpn_t1_ + " (Older Path) after its sessions with " + vpn_t1_ +
                     " were reset; vpn still prefers " + cgw_t1_ + " (Older Path) after its sessions with " + cgw_t1_ +
                     " were reset");
}

Trial trial_on(int index, std::vector<std::string> before) {
  Trial t;
  t.index = index;
  t.path_before = std::move(before);
  return t;
}

TEST_F(Paths, TrialsGoRoundRobinAndAtLeastOnePerStartingPath) {
  reset_moves_paths();
  std::vector<int> numbers{1};
  PathCoverage cover(control_, plan_, probe_, 1, numbers, std::chrono::seconds(60));
  EXPECT_EQ(numbers, (std::vector<int>{1, 2}));
  EXPECT_EQ(cover.result().alternatives, (std::vector<std::string>{"cgw: t1, vpn: t1", "cgw: t2, vpn: t2"}));
  EXPECT_EQ(cover.result().note, "1 trial asked for 2 starting paths: ran 2, one per starting path");
  control_.clear();
  cover.before(1);
  EXPECT_TRUE(control_.ops().empty());
  cover.after(trial_on(1, {"t1", "vpn-vgw"}));
  cover.before(2);
  EXPECT_EQ(control_.ops().size(), 3u);
  // The trial started elsewhere all the same: named, with what it started on.
  cover.after(trial_on(2, {"t1", "vpn-vgw"}));
  ASSERT_EQ(cover.result().not_active.size(), 1u);
  EXPECT_EQ(cover.result().not_active[0].first, "cgw: t2, vpn: t2");
  EXPECT_EQ(cover.result().not_active[0].second, "trial 2 started on t1,vpn-vgw, not on t2, t2");
}

TEST_F(Paths, AShardCoversOnlyItsTrials) {
  std::vector<int> numbers{1};  // trial 1 of 1, but another shard's
  PathCoverage cover(control_, plan_, probe_, 2, numbers, std::chrono::seconds(60));
  EXPECT_EQ(numbers, (std::vector<int>{1}));
  EXPECT_EQ(cover.result().note, "");
}

TEST_F(Paths, NothingToCoverIsSaid) {
  control_.bgp_routes["cgw " + app_].resize(1);
  control_.bgp_routes["vpn " + server_].resize(1);
  std::vector<int> numbers{1, 2};
  PathCoverage cover(control_, plan_, probe_, 2, numbers, std::chrono::seconds(60));
  EXPECT_TRUE(cover.result().alternatives.empty());
  EXPECT_EQ(cover.result().note, "no router of the probe's way holds equal paths that history decides");
  control_.clear();
  cover.before(1);
  EXPECT_TRUE(control_.ops().empty());
}

}  // namespace
}  // namespace netlab::scenario
