// The lab lifecycle through the real `netlab` binary: a SIGKILL at any point
// of `up` followed by `netlab down`, SIGINT/SIGTERM cleaning up by
// themselves, a namespace netlab did not make never touched, and `netlab`
// without root touching nothing. Every instant is chosen by watching the
// lab's journal grow (the N-th line of an op), never by sleeping.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "lifecycle_fixture.h"
#include "netlab/kernel/nft.h"

namespace netlab::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Whether `netlab events --json` output holds an event of `kind` at `node`.
bool has_event(const std::string& json_lines, const std::string& node, const std::string& kind) {
  for (const auto& line : split_lines(json_lines)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("node", "") == node && j.value("kind", "") == kind) return true;
  }
  return false;
}

bool is_frr(const lab::Entry& e) {
  const std::string n = e.data.value("name", "");
  return n == "zebra" || n == "staticd" || n == "bfdd" || n == "bgpd";
}

struct KillPoint {
  const char* name;
  std::function<bool(const Journal&)> reached;
};

// The instants of `up`, in order: 5 namespaces, 5 veths, the tunnel's
// processes (wireguard-go), 8 FRR daemons, convergence.
const std::vector<KillPoint>& kill_points() {
  static const std::vector<KillPoint> points = {
      {"BeforeNamespaces", [](const Journal& j) { return j.size() >= 1 && j[0].op == "lab"; }},
      {"CreatingNamespaces", [](const Journal& j) { return count_ops(j, "netns") >= 3; }},
      {"CreatingLinks", [](const Journal& j) { return count_ops(j, "veth") >= 2; }},
      {"StartingTunnels",
       [](const Journal& j) {
         return count_ops(j, "process", [](const lab::Entry& e) {
                  return e.data.value("argv0", "").find("wireguard") != std::string::npos;
                }) >= 1;
       }},
      {"StartingDaemons",
       [](const Journal& j) {
         return count_ops(j, "process-id", [](const lab::Entry& e) { return is_frr(e); }) >= 3;
       }},
      {"WaitingForConvergence",
       [](const Journal& j) {
         return count_ops(j, "process-id", is_frr) == 8 && count_ops(j, "state") == 0;
       }},
      {"Converged",
       [](const Journal& j) {
         return count_ops(j, "state", [](const lab::Entry& e) {
                  return e.data.value("state", "") == "converged";
                }) >= 1;
       }},
  };
  return points;
}

class KillNine : public LifecycleTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(KillNine, ThenNetlabDownRemovesEverythingTwice) {
  const KillPoint& point = kill_points()[GetParam()];
  const std::string lab = lab_name('k');
  Child up = up_until(lab, point.reached);
  ASSERT_FALSE(up.status && std::string(point.name) != "Converged") << point.name;
  if (std::string(point.name) == "Converged") {
    // `up` has nothing left to do after this line but keep the lab: it may
    // have finished (exit 0) by the time the signal is sent.
    ::kill(up.pid, SIGKILL);
    auto rc = up.wait();
    EXPECT_TRUE(rc == 128 + SIGKILL || rc == 0) << up.err();
    // Something of the lab's that netlab never journaled: a command run in
    // one of its nodes.
    Child stray = start({"exec", lab, "r1", "--", "/usr/bin/sleep", "600"});
    ASSERT_TRUE(eventually(
        [&] {
          for (const auto& [pid, start] : snapshot(lab).inside)
            if (pid == stray.pid && cmdline_of(pid).starts_with("/usr/bin/sleep 600")) return true;
          return false;
        },
        seconds(10)))
        << stray.err();
    Snapshot snap = snapshot(lab);
    const size_t journaled = count_ops(snap.journal, "process-id");
    EXPECT_GE(journaled, 10u);                     // 8 FRR, the tunnel's at both ends
    EXPECT_EQ(snap.inside.size(), journaled + 1);  // and sleep
    Result down = netlab({"down", lab});
    EXPECT_EQ(down.status, 0) << down.out << down.err;
    EXPECT_THAT(down.out,
                HasSubstr("removed 5 namespaces, " + std::to_string(journaled + 1) + " processes"));
    EXPECT_EQ(stray.wait(seconds(10)), 128 + SIGKILL);
    expect_gone(lab, snap);
  } else {
    ::kill(up.pid, SIGKILL);
    ASSERT_EQ(up.wait(), 128 + SIGKILL);
    Snapshot snap = snapshot(lab);
    Result ls = netlab({"ls"});
    EXPECT_EQ(ls.status, 0);
    EXPECT_THAT(ls.out, HasSubstr(lab));
    EXPECT_THAT(ls.out, HasSubstr("stale (its netlab pid " + std::to_string(up.pid) + " is gone)"));
    Result down = netlab({"down", lab});
    EXPECT_EQ(down.status, 0) << down.out << down.err;
    EXPECT_THAT(down.out, HasSubstr("lab " + lab + ": removed"));
    EXPECT_THAT(down.out, ::testing::Not(HasSubstr("left alone"))) << down.out;
    expect_gone(lab, snap);
  }
  Result again = netlab({"down", lab});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("lab " + lab + ": nothing to remove"));
}

