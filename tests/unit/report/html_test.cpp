// The pictures of a run: the SVG builders rendered from fixed report data
// (tests/data/report/sample-report.json) against golden files, every SVG and
// page well-formed XML (libxml2), marks and bars that say exactly what
// report.json says, and every topology of topologies/ drawn with one node
// element per node.
//
// NETLAB_UPDATE_GOLDEN=1 rewrites the golden files from the current output
// (then review the difference before committing it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "netlab/report/html.h"
#include "netlab/topology/loader.h"
#include "support/test_util.h"
#include "support/xml.h"

namespace netlab::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using netlab::testing::attr;
using netlab::testing::has_class;
using netlab::testing::parse_xml;
using netlab::testing::read_text;

const std::string kData = std::string(NETLAB_TEST_DATA) + "/report";

json sample() { return json::parse(read_text(kData + "/sample-report.json")); }

topology::Topology small() {
  auto r = topology::load_and_validate(std::string(NETLAB_TEST_DATA) + "/lab/small.toml");
  EXPECT_TRUE(r.ok()) << r.render();
  return *r.topology;
}

void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = kData + "/golden/" + name;
  if (std::getenv("NETLAB_UPDATE_GOLDEN")) {
    fs::create_directories(kData + "/golden");
    std::ofstream(path) << text;
  }
  std::string want = read_text(path);
  ASSERT_FALSE(want.empty()) << path << " is missing (NETLAB_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(text, want) << name << " differs from its golden file " << path;
}

void expect_well_formed(const std::string& text, const std::string& what) {
  auto doc = parse_xml(text);
  EXPECT_TRUE(doc) << what << " is not well-formed XML: " << doc.errors;
}

TEST(ReportPicturesTest, TimelinesMatchTheirGoldenFiles) {
  json r = sample();
  const json& s = r["scenarios"][0];
  expect_golden("core-cut.trial1.svg", svg::trial_timeline(s, s["trials"][0]));
  expect_golden("core-cut.trial2.svg", svg::trial_timeline(s, s["trials"][1]));
  expect_golden("core-cut.distribution.svg", svg::distribution(s));
}

// A trial the validity guard left invalid is drawn, hollow, and counts in no
// statistic: the max line is the valid trial's figure, not the invalid one's.
TEST(ReportPicturesTest, AnInvalidTrialIsDrawnHollowAndLeftOutOfTheStatistics) {
  json s = sample()["scenarios"][0];
  s["trials"][1]["outage_ms"] = {{"forward", 900.0}, {"reverse", 905.0}};
  s["trials"][1]["valid"] = false;
  auto doc = parse_xml(svg::distribution(s));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc.all("//*[" + has_class("point") + "]").size(), 4u);  // 2 trials x 2 directions
  EXPECT_EQ(doc.all("//*[" + has_class("point") + " and " + has_class("invalid") + "]").size(), 2u);
  const double px = std::stod(attr(doc.all("/*[local-name()='svg']")[0], "data-px-per-ms"));
  auto max_lines = doc.all("//*[local-name()='line'][" + has_class("stat") + " and " + has_class("max") + "]");
  ASSERT_EQ(max_lines.size(), 2u);
  const double x0 = std::stod(attr(doc.all("//*[" + has_class("point") + "]")[0], "cx")) - 295.0 * px;
  EXPECT_NEAR((std::stod(attr(max_lines[0], "x1")) - x0) / px, 295.0, 0.5);  // forward: trial 1's
  EXPECT_NEAR((std::stod(attr(max_lines[1], "x1")) - x0) / px, 301.5, 0.5);  // reverse: trial 1's
}

TEST(ReportPicturesTest, TopologyMatchesItsGoldenFile) {
  auto t = small();
  TopologyPicture p(t, {{{"r1", {"eth1 10.255.0.1/30 (core)"}}}, {{"core", {"r1 eth1 10.255.0.1/30"}}}});
  expect_golden("small.topology.svg", p.svg());
  TopologyOverlay o{{"core"}, {"t1"}, {"core"}, p.faulted_by("core-cut", "cut core")};
  expect_golden("small.core-cut.svg", p.svg(o));
}

TEST(ReportPicturesTest, EverySvgAndPageIsWellFormed) {
  json r = sample();
  auto t = small();
  TopologyPicture p(t);
  for (const auto& s : r["scenarios"]) {
    expect_well_formed(svg::scenario_timeline(s), "timeline of " + s["name"].get<std::string>());
    expect_well_formed(svg::distribution(s), "distribution of " + s["name"].get<std::string>());
  }
  expect_well_formed(p.svg(), "topology");
  expect_well_formed(html(r, &p), "report.html");
  expect_well_formed(html(r), "report.html without topology");
  json other = r;
  other["scenarios"][0]["stats"]["outage_ms"]["p50"] = 150.0;
  other["scenarios"].erase(1);
  expect_well_formed(html_compare({r, other}, {"a & b.json", "<c>.json"}), "comparison");
}

