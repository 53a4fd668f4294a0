#include "netlab/topology/graph.h"

#include <gtest/gtest.h>

#include "netlab/topology/loader.h"

namespace netlab::topology {
namespace {

Topology load(std::string_view text) {
  LoadResult r = load_string(std::string(text), "g.toml");
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.render();
  return *r.topology;
}

// h1 - a - b - h2 with a second path a - c - b, a spur b - d (a dead end),
// and a VPN tunnel a <-> d over the internet node.
constexpr std::string_view kGraph = R"([lab]
name = "g"
[nodes.h1]
role = "host"
[nodes.h2]
role = "host"
[nodes.a]
role = "router"
asn = 1
[nodes.b]
role = "router"
asn = 2
[nodes.c]
role = "router"
asn = 3
[nodes.d]
role = "router"
asn = 4
[nodes.e]
role = "router"
asn = 5
[nodes.inet]
role = "internet"
[[links]]
endpoints = ["h1", "a"]
[[links]]
endpoints = ["a", "b"]
[[links]]
endpoints = ["a", "c"]
[[links]]
endpoints = ["c", "b"]
[[links]]
endpoints = ["b", "h2"]
[[links]]
endpoints = ["b", "d"]
[[links]]
endpoints = ["d", "e"]
[[links]]
kind = "internet"
endpoints = ["a", "inet"]
[[links]]
kind = "internet"
endpoints = ["e", "inet"]
[[tunnels]]
name = "t"
endpoints = ["a", "e"]
)";

using Names = std::set<std::string, std::less<>>;

TEST(Graph, EdgesOnSimplePathsIncludeEveryCycleOnTheWayButNoDeadEnds) {
  Topology t = load(kGraph);
  Graph g(t);
  Reachability r = g.reach("h1", "h2", {});
  ASSERT_TRUE(r.reachable);
  // a-b-c is a cycle on the way; the tunnel a-e with e-d-b closes another
  // cycle through b, so it is on a simple path too (h1 a t e d b h2).
  EXPECT_EQ(r.links, (Names{"h1-a", "a-b", "a-c", "c-b", "b-h2", "b-d", "d-e"}));
  EXPECT_EQ(r.tunnels, (Names{"t"}));
}

TEST(Graph, DeadEndSpurIsNotOnAnyPath) {
  Topology t = load(kGraph);
  Graph g(t);
  FailureSet f;
  f.tunnels.insert("t");
  Reachability r = g.reach("h1", "h2", f);
  ASSERT_TRUE(r.reachable);
  EXPECT_EQ(r.links, (Names{"h1-a", "a-b", "a-c", "c-b", "b-h2"}));
  EXPECT_TRUE(r.tunnels.empty());
}

TEST(Graph, BridgeFailureDisconnects) {
  Topology t = load(kGraph);
  Graph g(t);
  FailureSet f;
  f.links.insert("b-h2");
  Reachability r = g.reach("h1", "h2", f);
  EXPECT_FALSE(r.reachable);
  EXPECT_TRUE(r.links.empty());
  EXPECT_TRUE(r.tunnels.empty());
}

TEST(Graph, TunnelNeedsBothEndsAndTheUnderlay) {
  Topology t = load(kGraph);
  Graph g(t);
  EXPECT_TRUE(g.tunnel_up(0, {}));
  FailureSet cut;
  cut.links.insert("e-inet");
  EXPECT_FALSE(g.tunnel_up(0, cut));
  FailureSet inet_off;
  inet_off.nodes.insert("inet");
  EXPECT_FALSE(g.tunnel_up(0, inet_off));
  FailureSet end_off;
  end_off.nodes.insert("e");
  EXPECT_FALSE(g.tunnel_up(0, end_off));
  FailureSet maint;
  maint.tunnels.insert("t");
  EXPECT_FALSE(g.tunnel_up(0, maint));
  EXPECT_FALSE(g.tunnel_up(7, {}));  // no such tunnel
}

TEST(Graph, RoutersWithoutBgpOnALinkExchangeNoRoutes) {
  std::string text(kGraph);
  text.replace(text.find("endpoints = [\"a\", \"b\"]"), 22,
               "endpoints = [\"a\", \"b\"]\nbgp = false");
  Topology t = load(text);
  Graph g(t);
  Reachability r = g.reach("h1", "h2", {});
  ASSERT_TRUE(r.reachable);
  EXPECT_FALSE(r.links.count("a-b"));
}

TEST(Graph, HostsAndInternetNodesCarryNoTransit) {
  // h1 - a ; a - inet - b (internet links only) ; b - h2: no routed path.
  Topology t = load(R"([lab]
name = "g"
[nodes.h1]
role = "host"
[nodes.h2]
role = "host"
[nodes.a]
role = "router"
asn = 1
[nodes.b]
role = "router"
asn = 2
[nodes.inet]
role = "internet"
[[links]]
endpoints = ["h1", "a"]
[[links]]
kind = "internet"
endpoints = ["a", "inet"]
[[links]]
kind = "internet"
endpoints = ["inet", "b"]
[[links]]
endpoints = ["b", "h2"]
)");
  Graph g(t);
  EXPECT_FALSE(g.reach("h1", "h2", {}).reachable);
  EXPECT_FALSE(g.reach("h1", "nope", {}).reachable);
  EXPECT_FALSE(g.reach("h1", "h1", {}).reachable);
}

TEST(Graph, FailureOfEachFaultKind) {
  Topology t = load(R"([lab]
name = "g"
[nodes.a]
role = "router"
asn = 1
site = "s1"
[nodes.b]
role = "router"
asn = 2
[[links]]
name = "l"
endpoints = ["a", "b"]
location = "x1"
[[links]]
name = "m"
endpoints = ["a", "b"]
)");
  Graph g(t);
  auto failure = [&](Fault f) { return g.failure_of(f); };
  for (FaultKind k :
       {FaultKind::Cut, FaultKind::Down, FaultKind::Oneway, FaultKind::Flap, FaultKind::BgpDown}) {
    FailureSet f = failure(Fault{k, "l"});
    EXPECT_EQ(f.links, Names{"l"}) << to_string(k);
    EXPECT_TRUE(f.nodes.empty());
  }
  EXPECT_TRUE(failure(Fault{FaultKind::Degrade, "l"}).empty());
  EXPECT_EQ(failure(Fault{FaultKind::Crash, "a"}).nodes, Names{"a"});
  EXPECT_EQ(failure(Fault{FaultKind::Poweroff, "b"}).nodes, Names{"b"});
  EXPECT_EQ(failure(Fault{FaultKind::Maintenance, "t"}).tunnels, Names{"t"});
  Fault site{FaultKind::Domain};
  site.domain_type = DomainType::Site;
  site.domain_value = "s1";
  EXPECT_EQ(failure(site).nodes, Names{"a"});
  EXPECT_TRUE(failure(site).links.empty());
  Fault loc{FaultKind::Domain};
  loc.domain_type = DomainType::Location;
  loc.domain_value = "x1";
  EXPECT_EQ(failure(loc).links, Names{"l"});
  EXPECT_TRUE(failure(loc).nodes.empty());
}

TEST(Graph, ParallelLinksAreBothOnPathsAndSurviveEachOther) {
  Topology t = load(R"([lab]
name = "g"
[nodes.h1]
role = "host"
[nodes.h2]
role = "host"
[nodes.a]
role = "router"
asn = 1
[nodes.b]
role = "router"
asn = 2
[[links]]
endpoints = ["h1", "a"]
[[links]]
name = "p1"
endpoints = ["a", "b"]
[[links]]
name = "p2"
endpoints = ["a", "b"]
[[links]]
endpoints = ["b", "h2"]
)");
  Graph g(t);
  Reachability r = g.reach("h1", "h2", {});
  EXPECT_TRUE(r.links.count("p1") && r.links.count("p2"));
  FailureSet f;
  f.links.insert("p1");
  Reachability r2 = g.reach("h1", "h2", f);
  EXPECT_TRUE(r2.reachable);
  EXPECT_EQ(r2.links, (Names{"h1-a", "p2", "b-h2"}));
}

}  // namespace
}  // namespace netlab::topology
