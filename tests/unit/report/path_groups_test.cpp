// Path-dependent outcomes: a scenario's trials grouped by the path the probe
// took before the fault, in every form of the report, and what cover_paths
// could not do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "netlab/process/command.h"
#include "netlab/report/html.h"
#include "netlab/report/report.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

namespace fs = std::filesystem;
using namespace scenario;

Trial started_on(int index, const std::string& tunnel, double outage) {
  Trial t;
  t.index = index;
  t.path_before = {"server-cgw", tunnel, "vgw-app"};
  t.path = {"vpn1-t2"};
  t.forward.outage_ms = outage;
  t.forward.loss_ms = outage;
  t.forward.recovery_ms = outage + 1000;
  t.reverse.outage_ms = 71;
  t.convergence_ms = outage;
  return t;
}

// The run the issue describes: two trials began on tunnel 1 (lost with the
// AZ: the BGP hold decides), three on tunnel 2 (only the reverse moved).
RunResult two_paths() {
  RunResult r;
  r.lab = "vpntwo";
  r.topology = "topologies/vpn-two-tunnels.toml";
  ScenarioResult s;
  s.name = "az-lost";
  s.fault = "domain az=use1-az1";
  s.hold_s = 36;
  s.trials = {started_on(1, "vpn1-t1", 26758), started_on(2, "vpn1-t2", 71), started_on(3, "vpn1-t1", 26790),
              started_on(4, "vpn1-t2", 70), started_on(5, "vpn1-t2", 71)};
  s.cover = PathCover{{"cgw: vpn1-t1", "cgw: vpn1-t2"}, {{"vgw: vpn-az2-vgw", "the tie is broken by router ID"}}, ""};
  topology::Expect e;
  e.max_outage_ms = 31000;
  evaluate(e, s);
  r.scenarios.push_back(s);
  return r;
}

std::string temp(const std::string& name) {
  return (fs::temp_directory_path() / ("netlab-paths-" + std::to_string(::getpid()) + "-" + name)).string();
}

TEST(PathGroups, TrialsAreGroupedByThePathBeforeTheFault) {
  auto groups = two_paths().scenarios[0].path_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].label, "vpn1-t1");
  EXPECT_EQ(groups[0].trials, (std::vector<int>{1, 3}));
  EXPECT_EQ(groups[0].stats.at("outage_ms").max, 26790);
  EXPECT_EQ(groups[0].stats.at("recovery_ms").max, 27790);
  EXPECT_EQ(groups[1].label, "vpn1-t2");
  EXPECT_EQ(groups[1].trials, (std::vector<int>{2, 4, 5}));
  EXPECT_EQ(groups[1].stats.at("outage_ms").max, 71);
  EXPECT_EQ(groups[1].stats.at("loss_ms").p50, 71);
}

TEST(PathGroups, OnePathMakesNoGroups) {
  ScenarioResult s;
  s.trials = {started_on(1, "vpn1-t1", 100), started_on(2, "vpn1-t1", 200)};
  EXPECT_TRUE(s.path_groups().empty());
  EXPECT_EQ(path_groups_line(s), "");
  EXPECT_EQ(table(RunResult{.scenarios = {s}}).find("before on"), std::string::npos);
}

TEST(PathGroups, AGroupOnlyOnSharedLinksIsLabelledWithWholePaths) {
  // One direction on t1 always (an ECMP hash), the other on t1 or t2.
  ScenarioResult s;
  s.trials = {started_on(1, "t1", 10), started_on(2, "t1", 20)};
  s.trials[1].path_before.push_back("t2");
  auto groups = s.path_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].label, "server-cgw,t1,vgw-app");
  EXPECT_EQ(groups[1].label, "server-cgw,t1,t2,vgw-app");
}

TEST(PathGroups, TheTableNamesEachStartingPathWithItsRange) {
  const std::string t = table(two_paths());
  EXPECT_NE(t.find("before on vpn1-t1: 26.8 s (2 trials); before on vpn1-t2: 71 ms (3 trials)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("cover_paths: could not make vgw: vpn-az2-vgw the active path: the tie is broken by router ID"),
            std::string::npos)
      << t;
}

TEST(PathGroups, ReportJsonCarriesTheGroupsAndMatchesTheSchema) {
  auto j = to_json(two_paths());
  const auto& s = j["scenarios"][0];
  ASSERT_EQ(s["path_groups"].size(), 2u);
  EXPECT_EQ(s["path_groups"][0]["label"], "vpn1-t1");
  EXPECT_EQ(s["path_groups"][0]["trials"], nlohmann::json({1, 3}));
  EXPECT_EQ(s["path_groups"][1]["stats"]["outage_ms"]["max"], 71.0);
  EXPECT_EQ(s["cover_paths"]["not_active"][0]["alternative"], "vgw: vpn-az2-vgw");
  EXPECT_EQ(netlab::testing::schema_errors(j), "");
  // Read back (as a merge does): the groups come again from the trials, and
  // what cover_paths did is kept.
  auto back = from_json(j);
  EXPECT_EQ(back.scenarios[0].path_groups().size(), 2u);
  ASSERT_TRUE(back.scenarios[0].cover);
  EXPECT_EQ(back.scenarios[0].cover->not_active.size(), 1u);
  EXPECT_EQ(to_json(back)["scenarios"][0]["path_groups"], s["path_groups"]);
}

TEST(PathGroups, JunitAndHtmlNameTheGroups) {
  const std::string xml = junit(two_paths());
  EXPECT_NE(xml.find("<system-out>before on vpn1-t1: 26.8 s (2 trials); before on vpn1-t2"), std::string::npos) << xml;
  const std::string f = temp("junit.xml");
  write_file(f, xml);
  auto v = process::run_command({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(NETLAB_SOURCE_DIR) + "/docs/junit.xsd", f});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  fs::remove(f);
  const std::string page = html(to_json(two_paths()));
  EXPECT_NE(page.find("By path before the fault"), std::string::npos);
  EXPECT_NE(page.find("data-path=\"vpn1-t1\""), std::string::npos);
  EXPECT_NE(page.find("cover_paths could not make vgw: vpn-az2-vgw the active path"), std::string::npos);
}

TEST(PathGroups, TheCatalogueTableShowsTheRangeOverStartingPaths) {
  const std::string md = markdown_summary({to_json(two_paths())});
  EXPECT_NE(md.find("| 71-26790 ms; by path before: vpn1-t1 26790, vpn1-t2 71 |"), std::string::npos) << md;
  const std::string text = text_summary({to_json(two_paths())});
  EXPECT_NE(text.find("71-26790 ms; by path before"), std::string::npos) << text;
}

}  // namespace
}  // namespace netlab::report
