#include "netlab/topology/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

const std::string kSpec = std::string(NETLAB_TEST_DATA) + "/topology/valid/spec-example.toml";

LoadResult load(const std::string& text, const std::string& path = "dir/t.toml") {
  return load_string(text, path);
}

bool has_error(const LoadResult& r, const std::string& text) {
  for (auto& d : r.diagnostics.items())
    if (d.severity == Severity::Error && d.message.find(text) != std::string::npos) return true;
  return false;
}

std::string messages(const LoadResult& r) { return r.render(); }

TEST(Loader, SpecExampleModel) {
  LoadResult r = load_file(kSpec);
  ASSERT_TRUE(r.ok()) << messages(r);
  const Topology& t = *r.topology;
  EXPECT_EQ(t.path, kSpec);
  EXPECT_NE(t.source.find("[lab]"), std::string::npos);
  EXPECT_EQ(t.lab.name, "hybrid");
  EXPECT_EQ(t.lab.pool.str(), "10.255.0.0/16");  // default
  ASSERT_TRUE(t.lab.probe);
  EXPECT_EQ(t.lab.probe->from, "server");
  EXPECT_EQ(t.lab.probe->to, "app");

  // Nodes in file order, not toml++'s sorted order.
  std::vector<std::string> names;
  for (auto& n : t.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"server", "cgw", "dx-ny5", "vgw", "vpn-az1", "vpn-az2",
                                             "internet", "app"}));
  const Node* cgw = t.node("cgw");
  ASSERT_TRUE(cgw);
  EXPECT_EQ(cgw->role, Role::Customer);
  EXPECT_EQ(cgw->asn, 65000u);
  ASSERT_EQ(cgw->announce.size(), 1u);
  EXPECT_EQ(cgw->announce[0].str(), "10.0.0.0/24");
  EXPECT_EQ(cgw->domains.site, "dc1");
  EXPECT_EQ(t.node("dx-ny5")->domains.location, "ny5");
  EXPECT_EQ(t.node("vpn-az1")->domains.az, "use1-az1");

  // Link names default to "<a>-<b>"; dx gets BFD by default, lan does not.
  ASSERT_EQ(t.links.size(), 9u);
  EXPECT_EQ(t.links[0].name, "server-cgw");
  EXPECT_EQ(t.links[0].kind, LinkKind::Lan);
  EXPECT_FALSE(t.links[0].bfd.enabled);
  EXPECT_TRUE(t.links[0].bgp.enabled);
  const Link* dx1 = t.link("dx1");
  ASSERT_TRUE(dx1);
  EXPECT_EQ(dx1->kind, LinkKind::Dx);
  EXPECT_TRUE(dx1->bfd.enabled);
  EXPECT_FALSE(dx1->bfd.timers);
  EXPECT_EQ(dx1->subnet->str(), "169.254.10.0/30");
  EXPECT_EQ(dx1->domains.location, "ny5");
  EXPECT_EQ(dx1->a, (Endpoint{"cgw", std::nullopt}));
  EXPECT_TRUE(t.link("cgw-internet"));
  EXPECT_EQ(t.link("cgw-internet")->kind, LinkKind::Internet);

  // Tunnels: AWS VPN defaults.
  const Tunnel* t1 = t.tunnel("vpn1-t1");
  ASSERT_TRUE(t1);
  EXPECT_EQ(t1->type, TunnelType::Wireguard);
  EXPECT_EQ(t1->a, "cgw");
  EXPECT_EQ(t1->b, "vpn-az1");
  EXPECT_EQ(t1->inside->str(), "169.254.20.0/30");
  EXPECT_EQ(t1->bgp, (BgpTimers{10, 30}));
  EXPECT_EQ(t1->dpd.interval_s, 10u);
  EXPECT_EQ(t1->dpd.timeout_s, 30u);
  EXPECT_EQ(t1->dpd.action, DpdAction::Clear);

  // Scenarios: defaults and explicit values.
  const Scenario* cut = t.scenario("dx-fibre-cut");
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->fault.kind, FaultKind::Cut);
  EXPECT_EQ(cut->fault.target, "dx1");
  EXPECT_EQ(cut->fault.str(), "cut dx1");
  EXPECT_EQ(cut->trials, 3u);
  EXPECT_EQ(cut->hold_s, 5);
  EXPECT_EQ(cut->expect.max_outage_ms, 1500);
  EXPECT_EQ(cut->expect.max_failback_outage_ms, 200);
  EXPECT_EQ(cut->expect.path, (std::vector<std::string>{"vpn1-t1|vpn1-t2"}));
  EXPECT_EQ(t.probe_for(*cut), &*t.lab.probe);
  const Scenario* loc = t.scenario("location-ny5-lost");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->fault.kind, FaultKind::Domain);
  EXPECT_EQ(loc->fault.domain_type, DomainType::Location);
  EXPECT_EQ(loc->fault.domain_value, "ny5");
  EXPECT_EQ(loc->fault.str(), "domain location=ny5");
  EXPECT_EQ(loc->hold_s, 5);
  EXPECT_EQ(loc->trials, 1u);
  EXPECT_TRUE(loc->expect.reachable);
  EXPECT_FALSE(loc->expect.max_convergence_ms);
}

