// teardown() replaying journals as a crash, a reboot or a meddling user
// leave them: torn last lines, intents without identities, a pid reused by
// another process, a namespace replaced by another under the same name (even
// with the same inode), placeholders, processes nobody journaled, a journal
// of another boot. Each test writes the journal by hand and sets the fakes
// up as the host would be.
#include <gtest/gtest.h>
#include <signal.h>

#include "lab_test_support.h"

namespace netlab::lab::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TeardownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = runtime_dir(root_.path(), "ut");
    fs::create_directories(dir_);
    host_.reset(new Host{nl_, nft_, procs_, clock_, frr_, {}, nullptr, {}, &nss_});
  }

  // Writes the journal: complete lines, then `torn` without its newline.
  void journal(const std::vector<json>& lines, const std::string& torn = "") {
    std::ofstream out(dir_ + "/journal");
    for (const auto& l : lines) out << l.dump() << "\n";
    out << torn;
  }
  json lab_line(const std::string& boot = current_boot_id()) {
    return {{"op", "lab"},     {"name", "ut"}, {"owner_pid", 999999},  {"owner_start", 1},
            {"boot_id", boot}, {"created", 1}, {"topology", "t.toml"}, {"version", "0"}};
  }
  static json netns(const std::string& name) { return {{"op", "netns"}, {"name", name}}; }
  static json netns_id(const std::string& name, const NetnsIdentity& id) {
    json j = {{"op", "netns-id"}, {"name", name}, {"dev", id.id.dev}, {"ino", id.id.ino}};
    if (id.cookie) j["cookie"] = *id.cookie;
    return j;
  }
  static json process_id(const process::ProcessId& id, const std::string& name = "zebra") {
    return {{"op", "process-id"},
            {"node", "r1"},
            {"name", name},
            {"pid", id.pid},
            {"start", id.start_time}};
  }
  // A namespace netlab made: created through the fake, as the lab would.
  NetnsIdentity ours(const std::string& name) { return nss_.create(name, {}); }
  process::ProcessId spawn(const std::string& ns) {
    process::ProcessSpec s;
    s.ns = ns;
    s.argv = {"/usr/lib/frr/zebra"};
    return procs_.spawn(s);
  }
  bool contains(const std::vector<std::string>& v, const std::string& part) {
    return std::any_of(v.begin(), v.end(),
                       [&](const std::string& s) { return s.find(part) != std::string::npos; });
  }

  TempRoot root_;
  std::string dir_;
  FakeNetlink nl_;
  FakeNft nft_{&nl_};
  FakeProcesses procs_;
  FakeClock clock_;
  plan::Plan no_plan_;
  FakeFrr frr_{no_plan_};
  FakeNamespaces nss_{nl_, procs_};
  std::unique_ptr<Host> host_;
};

TEST_F(TeardownTest, RemovesWhatTheJournalListsNewestFirst) {
  auto a = ours("nl-ut-a"), b = ours("nl-ut-b");
  auto p1 = spawn("nl-ut-a"), p2 = spawn("nl-ut-b");
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), netns("nl-ut-b"),
           netns_id("nl-ut-b", b), process_id(p1), process_id(p2, "bgpd")});
  nl_.ops.clear();
  procs_.clear_calls();
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(r.refused.empty());
  EXPECT_EQ(nl_.ops, (std::vector<std::string>{"netns_delete nl-ut-b", "netns_delete nl-ut-a"}));
  EXPECT_EQ(procs_.actions(),
            (std::vector<std::string>{"signal " + p2.str() + " 9", "signal " + p1.str() + " 9"}));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TeardownTest, IsIdempotent) {
  auto a = ours("nl-ut-a");
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a)});
  EXPECT_TRUE(teardown(root_.path(), "ut", *host_).complete());
  nl_.ops.clear();
  auto again = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(again.complete());
  EXPECT_TRUE(again.removed.empty());
  EXPECT_TRUE(nl_.ops.empty());
}

