// Anycast figures in the report: which instance served, in report.json
// (validated against docs/report.schema.json by Python's jsonschema) and in
// the table.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "netlab/process/command.h"
#include "netlab/report/report.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

namespace fs = std::filesystem;
using namespace scenario;

RunResult anycast_run() {
  RunResult r;
  r.netlab_version = "0.1.0";
  r.lab = "multiaz";
  r.topology = "topologies/multi-az-active.toml";
  ScenarioResult s;
  s.name = "az-lost";
  s.fault = "domain az=use1-az1";
  s.hold_s = 4;
  Trial t;
  t.index = 1;
  t.forward = {2, 1, 7, 16000, 0.1, 2.1, true};
  t.served_before = {{"app-az1", 3493}, {"app-az2", 1991}, {"app-az3", 2493}};
  t.served = {{"app-az1", 0}, {"app-az2", 9010}, {"app-az3", 7010}};
  t.serving = {"app-az2", "app-az3"};
  t.hold_ms = 4000;
  s.trials.push_back(t);
  topology::Expect e;
  e.serving = {"app-az2", "app-az3"};
  evaluate(e, s);
  r.scenarios = {s};
  return r;
}

TEST(AnycastReport, JsonCarriesTheInstancesAndMatchesTheSchema) {
  auto j = to_json(anycast_run());
  const auto& t = j["scenarios"][0]["trials"][0];
  EXPECT_EQ(t["served"]["app-az1"], 0);
  EXPECT_EQ(t["served_before"]["app-az1"], 3493);
  EXPECT_EQ(t["serving"], nlohmann::json({"app-az2", "app-az3"}));
  EXPECT_EQ(j["scenarios"][0]["targets"][1]["name"], "serving");
  EXPECT_EQ(netlab::testing::schema_errors(j), "");
}

TEST(AnycastReport, TheTableSaysWhoServed) {
  std::string t = table(anycast_run());
  EXPECT_NE(t.find("trial 1: probes received per instance: before the fault app-az1 3493, app-az2 1991, "
                   "app-az3 2493; while it held app-az1 0, app-az2 9010, app-az3 7010"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("serving                  app-az2,app-az3"), std::string::npos) << t;
}

}  // namespace
}  // namespace netlab::report
