// Limits of links and tunnels and [lab].scale: keys, defaults, errors with
// their positions, and the effective figures (topology/limits.h).
#include "netlab/topology/limits.h"

#include <gtest/gtest.h>

#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

// {LAB} {DX} {LAN} {TUN}: extra keys of [lab], the dx link, a lan link and the tunnel.
constexpr std::string_view kBase = R"([lab]
name = "t"
{LAB}

[nodes.h1]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
[nodes.dx]
role = "aws-dx"
asn = 64512
[nodes.vpn]
role = "aws-vpn"
asn = 64512
[nodes.vgw]
role = "vgw"
asn = 64512
[nodes.inet]
role = "internet"
[nodes.h2]
role = "host"

[[links]]
endpoints = ["h1", "cgw"]
{LAN}
[[links]]
name = "dx1"
kind = "dx"
endpoints = ["cgw", "dx"]
{DX}
[[links]]
endpoints = ["dx", "vgw"]
[[links]]
endpoints = ["vpn", "vgw"]
[[links]]
endpoints = ["vgw", "h2"]
[[links]]
kind = "internet"
endpoints = ["cgw", "inet"]
[[links]]
kind = "internet"
endpoints = ["vpn", "inet"]

[[tunnels]]
name = "t1"
endpoints = ["cgw", "vpn"]
{TUN}
)";

std::string text(std::string lab = "", std::string dx = "", std::string lan = "",
                 std::string tun = "") {
  std::string s(kBase);
  auto put = [&](const std::string& mark, const std::string& v) {
    s.replace(s.find(mark), mark.size(), v);
  };
  put("{LAB}", lab);
  put("{DX}", dx);
  put("{LAN}", lan);
  put("{TUN}", tun);
  return s;
}

