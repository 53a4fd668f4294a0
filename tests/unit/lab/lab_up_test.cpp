// Lab::up against the fakes: what it journals and in which order relative to
// the kernel and process operations, how a stop request at every step ends
// (Interrupted, everything torn down), and how a name in use is refused.
#include <gtest/gtest.h>

#include "lab_test_support.h"

namespace netlab::lab::testing {
namespace {

namespace fs = std::filesystem;

// Checks, at the instant a held child would execute, that its pid and start
// time are the journal's last line (on disk, fsync'd).
class JournalCheckingProcesses : public FakeProcesses {
 public:
  std::string journal_dir;
  int checked = 0;
  ProcessId spawn_held(const ProcessSpec& spec,
                       const std::function<void(const ProcessId&)>& while_held) override {
    return FakeProcesses::spawn_held(spec, [&](const ProcessId& id) {
      while_held(id);
      auto e = Journal::read(journal_dir);
      EXPECT_EQ(e.back().op, "process-id");
      EXPECT_EQ(e.back().data.value("pid", 0), id.pid);
      EXPECT_EQ(e.back().data.value("start", uint64_t{0}), id.start_time);
      ++checked;
    });
  }
};

class LabUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_ = plan_for("ut", root_.path());
    procs_.journal_dir = plan_.runtime_dir;
    host_.reset(new Host{nl_, nft_, procs_, clock_, frr_,
                         [](topology::TunnelType) { return std::make_unique<FakeBackend>(); },
                         &stop_, [this](const std::string& l) { on_progress(l); }, &nss_});
    // While the lab waits: zebra opens its socket once its node's FRR
    // directory exists, and the expected routes appear once every daemon runs.
    clock_.on_sleep = [this](int64_t) {
      for (const auto& n : plan_.nodes) {
        // Also again after the lab removed a stale one before a (re)start.
        const std::string sock = n.frr_dir + "/zserv.api";
        if (!n.is_router() || !fs::exists(n.frr_dir) || fs::exists(sock)) continue;
        zebra_[n.name] = listen_unix(sock);
      }
      if (procs_.running().size() < 10 || routes_) return;
      routes_ = true;
      for (const auto& e : plan_.expected_routes) {
        kernel::Route r;
        r.ns = plan_.node(e.node)->ns;
        r.dst = e.prefix;
        r.type = kernel::RouteType::Blackhole;
        nl_.route_replace(r);
      }
    };
  }

  void on_progress(const std::string& line) {
    said_.push_back(line);
    if (!stop_at_.empty() && line.starts_with(stop_at_)) stop_ = true;
  }

  std::vector<std::string> ops_of(const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.op);
    return out;
  }

  // Nothing of lab "ut" is left in the fakes or the runtime root.
  void expect_nothing_left() {
    EXPECT_EQ(nl_.netns_list(), std::vector<std::string>{});
    EXPECT_EQ(procs_.running(), std::vector<process::ProcessId>{});
    EXPECT_FALSE(fs::exists(plan_.runtime_dir));
  }

  TempRoot root_;
  plan::Plan plan_;
  FakeNetlink nl_;
  FakeNft nft_{&nl_};
  JournalCheckingProcesses procs_;
  FakeClock clock_;
  FakeFrr frr_{plan_};
  FakeNamespaces nss_{nl_, procs_};
  std::atomic<bool> stop_{false};
  std::string stop_at_;
  std::vector<std::string> said_;
  std::unique_ptr<Host> host_;
  std::map<std::string, kernel::UniqueFd> zebra_;
  bool routes_ = false;
};