INSTANTIATE_TEST_SUITE_P(DuringUp, KillNine, ::testing::Range<size_t>(0, 7),
                         [](const ::testing::TestParamInfo<size_t>& i) {
                           return std::string(kill_points()[i.param].name);
                         });

// SIGINT / SIGTERM during `up`: netlab tears the lab down by itself and
// exits 130; a second signal while it does so changes nothing.
struct StopCase {
  const char* name;
  size_t point;  // index into kill_points()
  int sig;
  bool twice;
};

class StopSignal : public LifecycleTest, public ::testing::WithParamInterface<StopCase> {};

TEST_P(StopSignal, DuringUpTearsDownByItself) {
  const StopCase& c = GetParam();
  const std::string lab = lab_name('s');
  Child up = up_until(lab, kill_points()[c.point].reached);
  ASSERT_FALSE(up.status);
  Snapshot snap = snapshot(lab);
  ::kill(up.pid, c.sig);
  bool again = false;
  snap.journal = follow_until_exit(lab, up, [&](const Journal& j) {
    // Once the teardown has begun, signal it again, twice.
    if (!c.twice || again || !count_ops(j, "state", [](const lab::Entry& e) {
          return e.data.value("state", "") == "tearing-down";
        }))
      return;
    again = true;
    ::kill(up.pid, SIGINT);
    ::kill(up.pid, SIGTERM);
  });
  EXPECT_EQ(up.wait(seconds(60)), 130) << up.err();
  EXPECT_THAT(up.err(), HasSubstr("interrupted"));
  EXPECT_EQ(again, c.twice) << "the teardown was never seen in the journal";
  expect_gone(lab, snap);
}

INSTANTIATE_TEST_SUITE_P(
    Up, StopSignal,
    ::testing::Values(StopCase{"SigtermCreatingNamespaces", 1, SIGTERM, false},
                      StopCase{"SigintStartingTunnels", 3, SIGINT, false},
                      StopCase{"SigtermStartingDaemons", 4, SIGTERM, false},
                      StopCase{"SigintWaitingForConvergenceTwice", 5, SIGINT, true}),
    [](const ::testing::TestParamInfo<StopCase>& i) { return std::string(i.param.name); });

TEST_F(LifecycleTest, SigtermDuringAScenarioOfRunTearsDownByItself) {
  const std::string lab = lab_name('r');
  const std::string file = topology(lab);
  // The trial has begun: its probes are journaled; then wait for the cut
  // itself (a netdev table in r1's namespace) and stop netlab while it holds.
  auto probes_started = [](const Journal& j) {
    return count_ops(j, "process",
                     [](const lab::Entry& e) { return e.data.value("name", "").starts_with("probe"); }) >= 2;
  };
  Child run;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    run = start({"run", file, "--scenario", "core-cut", "--jobs", "1", "--out", tmp_ + "/out"});
    ASSERT_TRUE(
        eventually([&] { return probes_started(journal(lab)) || run.exited(); }, seconds(60)));
    if (!run.status) break;
    ASSERT_TRUE(attempt == 1 && known_flake(run.err())) << run.err();
    expect_gone(lab, {});
  }
  ASSERT_FALSE(run.status) << run.err();
  auto nft = kernel::make_nft();
  const std::string r1 = "nl-" + lab + "-r1";
  EXPECT_TRUE(eventually(
      [&] {
        try {
          return nft->list_json(r1, "list tables netdev").find("core") != std::string::npos;
        } catch (const std::exception&) {
          return false;
        }
      },
      seconds(20)))
      << "the cut never came";
  nft->forget(r1);  // its socket must not keep the namespace alive
  Snapshot snap = snapshot(lab);
  ::kill(run.pid, SIGTERM);
  snap.journal = follow_until_exit(lab, run);
  EXPECT_EQ(run.wait(seconds(60)), 130) << run.err();
  EXPECT_THAT(run.err(), HasSubstr("interrupted"));
  expect_gone(lab, snap);
}

