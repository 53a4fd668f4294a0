// The report: the table a person reads, report.json (validated against
// docs/report.schema.json) and JUnit XML (validated against docs/junit.xsd),
// both checked by independent validators (Python's jsonschema, xmllint).
#include "netlab/report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "netlab/process/command.h"
#include "netlab/report/merge.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

namespace fs = std::filesystem;
using namespace scenario;

RunResult sample() {
  RunResult r;
  r.netlab_version = "0.1.0";
  r.kernel_release = "6.1.0";
  r.frr_version = "8.4.4";
  r.backends = {{"wireguard", "wireguard-go"}, {"link cut", "nftables netdev ingress"}};
  r.lab = "hybrid";
  r.topology = "topologies/hybrid-backup.toml";
  r.bringup_ms = 2946;
  r.bringup_split_ms = {{"namespaces_and_links", 108}, {"daemons_started", 695}, {"converged", 2946}};

  ScenarioResult ok;
  ok.name = "dx-fibre-cut";
  ok.description = "The DX cross-connect is cut";
  ok.fault = "cut dx1";
  ok.hold_s = 5;
  for (int i = 1; i <= 3; ++i) {
    Trial t;
    t.index = i;
    t.forward = {736.0 + i, 736, 736, 10000, 0.5, 736.5 + i, true};
    t.reverse = {775.0, 775, 775, 10000, 0.6, 775.6, true};
    t.convergence_ms = 776;
    t.path = {"vpn1-t2"};
    t.path_before = {"dx1"};
    t.path_after = {"dx1"};
    t.path_packets = {{"vpn1-t2", 8073}, {"dx1", 4}};
    t.hold_ms = 5001.8;
    t.probe_max_lateness_ms = 0.3;
    t.events = {{0, "", "fault", "cut dx1"},         {0.1, "cgw", "cut", "dx1"},
                {837.2, "dx-ny5", "bfd-down", "peer cgw (control-expired)"},
                {970.1, "cgw", "route-add", "10.100.0.0/16 via 169.254.21.2 vpn1-t2"},
                {5001.8, "", "repair", "cut dx1"}};
    ok.trials.push_back(t);
  }
  topology::Expect e;
  e.max_outage_ms = 1500;
  e.path = {"vpn1-t1|vpn1-t2"};
  e.max_failback_outage_ms = 200;
  evaluate(e, ok);

  ScenarioResult bad = ok;
  bad.name = "tight & <strict>";  // needs escaping in XML
  topology::Expect strict;
  strict.max_outage_ms = 500;
  evaluate(strict, bad);

  ScenarioResult broken;
  broken.name = "broken";
  broken.fault = "crash vgw";
  broken.hold_s = 5;
  broken.error = "the probe does not get through before the fault";
  evaluate({}, broken);

  r.scenarios = {ok, bad, broken};
  return r;
}

std::string temp(const std::string& name) {
  return (fs::temp_directory_path() / ("netlab-report-" + std::to_string(::getpid()) + "-" + name)).string();
}

TEST(Report, JsonMatchesTheSchema) {
  EXPECT_EQ(netlab::testing::schema_errors(to_json(sample())), "");
}

TEST(Report, TheSchemaRejectsAReportMissingAFigure) {
  auto j = to_json(sample());
  j["scenarios"][0]["trials"][0].erase("outage_ms");
  const std::string err = netlab::testing::schema_errors(j);
  EXPECT_NE(err.find("outage_ms"), std::string::npos) << err;
}

TEST(Report, JsonCarriesWhatTheIssueAsksFor) {
  auto j = to_json(sample());
  EXPECT_EQ(j["verdict"], "error");  // a scenario could not run: the worst verdict
  const auto& s = j["scenarios"][0];
  EXPECT_EQ(s["verdict"], "pass");
  EXPECT_EQ(s["trials"].size(), 3u);
  const auto& t = s["trials"][0];
  EXPECT_EQ(t["outage_ms"]["forward"], 737.0);
  EXPECT_EQ(t["outage_ms"]["reverse"], 775.0);
  EXPECT_EQ(t["path"], nlohmann::json({"vpn1-t2"}));
  EXPECT_EQ(t["events"][2]["kind"], "bfd-down");
  EXPECT_EQ(s["stats"]["outage_ms"]["max"], 775.0);
  EXPECT_EQ(j["scenarios"][2]["error"], "the probe does not get through before the fault");
}