TEST_F(LabUpTest, JournalsEveryIdentityBeforeTheObjectCanBeUsed) {
  // At the instant a namespace is identified, its name does not exist yet,
  // and the identity is already the journal's last line.
  nss_.before_name = [&](const std::string& name) {
    EXPECT_FALSE(nl_.has_netns(name));
    auto e = Journal::read(plan_.runtime_dir);
    ASSERT_EQ(e.back().op, "netns-id");
    EXPECT_EQ(e.back().data.value("name", ""), name);
    EXPECT_TRUE(e.back().data.contains("cookie"));
  };
  auto lab = Lab::up(plan_, *host_);
  EXPECT_EQ(procs_.checked, 10);  // 8 FRR daemons, 2 wireguard-go

  auto entries = Journal::read(plan_.runtime_dir);
  auto ops = ops_of(entries);
  ASSERT_GE(ops.size(), 12u);
  EXPECT_EQ(ops.front(), "lab");
  EXPECT_EQ(entries.front().data.value("boot_id", ""), current_boot_id());
  // Each namespace: intent, then identity, with the cookie.
  for (size_t i = 0; i < plan_.nodes.size(); ++i) {
    EXPECT_EQ(ops[1 + 2 * i], "netns");
    EXPECT_EQ(ops[2 + 2 * i], "netns-id");
    EXPECT_EQ(entries[1 + 2 * i].data.value("name", ""), plan_.nodes[i].ns);
    EXPECT_EQ(entries[2 + 2 * i].data.value("ino", uint64_t{0}),
              nss_.id_of(plan_.nodes[i].ns).id.ino);
    EXPECT_EQ(entries[2 + 2 * i].data.value("cookie", uint64_t{0}),
              *nss_.id_of(plan_.nodes[i].ns).cookie);
  }
  // Each process: intent, then identity, right after each other.
  int processes = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i] != "process") continue;
    ++processes;
    ASSERT_LT(i + 1, ops.size());
    EXPECT_EQ(ops[i + 1], "process-id");
    EXPECT_EQ(entries[i + 1].data.value("name", ""), entries[i].data.value("name", ""));
  }
  EXPECT_EQ(processes, 10);
  EXPECT_EQ(ops.back(), "state");
  EXPECT_EQ(entries.back().data.value("state", ""), "converged");

  lab->down();
  expect_nothing_left();
}

// FRR daemons in the order the journal recorded them: "router:daemon".
std::vector<std::string> frr_order(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    const std::string name = e.data.value("name", "");
    if (e.op == "process" && (name == "zebra" || name == "bgpd" || name == "bfdd" || name == "staticd"))
      out.push_back(e.data.value("node", "") + ":" + name);
  }
  return out;
}

TEST_F(LabUpTest, RoutersStartTogetherEachWithItsZebraFirst) {
  UpOptions o;
  o.start_parallel = 2;
  auto lab = Lab::up(plan_, *host_, o);
  auto order = frr_order(Journal::read(plan_.runtime_dir));
  ASSERT_EQ(order.size(), 8u);
  // Both zebras before any other daemon: the routers started together.
  EXPECT_TRUE(order[0].ends_with(":zebra")) << order[0];
  EXPECT_TRUE(order[1].ends_with(":zebra")) << order[1];
  for (size_t i = 2; i < order.size(); ++i) EXPECT_FALSE(order[i].ends_with(":zebra")) << order[i];
  lab->down();
  expect_nothing_left();
}

TEST_F(LabUpTest, OneRouterAtATimeWhenAskedSo) {
  UpOptions o;
  o.start_parallel = 1;
  auto lab = Lab::up(plan_, *host_, o);
  auto order = frr_order(Journal::read(plan_.runtime_dir));
  ASSERT_EQ(order.size(), 8u);
  EXPECT_TRUE(order[0].ends_with(":zebra"));
  EXPECT_TRUE(order[4].ends_with(":zebra"));
  const std::string first = order[0].substr(0, order[0].find(':'));
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(order[i].starts_with(first + ":")) << order[i];
  lab->down();
  expect_nothing_left();
}

TEST_F(LabUpTest, ReleaseJournalsKeptAndKeepsTheLab) {
  {
    auto lab = Lab::up(plan_, *host_);
    lab->release();
  }
  auto rec = read_lab_record(Journal::read(plan_.runtime_dir));
  EXPECT_EQ(rec.last_state, "kept");
  EXPECT_EQ(nl_.netns_list().size(), plan_.nodes.size());
  EXPECT_EQ(procs_.running().size(), 10u);
  auto r = teardown(root_.path(), "ut", *host_);
  EXPECT_TRUE(r.complete());
  expect_nothing_left();
}

