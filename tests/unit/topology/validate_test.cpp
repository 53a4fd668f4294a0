#include "netlab/topology/validate.h"

#include <gtest/gtest.h>

#include "netlab/topology/loader.h"

namespace netlab::topology {
namespace {

// A small design with a DX path and a VPN backup; tests add to it.
constexpr std::string_view kBase = R"([lab]
name = "t"
probe = { from = "h1", to = "h2" }

[nodes.h1]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
site = "dc1"
[nodes.dx]
role = "aws-dx"
asn = 64512
location = "ny5"
[nodes.vpn]
role = "aws-vpn"
asn = 64512
az = "use1-az1"
[nodes.vgw]
role = "vgw"
asn = 64512
[nodes.inet]
role = "internet"
[nodes.h2]
role = "host"

[[links]]
endpoints = ["h1", "cgw"]
[[links]]
name = "dx1"
kind = "dx"
endpoints = ["cgw", "dx"]
location = "ny5"
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
)";

LoadResult check(std::string_view extra) {
  LoadResult r = load_string(std::string(kBase) + std::string(extra), "t.toml");
  if (r.topology) {
    validate(*r.topology, r.diagnostics);
  }
  return r;
}

std::vector<Diagnostic> of(const LoadResult& r, Severity s) {
  std::vector<Diagnostic> out;
  for (auto& d : r.diagnostics.items())
    if (d.severity == s) out.push_back(d);
  return out;
}

TEST(Validate, BaseDesignIsClean) {
  LoadResult r = check("");
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
}

TEST(Validate, ScenarioThatSurvivesGivesNoWarning) {
  LoadResult r = check(R"(
[[scenarios]]
name = "dx-cut"
fault = { cut = "dx1" }
expect = { reachable = true, path = ["t1"] }
)");
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
}

TEST(Validate, CoverPathsWarnsWhenNoRouterHasTwoPeerings) {
  // cgw peers over dx1 and t1: alternatives are possible.
  EXPECT_TRUE(check("[[scenarios]]\nname = \"s\"\nfault = { cut = \"dx1\" }\ncover_paths = true\n")
                  .diagnostics.items()
                  .empty());
  LoadResult r = load_string(R"([lab]
name = "t"
probe = { from = "a", to = "b" }
[nodes.a]
role = "host"
[nodes.r]
role = "router"
asn = 65001
[nodes.b]
role = "host"
[[links]]
endpoints = ["a", "r"]
[[links]]
endpoints = ["r", "b"]
[[scenarios]]
name = "s"
fault = { crash = "r" }
expect = { reachable = false }
cover_paths = true
)",
                             "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_NE(r.render().find("t.toml:19:15: warning: cover_paths of scenario \"s\" has nothing to cover"),
            std::string::npos)
      << r.render();
}

TEST(Validate, WarnsWhenTheFaultRemovesEveryPathButReachableIsExpected) {
  LoadResult r = check(R"(
[[scenarios]]
name = "site-lost"
fault = { domain = { site = "dc1" } }
)");
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_FALSE(r.diagnostics.has_errors());
  EXPECT_EQ(
      w[0].message,
      "scenario \"site-lost\" expects \"h2\" to stay reachable, but fault \"domain site=dc1\" "
      "leaves no path from \"h1\"");
  EXPECT_EQ(w[0].hint, "add a redundant path, or expect reachable = false");
  EXPECT_EQ(w[0].where.line, 53u);  // the fault's value
  EXPECT_NE(r.render().find("t.toml:53:9: warning: "), std::string::npos);
}

TEST(Validate, WarnsWhenUnreachableIsExpectedButAPathSurvives) {
  LoadResult r = check(R"(
[[scenarios]]
name = "dx-cut"
fault = { cut = "dx1" }
expect = { reachable = false }
)");
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_EQ(w[0].message,
            "scenario \"dx-cut\" expects \"h2\" to be unreachable, but a path survives fault "
            "\"cut dx1\"");
  EXPECT_EQ(w[0].hint, "it can still go through h1-cgw, vgw-h2, vpn-vgw, t1");
}