TEST_F(TeardownTest, AHalfGoneLabIsFinished) {
  // SIGKILL, then someone removed one namespace and a daemon died.
  auto a = ours("nl-ut-a"), b = ours("nl-ut-b");
  auto p1 = spawn("nl-ut-a"), p2 = spawn("nl-ut-b");
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), netns("nl-ut-b"),
           netns_id("nl-ut-b", b), process_id(p1), process_id(p2, "bgpd")});
  nl_.netns_delete("nl-ut-b");
  procs_.crash(p2);
  nl_.ops.clear();
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(nl_.ops, std::vector<std::string>{"netns_delete nl-ut-a"});
  EXPECT_FALSE(procs_.alive(p1));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TeardownTest, ANamespaceIntentWithoutIdentityIsNeverTouched) {
  // The identity is journaled before the name exists: netlab died before
  // naming nl-ut-b, and the nl-ut-b there now is someone else's.
  auto a = ours("nl-ut-a");
  nss_.make_foreign("nl-ut-b");
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), netns("nl-ut-b")});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(contains(r.refused, "nl-ut-b")) << ::testing::PrintToString(r.refused);
  EXPECT_EQ(nl_.ops, std::vector<std::string>{"netns_delete nl-ut-a"});
  EXPECT_TRUE(nl_.has_netns("nl-ut-b"));
}

TEST_F(TeardownTest, ATornIdentityLineCountsAsNoIdentity) {
  // The write of the identity was torn: the name was never mounted (that
  // comes after the line is on disk), so what carries it now is not ours.
  auto a = ours("nl-ut-a");
  nss_.make_foreign("nl-ut-b");
  NetnsIdentity b = nss_.id_of("nl-ut-b");
  std::string torn = netns_id("nl-ut-b", b).dump();
  torn.resize(torn.size() / 2);
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), netns("nl-ut-b")}, torn);
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(contains(r.refused, "nl-ut-b"));
  EXPECT_TRUE(nl_.has_netns("nl-ut-b"));
  EXPECT_FALSE(nl_.has_netns("nl-ut-a"));
}

TEST_F(TeardownTest, IdentifiedButNeverNamedLeavesNothingToDo) {
  // netlab died between journaling the identity and mounting the name.
  nss_.before_name = [](const std::string&) { throw Error("SIGKILL"); };
  NetnsIdentity seen;
  EXPECT_THROW(nss_.create("nl-ut-a", [&](const NetnsIdentity& id) { seen = id; }), Error);
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", seen)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(r.refused.empty());
  EXPECT_TRUE(nl_.ops.empty());
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TeardownTest, APlaceholderOfAnInterruptedCreateIsRemoved) {
  nss_.placeholders.insert("nl-ut-a");
  journal({lab_line(), netns("nl-ut-a")});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(contains(r.removed, "placeholder /run/netns/nl-ut-a"));
  EXPECT_TRUE(nss_.placeholders.empty());
}

TEST_F(TeardownTest, ANamespaceReplacedUnderItsNameIsLeftAlone) {
  // Ours was deleted and another made under the same name.
  auto a = ours("nl-ut-a");
  nss_.make_foreign("nl-ut-a");
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(contains(r.refused, "is not the one this lab created"))
      << ::testing::PrintToString(r.refused);
  EXPECT_TRUE(nl_.has_netns("nl-ut-a"));
}

TEST_F(TeardownTest, ANamespaceReplacedWithTheSameInodeIsToldApartByItsCookie) {
  // The kernel gives a dead namespace's inode to the next one created: the
  // inode matches, the cookie does not.
  auto a = ours("nl-ut-a");
  auto other = nss_.make_foreign("nl-ut-a", a.id.ino);
  ASSERT_EQ(other.id, a.id);
  ASSERT_NE(other.cookie, a.cookie);
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(contains(r.refused, "is not the one this lab created"));
  EXPECT_TRUE(nl_.has_netns("nl-ut-a"));
}