// A SIGINT/SIGTERM at each step of the bring-up: Interrupted (exit 130), and
// nothing of the lab left.
class LabUpInterrupted : public LabUpTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(LabUpInterrupted, TearsDownEverything) {
  stop_at_ = GetParam();
  try {
    Lab::up(plan_, *host_);
    FAIL() << "up() returned";
  } catch (const Interrupted& e) {
    EXPECT_EQ(e.exit_code(), 130);
  }
  EXPECT_TRUE(std::any_of(said_.begin(), said_.end(), [](const std::string& l) {
    return l.starts_with("interrupted: tearing down");
  }));
  expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(AtEveryStep, LabUpInterrupted,
                         ::testing::Values("creating", "creating 5 links", "starting 1 tunnels",
                                           "starting FRR", "waiting for BGP", "  still waiting"));

TEST_F(LabUpTest, AFailedStepTearsDownAndKeepsItsReason) {
  procs_.fail_spawn(5, EACCES);  // the third FRR daemon
  try {
    Lab::up(plan_, *host_);
    FAIL() << "up() returned";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EACCES);
  }
  expect_nothing_left();
}

TEST_F(LabUpTest, NotConvergedTearsDown) {
  frr_.established = false;
  UpOptions o;
  o.converge_timeout = std::chrono::seconds(3);
  EXPECT_THROW(Lab::up(plan_, *host_, o), NotConverged);
  expect_nothing_left();
}

TEST_F(LabUpTest, BgpEstablishedWithBfdNotYetUpIsNotConverged) {
  // A cut before BFD is up is seen only after the BGP hold time: the lab
  // waits for BFD, and says which session it is waiting for.
  frr_.bfd_up = false;
  UpOptions o;
  o.converge_timeout = std::chrono::seconds(3);
  try {
    Lab::up(plan_, *host_, o);
    FAIL() << "converged without BFD";
  } catch (const NotConverged& e) {
    EXPECT_NE(std::string(e.what()).find("BFD r1 -> r2 over core: down"), std::string::npos)
        << e.what();
  }
  expect_nothing_left();
}

TEST_F(LabUpTest, ANameInUseIsRefusedBeforeAnythingIsTouched) {
  // A runtime directory of that name: a lab, running or stale.
  fs::create_directories(plan_.runtime_dir);
  try {
    Lab::up(plan_, *host_);
    FAIL();
  } catch (const NameInUse& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_NE(std::string(e.what()).find("netlab down ut"), std::string::npos) << e.what();
  }
  fs::remove(plan_.runtime_dir);
  // A namespace with the lab's prefix that netlab did not create.
  nss_.make_foreign("nl-ut-other");
  try {
    Lab::up(plan_, *host_);
    FAIL();
  } catch (const NameInUse& e) {
    EXPECT_NE(std::string(e.what()).find("nl-ut-other"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(nss_.ops.empty());
  EXPECT_TRUE(procs_.calls().empty());
  EXPECT_FALSE(fs::exists(plan_.runtime_dir));
  EXPECT_EQ(nl_.netns_list(), std::vector<std::string>{"nl-ut-other"});
}

TEST_F(LabUpTest, ALabWithAnotherPrefixIsNoConflict) {
  nss_.make_foreign("nl-ut2-a");  // lab "ut2": "nl-ut-" is not its prefix
  auto lab = Lab::up(plan_, *host_);
  lab->down();
  EXPECT_EQ(nl_.netns_list(), std::vector<std::string>{"nl-ut2-a"});
}

TEST_F(LabUpTest, WithoutNamespacesTheNetlinkIsUsedAndTheIdentityFollows) {
  // Hosts without a Namespaces (other unit tests' fakes) still journal an
  // identity for every namespace, taken right after creation.
  host_->namespaces = nullptr;
  auto lab = Lab::up(plan_, *host_);
  auto entries = Journal::read(plan_.runtime_dir);
  EXPECT_EQ(entries[1].op, "netns");
  EXPECT_EQ(entries[2].op, "netns-id");
  EXPECT_EQ(entries[2].data.value("ino", uint64_t{0}), nl_.netns_id(plan_.nodes[0].ns)->ino);
  EXPECT_FALSE(entries[2].data.contains("cookie"));
  lab->down();
  expect_nothing_left();
}

}  // namespace
}  // namespace netlab::lab::testing