TEST_F(LifecycleTest, AHalfGoneLabIsFinishedAndANamespaceReplacedMeanwhileIsLeftAlone) {
  // SIGKILL while waiting for convergence; then a daemon dies, and someone
  // deletes h2's namespace and makes another under its name (the kernel
  // usually gives it the dead one's inode: only the cookie tells them apart).
  const std::string lab = lab_name('h');
  Child up = up_until(lab, kill_points()[5].reached);
  ASSERT_FALSE(up.status);
  ::kill(up.pid, SIGKILL);
  up.wait();
  Snapshot snap = snapshot(lab);
  for (const auto& e : snap.journal)
    if (e.op == "process-id" && e.data.value("node", "") == "r2" &&
        e.data.value("name", "") == "bgpd")
      ::kill(e.data.value("pid", 0), SIGKILL);
  const std::string h2 = "nl-" + lab + "-h2";
  kernel::netns_delete_named(h2);
  kernel::NetnsId theirs = kernel::netns_create_named(h2);
  struct Cleanup {
    std::string name;
    ~Cleanup() {
      try {
        kernel::netns_delete_named(name);
      } catch (const std::exception&) {
      }
    }
  } cleanup{h2};

  // down reports the processes it stopped: all the journal lists but r2's
  // bgpd, less any that ended by themselves meanwhile (named, so that a
  // daemon dying on its own shows here rather than as a wrong count).
  size_t left = 0;
  std::string ended;
  for (const auto& e : snap.journal) {
    if (e.op != "process-id") continue;
    const bool bgpd2 = e.data.value("node", "") == "r2" && e.data.value("name", "") == "bgpd";
    if (bgpd2) continue;
    if (alive(e.data.value("pid", 0), e.data.value("start", uint64_t{0})))
      ++left;
    else
      ended += " " + e.data.value("node", "") + "/" + e.data.value("name", "");
  }
  EXPECT_GE(left + 2, count_ops(snap.journal, "process-id")) << "ended by themselves:" << ended;
  if (!ended.empty()) std::fprintf(stderr, "note: ended before down:%s\n", ended.c_str());
  Result down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_THAT(down.out, HasSubstr("removed 4 namespaces, " + std::to_string(left) + " processes"));
  EXPECT_THAT(down.out, HasSubstr("left alone: namespace " + h2));
  EXPECT_THAT(down.out, HasSubstr("is not the one this lab created"));
  ASSERT_TRUE(kernel::netns_stat(h2).has_value());
  EXPECT_EQ(*kernel::netns_stat(h2), theirs);
  kernel::netns_delete_named(h2);
  expect_gone(lab, snap);
}

TEST_F(LifecycleTest, DownWhileUpIsBuildingStopsItFirst) {
  const std::string lab = lab_name('d');
  Child up = up_until(lab, kill_points()[4].reached);
  ASSERT_FALSE(up.status);
  Snapshot snap = snapshot(lab);
  Result down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_THAT(down.out, HasSubstr("netlab pid " + std::to_string(up.pid) + " is running it"));
  snap.journal = follow_until_exit(lab, up);
  EXPECT_EQ(up.wait(), 130) << up.err();
  expect_gone(lab, snap);
}

