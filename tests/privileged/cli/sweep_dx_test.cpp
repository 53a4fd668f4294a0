// `netlab sweep --only dx` end to end on real labs: each of the three Direct
// Connect catalogue files (topologies/dx-*.toml) and a broken variant of each
// (tests/data/sweep/*-broken.toml: the same layout with one BGP session, or
// one location's announcement, missing; each file says which and why its
// class must fail). The real netlab runs the failures the class judges, one
// trial each, on two labs side by side (--jobs 2), and the test checks what
// it printed, what sweep.json says (the layout's class, the measured class,
// the finding naming the failure not survived) and its exit code: 0 for the
// catalogue's designs, 1 for the broken ones. Afterwards nothing of either
// lab is left. The time of each is printed (docs/verdicts.md, "The sweep",
// gives the figures).
#include <nlohmann/json.hpp>

#include "lifecycle_fixture.h"
#include "netlab/scenario/shard.h"

namespace netlab::cli::testing {
namespace {

using nlohmann::json;

struct DxCase {
  const char* name;    // the test's name
  std::string file;    // the topology
  char letter;         // of the lab's name
  int exit_code;       // 0: the class earned; 1: a promised failure not survived
  const char* layout;  // AWS's layout rule
  size_t failures;     // the failures --only dx selects
  std::vector<std::string> findings;  // each must be among sweep.json's findings
  std::string note;                   // in the reason: what was seen but not promised
};

void PrintTo(const DxCase& c, std::ostream* os) { *os << c.name; }

std::string catalogue(const std::string& f) { return std::string(NETLAB_SOURCE_DIR) + "/topologies/" + f; }
std::string broken(const std::string& f) { return std::string(NETLAB_TEST_DATA) + "/sweep/" + f; }

const std::vector<DxCase>& cases() {
  static const std::vector<DxCase> all{
      {"DevTest", catalogue("dx-dev-test.toml"), 'd', 0, "Development and Test", 5, {},
       "loss of location eqdc2 not survived over DX (unreachable)"},
      {"DevTestWithoutTheSessionOnDx2", broken("dx-dev-test-broken.toml"), 'e', 1, "Development and Test", 5,
       {"loss of connection dx1 not survived over DX (unreachable)",
        "loss of device dx-a not survived over DX (unreachable)"},
       ""},
      {"High", catalogue("dx-high-resiliency.toml"), 'h', 0, "High Resiliency", 6, {}, ""},
      {"HighWithoutTheSessionOnDx2", broken("dx-high-resiliency-broken.toml"), 'i', 1, "High Resiliency", 6,
       {"loss of connection dx1 not survived over DX (unreachable)",
        "loss of location eqdc2 not survived over DX (unreachable)"},
       ""},
      {"Maximum", catalogue("dx-maximum-resiliency.toml"), 'm', 0, "Maximum Resiliency", 10, {}, ""},
      {"MaximumWithoutTheAnnouncementAtEqny5", broken("dx-maximum-resiliency-broken.toml"), 'n', 1,
       "Maximum Resiliency", 10, {"loss of location eqdc2 not survived over DX (unreachable)"}, ""},
  };
  return all;
}

class SweepDxTest : public LifecycleTest, public ::testing::WithParamInterface<DxCase> {
 protected:
  // `netlab sweep`, again when a bring-up failed by itself (known_flake).
  Result sweep(const std::vector<std::string>& args) {
    for (int attempt = 1;; ++attempt) {
      Result r = netlab(args, seconds(420));
      if (attempt < 3 && r.status != 0 && r.status != 1 && known_flake(r.err)) continue;
      return r;
    }
  }
};

TEST_P(SweepDxTest, ClassifiesTheDesignAndExitsByIt) {
  const DxCase& c = GetParam();
  const std::string lab = lab_name(c.letter);
  used_.insert(lab);
  for (int k = 1; k <= 2; ++k) used_.insert(scenario::job_lab_name(lab, k));
  const std::string out = tmp_ + "/out";

  const int64_t t0 = mono_ms();
  Result r = sweep({"sweep", c.file, "--only", "dx", "--trials", "1", "--jobs", "2", "--lab", lab, "--seed", "1",
                    "--out", out});
  const auto line = r.out.find("Direct Connect resiliency:");
  std::fprintf(stderr, "%s: netlab sweep --only dx --trials 1 --jobs 2: %.1f s, exit %d\n%s\n", c.name,
               (mono_ms() - t0) / 1e3, r.status,
               line == std::string::npos ? "" : r.out.substr(line, r.out.find('\n', line) - line).c_str());
  ASSERT_EQ(r.status, c.exit_code) << r.out << r.err;

  // The table: only the class's failures swept, the class and its reason.
  EXPECT_NE(r.out.find("swept only the " + std::to_string(c.failures) +
                       " failures the Direct Connect class judges (--only dx)"),
            std::string::npos)
      << r.out;
  const std::string model = c.exit_code == 0 ? c.layout : "none";
  EXPECT_NE(r.out.find("Direct Connect resiliency: " + model + " (layout " + c.layout + " ("), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(c.exit_code == 0 ? "verdict: pass" : "verdict: fail"), std::string::npos) << r.out;

  std::ifstream in(out + "/sweep.json");
  const json j = json::parse(in);
  const json& dx = j["dx_resiliency"];
  EXPECT_EQ(dx["layout"], c.layout);
  EXPECT_EQ(dx["model"], model);
  EXPECT_EQ(dx["verdict"], c.exit_code == 0 ? "pass" : "fail");
  const auto findings = dx["findings"].get<std::vector<std::string>>();
  if (c.findings.empty()) {
    EXPECT_TRUE(findings.empty()) << dx.dump(2);
  }
  for (const auto& f : c.findings)
    EXPECT_NE(std::find(findings.begin(), findings.end(), f), findings.end()) << f << "\n" << dx.dump(2);
  for (const auto& f : findings) EXPECT_EQ(f.find("no row"), std::string::npos) << f;  // every row was run
  if (!c.note.empty()) {
    EXPECT_NE(dx["reason"].get<std::string>().find(c.note), std::string::npos) << dx["reason"];
  }
  EXPECT_EQ(j["verdict"], c.exit_code == 0 ? "pass" : "fail");
  EXPECT_EQ(j["selection"]["only"], "dx");
  EXPECT_EQ(j["selection"]["swept"], c.failures);
  ASSERT_EQ(j["sweep"].size(), c.failures);
  for (const auto& row : j["sweep"]) EXPECT_NE(row["verdict"], "error") << row.dump();
  for (const auto& l : used_) EXPECT_EQ(lab_namespaces(l), std::vector<std::string>{}) << l;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, SweepDxTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<DxCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace netlab::cli::testing