TEST(Validate, TunnelDiesWithItsUnderlay) {
  // Cutting cgw's internet link takes the tunnel with it; the DX survives.
  LoadResult ok = check(R"(
[[scenarios]]
name = "internet-cut"
fault = { cut = "cgw-inet" }
expect = { path = ["t1"] }
)");
  auto w = of(ok, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << ok.render();
  EXPECT_EQ(w[0].message,
            "\"t1\" in expect.path of scenario \"internet-cut\" is on no path that survives fault \"cut cgw-inet\"");
  // DX location lost and internet lost together: nothing left. A poweroff
  // of the internet node takes every tunnel down.
  LoadResult both = check(R"(
[[scenarios]]
name = "inet-off"
fault = { poweroff = "inet" }
expect = { reachable = true, path = ["dx1"] }
)");
  EXPECT_TRUE(both.diagnostics.items().empty()) << both.render();
}

TEST(Validate, CrashOfTheOnlyCustomerRouterIsAnOutage) {
  LoadResult r = check(R"(
[[scenarios]]
name = "cgw-crash"
fault = { crash = "cgw" }
)");
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_NE(w[0].message.find("leaves no path"), std::string::npos);
}

TEST(Validate, DegradeRemovesNothing) {
  LoadResult r = check(R"(
[[scenarios]]
name = "gray"
fault = { degrade = "dx1", loss_pct = 50 }
expect = { reachable = false }
)");
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_NE(w[0].message.find("a path survives"), std::string::npos);
}

TEST(Validate, WarnsWhenTheProbeCannotReachEvenBeforeTheFault) {
  LoadResult r = check(R"(
[nodes.h3]
role = "host"
[nodes.r9]
role = "router"
asn = 65009
[[links]]
endpoints = ["h3", "r9"]
[[scenarios]]
name = "island"
probe = { from = "h1", to = "h3" }
fault = { cut = "dx1" }
)");
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_NE(w[0].message.find("cannot reach \"h3\" even before the fault"), std::string::npos);
}

TEST(Validate, NoDesignWarningsWhileThereAreErrors) {
  LoadResult r = check(R"(
[[scenarios]]
name = "site-lost"
fault = { domain = { site = "dc1" } }
[[scenarios]]
name = "bad"
fault = { cut = "dx9" }
)");
  EXPECT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.warning_count(), 0u);
}

TEST(Validate, DxBfdBelowAwsMinimumIsAWarning) {
  LoadResult r =
      load_string(std::string(kBase).replace(kBase.find("location = \"ny5\"\n[[links]]"), 16,
                                             "location = \"ny5\"\nbfd = { interval_ms = 100 }"),
                  "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  auto w = of(r, Severity::Warning);
  ASSERT_EQ(w.size(), 1u) << r.render();
  EXPECT_EQ(w[0].message,
            "BFD interval 100 ms on link \"dx1\" is below AWS Direct Connect's minimum of 300 ms");
}

TEST(Validate, UnknownNodeHintsTheClosestName) {
  LoadResult r = check(R"(
[[links]]
name = "x"
endpoints = ["cgw2", "vgw"]
)");
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << r.render();
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.message, "link \"x\" names node \"cgw2\", which is not defined");
  EXPECT_EQ(d.hint, "did you mean \"cgw\"?");
  EXPECT_NE(r.render().find("      |              ^~~~~~ did you mean \"cgw\"?\n"),
            std::string::npos);
}

TEST(Validate, FaultOnATunnelNameHintsMaintenance) {
  LoadResult r = check(R"(
[[scenarios]]
name = "s"
fault = { cut = "t1" }
)");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].hint,
            "\"t1\" is a tunnel; a tunnel fails with { maintenance = \"t1\" }");
}

TEST(Validate, UnknownDomainHintsAKnownValue) {
  LoadResult r = check(R"(
[[scenarios]]
name = "s"
fault = { domain = { location = "ny6" } }
)");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].hint, "did you mean \"ny5\"?");
}

TEST(Validate, DuplicateUnnamedLinksHintAName) {
  LoadResult r = check(R"(
[[links]]
endpoints = ["dx", "vgw"]
)");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].message, "link name \"dx-vgw\" is used twice (line 34)");
  EXPECT_EQ(r.diagnostics.items()[0].hint,
            "two links join the same nodes: give each a name = \"...\"");
}

