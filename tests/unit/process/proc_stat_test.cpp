// parse_proc_stat: the fields netlab uses, counted from the last ')' so that
// a command name with spaces and parentheses cannot shift them.
#include "netlab/process/proc_stat.h"

#include <gtest/gtest.h>

#include <string>

namespace netlab::process {
namespace {

// A real line (from `cat /proc/self/stat`), with comm and the fields replaced.
std::string stat_line(const std::string& comm, char state, const std::string& start) {
  return "4242 (" + comm + ") " + state + " 17 4242 4242 0 -1 4194560 105 0 0 0 0 0 0 0 20 0 1 0 " +
         start + " 8478720 210 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

TEST(ProcStat, ParsesPidStatePpidAndStartTime) {
  auto st = parse_proc_stat(stat_line("sleep", 'S', "987654"));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pid, 4242);
  EXPECT_EQ(st->comm, "sleep");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 17);
  EXPECT_EQ(st->start_time, 987654u);
  EXPECT_FALSE(st->gone());
}

TEST(ProcStat, CommWithSpacesAndParenthesesDoesNotShiftFields) {
  for (const std::string comm : {"a b", "x) S 1 (y", ") (", "((((", "))))", "  "}) {
    auto st = parse_proc_stat(stat_line(comm, 'R', "123"));
    ASSERT_TRUE(st) << comm;
    EXPECT_EQ(st->comm, comm);
    EXPECT_EQ(st->state, 'R') << comm;
    EXPECT_EQ(st->ppid, 17) << comm;
    EXPECT_EQ(st->start_time, 123u) << comm;
  }
}

TEST(ProcStat, ZombieAndDeadAreGone) {
  EXPECT_TRUE(parse_proc_stat(stat_line("z", 'Z', "1"))->gone());
  EXPECT_TRUE(parse_proc_stat(stat_line("x", 'X', "1"))->gone());
  EXPECT_FALSE(parse_proc_stat(stat_line("t", 'T', "1"))->gone());
}

TEST(ProcStat, StartTimeBeyond32Bits) {
  auto st = parse_proc_stat(stat_line("big", 'S', "18446744073709551000"));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->start_time, 18446744073709551000u);
}

TEST(ProcStat, RejectsMalformedLines) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 sleep S 1"));              // no parentheses
  EXPECT_FALSE(parse_proc_stat("4242 (sleep) S 17 1 1 0 -1"));  // too few fields
  EXPECT_FALSE(parse_proc_stat("x (sleep) " + stat_line("a", 'S', "1").substr(10)));
  EXPECT_FALSE(parse_proc_stat(stat_line("a", 'S', "12x")));  // not a number
  EXPECT_FALSE(parse_proc_stat("4242 (sleep) SS 17"));
}

}  // namespace
}  // namespace netlab::process