TEST_F(TeardownTest, WithoutCookiesTheInodeDecides) {
  // A journal of a kernel without cookies (or of the Netlink fallback).
  auto a = ours("nl-ut-a");
  NetnsIdentity recorded{a.id, std::nullopt};
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", recorded)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(nl_.has_netns("nl-ut-a"));
}

TEST_F(TeardownTest, AProcessWhosePidWasReusedIsNotSignalled) {
  // The journal's zebra died; its pid now belongs to another process (same
  // pid, another start time).
  auto other = spawn("");
  process::ProcessId recorded{other.pid, other.start_time + 1000};
  journal({lab_line(), process_id(recorded)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(procs_.alive(other));
  for (const auto& a : procs_.actions())
    EXPECT_FALSE(a.starts_with("signal") || a.starts_with("stop")) << a;
}

TEST_F(TeardownTest, ProcessesInsideALabNamespaceGoWithIt) {
  // Not journaled by netlab (a `netlab exec` command): found inside.
  auto a = ours("nl-ut-a");
  auto stray = spawn("nl-ut-a");
  nss_.inside["nl-ut-a"] = {stray};
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(procs_.alive(stray));
  EXPECT_TRUE(contains(r.removed, "process " + std::to_string(stray.pid) + " in nl-ut-a"));
  EXPECT_FALSE(nl_.has_netns("nl-ut-a"));
}

TEST_F(TeardownTest, ProcessesInsideAForeignNamespaceAreLeftAlone) {
  nss_.make_foreign("nl-ut-a");
  auto theirs = spawn("nl-ut-a");
  nss_.inside["nl-ut-a"] = {theirs};
  journal({lab_line(), netns("nl-ut-a")});
  teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(procs_.alive(theirs));
}

TEST_F(TeardownTest, AProcessThatWillNotDieKeepsTheDirectoryForARetry) {
  auto a = ours("nl-ut-a");
  auto stuck = spawn("nl-ut-a");
  procs_.make_unkillable(stuck);
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), process_id(stuck)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_FALSE(r.complete());
  EXPECT_TRUE(fs::exists(dir_ + "/journal"));
}

TEST_F(TeardownTest, AJournalOfAnotherBootTouchesNothing) {
  // After a reboot (with a runtime root that outlived it), the names and
  // pids in the journal belong to whoever has them now.
  auto a = ours("nl-ut-a");
  auto p = spawn("nl-ut-a");
  journal({lab_line("00000000-0000-0000-0000-000000000000"), netns("nl-ut-a"),
           netns_id("nl-ut-a", a), process_id(p)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(contains(r.refused, "nl-ut-a"));
  EXPECT_TRUE(nl_.has_netns("nl-ut-a"));
  EXPECT_TRUE(procs_.alive(p));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TeardownTest, ANamespaceNotNamedForTheLabIsRefused) {
  auto a = ours("nl-other-a");
  journal({lab_line(), netns("nl-other-a"), netns_id("nl-other-a", a)});
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(contains(r.refused, "not named for lab ut"));
  EXPECT_TRUE(nl_.has_netns("nl-other-a"));
}

TEST_F(TeardownTest, ADirectoryWithoutJournalIsRemoved) {
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TeardownTest, NothingToDoForALabThatDoesNotExist) {
  auto r = teardown(root_.path(), "nolab", *host_);
  EXPECT_TRUE(r.complete());
  EXPECT_TRUE(r.removed.empty());
}

TEST_F(TeardownTest, JournalsThatItIsTearingDown) {
  auto a = ours("nl-ut-a");
  auto stuck = spawn("nl-ut-a");
  procs_.make_unkillable(stuck);
  journal({lab_line(), netns("nl-ut-a"), netns_id("nl-ut-a", a), process_id(stuck)});
  teardown(root_.path(), "ut", *host_);
  auto rec = read_lab_record(Journal::read(dir_));
  EXPECT_EQ(rec.last_state, "tearing-down");
  EXPECT_EQ(rec.last_state_by.pid, ::getpid());
}

}  // namespace
}  // namespace netlab::lab::testing