TEST(Validate, LocalZoneFailoverToParentQuotesAwsAdvice) {
  LoadResult r = check(R"(
[zones.use1-az1]
[zones.use1-bos-1a]
type = "local"
parent = "use1-az1"
failover = "use1-az1"
)");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_NE(r.diagnostics.items()[0].hint.find("AWS advises failing over to another Local Zone"),
            std::string::npos);
}

TEST(Validate, AzMustBeAZoneOnlyWhenZonesAreDescribed) {
  EXPECT_TRUE(check("").diagnostics.items().empty());  // vpn has az, no [zones]: fine
  LoadResult r = check("[zones.use1-az2]\n");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].message,
            "node \"vpn\" names az \"use1-az1\", which is not in [zones]");
  EXPECT_EQ(r.diagnostics.items()[0].hint, "did you mean \"use1-az2\"?");
}

TEST(Validate, PoolTooSmallForTheLinksWithoutSubnet) {
  LoadResult r =
      load_string(std::string(kBase).replace(0, 5, "[lab]\npool = \"10.9.0.0/30\""), "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_NE(r.diagnostics.items()[0].message.find("cannot hold a subnet for each of the 7 links"),
            std::string::npos);
}

TEST(Validate, OpenSubnetsAndSlash31AreFine) {
  LoadResult r = check(R"(
[[links]]
name = "spare"
endpoints = ["dx", "vgw"]
subnet = "192.168.0.0/31"
)");
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
}

TEST(Validate, TunnelInsideOverlappingALinkSubnet) {
  LoadResult r = load_string(std::string(kBase) + "inside = \"169.254.10.0/30\"\n" +
                                 "[[links]]\nname = \"x\"\nendpoints = [\"dx\", \"vgw\"]\n"
                                 "subnet = \"169.254.10.0/29\"\n",
                             "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.render();
  EXPECT_NE(r.diagnostics.items()[0].message.find(
                "169.254.10.0/30 of tunnel \"t1\" overlaps 169.254.10.0/29 of link \"x\""),
            std::string::npos);
}

TEST(Validate, ProgrammaticTopologyWithHostBitsAndMissingAsn) {
  // The validator does not trust that the loader ran: a model built in code
  // gets the same checks.
  Topology t;
  t.lab.name = "t";
  Node r1;
  r1.name = "r1";
  r1.role = Role::Router;
  Node r2 = r1;
  r2.name = "r2";
  r2.asn = 2;
  t.nodes = {r1, r2};
  Link l;
  l.name = "r1-r2";
  l.a.node = "r1";
  l.b.node = "r2";
  l.subnet = Ipv4Prefix{Ipv4{0x0A000001}, 30};
  t.links = {l};
  Diagnostics d;
  validate(t, d);
  ASSERT_EQ(d.error_count(), 2u) << d.render("", "");
  EXPECT_NE(d.render("", "").find("has host bits set; did you mean 10.0.0.0/30?"),
            std::string::npos);
  EXPECT_NE(d.render("", "").find("node \"r1\" has role router and needs an asn"),
            std::string::npos);
}

}  // namespace
}  // namespace netlab::topology

