// MTU on links and tunnels, jumbo frames on DX links, the PMTUD property and
// the probe's size and DF bit: defaults, values, and errors at their place.
#include <gtest/gtest.h>

#include "netlab/topology/loader.h"

namespace netlab::topology {
namespace {

// A customer router and an AWS DX router on a dx link (its extra lines
// from line 17), a tunnel between them (its extra lines from line 23); `link` and `tunnel`
// are extra lines of the dx link and of the tunnel, `probe` of [lab].probe.
LoadResult topo(const std::string& link, const std::string& tunnel = "",
                const std::string& probe = "") {
  return load_string(R"([lab]
name = "t"
probe = { from = "a", to = "b")" + probe + R"( }
[nodes.a]
role = "host"
[nodes.b]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
[nodes.dx]
role = "aws-dx"
asn = 64512
[[links]]
endpoints = ["cgw", "dx"]
kind = "dx"
)" + link + R"(
[[links]]
endpoints = ["a", "cgw"]
[[tunnels]]
name = "t1"
endpoints = ["cgw", "dx"]
)" + tunnel + "\n",
                     "t.toml");
}

TEST(Mtu, DefaultsAre1500OnLinksAnd1446OnTunnelsWithPmtudOn) {
  auto r = topo("");
  ASSERT_TRUE(r.topology) << r.render();
  const Topology& t = *r.topology;
  EXPECT_EQ(t.links[0].mtu, 1500u);
  EXPECT_FALSE(t.links[0].jumbo);
  EXPECT_TRUE(t.links[0].pmtud);
  EXPECT_EQ(t.links[1].mtu, 1500u);
  EXPECT_EQ(t.tunnels[0].mtu, 1446u);
  EXPECT_TRUE(t.tunnels[0].pmtud);
  EXPECT_FALSE(t.lab.probe->size);
  EXPECT_FALSE(t.lab.probe->df);
}

TEST(Mtu, JumboOnADxLinkIs8500AndAnMtuIsTaken) {
  auto jumbo = topo("jumbo = true");
  ASSERT_TRUE(jumbo.topology) << jumbo.render();
  EXPECT_EQ(jumbo.topology->links[0].mtu, 8500u);
  EXPECT_TRUE(jumbo.topology->links[0].jumbo);
  EXPECT_EQ(topo("jumbo = true\nmtu = 8500").topology->links[0].mtu, 8500u);  // agrees
  EXPECT_EQ(topo("jumbo = false\nmtu = 1400").topology->links[0].mtu, 1400u);
  auto r = topo("mtu = 9001\npmtud = false", "mtu = 1400\npmtud = false");
  ASSERT_TRUE(r.topology) << r.render();
  EXPECT_EQ(r.topology->links[0].mtu, 9001u);
  EXPECT_FALSE(r.topology->links[0].pmtud);
  EXPECT_EQ(r.topology->tunnels[0].mtu, 1400u);
  EXPECT_FALSE(r.topology->tunnels[0].pmtud);
}

TEST(Mtu, BadValuesAreErrorsAtTheirPlace) {
  auto low = topo("mtu = 67");
  EXPECT_NE(low.render().find("t.toml:17:7: error: \"mtu\" in link \"cgw-dx\" must be between 68 and 65535, found 67"),
            std::string::npos)
      << low.render();
  auto high = topo("", "mtu = 65536");
  EXPECT_NE(high.render().find("t.toml:23:7: error: \"mtu\" in tunnel \"t1\" must be between 68 and 65535"),
            std::string::npos)
      << high.render();
  auto text = topo("mtu = \"jumbo\"");
  EXPECT_NE(text.render().find("t.toml:17:7: error: wrong type for \"mtu\""), std::string::npos) << text.render();
  auto contradiction = topo("jumbo = true\nmtu = 9001");
  EXPECT_NE(contradiction.render().find("t.toml:18:7: error: mtu 9001 in link \"cgw-dx\" contradicts jumbo = true (MTU 8500)"),
            std::string::npos)
      << contradiction.render();
  auto pmtud = topo("pmtud = \"off\"");
  EXPECT_NE(pmtud.render().find("t.toml:17:9: error: wrong type for \"pmtud\""), std::string::npos) << pmtud.render();
}

TEST(Mtu, JumboOnAnotherKindOfLinkIsAnError) {
  auto r = load_string(R"([lab]
name = "t"
[nodes.a]
role = "host"
[nodes.r]
role = "router"
asn = 65001
[[links]]
endpoints = ["a", "r"]
jumbo = true
)",
                       "t.toml");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.render().find("t.toml:10:9: error: \"jumbo\" in link \"a-r\" only applies to a kind = \"dx\" link, not to lan"),
            std::string::npos)
      << r.render();
}

TEST(Mtu, TheProbeTakesASizeAndTheDfBit) {
  auto r = topo("", "", ", size = 1500, df = true");
  ASSERT_TRUE(r.topology) << r.render();
  EXPECT_EQ(r.topology->lab.probe->size, 1500u);
  EXPECT_EQ(r.topology->lab.probe->df, true);
  EXPECT_EQ(topo("", "", ", df = false").topology->lab.probe->df, false);
  auto small = topo("", "", ", size = 60");
  EXPECT_NE(small.render().find("t.toml:3:40: error: \"probe.size\" in the probe of [lab] must be between 76 and 65535, found 60"),
            std::string::npos)
      << small.render();
  auto df = topo("", "", ", df = 1");
  EXPECT_NE(df.render().find("wrong type for \"probe.df\""), std::string::npos) << df.render();
}

}  // namespace
}  // namespace netlab::topology