TEST_F(LifecycleTest, ANamespaceNamedLikeALabButNotMadeByNetlabIsNeverTouched) {
  const std::string lab = lab_name('f');
  const std::string foreign = "nl-" + lab + "-foo";
  kernel::NetnsId id = kernel::netns_create_named(foreign);
  struct Cleanup {
    std::string name;
    ~Cleanup() {
      try {
        kernel::netns_delete_named(name);
      } catch (const std::exception&) {
      }
    }
  } cleanup{foreign};

  // No lab of that name: nothing to do.
  Result down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("nothing to remove"));
  // A journal that lists the name as an intent, but has no identity for it
  // (its netlab died before naming it): refused.
  fs::create_directories(lab_dir(lab));
  std::ofstream(lab_dir(lab) + "/journal")
      << "{\"op\":\"lab\",\"name\":\"" << lab << "\",\"owner_pid\":0,\"owner_start\":0}\n"
      << "{\"op\":\"netns\",\"name\":\"" << foreign << "\"}\n";
  down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("left alone: namespace " + foreign));
  // A stale lab beside it for --all to remove, and the name in a journal
  // with the wrong identity.
  const std::string other = lab_name('g');
  Child up = up_until(other, kill_points()[4].reached);
  ASSERT_FALSE(up.status);
  ::kill(up.pid, SIGKILL);
  up.wait();
  fs::create_directories(lab_dir(lab));
  std::ofstream(lab_dir(lab) + "/journal")
      << "{\"op\":\"lab\",\"name\":\"" << lab << "\",\"owner_pid\":0,\"owner_start\":0}\n"
      << "{\"op\":\"netns\",\"name\":\"" << foreign << "\"}\n"
      << "{\"op\":\"netns-id\",\"name\":\"" << foreign << "\",\"dev\":" << id.dev
      << ",\"ino\":" << id.ino + 1 << "}\n";
  Snapshot snap = snapshot(other);
  Result all = netlab({"down", "--all"});
  EXPECT_EQ(all.status, 0) << all.out << all.err;
  EXPECT_THAT(all.out, HasSubstr("left alone: namespace " + foreign));
  EXPECT_THAT(all.out, HasSubstr("lab " + other + ": removed"));
  expect_gone(other, snap);
  EXPECT_TRUE(kernel::netns_stat(foreign).has_value()) << foreign << " was deleted";
  EXPECT_EQ(*kernel::netns_stat(foreign), id);

  // A journal of another boot, even with the right inode: after a reboot
  // nothing of the lab can exist, whatever has its name now is not its.
  fs::create_directories(lab_dir(lab));
  std::ofstream(lab_dir(lab) + "/journal")
      << "{\"op\":\"lab\",\"name\":\"" << lab << "\",\"owner_pid\":0,\"owner_start\":0,"
      << "\"boot_id\":\"00000000-0000-0000-0000-000000000000\"}\n"
      << "{\"op\":\"netns\",\"name\":\"" << foreign << "\"}\n"
      << "{\"op\":\"netns-id\",\"name\":\"" << foreign << "\",\"dev\":" << id.dev
      << ",\"ino\":" << id.ino << "}\n";
  down = netlab({"down", lab});
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("left alone: namespace " + foreign + ": made after the reboot"));
  EXPECT_EQ(*kernel::netns_stat(foreign), id);

  // And a lab of that name cannot start while it exists: exit 2, nothing made.
  Result refused = netlab({"up", topology(lab)});
  EXPECT_EQ(refused.status, 2) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr(foreign));
  EXPECT_EQ(lab_namespaces(lab), std::vector<std::string>{foreign});
  EXPECT_FALSE(fs::exists(lab_dir(lab)));
}

TEST_F(LifecycleTest, WithoutRootNothingIsTouchedAndTheExitCodeIs3) {
  const std::string lab = lab_name('n');
  const std::string file = topology(lab);
  ::chmod(tmp_.c_str(), 0755);
  ::chmod(file.c_str(), 0644);
  const int nobody = 65534;
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"up", file},
                                             {"down", lab},
                                             {"down", "--all"},
                                             {"ls"},
                                             {"status", lab},
                                             {"exec", lab, "r1", "--", "true"}}) {
    Result r = netlab(args, seconds(30), nobody);
    if (r.status == 126) GTEST_SKIP() << "cannot become nobody (uid 65534) here";
    EXPECT_EQ(r.status, 3) << args[0] << ": " << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("needs root")) << args[0];
  }
  EXPECT_FALSE(fs::exists(lab_dir(lab)));
  EXPECT_EQ(lab_namespaces(lab), std::vector<std::string>{});
}