// Verdict-related checks: path targets, holds against detection, AWS-side ASNs.
namespace netlab::topology {
namespace {

// kBase with a second VPN connection and no DX: the probe rides a tunnel.
std::string vpn_only(std::string_view extra) {
  std::string base(kBase);
  std::string dx = "[[links]]\nname = \"dx1\"\nkind = \"dx\"\nendpoints = [\"cgw\", \"dx\"]\nlocation = \"ny5\"\n";
  base.replace(base.find(dx), dx.size(), "");
  return base + R"(
[nodes.vpn2]
role = "aws-vpn"
asn = 64512
[[links]]
endpoints = ["vpn2", "vgw"]
[[links]]
kind = "internet"
endpoints = ["vpn2", "inet"]
[[tunnels]]
name = "t2"
endpoints = ["cgw", "vpn2"]
)" + std::string(extra);
}

LoadResult check_text(const std::string& text) {
  LoadResult r = load_string(text, "t.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

TEST(ValidateVerdicts, AHoldNoLongerThanDetectionIsRefused) {
  // The tunnel's underlay is cut silently: BGP's hold time (30 s) detects it.
  auto r = check_text(vpn_only(R"(
[[scenarios]]
name = "tunnel-lost"
fault = { cut = "vpn-inet" }
hold_s = 20
expect = { path = ["t2"] }
)"));
  auto e = of(r, Severity::Error);
  ASSERT_EQ(e.size(), 1u) << r.render();
  EXPECT_EQ(e[0].message,
            "scenario \"tunnel-lost\" holds its fault 20 s, no longer than the 30 s it takes to detect it (the BGP "
            "hold time of tunnel \"t1\"), so the probe cannot be rerouted before the repair");
  EXPECT_NE(e[0].hint.find("hold_s > 30"), std::string::npos);
  EXPECT_NE(r.render().find("t.toml:" + std::to_string(e[0].where.line) + ":10: error: "), std::string::npos)
      << r.render();  // at the hold_s value

  // Longer than detection: fine.
  auto ok = check_text(vpn_only(R"(
[[scenarios]]
name = "tunnel-lost"
fault = { cut = "vpn-inet" }
hold_s = 36
expect = { path = ["t2"] }
)"));
  EXPECT_FALSE(ok.diagnostics.has_errors()) << ok.render();

  // Expecting the loss: a short blip may be meant, so a warning.
  auto blip = check_text(vpn_only(R"(
[[scenarios]]
name = "blip"
fault = { cut = "vpn-inet" }
hold_s = 2
expect = { reachable = false }
)"));
  EXPECT_FALSE(blip.diagnostics.has_errors()) << blip.render();
  bool warned = false;
  for (const auto& w : of(blip, Severity::Warning))
    warned |= w.message.find("the fault is repaired before anything reacts to it") != std::string::npos;
  EXPECT_TRUE(warned) << blip.render();
}

TEST(ValidateVerdicts, ATunnelOffTheDirectConnectPathNeedsNoLongHold) {
  // DX carries the probe (AWS prefers it): losing the tunnel moves nothing.
  auto r = check(R"(
[[scenarios]]
name = "backup-lost"
fault = { poweroff = "inet" }
expect = { path = ["dx1"] }
)");
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
  // A DX cut without BFD: the DX hold time (90 s by default) decides.
  auto slow = check(R"(
[[scenarios]]
name = "dx-cut"
fault = { cut = "dx1" }
hold_s = 10
expect = { path = ["t1"] }
)");
  ASSERT_FALSE(slow.diagnostics.has_errors()) << slow.render();  // BFD is on by default on dx
  auto nobfd = load_string(std::string(kBase).replace(kBase.find("location = \"ny5\"\n[[links]]"), 16,
                                                      "location = \"ny5\"\nbfd = false") +
                               R"(
[[scenarios]]
name = "dx-cut"
fault = { cut = "dx1" }
hold_s = 10
expect = { path = ["t1"] }
)",
                           "t.toml");
  ASSERT_TRUE(nobfd.topology) << nobfd.render();
  validate(*nobfd.topology, nobfd.diagnostics);
  auto e = of(nobfd, Severity::Error);
  ASSERT_EQ(e.size(), 1u) << nobfd.render();
  EXPECT_NE(e[0].message.find("no longer than the 90 s it takes to detect it (the BGP hold time of link \"dx1\", "
                              "no BFD)"),
            std::string::npos)
      << e[0].message;
}

TEST(ValidateVerdicts, ADxRouterOutsideTheVgwsAsIsRefusedWhenAVpnCompetes) {
  std::string text(kBase);
  text.replace(text.find("asn = 64512\nlocation"), 11, "asn = 64600");
  auto r = check_text(text);
  auto e = of(r, Severity::Error);
  ASSERT_EQ(e.size(), 1u) << r.render();
  EXPECT_EQ(e[0].message,
            "aws-dx node \"dx\" (ASN 64600) joins vgw \"vgw\" (ASN 64512) over link \"dx-vgw\" in another AS: the "
            "VGW would receive DX routes over eBGP without their local preference, and prefer vgw \"vgw\"'s VPN "
            "routes (shorter AS_PATH) over DX, against AWS's route priority");
  EXPECT_EQ(e[0].where.line, 13u);  // the dx node's asn
  EXPECT_NE(e[0].hint.find("asn = 64512"), std::string::npos);

  // No VPN on that VGW: nothing competes yet, a warning.
  std::string lone = text;
  std::string vpn_link = "[[links]]\nendpoints = [\"vpn\", \"vgw\"]\n";
  lone.replace(lone.find(vpn_link), vpn_link.size(), "");
  auto w = check_text(lone);
  EXPECT_FALSE(w.diagnostics.has_errors()) << w.render();
  bool warned = false;
  for (const auto& d : of(w, Severity::Warning)) warned |= d.message.find("aws-dx node \"dx\" (ASN 64600)") == 0;
  EXPECT_TRUE(warned) << w.render();
}

TEST(ValidateVerdicts, PathTargetsNameLinksOrTunnelsPerAlternative) {
  auto r = check(R"(
[[scenarios]]
name = "s"
fault = { cut = "dx1" }
expect = { path = ["t1|t9"], path_reverse = ["t1"], path_forward = ["dx2"] }
)");
  auto e = of(r, Severity::Error);
  ASSERT_EQ(e.size(), 2u) << r.render();
  EXPECT_EQ(e[0].message, "expect.path of scenario \"s\" names \"t9\", which is neither a link nor a tunnel");
  EXPECT_EQ(e[1].message, "expect.path_forward of scenario \"s\" names \"dx2\", which is neither a link nor a tunnel");
  EXPECT_EQ(e[1].hint, "did you mean \"dx1\"?");
  auto ok = check(R"(
[[scenarios]]
name = "s"
fault = { cut = "dx1" }
expect = { path = ["t1|dx1"], path_forward = ["t1"], path_reverse = ["t1"] }
)");
  EXPECT_TRUE(ok.diagnostics.items().empty()) << ok.render();
  // An element on no surviving path is named in the warning.
  auto w = check(R"(
[[scenarios]]
name = "s"
fault = { cut = "dx1" }
expect = { path = ["t1", "dx1"] }
)");
  ASSERT_EQ(of(w, Severity::Warning).size(), 1u) << w.render();
  EXPECT_EQ(of(w, Severity::Warning)[0].message,
            "\"dx1\" in expect.path of scenario \"s\" is on no path that survives fault \"cut dx1\"");
}

TEST(LoadVerdicts, FailbackPathDefaultsToBaselineWhereAPathIsClaimed) {
  auto r = check(R"(
[[scenarios]]
name = "a"
fault = { cut = "dx1" }
expect = { path = ["t1"] }
[[scenarios]]
name = "b"
fault = { cut = "dx1" }
expect = { path = ["t1"], failback_path = "any" }
[[scenarios]]
name = "c"
fault = { cut = "dx1" }
[[scenarios]]
name = "d"
fault = { cut = "dx1" }
expect = { path_reverse = ["t1"] }
)");
  ASSERT_TRUE(r.topology) << r.render();
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.render();
  EXPECT_EQ(r.topology->scenarios[0].expect.failback_path, FailbackPath::Baseline);
  EXPECT_EQ(r.topology->scenarios[1].expect.failback_path, FailbackPath::Any);
  EXPECT_EQ(r.topology->scenarios[2].expect.failback_path, FailbackPath::Any);
  EXPECT_EQ(r.topology->scenarios[3].expect.failback_path, FailbackPath::Baseline);
  EXPECT_EQ(r.topology->scenarios[3].expect.path_reverse, std::vector<std::string>{"t1"});
  auto bad = check(R"(
[[scenarios]]
name = "a"
fault = { cut = "dx1" }
expect = { failback_path = "baseline-ish" }
)");
  auto e = of(bad, Severity::Error);
  ASSERT_EQ(e.size(), 1u) << bad.render();
  EXPECT_NE(e[0].message.find("invalid failback path \"baseline-ish\""), std::string::npos) << e[0].message;
}

TEST(PathAlternatives, SplitOnBars) {
  EXPECT_EQ(path_alternatives("dx2"), std::vector<std::string>{"dx2"});
  EXPECT_EQ(path_alternatives("vpn1-t1|vpn1-t2"), (std::vector<std::string>{"vpn1-t1", "vpn1-t2"}));
  EXPECT_EQ(path_alternatives("a|"), (std::vector<std::string>{"a", ""}));
}

}  // namespace
}  // namespace netlab::topology
