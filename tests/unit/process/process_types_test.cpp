// The value types of processes.h: their str() forms are what logs, the plan
// printout and FakeProcesses' call lines show.
#include <gtest/gtest.h>
#include <signal.h>

#include "netlab/process/processes.h"
#include "netlab/process/spawn.h"

namespace netlab::process {
namespace {

TEST(ProcessSpec, StrShowsNamespaceAndArgv) {
  ProcessSpec s{.ns = "nl-x-a", .argv = {"/usr/lib/frr/zebra", "-f", "/run/netlab/x/a/zebra.conf"}};
  EXPECT_EQ(s.str(), "[nl-x-a] /usr/lib/frr/zebra -f /run/netlab/x/a/zebra.conf");
}

TEST(ProcessSpec, StrMarksHostNamespacePrivateRunAndQuotes) {
  ProcessSpec s{.argv = {"/bin/echo", "two words", "it's", ""}, .private_run = "/run/netlab/x/a"};
  EXPECT_EQ(s.str(), R"([host] run=/run/netlab/x/a /bin/echo 'two words' 'it'\''s' '')");
}

TEST(ProcessId, Str) { EXPECT_EQ((ProcessId{1234, 567890}).str(), "1234@567890"); }

TEST(ExitStatus, Str) {
  EXPECT_EQ((ExitStatus{.code = 3}).str(), "exited 3");
  EXPECT_EQ((ExitStatus{.signal = SIGKILL}).str(), "killed by SIGKILL");
}

TEST(SpawnEnvironment, AddsPathOnlyWhenAbsent) {
  EXPECT_EQ(spawn_environment({{"A", "1"}}),
            (std::vector<std::string>{
                "A=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
  EXPECT_EQ(spawn_environment({{"PATH", "/opt"}, {"B", "x y"}}),
            (std::vector<std::string>{"B=x y", "PATH=/opt"}));
}

}  // namespace
}  // namespace netlab::process
