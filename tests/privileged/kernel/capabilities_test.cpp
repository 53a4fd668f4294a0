// The capability probe on this host, checked against independent evidence.
#include "netlab/kernel/capabilities.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>

#include "kernel_fixture.h"

namespace netlab::kernel::testing {
namespace {

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::vector<std::string> host_links() {
  std::vector<std::string> out;
  if (DIR* d = opendir("/sys/class/net")) {
    while (dirent* e = readdir(d)) out.push_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CapabilitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
  }
};

TEST_F(CapabilitiesTest, ProbeAgreesWithTheHostAndLeavesNothing) {
  auto links_before = host_links();
  auto names_before = netns_names();
  Capabilities c = make_capability_probe()->probe();
  EXPECT_EQ(host_links(), links_before);
  EXPECT_EQ(netns_names(), names_before);

  RecordProperty("caps", "wireguard_kernel=" + std::to_string(c.wireguard_kernel) +
                             " xfrm_esp=" + std::to_string(c.xfrm_esp) +
                             " netem=" + std::to_string(c.netem) + " htb=" + std::to_string(c.htb) +
                             " nft_netdev=" + std::to_string(c.nft_netdev) +
                             " tun=" + std::to_string(c.tun) + " frr=" + c.frr_version);
  EXPECT_TRUE(c.root);
  EXPECT_TRUE(c.netns);
  EXPECT_TRUE(c.veth);
  utsname u{};
  uname(&u);
  EXPECT_EQ(c.kernel_release, u.release);
  EXPECT_EQ(c.tun, exists("/dev/net/tun"));
  EXPECT_EQ(c.frr_bfdd, exists("/usr/lib/frr/bfdd"));
  if (exists("/usr/lib/frr/zebra")) {
    EXPECT_FALSE(c.frr_version.empty());
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c.frr_version[0]))) << c.frr_version;
  } else {
    EXPECT_EQ(c.frr_version, "");
  }
  if (!c.wireguard_go.empty()) {
    EXPECT_TRUE(exists(c.wireguard_go));
  }
  if (!c.swanctl.empty()) {
    EXPECT_TRUE(exists(c.swanctl));
  }
  if (!c.charon.empty()) {
    EXPECT_TRUE(exists(c.charon));
  }
}

// The development and CI machines (docs/kernel-notes.md) run a VM kernel
// without loadable modules; there the feature set is known.
TEST_F(CapabilitiesTest, MatchesTheDevelopmentMachinesWhereTheKernelHasNoModules) {
  utsname u{};
  uname(&u);
  if (exists(std::string("/lib/modules/") + u.release)) {
    GTEST_SKIP() << "a kernel with modules: its feature set is not the documented one";
  }
  Capabilities c = make_capability_probe()->probe();
  EXPECT_FALSE(c.wireguard_kernel);
  EXPECT_FALSE(c.xfrm_esp);
  EXPECT_FALSE(c.netem);
  EXPECT_TRUE(c.htb);
  EXPECT_TRUE(c.nft_netdev);
  EXPECT_TRUE(c.tun);
  EXPECT_TRUE(c.nfqueue);
}

}  // namespace
}  // namespace netlab::kernel::testing