TEST(Loader, RecordsThePositionOfEveryKeyAndElement) {
  LoadResult r = load_file(kSpec);
  ASSERT_TRUE(r.topology);
  const Topology& t = *r.topology;
  const Link& dx1 = *t.link("dx1");
  // dx1's [[links]] header is on line 48 of the spec example.
  EXPECT_EQ(dx1.pos.of(""), (SourceRegion{48, 1, 48, 10}));
  EXPECT_EQ(dx1.pos.of("name"), (SourceRegion{49, 8, 49, 13}));
  EXPECT_EQ(dx1.pos.of("endpoints.0"), (SourceRegion{51, 14, 51, 19}));
  EXPECT_EQ(dx1.pos.of("endpoints.1"), (SourceRegion{51, 21, 51, 29}));
  // A key that was not written falls back to the table.
  EXPECT_EQ(dx1.pos.of("bgp.hold"), dx1.pos.of(""));
  const Scenario& s = *t.scenario("dx-fibre-cut");
  EXPECT_EQ(s.pos.of("fault.cut").line, 94u);
  EXPECT_EQ(s.pos.of("fault.cut").column, 17u);
  EXPECT_EQ(s.pos.of("expect.path.1").line, 97u);
  EXPECT_EQ(t.lab.probe->pos.of("to").line, 4u);
  EXPECT_EQ(t.lab.pos.of("probe.to"), t.lab.probe->pos.of("to"));
  EXPECT_EQ(t.node("cgw")->pos.of("announce.0").line, 14u);
  EXPECT_EQ(t.scenario("location-ny5-lost")->pos.of("fault.domain.location").line, 101u);
}

TEST(Loader, LinkBgpAndBfdAcceptFalseTrueOrATable) {
  LoadResult r = load(R"(
[lab]
name = "t"
[[links]]
endpoints = ["a", "b"]
bgp = false
bfd = true
[[links]]
endpoints = ["a:up1", "c:down1"]
kind = "dx"
bgp = { hold = 9 }
bfd = { multiplier = 5 }
[[links]]
endpoints = ["b", "c"]
kind = "dx"
bgp = { keepalive = 1 }
bfd = false
)");
  ASSERT_TRUE(r.topology) << messages(r);
  // Only the [lab] loads cleanly; nodes are missing, but the loader alone
  // does not check references.
  EXPECT_FALSE(r.diagnostics.has_errors()) << messages(r);
  const auto& l = r.topology->links;
  ASSERT_EQ(l.size(), 3u);
  EXPECT_FALSE(l[0].bgp.enabled);
  EXPECT_TRUE(l[0].bfd.enabled);
  EXPECT_EQ(l[1].name, "a-c");
  EXPECT_EQ(l[1].a, (Endpoint{"a", "up1"}));
  EXPECT_EQ(l[1].b, (Endpoint{"c", "down1"}));
  EXPECT_TRUE(l[1].bgp.enabled);
  EXPECT_EQ(l[1].bgp.timers, (BgpTimers{3, 9}));  // keepalive = hold / 3
  EXPECT_TRUE(l[1].bfd.enabled);
  EXPECT_EQ(l[1].bfd.timers, (BfdTimers{300, 5}));
  EXPECT_EQ(l[2].bgp.timers, (BgpTimers{1, 3}));  // hold = 3 x keepalive
  EXPECT_FALSE(l[2].bfd.enabled);                 // dx default turned off
}

