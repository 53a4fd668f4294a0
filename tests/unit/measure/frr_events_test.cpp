// FRR log lines -> BFD/BGP state changes, as FRR 8.4 writes them.
#include "netlab/measure/frr_events.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace netlab::measure {
namespace {

// Local time, as FRR writes it.
int64_t local_ns(int y, int mo, int d, int h, int mi, int s, int64_t frac_ns) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return int64_t{std::mktime(&tm)} * 1'000'000'000 + frac_ns;
}

TEST(FrrEvents, ParsesBfdStateChanges) {
  auto ev = parse_frr_log(
      "2026/11/21 19:35:51.322366 BFD: [SEY1D-NT8EQ] state-change: [mhop:no peer:10.9.0.2 "
      "local:10.9.0.1 vrf:default ifname:eth1] up -> down reason:control-expired\n"
      "2026/11/21 19:35:54.017363 BFD: [J1C6V-VMRW5] state-change: [mhop:no peer:10.9.0.2 "
      "local:10.9.0.1 vrf:default ifname:eth1] init -> up\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0], (FrrEvent{local_ns(2026, 11, 21, 19, 35, 51, 322366000), "bfd-down", "10.9.0.2", "control-expired"}));
  EXPECT_EQ(ev[1].kind, "bfd-up");
  EXPECT_EQ(ev[1].detail, "");
}

TEST(FrrEvents, ParsesBgpAdjacencyChanges) {
  auto ev = parse_frr_log(
      "2026/11/21 19:35:51.322615 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.9.0.2(b) in vrf default "
      "Down BGP Notification send\n"
      "2026/11/21 19:35:53.338838 BGP: [N9HHH-F8H1M] %ADJCHANGE: neighbor 169.254.10.2(dx-ny5) in vrf default Up\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, "bgp-down");
  EXPECT_EQ(ev[0].peer, "10.9.0.2");
  EXPECT_EQ(ev[0].detail, "BGP Notification send");
  EXPECT_EQ(ev[1].kind, "bgp-up");
  EXPECT_EQ(ev[1].peer, "169.254.10.2");
  EXPECT_EQ(ev[1].realtime_ns % 1'000'000'000, 338838000);
}

TEST(FrrEvents, IgnoresOtherLinesIntermediateStatesAndAnUnfinishedLastLine) {
  auto ev = parse_frr_log(
      "2026/11/21 19:35:35.000001 ZEBRA: [NNACN-54BDA] Disabling MPLS support\n"
      "garbage without a timestamp %ADJCHANGE: neighbor 1.2.3.4 in vrf default Up\n"
      "2026/11/21 19:35:36.000001 BFD: [X] state-change: [mhop:no peer:1.1.1.1] down -> init\n"
      "2026/11/21 19:35:37.000001 BGP: [N] %ADJCHANGE: neighbor 1.1.1.1 in vrf default Up");
  EXPECT_TRUE(ev.empty());
}

TEST(FrrEvents, TailReadsOnlyWhatWasAddedAndOnlyWholeLines) {
  auto path = std::filesystem::temp_directory_path() / ("frr-tail-" + std::to_string(::getpid()) + ".log");
  const char* up = "2026/11/21 10:00:00.000001 BGP: [N] %ADJCHANGE: neighbor 1.1.1.1 in vrf default Up\n";
  std::ofstream(path) << up;
  FrrLogTail tail(path.string());
  tail.skip_to_end();
  EXPECT_TRUE(tail.read_new().empty());
  {
    std::ofstream out(path, std::ios::app);
    out << "2026/11/21 10:00:01.000001 BGP: [N] %ADJCHANGE: neighbor 1.1.1.1 in vrf default Down x\n";
    out << "2026/11/21 10:00:02.000001 BGP: [N] %ADJCHANGE: neighbor 1.1.1.1 in vr";  // being written
  }
  auto ev = tail.read_new();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, "bgp-down");
  std::ofstream(path, std::ios::app) << "f default Up\n";
  ev = tail.read_new();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, "bgp-up");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace netlab::measure