// The figures a reader sees are report.json's: one mark per event, bars as
// long as the outage.
TEST(ReportPicturesTest, MarksAndBarsSayWhatTheReportSays) {
  json r = sample();
  const json& s = r["scenarios"][0];
  for (const auto& t : s["trials"]) {
    auto doc = parse_xml(svg::trial_timeline(s, t));
    ASSERT_TRUE(doc);
    auto root = doc.all("/*[local-name()='svg']");
    ASSERT_EQ(root.size(), 1u);
    const double px = std::stod(attr(root[0], "data-px-per-ms"));
    EXPECT_EQ(doc.all("//*[" + has_class("mark") + "]").size(), t["events"].size());
    for (const char* dir : {"fwd", "rev"}) {
      auto bars = doc.all("//*[local-name()='rect'][" + has_class("bar") + " and " + has_class("outage") + " and " +
                          has_class(dir) + " and not(" + has_class("flow") + ")]");
      ASSERT_EQ(bars.size(), 1u) << dir;
      double want = t["outage"][dir[0] == 'f' ? "forward" : "reverse"]["outage_ms"].get<double>();
      EXPECT_NEAR(std::stod(attr(bars[0], "width")) / px, want, 0.01) << dir;
    }
    EXPECT_EQ(doc.all("//*[" + has_class("bar") + " and " + has_class("flow") + "]").size(),
              t["flows"].size() > 1 ? 2 * t["flows"].size() : 0u);
    // Every mark says its time and detail on hover.
    for (auto* m : doc.all("//*[" + has_class("mark") + "]")) {
      auto title = doc.all("*[local-name()='title']", m);
      ASSERT_EQ(title.size(), 1u);
      std::string text = reinterpret_cast<const char*>(xmlNodeGetContent(title[0]));
      EXPECT_NE(text.find(" ms"), std::string::npos) << text;
    }
  }
}

TEST(ReportPicturesTest, ThePageHasATimelinePerTrialAndTheTopologyPerScenario) {
  json r = sample();
  auto t = small();
  TopologyPicture p(t);
  auto doc = parse_xml(html(r, &p));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc.all("//*[local-name()='svg'][" + has_class("timeline") + "]").size(), 2u);
  EXPECT_EQ(doc.all("//*[local-name()='svg'][" + has_class("topology") + "]").size(), 2u);  // all + core-cut
  EXPECT_EQ(doc.all("//*[local-name()='script']").size(), 0u);
  // The faulted link is marked, the paths are highlighted.
  auto faulted = doc.all("//*[local-name()='g'][" + has_class("faulted") + "]");
  ASSERT_EQ(faulted.size(), 1u);
  EXPECT_EQ(attr(faulted[0], "data-name"), "core");
  EXPECT_EQ(doc.all("//*[local-name()='g'][" + has_class("during") + "]").size(), 1u);
}

TEST(ReportPicturesTest, VerdictsGoThroughOneFunction) {
  EXPECT_EQ(svg::verdict_class("pass"), "verdict-pass");
  EXPECT_EQ(svg::verdict_class("fail"), "verdict-fail");
  EXPECT_EQ(svg::verdict_class("inconclusive"), "verdict-inconclusive");
  EXPECT_EQ(svg::verdict_class("error"), "verdict-error");
  EXPECT_EQ(svg::verdict_class("<x>"), "verdict-unknown");
}

TEST(ReportPicturesTest, TheComparisonShowsEveryRunAndTheDifference) {
  json a = sample(), b = sample();
  b["scenarios"][0]["stats"]["outage_ms"]["p50"] = 101.5;
  std::string page = html_compare({a, b}, {"bfd300.json", "bfd100.json"});
  EXPECT_NE(page.find("bfd300.json"), std::string::npos);
  EXPECT_NE(page.find("(\u2212200.0 ms)"), std::string::npos) << page;
}

// Every topology netlab ships is drawn, one node element per node and one
// link or tunnel element per link or tunnel.
TEST(ReportPicturesTest, EveryShippedTopologyIsDrawn) {
  int drawn = 0;
  for (const auto& e : fs::directory_iterator(std::string(NETLAB_SOURCE_DIR) + "/topologies")) {
    if (e.path().extension() != ".toml") continue;
    auto r = topology::load_and_validate(e.path().string());
    ASSERT_TRUE(r.ok()) << r.render();
    TopologyPicture p(*r.topology);
    auto doc = parse_xml(p.svg());
    ASSERT_TRUE(doc) << e.path() << ": " << doc.errors;
    EXPECT_EQ(doc.all("//*[local-name()='g'][" + has_class("node") + "]").size(), r.topology->nodes.size())
        << e.path();
    EXPECT_EQ(doc.all("//*[local-name()='g'][" + has_class("link") + "]").size(), r.topology->links.size())
        << e.path();
    EXPECT_EQ(doc.all("//*[local-name()='g'][" + has_class("tunnel") + "]").size(), r.topology->tunnels.size())
        << e.path();
    EXPECT_FALSE(p.render("dot").empty());
    ++drawn;
  }
  EXPECT_GE(drawn, 10);
}

}  // namespace
}  // namespace netlab::report

