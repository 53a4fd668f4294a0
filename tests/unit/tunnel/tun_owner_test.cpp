// Finding libipsec's TUN by its owner: the /proc texts it is read from.
#include "netlab/tunnel/tun_owner.h"

#include <gtest/gtest.h>

namespace netlab::tunnel {
namespace {

TEST(TunOwner, FdinfoOfATunDescriptorNamesItsInterface) {
  EXPECT_EQ(parse_fdinfo_iff("pos:\t48\nflags:\t0100002\nmnt_id:\t63\nino:\t105\niff:\tipsec0\n"),
            "ipsec0");
  EXPECT_EQ(parse_fdinfo_iff("pos:\t0\nflags:\t02\nmnt_id:\t20\n"), std::nullopt);  // a plain file
  EXPECT_EQ(parse_fdinfo_iff("iff:\t\n"), std::nullopt);
}

TEST(TunOwner, EnvironEntriesMatchWhole) {
  const char raw[] = "PATH=/bin\0STRONGSWAN_CONF=/run/a/strongswan.conf\0X=1";
  std::string env(raw, sizeof raw - 1);
  EXPECT_TRUE(environ_has(env, "STRONGSWAN_CONF=/run/a/strongswan.conf"));
  EXPECT_TRUE(environ_has(env, "X=1"));
  EXPECT_FALSE(environ_has(env, "STRONGSWAN_CONF=/run/a"));  // a prefix is another instance
  EXPECT_FALSE(environ_has(env, "STRONGSWAN_CONF=/run/a/strongswan.conf.old"));
  EXPECT_FALSE(environ_has("", "X=1"));
}

}  // namespace
}  // namespace netlab::tunnel
