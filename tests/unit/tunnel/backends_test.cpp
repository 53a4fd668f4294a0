// The backends' two phases against recording fakes: the processes each end
// needs (and the files written for them), and what configure() does, in
// order, to the kernel and to charon.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "netlab/base/error.h"
#include "netlab/tunnel/ipsec.h"
#include "netlab/tunnel/watch.h"
#include "netlab/tunnel/wireguard_go.h"
#include "netlab/tunnel/wireguard_kernel.h"
#include "support/fake_kernel.h"
#include "support/fake_processes.h"
#include "tunnel_fixtures.h"

namespace netlab::tunnel {
namespace {

namespace fs = std::filesystem;
using namespace netlab::tunnel::testing;

// A private runtime directory per test, removed afterwards.
class TempRun {
 public:
  TempRun() {
    char tmpl[] = "/tmp/netlab-tunnel-test-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~TempRun() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Points both ends' run directories inside, as the lab lays them out.
  void place(plan::PlanTunnel& t) const {
    for (auto* e : {&t.a, &t.b}) {
      e->run_dir = root_ + "/nodes/" + e->node + "/run";
      fs::create_directories(e->run_dir);
    }
  }

 private:
  std::string root_;
};

struct World {
  RecordingNetlink netlink;
  netlab::testing::FakeProcesses processes;
  netlab::testing::FakeClock clock;
  Context ctx{netlink, processes, clock};
  FakeTunnelKernel* kernel = nullptr;  // owned by the backend
  FakeViciWorld vici;