TEST_F(LifecycleTest, StatusShowsEachRoutersDaemonsAndWhichStopped) {
  const std::string lab = lab_name('d');
  Result up = netlab({"up", topology(lab)}, seconds(120));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  Result st = netlab({"status", lab});
  ASSERT_EQ(st.status, 0) << st.err;
  // A router runs FRR's daemons; a host runs none of them.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(st.out, m, std::regex("\nr1 +router +up +([^\n]*)"))) << st.out;
  const std::string r1 = m[1];
  for (const char* d : {"zebra", "bgpd", "bfdd", "staticd"}) EXPECT_THAT(r1, HasSubstr(d)) << st.out;
  EXPECT_THAT(r1, Not(HasSubstr("STOPPED")));
  ASSERT_TRUE(std::regex_search(st.out, m, std::regex("\nh1 +host +up +([^\n]*)"))) << st.out;
  EXPECT_THAT(std::string(m[1]), Not(HasSubstr("bgpd")));

  // Stop r1's bgpd by its journaled pid: status names it as stopped.
  pid_t bgpd = 0;
  for (const auto& e : journal(lab))
    if (e.op == "process-id" && e.data.value("node", "") == "r1" && e.data.value("name", "") == "bgpd")
      bgpd = e.data.value("pid", 0);
  ASSERT_GT(bgpd, 0);
  ASSERT_EQ(::kill(bgpd, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return !fs::exists("/proc/" + std::to_string(bgpd) + "/stat") ||
                                      read_text("/proc/" + std::to_string(bgpd) + "/stat").find(") Z") !=
                                          std::string::npos; },
                         seconds(5)));
  st = netlab({"status", lab});
  ASSERT_TRUE(std::regex_search(st.out, m, std::regex("\nr1 +router +up +([^\n]*)"))) << st.out;
  EXPECT_THAT(std::string(m[1]), HasSubstr("bgpd:STOPPED")) << st.out;
  EXPECT_THAT(std::string(m[1]), Not(HasSubstr("zebra:STOPPED"))) << st.out;
}

