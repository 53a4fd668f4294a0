// The report: the table a person reads, report.json (validated against
// docs/report.schema.json) and JUnit XML (validated against docs/junit.xsd),
// both checked by independent validators (Python's jsonschema, xmllint).
#include "netlab/report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "netlab/process/command.h"

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
  e.path = {"vpn1-t1", "vpn1-t2"};
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
  auto j = to_json(sample());
  std::string f = temp("report.json");
  write_file(f, j.dump(2));
  // Debian's python3 (the one with python3-jsonschema), not whatever is first in PATH.
  auto r = process::run_command(
      {"/usr/bin/python3", "-c",
       "import json, sys, jsonschema\n"
       "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),\n"
       "                    format_checker=jsonschema.FormatChecker())\n",
       f, std::string(NETLAB_SOURCE_DIR) + "/docs/report.schema.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove(f);
}

TEST(Report, TheSchemaRejectsAReportMissingAFigure) {
  auto j = to_json(sample());
  j["scenarios"][0]["trials"][0].erase("outage_ms");
  std::string f = temp("bad.json");
  write_file(f, j.dump());
  auto r = process::run_command(
      {"/usr/bin/python3", "-c",
       "import json, sys, jsonschema\n"
       "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\n",
       f, std::string(NETLAB_SOURCE_DIR) + "/docs/report.schema.json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("outage_ms"), std::string::npos) << r.err;
  fs::remove(f);
}

TEST(Report, JsonCarriesWhatTheIssueAsksFor) {
  auto j = to_json(sample());
  EXPECT_EQ(j["verdict"], "fail");
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
  EXPECT_NE(xml.find("tests=\"8\" failures=\"3\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("max_outage_ms: measured 775 (limit 1500) over 3 trial(s)"), std::string::npos);
  EXPECT_NE(xml.find("tight &amp; &lt;strict&gt;"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"the probe does not get through"), std::string::npos);
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