TEST(Report, JunitMatchesTheSchemaAndCarriesTheFigures) {
  std::string xml = junit(sample());
  std::string f = temp("junit.xml");
  write_file(f, xml);
  auto r = process::run_command({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(NETLAB_SOURCE_DIR) + "/docs/junit.xsd", f});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove(f);
  EXPECT_NE(xml.find("tests=\"8\" failures=\"1\" errors=\"2\" skipped=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("max_outage_ms: pass, measured 775 (limit 1500) over 3 trial(s)"), std::string::npos);
  EXPECT_NE(xml.find("tight &amp; &lt;strict&gt;"), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"the probe does not get through"), std::string::npos);
}

TEST(Report, TableShowsEveryTrialTargetAndVerdict) {
  std::string t = table(sample());
  EXPECT_NE(t.find("dx-fibre-cut: cut dx1, hold 5 s, 3 trials"), std::string::npos) << t;
  EXPECT_NE(t.find("737 ms"), std::string::npos);
  EXPECT_NE(t.find("outage p50 775 ms"), std::string::npos);
  EXPECT_NE(t.find("max_outage_ms            <= 500"), std::string::npos);
  EXPECT_NE(t.find("FAIL"), std::string::npos);
  EXPECT_NE(t.find("error: the probe does not get through"), std::string::npos);
  EXPECT_NE(t.find("1 of 6 targets missed; 1 scenario could not run"), std::string::npos) << t;
}

}  // namespace
}  // namespace netlab::report