namespace netlab::report {
namespace {

// A real run of the default topology (the README's pictures come from it):
// drawn in full, with the topology and its addresses, as well-formed XML.
TEST(ReportPicturesTest, ASavedRunOfTheDefaultTopologyIsDrawn) {
  json r = json::parse(read_text(std::string(NETLAB_SOURCE_DIR) + "/docs/pictures/sample-report.json"));
  auto loaded = topology::load_and_validate(std::string(NETLAB_SOURCE_DIR) + "/" + r["topology"].get<std::string>());
  ASSERT_TRUE(loaded.ok()) << loaded.render();
  TopologyPicture p(*loaded.topology);
  auto doc = parse_xml(html(r, &p));
  ASSERT_TRUE(doc) << doc.errors;
  size_t trials = 0;
  for (const auto& s : r["scenarios"]) trials += s["trials"].size();
  EXPECT_EQ(doc.all("//*[local-name()='svg'][" + has_class("timeline") + "]").size(), trials);
  size_t events = 0;
  for (const auto& s : r["scenarios"])
    for (const auto& t : s["trials"]) events += t["events"].size();
  EXPECT_EQ(doc.all("//*[" + has_class("mark") + "]").size(), events);
  // The domain fault marks its domain.
  EXPECT_GE(doc.all("//*[local-name()='g'][" + has_class("domain") + " and " + has_class("faulted") + "]").size(), 1u);
}

// A sweep: the resiliency matrix, coloured by what each failure did, and
// AWS's resiliency model with the failures that decided it.
TEST(ReportPicturesTest, ASweepHasItsResiliencyMatrix) {
  json r = sample();
  r["sweep"] = json::array({{{"failure", "cut core"}, {"kind", "cut"}, {"target", "core"}, {"hold_s", 2},
                             {"predicted_reachable", true}, {"reachable", true}, {"over_dx", false}},
                            {{"failure", "crash r2"}, {"kind", "crash"}, {"target", "r2"}, {"hold_s", 2},
                             {"predicted_reachable", false}, {"reachable", false}}});
  r["dx_resiliency"] = {{"model", "none"}, {"reason", "no Direct Connect link"}};
  auto doc = parse_xml(html(r));
  ASSERT_TRUE(doc) << doc.errors;
  auto rows = doc.all("//*[local-name()='table'][" + has_class("matrix") + "]/*[local-name()='tr']");
  ASSERT_EQ(rows.size(), 3u);  // header + 2 failures
  EXPECT_EQ(doc.all("//*[local-name()='td'][" + has_class("cell-bad") + "]").size(), 2u);  // crash r2: predicted, measured
  std::string page = html(r);
  EXPECT_NE(page.find("<strong>none</strong>"), std::string::npos);
  EXPECT_NE(page.find("cut the probe off: <code>crash r2</code>"), std::string::npos);
}

// A trial with the loss figures: a table of them per direction and flow,
// its resolution, and a target inconclusive within it shown as such.
TEST(ReportPicturesTest, ATrialShowsItsLossFiguresAndResolution) {
  json r = sample();
  json& s = r["scenarios"][0];
  json& t = s["trials"][0];
  json fwd = t["outage"]["forward"];
  fwd["loss_ms"] = 300.0;
  fwd["loss_bursts"] = 2;
  fwd["recovery_ms"] = 350.0;
  fwd["recovery_sustained"] = true;
  fwd["first_lost_ms"] = 0.0;
  fwd["last_lost_ms"] = 349.0;
  t["outage"]["forward"] = fwd;
  json rev = t["outage"]["reverse"];
  rev["loss_ms"] = 120.0;
  rev["loss_bursts"] = 1;
  rev["recovery_ms"] = 800.0;
  rev["recovery_sustained"] = false;
  rev["first_lost_ms"] = 10.0;
  rev["last_lost_ms"] = 129.0;
  t["outage"]["reverse"] = rev;
  t["resolution_ms"] = 5.0;
  s["targets"] = json::array({{{"name", "max_loss_ms"}, {"limit", "302"}, {"measured", "300"},
                                {"verdict", "inconclusive"}, {"pass", false},
                                {"detail", "trial 1: 300 ms is within the trial's resolution of 5 ms"}}});
  const std::string page = html(r);
  const auto doc = parse_xml(page);
  EXPECT_TRUE(doc.doc) << doc.errors;
  EXPECT_NE(page.find("<table class=\"loss\">"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>forward</td><td class=\"num\">"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">300.0 ms</td><td class=\"num\">2</td><td class=\"num\">350.0 ms</td>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("\u2265 800.0 ms (no clean period)"), std::string::npos);
  EXPECT_NE(page.find("Resolution 5.0 ms."), std::string::npos);
  EXPECT_NE(page.find("<td class=\"verdict verdict-inconclusive\">inconclusive</td>"), std::string::npos);
  // A report from before the figures has no loss table.
  EXPECT_EQ(html(sample()).find("<table class=\"loss\">"), std::string::npos);
}

}  // namespace
}  // namespace netlab::report
