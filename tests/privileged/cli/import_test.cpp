// `netlab import clab` end to end: containerlab's published OSPF example
// (frr01) and an eBGP lab in containerlab's format are imported, brought up
// with `netlab up`, every adjacency or session is up and every host reaches
// every other; then `netlab down` leaves nothing (the fixture checks).
#include <gmock/gmock.h>

#include <regex>

#include "lifecycle_fixture.h"

namespace netlab::cli::testing {
namespace {

class ImportedLab : public LifecycleTest {
 protected:
  // Imports `clab` (under tests/data/import) as lab `lab`, written to the
  // test's directory (config paths relative to it).
  std::string import(const std::string& clab, const std::string& lab) {
    const std::string file = tmp_ + "/" + lab + ".toml";
    Result r = netlab({"import", "clab", std::string(NETLAB_TEST_DATA) + "/import/" + clab, "-o", file});
    EXPECT_EQ(r.status, 0) << r.err;
    std::string text = read_text(file);
    text = std::regex_replace(text, std::regex("\nname = \"[a-z0-9]+\"\n"), "\nname = \"" + lab + "\"\n",
                              std::regex_constants::format_first_only);
    std::ofstream(file) << text;
    used_.insert(lab);
    return file;
  }
  size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  void every_host_reaches_every_other(const std::string& lab, const std::map<std::string, std::string>& hosts) {
    for (const auto& [from, _] : hosts)
      for (const auto& [to, addr] : hosts) {
        if (from == to) continue;
        // A TCP connection to a closed port: refused (ECONNREFUSED, 111)
        // means the SYN got there and the reset came back. No ping here.
        Result p = netlab({"exec", lab, from, "--", "/usr/bin/python3", "-c",
                           "import socket,sys; s=socket.socket(); s.settimeout(3); "
                           "sys.exit(0 if s.connect_ex((sys.argv[1], 9)) == 111 else 1)",
                           addr},
                          seconds(10));
        EXPECT_EQ(p.status, 0) << from << " -> " << to << " (" << addr << "):\n" << p.out << p.err;
      }
  }
};

TEST_F(ImportedLab, ContainerlabsOspfExampleComesUpWithEveryAdjacencyAndHost) {
  const std::string lab = lab_name('o');
  const std::string file = import("frr01/frr01.clab.yml", lab);
  Result up = netlab({"up", file}, seconds(150));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  // A ring of three: two full adjacencies on each router.
  for (const char* r : {"router1", "router2", "router3"}) {
    Result n = netlab({"vtysh", lab, r, "-c", "show ip ospf neighbor"});
    EXPECT_EQ(count(n.out, "Full/"), 2u) << r << ":\n" << n.out << n.err;
    // The daemons its config needs, and no others.
    const std::string frr = root_ + "/" + lab + "/nodes/" + r + "/frr/";
    EXPECT_TRUE(fs::exists(frr + "ospfd.pid")) << frr;
    EXPECT_FALSE(fs::exists(frr + "bgpd.pid")) << frr;
  }
  every_host_reaches_every_other(lab, {{"pc1", "192.168.11.2"}, {"pc2", "192.168.12.2"}, {"pc3", "192.168.13.2"}});
  Result down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.err;
}

TEST_F(ImportedLab, AnEbgpLabComesUpWithEverySessionAndHost) {
  const std::string lab = lab_name('b');
  const std::string file = import("bgp/bgp3.clab.yml", lab);
  Result up = netlab({"up", file}, seconds(150));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  for (const char* r : {"r1", "r2", "r3"}) {
    Result s = netlab({"vtysh", lab, r, "-c", "show bgp summary json"});
    EXPECT_EQ(count(s.out, "\"state\":\"Established\""), 2u) << r << ":\n" << s.out << s.err;
  }
  every_host_reaches_every_other(lab, {{"h1", "10.1.1.2"}, {"h2", "10.2.2.2"}, {"h3", "10.3.3.2"}});
  Result down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.err;
}

}  // namespace
}  // namespace netlab::cli::testing
