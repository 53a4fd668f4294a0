#include "netlab/process/helpers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "netlab/base/error.h"

namespace netlab::process {
namespace {

TEST(Helpers, EnvironmentVariableIsTheProgramsNameInCapitals) {
  EXPECT_EQ(helper_env_var("netlab-tunnel-watch"), "NETLAB_TUNNEL_WATCH");
  EXPECT_EQ(helper_env_var("netlab-probe"), "NETLAB_PROBE");
  EXPECT_EQ(helper_env_var("netlab-delay"), "NETLAB_DELAY");
}

TEST(Helpers, TheEnvironmentComesFirst) {
  ::setenv("NETLAB_UNIT_HELPER", "/bin/true", 1);
  EXPECT_EQ(helper_path("netlab-unit-helper"), "/bin/true");
  ::unsetenv("NETLAB_UNIT_HELPER");
}

TEST(Helpers, AMissingProgramNamesWhereItWasLookedFor) {
  ::unsetenv("NETLAB_NO_SUCH_HELPER");
  EXPECT_EQ(find_helper("netlab-no-such-helper"), std::nullopt);
  try {
    helper_path("netlab-no-such-helper");
    FAIL() << "no exception";
  } catch (const EnvironmentError& e) {
    EXPECT_NE(std::string(e.what()).find("NETLAB_NO_SUCH_HELPER"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/netlab-no-such-helper"), std::string::npos) << e.what();
  }
}

TEST(Helpers, FoundBesideTheRunningProgramOrInItsParentDirectory) {
  // The test binary runs from build/tests/; the tool's helpers are in build/.
  auto p = find_helper("unit_process");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->ends_with("/unit_process"));
}

}  // namespace
}  // namespace netlab::process
