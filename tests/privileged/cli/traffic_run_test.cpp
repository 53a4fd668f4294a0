// `netlab run` with [[traffic]] on real labs (docs/traffic.md), on copies of
// the catalogue's hybrid-backup-load.toml renamed to this test's labs:
//  - jumbo frames on the DX, 8500-byte DF datagrams, DX cut: on the 1446-byte
//    tunnel no full-size packet arrives. With ICMP filtered (pmtud = false)
//    the report says mtu_ok false and the sender learnt nothing (a
//    blackhole); with PMTUD working, mtu_ok is still false (a DF datagram
//    cannot shrink) but the sender's kernel learnt path MTU 1446.
//  - the DX failing under a load the backup carries: the probe's outage is
//    the unloaded one's within 10 % + one probe interval (medians of 3
//    trials each). The DX fails by carrier loss (`down`), detected at once:
//    a silent cut is detected by BFD, whose phase alone moves each trial's
//    outage by up to 225 ms (675..900 ms, measured here), so 10 % apart
//    would say more about the dice than about the load.
// Every lab is taken down at the end and checked gone (LifecycleTest).
#include <nlohmann/json.hpp>

#include <algorithm>

#include "lifecycle_fixture.h"

namespace netlab::cli::testing {
namespace {

using nlohmann::json;

class TrafficRunTest : public LifecycleTest {
 protected:
  // The catalogue file as lab `lab`, its scenarios replaced by `scenarios`,
  // with `edit` applied to the rest.
  std::string load_lab(const std::string& lab, const std::string& scenarios,
                        const std::function<void(std::string&)>& edit = {}) {
    used_.insert(lab);
    std::string text = read_text(std::string(NETLAB_SOURCE_DIR) + "/topologies/hybrid-backup-load.toml");
    text.erase(text.find("[[scenarios]]"));
    const std::string from = "name = \"hybload\"";
    text.replace(text.find(from), from.size(), "name = \"" + lab + "\"");
    if (edit) edit(text);
    const std::string path = tmp_ + "/" + lab + ".toml";
    std::ofstream(path) << text << scenarios;
    return path;
  }

  json run(const std::string& file, const std::string& out) {
    Result r;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      r = netlab({"run", file, "--out", out}, seconds(240));
      if (r.status == 0 || !known_flake(r.err)) break;
    }
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    std::ifstream in(out + "/report.json");
    return json::parse(in);
  }

  static const json& traffic_of(const json& report, size_t scenario = 0) {
    return report["scenarios"][scenario]["trials"][0]["traffic"][0];
  }
};

constexpr const char* kJumbo = R"(
[[scenarios]]
name = "jumbo"
fault = { cut = "dx1" }
hold_s = 3
traffic = ["jumbo"]
expect = { reachable = true, mtu_ok = false }
)";

TEST_F(TrafficRunTest, JumboFramesOnTheBackupAreABlackholeWhenIcmpIsFiltered) {
  const std::string lab = lab_name('j');
  json r = run(load_lab(lab, kJumbo), tmp_ + "/blackhole");
  ASSERT_EQ(r["verdict"], "pass") << r.dump(1);
  EXPECT_EQ(r["scale"], 100);
  const json& t = traffic_of(r);
  EXPECT_EQ(t["name"], "jumbo");
  EXPECT_EQ(t["size"], 8500);
  // The DX carries them before and after; the tunnel none during the fault.
  EXPECT_GT(t["before"]["delivered_pct"].get<double>(), 95);
  EXPECT_GT(t["after"]["delivered_pct"].get<double>(), 95);
  EXPECT_GT(t["during"]["sent"].get<uint64_t>(), 50u);
  EXPECT_EQ(t["during"]["received"], 0);
  EXPECT_EQ(t["mtu_ok"], false);
  // Nobody told the sender.
  EXPECT_EQ(t["during"]["emsgsize"], 0);
  EXPECT_NE(t["during"]["path_mtu"], 1446);
}

TEST_F(TrafficRunTest, WithPmtudTheSenderLearnsTheTunnelMtuButFullSizeDatagramsStillDoNotPass) {
  const std::string lab = lab_name('p');
  json r = run(load_lab(lab, kJumbo,
                        [](std::string& text) {
                          for (size_t at; (at = text.find("pmtud = false")) != std::string::npos;)
                            text.replace(at, 13, "pmtud = true ");
                        }),
               tmp_ + "/pmtud");
  ASSERT_EQ(r["verdict"], "pass") << r.dump(1);
  const json& t = traffic_of(r);
  EXPECT_EQ(t["mtu_ok"], false);
  EXPECT_EQ(t["during"]["received"], 0);
  EXPECT_GT(t["during"]["emsgsize"].get<uint64_t>(), 0u);
  EXPECT_EQ(t["during"]["path_mtu"], 1446);
}

TEST_F(TrafficRunTest, ADxFailureUnderALoadTheBackupCarriesCostsWhatItCostsUnloaded) {
  const std::string lab = lab_name('l');
  // 5 Mbit/s and ~720 packets/s with the probe: under the scaled tunnel's
  // 12.5 Mbit/s and 1,400 packets/s.
  const std::string scenarios = R"(
[[traffic]]
name = "fits"
from = "server"
to = "app"
rate_mbit = 500

[[scenarios]]
name = "unloaded"
fault = { down = "dx1" }
hold_s = 2
trials = 3
traffic = []

[[scenarios]]
name = "loaded"
fault = { down = "dx1" }
hold_s = 2
trials = 3
traffic = ["fits"]
expect = { min_delivered_pct = 95 }
)";
  json r = run(load_lab(lab, scenarios), tmp_ + "/load");
  ASSERT_EQ(r["verdict"], "pass") << r.dump(1);
  auto median = [&](size_t s) {
    std::vector<double> v;
    for (const auto& t : r["scenarios"][s]["trials"]) {
      EXPECT_TRUE(t["valid"].get<bool>()) << t.dump(1);
      v.push_back(std::max(t["outage_ms"]["forward"].get<double>(), t["outage_ms"]["reverse"].get<double>()));
    }
    std::sort(v.begin(), v.end());
    return v[1];
  };
  const double unloaded = median(0), loaded = median(1);
  const double interval = r["scenarios"][1]["trials"][0]["probe"]["interval_ms"].get<double>();
  std::printf("DX down outage, median of 3: unloaded %.0f ms, under load %.0f ms\n", unloaded, loaded);
  EXPECT_GT(unloaded, 0);
  EXPECT_LE(std::abs(loaded - unloaded), 0.1 * unloaded + interval) << "unloaded " << unloaded << " ms, loaded "
                                                                     << loaded << " ms";
  for (const auto& t : r["scenarios"][1]["trials"]) {
    EXPECT_GT(t["traffic"][0]["before"]["delivered_pct"].get<double>(), 99);
    EXPECT_GT(t["traffic"][0]["during"]["delivered_pct"].get<double>(), 95);
  }
}

}  // namespace
}  // namespace netlab::cli::testing