TEST(Loader, PathsResolveAgainstTheTopologysDirectory) {
  LoadResult r = load(R"(
[lab]
name = "t"
frr_templates = "../templates"
[nodes.r]
role = "router"
asn = 1
config = "configs/r.conf"
[nodes.s]
role = "router"
asn = 2
config = "/etc/frr/s.conf"
)",
                      "topologies/sub/t.toml");
  ASSERT_TRUE(r.ok()) << messages(r);
  EXPECT_EQ(r.topology->lab.frr_templates, "topologies/templates");
  EXPECT_EQ(r.topology->node("r")->config, "topologies/sub/configs/r.conf");
  EXPECT_EQ(r.topology->node("s")->config, "/etc/frr/s.conf");
  LoadResult bare =
      load("[lab]\nname = \"t\"\n[nodes.r]\nrole = \"router\"\nconfig = \"r.conf\"\n", "t.toml");
  EXPECT_EQ(bare.topology->node("r")->config, "r.conf");
}

TEST(Loader, SeedZonesAndPool) {
  LoadResult r = load(R"(
[lab]
name = "t"
seed = 42
pool = "10.10.0.0/20"
[zones.use1-az1]
[zones.use1-bos-1a]
type = "local"
parent = "use1-az1"
failover = "use1-az2"
)");
  ASSERT_TRUE(r.ok()) << messages(r);
  const Topology& t = *r.topology;
  EXPECT_EQ(t.lab.seed, 42u);
  EXPECT_EQ(t.lab.pool.str(), "10.10.0.0/20");
  ASSERT_EQ(t.zones.size(), 2u);
  EXPECT_EQ(t.zone("use1-az1")->type, ZoneType::Az);
  const Zone* lz = t.zone("use1-bos-1a");
  ASSERT_TRUE(lz);
  EXPECT_EQ(lz->type, ZoneType::Local);
  EXPECT_EQ(lz->parent, "use1-az1");
  EXPECT_EQ(lz->failover, "use1-az2");
}