TEST_F(LifecycleTest, EventsFollowsBfdBgpAndRouteChangesLive) {
  const std::string lab = lab_name('e');
  Result up = netlab({"up", topology(lab)}, seconds(120));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  Child events = start({"events", lab, "--json"});
  // The feed has started once it is running and its sockets are open; give
  // it a moment, then take the r1-r2 link down inside r1.
  ::usleep(500'000);
  ASSERT_FALSE(events.exited()) << events.err();
  const int64_t cut = mono_ms();
  Result down_link = netlab({"exec", lab, "r1", "--", "ip", "link", "set", "core", "down"});
  ASSERT_EQ(down_link.status, 0) << down_link.err;
  auto seen = [&](const std::string& node, const std::string& kind) { return has_event(events.out(), node, kind); };
  // BGP sees the interface go down at once; BFD on r2 within its detection
  // time (3 x 100 ms); the route over the link is withdrawn in r2's table.
  EXPECT_TRUE(eventually([&] { return seen("r1", "bgp-down"); }, seconds(1))) << events.out();
  EXPECT_TRUE(eventually([&] { return seen("r2", "bfd-down"); }, seconds(1))) << events.out();
  EXPECT_LT(mono_ms() - cut, 1500);
  EXPECT_TRUE(eventually([&] { return seen("r2", "route-add") || seen("r2", "route-delete"); }, seconds(2)))
      << events.out();
  ::kill(events.pid, SIGINT);
  EXPECT_EQ(events.wait(seconds(5)), 0) << events.err();
}

TEST_F(LifecycleTest, LiveFaultCutsALinkThatEventsSeesAndRepairBringsItBack) {
  const std::string lab = lab_name('f');
  Result up = netlab({"up", topology(lab)}, seconds(120));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  Child events = start({"events", lab, "--json"});
  ::usleep(500'000);
  auto seen = [&](const std::string& node, const std::string& kind) { return has_event(events.out(), node, kind); };
  // A cut keeps the carrier: only BFD can tell, within 3 x 100 ms.
  const int64_t t0 = mono_ms();
  Result cut = netlab({"fault", lab, "cut", "core"});
  ASSERT_EQ(cut.status, 0) << cut.out << cut.err;
  EXPECT_THAT(cut.out, HasSubstr("fault 1 in place on lab " + lab + ": cut core"));
  EXPECT_TRUE(eventually([&] { return seen("r1", "bfd-down") && seen("r2", "bfd-down"); }, seconds(1)))
      << events.out();
  EXPECT_LT(mono_ms() - t0, 1500);
  EXPECT_TRUE(eventually([&] { return seen("", "fault"); }, seconds(1))) << events.out();
  // The same fault twice is refused; status lists the one in place.
  Result again = netlab({"fault", lab, "cut", "core"});
  EXPECT_EQ(again.status, 2) << again.err;
  EXPECT_THAT(again.err, HasSubstr("already in place"));
  Result st = netlab({"status", lab});
  EXPECT_THAT(st.out, HasSubstr("1  cut core")) << st.out;

  Result rep = netlab({"repair", lab, "--all"});
  ASSERT_EQ(rep.status, 0) << rep.out << rep.err;
  EXPECT_THAT(rep.out, HasSubstr("fault 1 repaired"));
  EXPECT_TRUE(eventually([&] { return seen("r1", "bfd-up") || seen("r2", "bfd-up"); }, seconds(5))) << events.out();
  st = netlab({"status", lab});
  EXPECT_THAT(st.out, Not(HasSubstr("cut core"))) << st.out;
  ::kill(events.pid, SIGINT);
  EXPECT_EQ(events.wait(seconds(5)), 0);
}

TEST_F(LifecycleTest, LiveFaultInputIsCheckedAndAFaultInPlaceGoesWithDown) {
  const std::string lab = lab_name('c');
  Result up = netlab({"up", topology(lab)}, seconds(120));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  Result bad = netlab({"fault", lab, "cut", "cor"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("did you mean \"core\""));
  bad = netlab({"fault", lab, "degrade", "core"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("loss_pct"));
  bad = netlab({"fault", lab, "explode", "core"});
  EXPECT_EQ(bad.status, 2);
  // Impairments: put on, listed, reset.
  Result imp = netlab({"impair", lab, "core", "--delay", "20", "--loss", "1"});
  ASSERT_EQ(imp.status, 0) << imp.out << imp.err;
  Result show = netlab({"impair", lab, "--show"});
  EXPECT_THAT(show.out, HasSubstr("core")) << show.out;
  EXPECT_THAT(show.out, HasSubstr("delay 20ms")) << show.out;
  ASSERT_EQ(netlab({"impair", lab, "core", "--reset"}).status, 0);
  show = netlab({"impair", lab, "--show"});
  EXPECT_THAT(show.out, Not(HasSubstr("delay 20ms"))) << show.out;
  // A crash left in place: `down` (TearDown) removes the lab whole anyway.
  Result crash = netlab({"fault", lab, "crash", "r2"});
  ASSERT_EQ(crash.status, 0) << crash.out << crash.err;
}

TEST_F(LifecycleTest, ALabStillBeingBuiltRefusesLiveFaults) {
  const std::string lab = lab_name('r');
  Child up = up_until(lab, kill_points()[4].reached);  // starting its daemons
  ASSERT_FALSE(up.status);
  Result f = netlab({"fault", lab, "cut", "core"});
  EXPECT_EQ(f.status, 2) << f.out << f.err;
  EXPECT_EQ(up.wait(seconds(120)), 0) << up.err();
}

TEST_F(LifecycleTest, ProbeByHandPrintsEachOutageAsItEnds) {
  const std::string lab = lab_name('p');
  Result up = netlab({"up", topology(lab)}, seconds(120));
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  Child probe = start({"probe", lab, "h1", "h2"});
  ASSERT_TRUE(eventually([&] { return probe.out().find("probing h1 <-> h2") != std::string::npos; }, seconds(5)))
      << probe.err();
  ::usleep(500'000);
  // h1's only link: no alternative, so the outage lasts from cut to repair.
  const int64_t t0 = mono_ms();
  ASSERT_EQ(netlab({"fault", lab, "cut", "h1-r1"}).status, 0);
  ::usleep(500'000);
  ASSERT_EQ(netlab({"repair", lab, "--all"}).status, 0);
  const int64_t held = mono_ms() - t0;
  std::regex outage("(h1 -> h2|h2 -> h1) +outage +([0-9.]+) ms");
  auto outages = [&] {
    std::map<std::string, double> out;
    const std::string text = probe.out();
    for (std::sregex_iterator it(text.begin(), text.end(), outage), end; it != end; ++it)
      out[(*it)[1]] = std::stod((*it)[2]);
    return out;
  };
  EXPECT_TRUE(eventually([&] { return outages().size() == 2; }, seconds(3))) << probe.out();
  for (const auto& [dir, ms] : outages()) {
    // Inside the fault command's span, and at least the half second held.
    EXPECT_GE(ms, 450) << dir;
    EXPECT_LE(ms, static_cast<double>(held) + 50) << dir;
  }
  ::kill(probe.pid, SIGINT);
  EXPECT_EQ(probe.wait(seconds(5)), 0) << probe.err();
  EXPECT_THAT(probe.out(), HasSubstr("1 outage, longest"));
}

}  // namespace
}  // namespace netlab::cli::testing
