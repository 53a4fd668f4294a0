// The journal file: exclusive creation, lines fsync'd one by one, reading
// back what a crash leaves (a torn last line, garbage), and the lab record.
#include <gtest/gtest.h>

#include "lab_test_support.h"

namespace netlab::lab::testing {
namespace {

namespace fs = std::filesystem;

TEST(JournalTest, AppendsLinesThatReadBack) {
  TempRoot root;
  Journal j = Journal::create(root.path());
  j.append("netns", {{"name", "nl-ut-a"}});
  j.append("netns-id", {{"name", "nl-ut-a"}, {"dev", 4}, {"ino", 10}});
  auto e = Journal::read(root.path());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].op, "netns");
  EXPECT_EQ(e[1].data.value("ino", 0), 10);
  EXPECT_FALSE(e[1].data.contains("op"));
  EXPECT_EQ(read_text(root.path() + "/journal").back(), '\n');
}

TEST(JournalTest, CreateIsExclusive) {
  TempRoot root;
  Journal::create(root.path());
  EXPECT_THROW(Journal::create(root.path()), KernelError);
  EXPECT_EQ(fs::status(root.path() + "/journal").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST(JournalTest, ATornLastLineAndGarbageAreIgnored) {
  TempRoot root;
  {
    std::ofstream out(root.path() + "/journal");
    out << "{\"op\":\"lab\",\"name\":\"ut\"}\n"
        << "not json\n"
        << "[1,2]\n"
        << "{\"no_op\":1}\n"
        << "{\"op\":\"netns\",\"name\":\"nl-ut-a\"}\n"
        << "{\"op\":\"netns-id\",\"name\":\"nl-ut-a\",\"de";
  }
  auto e = Journal::read(root.path());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].op, "lab");
  EXPECT_EQ(e[1].op, "netns");
}

TEST(JournalTest, ATornLineThatHappensToBeValidJsonIsStillIgnored) {
  // A line is complete only with its newline: "{...}" without one may be
  // the first half of a longer object that happened to close a brace.
  TempRoot root;
  {
    std::ofstream out(root.path() + "/journal");
    out << "{\"op\":\"lab\"}\n{\"op\":\"netns\",\"name\":\"nl-ut-a\"}";
  }
  EXPECT_EQ(Journal::read(root.path()).size(), 1u);
}

TEST(JournalTest, OpenAppendsAfterACrash) {
  TempRoot root;
  Journal::create(root.path()).append("lab", {{"name", "ut"}});
  Journal::open(root.path()).append("state", {{"state", "tearing-down"}});
  EXPECT_EQ(Journal::read(root.path()).size(), 2u);
}

TEST(JournalTest, ReadingAMissingJournalThrows) {
  TempRoot root;
  EXPECT_THROW(Journal::read(root.path()), KernelError);
}

TEST(LabRecordTest, TakesTheLabLineAndTheLastState) {
  std::vector<Entry> e = {
      {"lab",
       {{"name", "ut"},
        {"owner_pid", 42},
        {"owner_start", 7},
        {"boot_id", "b"},
        {"created", 5},
        {"topology", "t.toml"},
        {"version", "1"}}},
      {"netns", {{"name", "nl-ut-a"}}},
      {"state", {{"state", "converged"}}},
      {"state", {{"state", "tearing-down"}, {"pid", 43}, {"start", 8}}},
  };
  auto r = read_lab_record(e);
  EXPECT_TRUE(r.journal);
  EXPECT_EQ(r.name, "ut");
  EXPECT_EQ(r.owner, (process::ProcessId{42, 7}));
  EXPECT_EQ(r.boot_id, "b");
  EXPECT_EQ(r.created, 5);
  EXPECT_EQ(r.last_state, "tearing-down");
  EXPECT_EQ(r.last_state_by, (process::ProcessId{43, 8}));
  EXPECT_FALSE(read_lab_record({}).journal);
}

TEST(NetnsIdentityTest, MatchesByInodeAndCookieWhenBothHaveOne) {
  NetnsIdentity a{{4, 100}, 7};
  EXPECT_TRUE(a.matches(a));
  EXPECT_FALSE((NetnsIdentity{{4, 100}, 8}).matches(a));
  EXPECT_FALSE((NetnsIdentity{{4, 101}, 7}).matches(a));
  EXPECT_FALSE((NetnsIdentity{{5, 100}, 7}).matches(a));
  EXPECT_TRUE((NetnsIdentity{{4, 100}, std::nullopt}).matches(a));
  EXPECT_TRUE(a.matches({{4, 100}, std::nullopt}));
  EXPECT_EQ(a.str(), "4:100 cookie 7");
}

}  // namespace
}  // namespace netlab::lab::testing