TEST(Loader, EveryFaultKindAndItsModifiers) {
  LoadResult r = load(R"(
[lab]
name = "t"
[[scenarios]]
name = "a"
fault = { oneway = "l", from = "x" }
[[scenarios]]
name = "b"
fault = { degrade = "l", loss_pct = 2.5, delay_ms = 40 }
[[scenarios]]
name = "c"
fault = { flap = "l", period_ms = 200, count = 7 }
hold_s = 0.5
[[scenarios]]
name = "d"
fault = { domain = { az = "use1-az1" } }
[[scenarios]]
name = "e"
fault = { maintenance = "t1" }
probe = { from = "h1", to = "h2", interval_ms = 0.5 }
expect = { reachable = false, max_convergence_ms = 100 }
[[scenarios]]
name = "f"
fault = { bgp_down = "l" }
[[scenarios]]
name = "g"
fault = { crash = "r" }
[[scenarios]]
name = "h"
fault = { poweroff = "r" }
[[scenarios]]
name = "i"
fault = { down = "l" }
)");
  ASSERT_TRUE(r.topology);
  EXPECT_FALSE(r.diagnostics.has_errors()) << messages(r);
  const auto& s = r.topology->scenarios;
  ASSERT_EQ(s.size(), 9u);
  EXPECT_EQ(s[0].fault.kind, FaultKind::Oneway);
  EXPECT_EQ(s[0].fault.from, "x");
  EXPECT_EQ(s[0].fault.str(), "oneway l from x");
  EXPECT_EQ(s[1].fault.kind, FaultKind::Degrade);
  EXPECT_EQ(s[1].fault.loss_pct, 2.5);
  EXPECT_EQ(s[1].fault.delay_ms, 40);
  EXPECT_EQ(s[2].fault.kind, FaultKind::Flap);
  EXPECT_EQ(s[2].fault.period_ms, 200u);
  EXPECT_EQ(s[2].fault.count, 7u);
  EXPECT_EQ(s[2].hold_s, 0.5);
  EXPECT_EQ(s[3].fault.domain_type, DomainType::Az);
  EXPECT_EQ(s[3].fault.domain_value, "use1-az1");
  EXPECT_EQ(s[4].fault.kind, FaultKind::Maintenance);
  EXPECT_EQ(s[4].fault.target, "t1");
  ASSERT_TRUE(s[4].probe);
  EXPECT_EQ(s[4].probe->interval_ms, 0.5);
  EXPECT_FALSE(s[4].expect.reachable);
  EXPECT_EQ(s[4].expect.max_convergence_ms, 100);
  EXPECT_EQ(r.topology->probe_for(s[4]), &*s[4].probe);
  EXPECT_EQ(s[5].fault.kind, FaultKind::BgpDown);
  EXPECT_EQ(s[6].fault.kind, FaultKind::Crash);
  EXPECT_EQ(s[7].fault.kind, FaultKind::Poweroff);
  EXPECT_EQ(s[8].fault.kind, FaultKind::Down);
  EXPECT_EQ(r.topology->probe_for(s[8]), nullptr);  // no [lab].probe
  // Flap defaults.
  LoadResult d =
      load("[lab]\nname = \"t\"\n[[scenarios]]\nname = \"f\"\nfault = { flap = \"l\" }\n");
  EXPECT_EQ(d.topology->scenarios[0].fault.period_ms, 1000u);
  EXPECT_EQ(d.topology->scenarios[0].fault.count, 3u);
}

TEST(Loader, ReportsEveryErrorNotJustTheFirst) {
  LoadResult r = load(R"(
[lab]
name = 5
pool = "nope"
[nodes.a]
role = "rooter"
asn = -3
colour = "red"
)");
  ASSERT_TRUE(r.topology);
  EXPECT_EQ(r.diagnostics.error_count(), 5u) << messages(r);
  EXPECT_TRUE(
      has_error(r, "wrong type for \"name\" in [lab]: expected a string, found an integer"));
  EXPECT_TRUE(has_error(r, "\"nope\" in [lab] is not an IPv4 prefix"));
  EXPECT_TRUE(has_error(r, "invalid role \"rooter\" in node \"a\""));
  EXPECT_TRUE(has_error(r, "\"asn\" in node \"a\" must be between 1 and 4294967294, found -3"));
  EXPECT_TRUE(has_error(r, "unknown key \"colour\" in node \"a\""));
}

TEST(Loader, UnknownKeysHintTheClosestValidKeyOrListThem) {
  LoadResult r = load("[lab]\nname = \"t\"\ndescriptoin = \"x\"\ncolour = 1\n");
  ASSERT_EQ(r.diagnostics.items().size(), 2u) << messages(r);
  const Diagnostic& typo = r.diagnostics.items()[0];
  EXPECT_EQ(typo.message, "unknown key \"descriptoin\" in [lab]");
  EXPECT_EQ(typo.hint, "did you mean \"description\"?");
  EXPECT_EQ(typo.where, (SourceRegion{3, 1, 3, 12}));
  const Diagnostic& other = r.diagnostics.items()[1];
  EXPECT_EQ(other.hint, "valid keys here: name, description, pool, probe, frr_templates, seed, scale");
}

