// FakeProcesses is what the lab, fault and scenario tests stand on: its call
// lines, liveness and failure injection must behave like the contract says.
#include "support/fake_processes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "netlab/base/error.h"

namespace netlab::testing {
namespace {

using process::ExitStatus;
using process::ProcessId;
using process::ProcessSpec;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

ProcessSpec zebra() {
  return {.ns = "nl-x-a", .argv = {"/usr/lib/frr/zebra", "-f", "/run/netlab/x/a/zebra.conf"}};
}

TEST(FakeProcesses, RecordsEveryCallAsALine) {
  FakeProcesses p;
  const ProcessId id = p.spawn(zebra());
  EXPECT_EQ(id, (ProcessId{1001, 1}));
  EXPECT_TRUE(p.alive(id));
  p.signal(id, SIGHUP);
  EXPECT_TRUE(p.stop(id, milliseconds(100)));
  EXPECT_THAT(p.calls(),
              ElementsAre("spawn [nl-x-a] /usr/lib/frr/zebra -f /run/netlab/x/a/zebra.conf",
                          "alive 1001@1", "signal 1001@1 1", "stop 1001@1"));
  EXPECT_THAT(p.actions(),
              ElementsAre("spawn [nl-x-a] /usr/lib/frr/zebra -f /run/netlab/x/a/zebra.conf",
                          "signal 1001@1 1", "stop 1001@1"));
  p.clear_calls();
  EXPECT_TRUE(p.calls().empty());
}

TEST(FakeProcesses, PidsAreDistinctAndSpecsKept) {
  FakeProcesses p;
  ProcessSpec b = zebra();
  b.ns = "nl-x-b";
  const ProcessId a_id = p.spawn(zebra());
  const ProcessId b_id = p.spawn(b);
  EXPECT_EQ(b_id, (ProcessId{1002, 2}));
  EXPECT_THAT(p.spawned(), ElementsAre(zebra(), b));
  EXPECT_EQ(p.spec_of(b_id), b);
  EXPECT_THAT(p.running(), ElementsAre(a_id, b_id));
}

TEST(FakeProcesses, SigtermEndsAProcessAndOtherSignalsDoNot) {
  FakeProcesses p;
  const ProcessId id = p.spawn(zebra());
  p.signal(id, SIGHUP);
  EXPECT_TRUE(p.alive(id));
  EXPECT_EQ(p.exit_status(id), std::nullopt);
  p.signal(id, SIGTERM);
  EXPECT_FALSE(p.alive(id));
  EXPECT_TRUE(p.wait_gone(id, milliseconds(0)));
  EXPECT_EQ(p.exit_status(id), (ExitStatus{.signal = SIGTERM}));
  p.signal(id, SIGTERM);  // gone: a no-op, not an error
}

TEST(FakeProcesses, CrashMakesItDead) {
  FakeProcesses p;
  const ProcessId a = p.spawn(zebra());
  const ProcessId b = p.spawn(zebra());
  p.crash(a);
  EXPECT_FALSE(p.alive(a));
  EXPECT_TRUE(p.alive(b));
  EXPECT_EQ(p.exit_status(a), (ExitStatus{.signal = SIGSEGV}));
  EXPECT_THAT(p.running(), ElementsAre(b));
  EXPECT_TRUE(p.stop(a, milliseconds(10)));  // stopping a dead process succeeds
}

TEST(FakeProcesses, StopEscalatesForAProcessIgnoringSigterm) {
  FakeProcesses p;
  const ProcessId id = p.spawn(zebra());
  p.ignore_sigterm(id);
  p.signal(id, SIGTERM);
  EXPECT_TRUE(p.alive(id));
  EXPECT_TRUE(p.stop(id, milliseconds(10)));
  EXPECT_EQ(p.exit_status(id), (ExitStatus{.signal = SIGKILL}));
}

TEST(FakeProcesses, UnkillableProcessMakesStopFail) {
  FakeProcesses p;
  const ProcessId id = p.spawn(zebra());
  p.make_unkillable(id);
  EXPECT_FALSE(p.stop(id, milliseconds(10)));
  EXPECT_TRUE(p.alive(id));
}

TEST(FakeProcesses, NthSpawnFails) {
  FakeProcesses p;
  p.fail_spawn(2, ENOENT);
  EXPECT_NO_THROW(p.spawn(zebra()));
  try {
    p.spawn(zebra());
    FAIL() << "second spawn should fail";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.op(), "execve");
    EXPECT_EQ(e.object(), "/usr/lib/frr/zebra");
    EXPECT_EQ(e.err(), ENOENT);
  }
  EXPECT_EQ(p.spawn(zebra()), (ProcessId{1002, 2}));  // a failed spawn uses no pid
  EXPECT_EQ(p.spawned().size(), 2u);
  EXPECT_EQ(p.calls().size(), 3u);  // the failed call is recorded too
}

TEST(FakeProcesses, RefusesAReusedPid) {
  FakeProcesses p;
  const ProcessId id = p.spawn(zebra());
  const ProcessId stale{id.pid, id.start_time + 7};
  EXPECT_FALSE(p.alive(stale));
  EXPECT_THROW(p.signal(stale, SIGTERM), KernelError);
  EXPECT_TRUE(p.alive(id));                      // the refused signal reached nobody
  EXPECT_TRUE(p.stop(stale, milliseconds(10)));  // ours is gone; the other is left alone
  EXPECT_TRUE(p.alive(id));
}

TEST(FakeProcesses, UnknownPidIsGone) {
  FakeProcesses p;
  const ProcessId nobody{4321, 9};
  EXPECT_FALSE(p.alive(nobody));
  EXPECT_NO_THROW(p.signal(nobody, SIGTERM));
  EXPECT_TRUE(p.wait_gone(nobody, milliseconds(0)));
  EXPECT_EQ(p.exit_status(nobody), std::nullopt);
}

}  // namespace
}  // namespace netlab::testing