LoadResult check(const std::string& t) {
  LoadResult r = load_string(t, "t.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

const Diagnostic* first_error(const LoadResult& r) {
  for (const auto& d : r.diagnostics.items())
    if (d.severity == Severity::Error) return &d;
  return nullptr;
}

TEST(Limits, DefaultsTunnelAwsFiguresAndNoLinkLimit) {
  LoadResult r = check(text());
  ASSERT_TRUE(r.ok()) << r.render();
  const Topology& t = *r.topology;
  EXPECT_EQ(t.lab.scale, 1);
  EXPECT_EQ(t.tunnels[0].rate_mbit, 1250);
  EXPECT_EQ(t.tunnels[0].pps, 140000);
  EXPECT_EQ(tunnel_limits(t.lab, t.tunnels[0]), (Limits{1250, 140000, "rate_mbit"}));
  EXPECT_EQ(link_limits(t.lab, *t.link("dx1")), Limits{});
}

TEST(Limits, DxSpeedsAreAwsConnectionSpeeds) {
  EXPECT_EQ(dx_speeds().front(), "50M");
  EXPECT_EQ(dx_speeds().back(), "400G");
  EXPECT_EQ(dx_speeds().size(), 13u);
  EXPECT_EQ(dx_speed_mbit("10G"), 10000);
  EXPECT_EQ(dx_speed_mbit("500M"), 500);
  EXPECT_FALSE(dx_speed_mbit("3G"));
  EXPECT_FALSE(dx_speed_mbit("10g"));
}

TEST(Limits, ScaleDividesEveryRate) {
  LoadResult r = check(text("scale = 100", "speed = \"10G\"\nimpair = { pps = 50000 }", "",
                            "rate_mbit = 1000\npps = 100000"));
  ASSERT_TRUE(r.ok()) << r.render();
  const Topology& t = *r.topology;
  EXPECT_EQ(t.lab.scale, 100);
  EXPECT_EQ(link_limits(t.lab, *t.link("dx1")), (Limits{100, 500, "speed"}));
  EXPECT_EQ(tunnel_limits(t.lab, t.tunnels[0]), (Limits{10, 1000, "rate_mbit"}));
}

TEST(Limits, LowerImpairRateBeatsTheDxSpeed) {
  LoadResult r = check(text("", "speed = \"1G\"\nimpair = { rate_mbit = 300 }"));
  ASSERT_TRUE(r.ok()) << r.render();
  EXPECT_EQ(link_limits(r.topology->lab, *r.topology->link("dx1")),
            (Limits{300, 0, "impair.rate_mbit"}));
  LoadResult s = check(text("", "speed = \"1G\"\nimpair = { rate_mbit = 3000 }"));
  ASSERT_TRUE(s.ok()) << s.render();
  EXPECT_EQ(link_limits(s.topology->lab, *s.topology->link("dx1")), (Limits{1000, 0, "speed"}));
}

TEST(Limits, TunnelZeroMeansUnlimited) {
  LoadResult r = check(text("", "", "", "rate_mbit = 0\npps = 0"));
  ASSERT_TRUE(r.ok()) << r.render();
  EXPECT_EQ(tunnel_limits(r.topology->lab, r.topology->tunnels[0]), Limits{});
}

TEST(Limits, SpeedOnANonDxLinkIsAnError) {
  LoadResult r = check(text("", "", "speed = \"1G\""));
  const Diagnostic* e = first_error(r);
  ASSERT_TRUE(e) << r.render();
  EXPECT_NE(e->message.find("applies to dx links only"), std::string::npos) << e->message;
  EXPECT_EQ(e->where.line, 26u);
  EXPECT_EQ(e->where.column, 9u);
}

TEST(Limits, UnknownSpeedListsAwsSpeeds) {
  LoadResult r = check(text("", "speed = \"3G\""));
  const Diagnostic* e = first_error(r);
  ASSERT_TRUE(e) << r.render();
  EXPECT_NE(e->message.find("invalid Direct Connect speed \"3G\""), std::string::npos);
  EXPECT_NE(e->hint.find("50M, 100M"), std::string::npos) << e->hint;
  EXPECT_EQ(e->where.line, 31u);
}

TEST(Limits, ScaleMustBePositive) {
  for (const char* bad : {"scale = 0", "scale = -2", "scale = \"x\""}) {
    LoadResult r = check(text(bad));
    const Diagnostic* e = first_error(r);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->where.line, 3u) << bad;
  }
}

TEST(Limits, ImpairPpsMustBePositive) {
  LoadResult r = check(text("", "", "impair = { pps = 0 }"));
  ASSERT_TRUE(first_error(r)) << r.render();
  LoadResult ok = check(text("", "", "impair = { pps = 2000 }"));
  ASSERT_TRUE(ok.ok()) << ok.render();
  EXPECT_EQ(ok.topology->links[0].impair.pps, 2000);
}

TEST(Limits, ScaledBelowTheImpairmentLayersMinimumNamesTheKey) {
  // 50 Mbit/s / 10000 = 0.005 Mbit/s < 0.01.
  LoadResult r = check(text("scale = 10000", "speed = \"50M\""));
  const Diagnostic* e = first_error(r);
  ASSERT_TRUE(e) << r.render();
  EXPECT_NE(e->message.find("\"speed\""), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("scale = 10000"), std::string::npos) << e->message;
  EXPECT_EQ(e->where.line, 31u);
  // The tunnel: 140000 / 1e6 < 1 packet/s.
  LoadResult p = check(text("scale = 1000000"));
  bool pps = false;
  for (const auto& d : p.diagnostics.items())
    if (d.message.find("packet rate") != std::string::npos &&
        d.message.find("tunnel \"t1\"") != std::string::npos)
      pps = true;
  EXPECT_TRUE(pps) << p.render();
}

TEST(Limits, AProbeOverAScaledTunnelsPacketBudgetIsWarnedAbout) {
  // scale 200: 700 packets/s per tunnel; a 1 ms probe sends 1000.
  LoadResult r = check(text("scale = 200\nprobe = { from = \"h1\", to = \"h2\" }"));
  ASSERT_TRUE(r.ok()) << r.render();
  bool warned = false;
  for (const auto& d : r.diagnostics.items())
    if (d.severity == Severity::Warning && d.message.find("tunnel \"t1\" carries 700") == 0)
      warned = true;
  EXPECT_TRUE(warned) << r.render();
  // At scale 100 (1400/s) the same probe fits.
  LoadResult s = check(text("scale = 100\nprobe = { from = \"h1\", to = \"h2\" }"));
  ASSERT_TRUE(s.ok()) << s.render();
  EXPECT_EQ(s.diagnostics.warning_count(), 0u) << s.render();
}

TEST(Limits, TunnelKeysAreChecked) {
  LoadResult r = check(text("", "", "", "pps = -1"));
  ASSERT_TRUE(first_error(r)) << r.render();
  LoadResult s = check(text("", "", "", "rate_mbit = \"fast\""));
  ASSERT_TRUE(first_error(s)) << s.render();
}

}  // namespace
}  // namespace netlab::topology