TEST(Loader, InvalidEnumHintsTheClosestAndListsTheValidValues) {
  LoadResult r = load("[lab]\nname = \"t\"\n[nodes.a]\nrole = \"custmer\"\nasn = 1\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << messages(r);
  EXPECT_EQ(r.diagnostics.items()[0].hint,
            "did you mean \"customer\"? (valid: host, customer, aws-dx, aws-vpn, vgw, tgw, dxgw, "
            "internet, router)");
  // Recovery: the node carries on as the likely intended role.
  EXPECT_EQ(r.topology->node("a")->role, Role::Customer);
  LoadResult far =
      load("[lab]\nname = \"t\"\n[[links]]\nendpoints = [\"a\", \"b\"]\nkind = \"fibre\"\n");
  ASSERT_EQ(far.diagnostics.items().size(), 1u);
  EXPECT_EQ(far.diagnostics.items()[0].hint, "valid link kinds: lan, dx, internet, backbone");
}

TEST(Loader, HostBitsAreReportedWithTheNetworkAddress) {
  LoadResult r = load(
      "[lab]\nname = \"t\"\n[[links]]\nendpoints = [\"a\", \"b\"]\nsubnet = \"10.0.0.1/24\"\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_NE(
      d.message.find("10.0.0.1/24 in link \"a-b\" has host bits set; did you mean 10.0.0.0/24?"),
      std::string::npos);
  EXPECT_EQ(d.hint, "did you mean \"10.0.0.0/24\"?");
  EXPECT_EQ(d.where, (SourceRegion{5, 10, 5, 23}));
}

TEST(Loader, SyntaxErrorIsOneDiagnosticAtToml_sPosition) {
  LoadResult r = load("[lab]\nname = \"t\"\nname = \"u\"\n");
  EXPECT_FALSE(r.topology);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.where.line, 3u);
  EXPECT_NE(d.message.find("invalid TOML"), std::string::npos);
  // The text is kept so the error can be shown in context.
  EXPECT_EQ(r.source, "[lab]\nname = \"t\"\nname = \"u\"\n");
  EXPECT_NE(r.render().find("    3 | name = \"u\"\n"), std::string::npos);
}

TEST(Loader, NonAsciiOutsideStringsIsRefusedBeforeTomlSeesIt) {
  // toml++ 3.3 hits __builtin_unreachable() on these (upstream #190/#295).
  for (const char* text : {"[lab]\nnamé = \"t\"\n", "a = 1 é\n", "a = \"\"\"\\\n  é\"\"\"\n",
                           "a = \"\"\"\\é\"\"\"\n",
                           // after a dot in a value a quote opens no string: toml++
                           // reads on through the malformed value (fuzzer find)
                           "a = 2.\"é\"\n", "a = [1, 2.\"é\"]\n", "a = { b = 2.\"é\" }\n"}) {
    LoadResult r = load(text);
    EXPECT_FALSE(r.topology) << text;
    ASSERT_EQ(r.diagnostics.items().size(), 1u) << text;
    EXPECT_NE(r.diagnostics.items()[0].message.find("U+00E9"), std::string::npos);
  }
  LoadResult first = load("[lab]\nnamé = \"t\"\n");
  EXPECT_EQ(first.diagnostics.items()[0].where.line, 2u);
  EXPECT_EQ(first.diagnostics.items()[0].where.column, 4u);
  // Inside strings and comments it is fine.
  LoadResult ok = load(
      "[lab] # café\nname = \"t\"\ndescription = \"Zürich — São Paulo\"\n"
      "[nodes.r]\nrole = 'router'\nasn = 1\nsite = '''Montréal'''\n"
      "[[scenarios]]\nname = \"s\"\ndescription = \"\"\"\nété \\\"x\\\" \"\"\"\n"
      "fault = { crash = \"r\" }\n");
  EXPECT_FALSE(ok.diagnostics.has_errors()) << ok.render();
  EXPECT_EQ(ok.topology->lab.description, "Zürich — São Paulo");
  EXPECT_EQ(ok.topology->node("r")->domains.site, "Montréal");
  // A quoted part of a dotted key is a string, in a table header, a key and
  // an inline table's key alike.
  for (const char* text : {"[nodes.\"é\"]\n", "a.\"é\" = 1\n", "a = { b.\"é\" = 1 }\n",
                           "a = [{ b = 1, c.\"é\" = 2 }]\n"}) {
    LoadResult dotted = load(text);
    for (const auto& d : dotted.diagnostics.items())
      EXPECT_EQ(d.message.find("U+00E9"), std::string::npos) << text << d.message;
  }
}