  BackendOptions options() {
    BackendOptions o;
    o.watcher = "/bin/true";
    o.check_plugins = false;
    o.kernel = [this] {
      auto k = std::make_unique<FakeTunnelKernel>();
      kernel = k.get();
      return k;
    };
    o.vici = vici.connector();
    o.find_tuns = [](const std::string& ns, const std::string& env) -> std::vector<std::string> {
      EXPECT_TRUE(env.starts_with("STRONGSWAN_CONF=")) << env;
      EXPECT_TRUE(env.ends_with("/ipsec-vpn1-t1/strongswan.conf")) << env;
      return {ns == "nl-x-cgw" ? "ipsec1" : "ipsec0"};
    };
    return o;
  }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(WireguardKernelBackend, CreatesConfiguresAddressesAndRaisesTheLink) {
  World w;
  auto t = sample_tunnel(topology::TunnelType::Wireguard);
  WireguardKernel b(w.options());
  auto specs = b.processes(t, t.b);
  ASSERT_EQ(specs.size(), 1u);  // no daemon: only the watcher
  WatchOptions wo = parse_watch_args({specs[0].argv.begin() + 1, specs[0].argv.end()});
  EXPECT_EQ(wo.kind, WatchKind::WireguardKernel);
  EXPECT_EQ(wo.action, topology::DpdAction::Clear);  // AWS's end: the file's action
  EXPECT_EQ(wo.peer_endpoint, "203.0.113.1:51820");
  EXPECT_EQ(specs[0].ns, "nl-x-vpn-az1");

  b.configure(t, t.b, t.a, w.ctx);
  EXPECT_EQ(w.kernel->ops,
            (std::vector<std::string>{"wireguard_create nl-x-vpn-az1 vpn1-t1 mtu 1446",
                                      "wg_set nl-x-vpn-az1 vpn1-t1"}));
  EXPECT_EQ(w.kernel->sets.at(0), wg_device_config(t, t.b, t.a));
  EXPECT_EQ(w.netlink.ops,
            (std::vector<std::string>{"address_add nl-x-vpn-az1 vpn1-t1 169.254.20.2/30",
                                      "link_set_up nl-x-vpn-az1 vpn1-t1 up"}));
}

TEST(WireguardGoBackend, RunsWireguardGoAndAWatcherOnItsSocket) {
  World w;
  auto t = sample_tunnel(topology::TunnelType::Wireguard);
  WireguardGo b("/usr/bin/wireguard-go", w.options());
  auto specs = b.processes(t, t.a);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].argv, (std::vector<std::string>{"/usr/bin/wireguard-go", "-f", "vpn1-t1"}));
  EXPECT_EQ(specs[0].private_run, t.a.run_dir);
  WatchOptions wo = parse_watch_args({specs[1].argv.begin() + 1, specs[1].argv.end()});
  EXPECT_EQ(wo.kind, WatchKind::WireguardUapi);
  EXPECT_EQ(wo.uapi_socket, WireguardGo::socket_path(t.a));
  EXPECT_EQ(wo.action, topology::DpdAction::Restart);  // the customer gateway restarts
  EXPECT_EQ(wo.peer_public_hex, plan::base64_to_hex(t.b.keys.public_key));
  EXPECT_EQ(wo.timeout_s, 30u);
  EXPECT_EQ(wo.keepalive_s, 10u);
  EXPECT_FALSE(specs[1].private_run);  // it reaches the socket by netlab's path
}

TEST(IpsecBackend, ProcessesWriteTheInstanceConfigPrivately) {
  World w;
  TempRun run;
  auto t = sample_tunnel();
  run.place(t);
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  auto specs = b.processes(t, t.a);
  ASSERT_EQ(specs.size(), 2u);
  CharonPaths p = charon_paths(t.a);
  EXPECT_EQ(specs[0].argv, std::vector<std::string>{"/usr/sbin/charon-systemd"});
  EXPECT_EQ(specs[0].env, (std::map<std::string, std::string>{{"STRONGSWAN_CONF", p.conf}}));
  EXPECT_EQ(specs[0].ns, "nl-x-cgw");
  EXPECT_EQ(specs[0].log_path, p.log);
  EXPECT_EQ(slurp(p.conf), render_strongswan_conf(t, t.a, IpsecFlavor::Libipsec));
  struct stat st {};
  ASSERT_EQ(::stat(p.conf.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(p.dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  WatchOptions wo = parse_watch_args({specs[1].argv.begin() + 1, specs[1].argv.end()});
  EXPECT_EQ(wo.kind, WatchKind::Ipsec);
  EXPECT_EQ(wo.vici_socket, p.vici);
  EXPECT_EQ(wo.child, "vpn1-t1");
}

TEST(IpsecBackend, LoadsBothEndsThenInitiatesFromTheCustomerGateway) {
  World w;
  auto t = sample_tunnel();
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  const std::string va = charon_paths(t.a).vici, vb = charon_paths(t.b).vici;
  b.configure(t, t.a, t.b, w.ctx);
  EXPECT_EQ(w.vici.log,
            (std::vector<std::string>{va + " connect", va + " load-shared", va + " load-conn"}));
  b.configure(t, t.b, t.a, w.ctx);
  EXPECT_EQ(w.vici.log,
            (std::vector<std::string>{va + " connect", va + " load-shared", va + " load-conn",
                                      vb + " connect", vb + " load-shared", vb + " load-conn",
                                      va + " connect", va + " initiate"}));
  EXPECT_EQ(w.vici.last[va + " load-conn"], load_conn_message(t, t.a, t.b, IpsecFlavor::Libipsec));
  EXPECT_EQ(w.vici.last[vb + " load-conn"], load_conn_message(t, t.b, t.a, IpsecFlavor::Libipsec));
  EXPECT_EQ(w.vici.last[va + " initiate"], initiate_message(t, 10000));
  // The TUN charon made is renamed and sized; the interface gets its inside
  // address and stays down (the watcher raises it with the SA).
  // A placeholder keeps charon's TUN name for its routes, in a table whose
  // rule is gone. The MTU stays at libipsec's 1400 (the plan's 1446 would
  // be cut short by libipsec's read buffer).
  EXPECT_EQ(w.kernel->ops,
            (std::vector<std::string>{
                "link_rename nl-x-cgw ipsec1 vpn1-t1", "link_set_mtu nl-x-cgw vpn1-t1 1400",
                "tun_placeholder nl-x-cgw ipsec1", "rules_delete nl-x-cgw 51820",
                "link_rename nl-x-vpn-az1 ipsec0 vpn1-t1", "link_set_mtu nl-x-vpn-az1 vpn1-t1 1400",
                "tun_placeholder nl-x-vpn-az1 ipsec0", "rules_delete nl-x-vpn-az1 51820"}));
  EXPECT_EQ(w.netlink.ops,
            (std::vector<std::string>{"link_set_up nl-x-cgw ipsec1 up",
                                      "address_add nl-x-cgw vpn1-t1 169.254.20.1/30",
                                      "link_set_up nl-x-vpn-az1 ipsec0 up",
                                      "address_add nl-x-vpn-az1 vpn1-t1 169.254.20.2/30"}));
}

TEST(IpsecBackend, EitherOrderInitiatesOnlyOnceBothAreLoaded) {
  World w;
  auto t = sample_tunnel();
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  b.configure(t, t.b, t.a, w.ctx);
  for (const auto& l : w.vici.log) EXPECT_EQ(l.find("initiate"), std::string::npos);
  b.configure(t, t.a, t.b, w.ctx);
  EXPECT_EQ(w.vici.log.back(), charon_paths(t.a).vici + " initiate");
}

TEST(IpsecBackend, KernelFlavourMakesAnXfrmInterfaceOnTheUnderlay) {
  World w;
  auto t = sample_tunnel();
  w.netlink.addresses = {{"nl-x-cgw", "eth2", *Ipv4Prefix::parse("203.0.113.1/30")},
                         {"nl-x-cgw", "eth1", *Ipv4Prefix::parse("10.0.0.1/30")}};
  Ipsec b(IpsecFlavor::Kernel, "/usr/sbin/charon-systemd", w.options());
  b.configure(t, t.a, t.b, w.ctx);
  EXPECT_EQ(w.kernel->ops,
            std::vector<std::string>{"xfrm_create nl-x-cgw vpn1-t1 if_id 51820 dev eth2 mtu 1446"});
  EXPECT_EQ(*w.vici.last[charon_paths(t.a).vici + " load-conn"].path("vpn1-t1.encap"), "no");
}

TEST(IpsecBackend, CharonsRefusalIsReportedWithWhereAndWhy) {
  World w;
  auto t = sample_tunnel();
  w.vici.reply = [](const std::string&, const std::string& cmd) {
    ViciMessage m;
    if (cmd == "load-conn")
      m.set("success", "no").set("errmsg", "invalid value for: proposals");
    else
      m.set("success", "yes");
    return m;
  };
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  try {
    b.configure(t, t.a, t.b, w.ctx);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "tunnel vpn1-t1 at cgw: load-conn: invalid value for: proposals");
  }
}

TEST(IpsecBackend, AFailedInitiationSaysWhichEndsAndWhereToLook) {
  World w;
  auto t = sample_tunnel();
  w.vici.reply = [](const std::string&, const std::string& cmd) {
    ViciMessage m;
    if (cmd == "initiate")
      m.set("success", "no").set("errmsg", "establishing CHILD_SA 'vpn1-t1' failed");
    else
      m.set("success", "yes");
    return m;
  };
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  b.configure(t, t.a, t.b, w.ctx);
  try {
    b.configure(t, t.b, t.a, w.ctx);
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("tunnel vpn1-t1: IKE from cgw to vpn-az1"), std::string::npos) << m;
    EXPECT_NE(m.find("charon-vpn1-t1.log"), std::string::npos) << m;
  }
}

TEST(IpsecBackend, CharonThatNeverListensTimesOut) {
  World w;
  auto t = sample_tunnel();
  w.vici.refused = {charon_paths(t.a).vici};
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", w.options());
  EXPECT_THROW(b.configure(t, t.a, t.b, w.ctx), Error);
  EXPECT_GE(w.clock.now_ns(), 1'000'000'000 + 10'000'000'000);  // waited its 10 s (fake time)
}

TEST(IpsecBackend, MissingPluginsNameTheirPackages) {
  World w;
  TempRun run;
  auto t = sample_tunnel();
  run.place(t);
  BackendOptions o = w.options();
  o.check_plugins = true;
  o.charon_plugin_dir = "/nonexistent";
  Ipsec b(IpsecFlavor::Libipsec, "/usr/sbin/charon-systemd", o);
  try {
    b.processes(t, t.a);
    FAIL();
  } catch (const EnvironmentError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("kernel-libipsec"), std::string::npos) << m;
    EXPECT_NE(m.find("libcharon-extra-plugins"), std::string::npos) << m;
    EXPECT_NE(m.find("strongswan-swanctl"), std::string::npos) << m;  // ships the vici plugin
  }
}

}  // namespace
}  // namespace netlab::tunnel