namespace netlab::report {
namespace {

using namespace scenario;

// A run whose only scenario could not decide its convergence target: no
// watched route changed.
RunResult inconclusive_run() {
  RunResult r;
  r.lab = "hybrid";
  r.topology = "topologies/hybrid-backup.toml";
  ScenarioResult s;
  s.name = "dx-fibre-cut";
  s.fault = "cut dx1";
  s.hold_s = 5;
  Trial t;
  t.index = 1;
  t.forward.outage_ms = t.reverse.outage_ms = 800;
  t.path = {"vpn1-t2"};
  s.trials = {t};
  topology::Expect e;
  e.max_outage_ms = 1500;
  e.max_convergence_ms = 1000;
  evaluate(e, s);
  r.scenarios = {s};
  return r;
}

TEST(ReportVerdicts, InconclusiveIsNeverShownAsPassed) {
  auto r = inconclusive_run();
  EXPECT_EQ(to_json(r)["verdict"], "inconclusive");
  EXPECT_EQ(to_json(r)["scenarios"][0]["verdict"], "inconclusive");
  EXPECT_EQ(to_json(r)["scenarios"][0]["targets"][2]["verdict"], "inconclusive");
  EXPECT_EQ(to_json(r)["scenarios"][0]["targets"][2]["pass"], false);

  std::string xml = junit(r);
  EXPECT_NE(xml.find("<skipped message=\"max_convergence_ms: inconclusive, measured - (limit 1000) over 1 trial(s); "
                     "trial 1: no watched route changed after the fault\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
  std::string f = (fs::temp_directory_path() / ("netlab-junit-" + std::to_string(::getpid()) + ".xml")).string();
  write_file(f, xml);
  auto v = process::run_command({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(NETLAB_SOURCE_DIR) + "/docs/junit.xsd", f});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  fs::remove(f);

  std::string t = table(r);
  EXPECT_NE(t.find("none"), std::string::npos) << t;  // the convergence column
  EXPECT_NE(t.find("trial 1: no watched route changed after the fault"), std::string::npos) << t;
  EXPECT_NE(t.find("INCONCLUSIVE"), std::string::npos) << t;
  EXPECT_NE(t.find("0 of 3 targets missed; 1 inconclusive (verdict: inconclusive)"), std::string::npos) << t;
}

TEST(ReportVerdicts, LostRouteEventsMarkTheConvergenceFigure) {
  auto r = inconclusive_run();
  r.scenarios[0].trials[0].convergence_ms = 900;
  r.scenarios[0].trials[0].route_events_lost = 2;
  std::string t = table(r);
  EXPECT_NE(t.find(">=900 ms"), std::string::npos) << t;
  EXPECT_NE(t.find("2 route events lost"), std::string::npos) << t;
  EXPECT_EQ(to_json(r)["scenarios"][0]["trials"][0]["route_events_lost"], 2);
}

TEST(ReportVerdicts, TheSweepsClassIsATestcaseOfItsOwn) {
  auto r = inconclusive_run();
  r.scenarios[0].targets.resize(2);  // reachable and outage: both pass
  Target dx;
  dx.name = "dx_resiliency";
  dx.limit = "Maximum Resiliency";
  dx.measured = "none";
  dx.verdict = Verdict::Fail;
  dx.detail = "layout Maximum Resiliency; measured: loss of location eqdc2 not survived over DX (unreachable)";
  std::string xml = junit(r, "sweep", {dx});
  EXPECT_NE(xml.find("<testsuites name=\"netlab hybrid\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"sweep\" name=\"dx_resiliency\"><failure message=\"dx_resiliency: fail, "
                     "none (claimed Maximum Resiliency); layout Maximum Resiliency; measured: loss of location eqdc2 "
                     "not survived over DX (unreachable)\"/>"),
            std::string::npos)
      << xml;
  std::string f = (fs::temp_directory_path() / ("netlab-sweep-junit-" + std::to_string(::getpid()) + ".xml")).string();
  write_file(f, xml);
  auto v = process::run_command({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(NETLAB_SOURCE_DIR) + "/docs/junit.xsd", f});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  fs::remove(f);
}

TEST(ReportVerdicts, AScenarioWithNoTrialIsAnError) {
  RunResult r;
  r.lab = "hybrid";
  ScenarioResult s;
  s.name = "never-ran";
  topology::Expect e;
  e.max_outage_ms = 1500;
  evaluate(e, s);
  r.scenarios = {s};
  EXPECT_EQ(to_json(r)["verdict"], "error");
  EXPECT_EQ(to_json(r)["scenarios"][0]["targets"][1]["measured"], "-");
  std::string xml = junit(r);
  EXPECT_EQ(xml.find("<system-out>"), std::string::npos) << xml;  // nothing passed
  EXPECT_NE(xml.find("<error message=\"no trial ran\"/>"), std::string::npos) << xml;
  EXPECT_NE(table(r).find("error: no trial ran"), std::string::npos);
}

// A scenario whose trial lost two bursts forward and nothing reverse, on a
// busy host (the sender up to 4 ms late), with two flows.
RunResult lossy_run() {
  RunResult r;
  r.lab = "hybrid";
  r.topology = "topologies/hybrid-backup.toml";
  ScenarioResult s;
  s.name = "dx-flap";
  s.fault = "flap dx1";
  s.hold_s = 5;
  Trial t;
  t.index = 1;
  t.forward = {200, 200, 300, 5000, 150, 350, true};
  t.forward.loss_ms = 300;
  t.forward.bursts = 2;
  t.forward.recovery_ms = 350;
  t.forward.first_lost_ms = 0;
  t.forward.last_lost_ms = 349;
  t.path = {"vpn1-t2"};
  t.probe_max_lateness_ms = 4;
  t.clean_ms = 500;
  t.flows = {{0, t.forward, t.reverse}, {1, {}, {}}};
  s.trials = {t};
  topology::Expect e;
  e.max_loss_ms = 302;
  e.max_recovery_ms = 1000;
  e.max_loss_bursts = 2;
  evaluate(e, s);
  r.scenarios = {s};
  return r;
}

TEST(ReportLoss, JsonCarriesEveryFigurePerDirectionAndFlowAndReadsBack) {
  auto j = to_json(lossy_run());
  const auto& t = j["scenarios"][0]["trials"][0];
  const auto& f = t["outage"]["forward"];
  EXPECT_EQ(f["loss_ms"], 300.0);
  EXPECT_EQ(f["loss_bursts"], 2);
  EXPECT_EQ(f["recovery_ms"], 350.0);
  EXPECT_EQ(f["recovery_sustained"], true);
  EXPECT_EQ(f["first_lost_ms"], 0.0);
  EXPECT_EQ(f["last_lost_ms"], 349.0);
  EXPECT_TRUE(t["outage"]["reverse"]["first_lost_ms"].is_null());
  EXPECT_EQ(t["outage"]["reverse"]["loss_bursts"], 0);
  EXPECT_EQ(t["flows"][0]["forward"]["loss_bursts"], 2);
  EXPECT_EQ(t["resolution_ms"], 5.0);
  EXPECT_EQ(t["probe"]["clean_ms"], 500.0);
  const Trial back = trial_from_json(t);
  EXPECT_EQ(back.forward.loss_ms, 300);
  EXPECT_EQ(back.forward.bursts, 2u);
  EXPECT_EQ(back.forward.recovery_ms, 350);
  EXPECT_TRUE(back.forward.recovery_sustained);
  EXPECT_EQ(back.forward.last_lost_ms, 349);
  EXPECT_FALSE(back.reverse.first_lost_ms);
  EXPECT_EQ(back.clean_ms, 500);
  EXPECT_EQ(back.resolution_ms(), 5);
  // The schema knows every new field and target.
  EXPECT_EQ(netlab::testing::schema_errors(j), "");
}

TEST(ReportLoss, ARecoveryFromAnOldReportIsNotMeasured) {
  auto j = to_json(lossy_run());
  auto& f = j["scenarios"][0]["trials"][0]["outage"]["forward"];
  f.erase("recovery_ms");
  f.erase("recovery_sustained");
  EXPECT_FALSE(trial_from_json(j["scenarios"][0]["trials"][0]).forward.recovery_sustained);
}

TEST(ReportLoss, TheTableHasALossLineAndTheResolutionWhenCoarse) {
  const std::string t = table(lossy_run());
  EXPECT_NE(t.find("  trial 1: forward 300 ms lost in 2 bursts (0..349 ms), recovered 350 ms; reverse nothing lost\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("  trial 1: resolution 5.0 ms (probe interval 1 ms, sender up to 4.0 ms late)\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("INCONCLUSIVE  (trial 1: 300 ms is within the trial's resolution of 5 ms)"), std::string::npos) << t;
  // At the probe's own resolution, no resolution line.
  RunResult fine = lossy_run();
  fine.scenarios[0].trials[0].probe_max_lateness_ms = 0.2;
  EXPECT_EQ(table(fine).find("trial 1: resolution"), std::string::npos);
  // Over several trials the loss-derived outage has its percentiles where it
  // exceeds the longest gap.
  Trial second = fine.scenarios[0].trials[0];
  second.index = 2;
  fine.scenarios[0].trials.push_back(second);
  EXPECT_NE(table(fine).find("outage p50 200 ms, p95 200 ms, max 200 ms; loss p50 300 ms, p95 300 ms, max 300 ms"),
            std::string::npos)
      << table(fine);
}

TEST(ReportLoss, JunitCarriesTheFiguresAsProperties) {
  const std::string xml = junit(lossy_run());
  std::string f = temp("lossy.xml");
  write_file(f, xml);
  auto r = process::run_command({"/usr/bin/xmllint", "--noout", "--schema",
                                 std::string(NETLAB_SOURCE_DIR) + "/docs/junit.xsd", f});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove(f);
  for (const char* p : {"<property name=\"trial.1.resolution_ms\" value=\"5\"/>",
                        "<property name=\"trial.1.forward.loss_ms\" value=\"300\"/>",
                        "<property name=\"trial.1.forward.loss_bursts\" value=\"2\"/>",
                        "<property name=\"trial.1.forward.recovery_ms\" value=\"350\"/>",
                        "<property name=\"trial.1.forward.last_lost_ms\" value=\"349\"/>",
                        "<property name=\"trial.1.reverse.first_lost_ms\" value=\"none\"/>"})
    EXPECT_NE(xml.find(p), std::string::npos) << p << "\n" << xml;
  EXPECT_NE(xml.find("<skipped message=\"max_loss_ms: inconclusive"), std::string::npos) << xml;
}

TEST(ReportLoss, MergeKnowsTheNewTargets) {
  const RunResult run = lossy_run();
  const auto& targets = run.scenarios[0].targets;
  const topology::Expect e = expect_of(targets);
  EXPECT_EQ(e.max_loss_ms, 302.0);
  EXPECT_EQ(e.max_recovery_ms, 1000.0);
  EXPECT_EQ(e.max_loss_bursts, 2u);
}

}  // namespace
}  // namespace netlab::report