TEST(Loader, NonFiniteAndOutOfRangeNumbersAreRefused) {
  LoadResult r = load(R"(
[lab]
name = "t"
[[scenarios]]
name = "s"
fault = { degrade = "l", loss_pct = nan, delay_ms = -1 }
hold_s = 1e12
trials = 99999999999
)");
  EXPECT_TRUE(
      has_error(r, "\"fault.loss_pct\" in the fault of scenario \"s\" must be a finite number"));
  EXPECT_TRUE(has_error(r, "\"fault.delay_ms\""));
  EXPECT_TRUE(has_error(r, "\"hold_s\" in scenario \"s\""));
  EXPECT_TRUE(has_error(r, "\"trials\" in scenario \"s\""));
}

TEST(Loader, MissingFileIsAnErrorWithoutPosition) {
  LoadResult r = load_file("/nonexistent/netlab/t.toml");
  EXPECT_FALSE(r.topology);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_FALSE(r.diagnostics.items()[0].where.known());
  EXPECT_NE(r.render().find("/nonexistent/netlab/t.toml: error: cannot read"), std::string::npos);
}

TEST(Loader, LoadAndValidateSortsLoaderAndValidatorErrorsTogether) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(testing::TempDir()) / "netlab_loader_test";
  fs::create_directories(dir);
  fs::path file = dir / "t.toml";
  {
    std::ofstream out(file);
    out << "[lab]\nname = \"T\"\n[nodes.a]\nrole = \"router\"\nasn = \"x\"\n";
  }
  LoadResult r = load_and_validate(file.string());
  ASSERT_EQ(r.diagnostics.items().size(), 2u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].where.line, 2u);  // validator: lab name
  EXPECT_EQ(r.diagnostics.items()[1].where.line, 5u);  // loader: asn type
  fs::remove_all(dir);
}

}  // namespace
}  // namespace netlab::topology

namespace netlab::topology {
namespace {

// Host a, router r, host b in a line, probed from a to b with `probe`
// (the inside of its braces), one scenario crashing r; `extra` lines follow
// its fault (line 17 on).
std::string crash_scenario(const std::string& probe, const std::string& extra = "") {
  return R"([lab]
name = "t"
probe = { )" + probe + R"( }
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
)" + extra;
}

TEST(Loader, ProbeFlowsAndTheAffectedFlowsTarget) {
  const std::string base = crash_scenario("from = \"a\", to = \"b\", interval_ms = 2, flows = 8");
  auto ok = load_string(base + "expect = { reachable = false, max_affected_flows_pct = 100 }\n", "t.toml");
  ASSERT_TRUE(ok.ok()) << ok.render();
  EXPECT_EQ(ok.topology->lab.probe->flows, 8u);
  EXPECT_EQ(ok.topology->scenarios[0].expect.max_affected_flows_pct, 100.0);

  auto too_many = load_string(std::string(base).replace(base.find("flows = 8"), 9, "flows = 33") + "\n", "t.toml");
  EXPECT_FALSE(too_many.ok());
  EXPECT_NE(too_many.render().find("flows"), std::string::npos);
  auto bad_pct = load_string(base + "expect = { max_affected_flows_pct = 120 }\n", "t.toml");
  EXPECT_FALSE(bad_pct.ok());
}

// The scenario of ProbeFlowsAndTheAffectedFlowsTarget with a plain probe and
// `extra` lines after its fault (line 17 on).
LoadResult loss_scenario(const std::string& extra) {
  return load_string(crash_scenario("from = \"a\", to = \"b\"", extra), "t.toml");
}

TEST(Loader, LossTargetsAndTheCleanPeriod) {
  auto ok = loss_scenario("clean_ms = 500\nexpect = { max_loss_ms = 300, max_recovery_ms = 350.5, max_loss_bursts = 3 }\n");
  ASSERT_TRUE(ok.ok()) << ok.render();
  const Scenario& s = ok.topology->scenarios[0];
  EXPECT_EQ(s.clean_ms, 500);
  EXPECT_EQ(s.expect.max_loss_ms, 300.0);
  EXPECT_EQ(s.expect.max_recovery_ms, 350.5);
  EXPECT_EQ(s.expect.max_loss_bursts, 3u);
  auto plain = loss_scenario("");
  ASSERT_TRUE(plain.ok()) << plain.render();
  EXPECT_EQ(plain.topology->scenarios[0].clean_ms, 1000);  // the default
  EXPECT_FALSE(plain.topology->scenarios[0].expect.max_loss_ms);
  EXPECT_FALSE(plain.topology->scenarios[0].expect.max_loss_bursts);
}

TEST(Loader, CoverPathsIsABooleanOfTheScenario) {
  auto on = loss_scenario("cover_paths = true\n");
  ASSERT_TRUE(on.ok()) << on.render();
  EXPECT_TRUE(on.topology->scenarios[0].cover_paths);
  EXPECT_FALSE(loss_scenario("").topology->scenarios[0].cover_paths);  // the default
  auto text = loss_scenario("cover_paths = \"yes\"\n");
  EXPECT_NE(text.render().find("t.toml:18:15: error: wrong type for \"cover_paths\""), std::string::npos)
      << text.render();
  EXPECT_NE(text.render().find("true or false"), std::string::npos) << text.render();
  auto typo = loss_scenario("cover_path = true\n");
  EXPECT_NE(typo.render().find("cover_paths"), std::string::npos) << typo.render();  // did you mean
}

TEST(Loader, BadLossTargetsAreErrorsAtTheirPlace) {
  auto negative = loss_scenario("expect = { max_loss_ms = -1 }\n");
  EXPECT_NE(negative.render().find("t.toml:18:26: error: \"expect.max_loss_ms\" in scenario \"s\" must be between 0 and"),
            std::string::npos)
      << negative.render();
  auto text = loss_scenario("expect = { max_recovery_ms = \"fast\" }\n");
  EXPECT_NE(text.render().find("t.toml:18:30: error: wrong type for \"expect.max_recovery_ms\""), std::string::npos) << text.render();
  EXPECT_NE(text.render().find("expected a number"), std::string::npos) << text.render();
  auto fraction = loss_scenario("expect = { max_loss_bursts = 1.5 }\n");
  EXPECT_NE(fraction.render().find("t.toml:18:30: error: wrong type for \"expect.max_loss_bursts\""), std::string::npos)
      << fraction.render();
  EXPECT_NE(fraction.render().find("an integer"), std::string::npos) << fraction.render();
  auto zero_clean = loss_scenario("clean_ms = 0\n");
  EXPECT_NE(zero_clean.render().find("t.toml:18:12: error: \"clean_ms\" in scenario \"s\" must be greater than 0"),
            std::string::npos)
      << zero_clean.render();
  auto typo = loss_scenario("expect = { max_loss_burst = 1 }\n");
  EXPECT_FALSE(typo.ok());
  EXPECT_NE(typo.render().find("max_loss_bursts"), std::string::npos) << typo.render();  // did you mean
  // A clean period as long as the hold could never be seen: the target
  // could never be judged.
  auto unjudgeable = loss_scenario("hold_s = 1\nexpect = { max_recovery_ms = 300 }\n");
  EXPECT_NE(unjudgeable.render().find("t.toml:19:30: error: expect.max_recovery_ms of scenario \"s\" cannot be "
                                      "judged: its clean period 1000 ms is not shorter than its hold of 1 s"),
            std::string::npos)
      << unjudgeable.render();
  EXPECT_TRUE(loss_scenario("hold_s = 1\nclean_ms = 500\nexpect = { max_recovery_ms = 300 }\n").ok());
  EXPECT_TRUE(loss_scenario("hold_s = 1\n").ok());  // no recovery target: the figure is just a lower bound
}

}  // namespace
}  // namespace netlab::topology
