#include "netlab/tunnel/ipsec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/base/time_scale.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/tunnel/tun_owner.h"
#include "netlab/tunnel/watch.h"

namespace netlab::tunnel {

namespace {

constexpr int64_t kReadyTimeoutNs = 10'000'000'000;
constexpr uint32_t kInitiateTimeoutMs = 10'000;

std::string where(const plan::PlanTunnel& t, const plan::TunnelEnd& me) {
  return "tunnel " + t.name + " at " + me.node;
}

std::string key(const plan::PlanTunnel& t, const plan::TunnelEnd& e) {
  return t.name + "/" + e.node;
}

void write_private_file(const std::string& path, const std::string& text) {
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) throw KernelError("create", path, errno);
  const char* p = text.data();
  size_t left = text.size();
  while (left) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    check_errno(n, "write", path);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The plugins charon is told to load, each with the Debian package that
// ships it, so that a missing one is named with its fix.
void require_plugins(const std::string& dir, IpsecFlavor f) {
  static const std::map<std::string, std::string> kPackage = {
      {"openssl", "libstrongswan-standard-plugins"},
      {"curve25519", "libstrongswan-extra-plugins"},
      {"kernel-libipsec", "libcharon-extra-plugins"},
      {"socket-default", "strongswan-libcharon"},
      {"vici", "strongswan-swanctl"}};
  std::istringstream names(std::string(kCharonPlugins) + " kernel-netlink socket-default vici" +
                           (f == IpsecFlavor::Libipsec ? " kernel-libipsec" : ""));
  std::string missing, packages;
  for (std::string n; names >> n;) {
    if (::access((dir + "/libstrongswan-" + n + ".so").c_str(), R_OK) == 0) continue;
    missing += (missing.empty() ? "" : ", ") + n;
    auto it = kPackage.find(n);
    std::string pkg = it == kPackage.end() ? "libstrongswan" : it->second;
    if (packages.find(pkg) == std::string::npos) packages += " " + pkg;
  }
  if (!missing.empty())
    throw EnvironmentError("IPsec tunnels need strongSwan's plugins " + missing + " (not in " +
                           dir + "): apt-get install" + packages);
}

}  // namespace

Ipsec::Ipsec(IpsecFlavor flavor, std::string charon, BackendOptions opts)
    : flavor_(flavor), charon_(std::move(charon)), opts_(std::move(opts)) {
  if (!opts_.vici) opts_.vici = real_vici_connector();
  if (!opts_.find_tuns) opts_.find_tuns = tun_devices_of;
}

std::string Ipsec::name() const {
  return flavor_ == IpsecFlavor::Libipsec ? "ipsec-libipsec" : "ipsec-kernel";
}

TunnelKernel& Ipsec::kernel() {
  if (!kernel_) kernel_ = opts_.kernel ? opts_.kernel() : make_tunnel_kernel();
  return *kernel_;
}

std::vector<process::ProcessSpec> Ipsec::processes(const plan::PlanTunnel& t,
                                                   const plan::TunnelEnd& me) {
  if (opts_.check_plugins) require_plugins(opts_.charon_plugin_dir, flavor_);
  const CharonPaths p = charon_paths(me);
  if (::mkdir(p.dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw KernelError("mkdir", p.dir, errno);
  // A stale socket of an earlier instance would be taken for the new one's.
  if (::unlink(p.vici.c_str()) != 0 && errno != ENOENT) throw KernelError("unlink", p.vici, errno);
  write_private_file(p.conf, render_strongswan_conf(t, me, flavor_));

  process::ProcessSpec charon;
  charon.ns = me.ns;
  charon.argv = {charon_};
  // Only its own file: nothing of /etc/strongswan.conf applies.
  charon.env = {{"STRONGSWAN_CONF", p.conf}};
  charon.log_path = p.log;

  WatchOptions w;
  w.kind = WatchKind::Ipsec;
  w.tunnel = t.name;
  w.ifname = me.ifname;
  w.vici_socket = p.vici;
  w.child = t.name;
  return {charon, watcher_spec(opts_, me, w)};
}

std::unique_ptr<ViciSession> Ipsec::connect_when_ready(const plan::PlanTunnel& t,
                                                       const plan::TunnelEnd& me, Context& ctx) {
  const CharonPaths p = charon_paths(me);
  const int64_t deadline = ctx.clock.now_ns() + scaled_ns(kReadyTimeoutNs);
  for (;;) {
    try {
      return opts_.vici(p.vici);
    } catch (const Error& e) {
      // charon opens its vici socket last, once its plugins (and libipsec's
      // TUN) are up: about 50 ms after start here.
      if (ctx.clock.now_ns() > deadline)
        throw Error(where(t, me) + ": charon did not open " + p.vici + " within " +
                    std::to_string(scaled_ns(kReadyTimeoutNs) / 1'000'000'000) + " s (" + e.what() +
                    "); see " + p.log);
    }
    ctx.clock.sleep_ns(5'000'000);
  }
}

void Ipsec::make_interface(const plan::PlanTunnel& t, const plan::TunnelEnd& me, Context& ctx) {
  if (flavor_ == IpsecFlavor::Libipsec) {
    const std::string env = "STRONGSWAN_CONF=" + charon_paths(me).conf;
    std::vector<std::string> tuns = opts_.find_tuns(me.ns, env);
    if (tuns.size() != 1)
      throw Error(where(t, me) + ": expected charon to hold one TUN device, found " +
                  std::to_string(tuns.size()) + " (is kernel-libipsec loaded? see " +
                  charon_paths(me).log + ")");
    // Down while renamed, and down it stays: the watcher raises it with the SA.
    kernel().link_rename(me.ns, tuns[0], me.ifname);
    kernel().link_set_mtu(me.ns, me.ifname, std::min(t.mtu, kLibipsecMaxMtu));
    // libipsec installs a route over its TUN, by the name it gave it, with
    // every CHILD_SA, and fails the SA when that name is gone. A placeholder
    // keeps the name; the route lands in charon's own table, which no rule
    // consults once charon's rule is deleted (ipsec_config.h).
    kernel().tun_placeholder(me.ns, tuns[0]);
    ctx.netlink.link_set_up(me.ns, tuns[0], true);
    kernel().rules_delete(me.ns, charon_routing_table(me));
  } else {
    std::string underlay;
    for (const auto& a : ctx.netlink.address_list(me.ns))
      if (a.addr.addr == me.outer) underlay = a.ifname;
    if (underlay.empty())
      throw Error(where(t, me) + ": no interface holds the outer address " + me.outer.str());
    kernel().xfrm_create(me.ns, me.ifname, xfrm_if_id(me), underlay, t.mtu);
  }
  ctx.netlink.address_add({me.ns, me.ifname, me.inside});
}

void Ipsec::configure(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                      const plan::TunnelEnd& peer, Context& ctx) {
  auto vici = connect_when_ready(t, me, ctx);
  make_interface(t, me, ctx);
  vici_check_success(vici->request("load-shared", load_shared_message(t, me, peer)),
                     where(t, me) + ": load-shared");
  vici_check_success(vici->request("load-conn", load_conn_message(t, me, peer, flavor_)),
                     where(t, me) + ": load-conn");
  loaded_.insert(key(t, me));
  if (!loaded_.count(key(t, t.a)) || !loaded_.count(key(t, t.b))) return;

  const plan::TunnelEnd& init = is_initiator(t, t.a) ? t.a : t.b;
  std::unique_ptr<ViciSession> s =
      init.node == me.node ? std::move(vici) : opts_.vici(charon_paths(init).vici);
  const int64_t start = ctx.clock.now_ns();
  ViciMessage reply = s->request("initiate", initiate_message(t, static_cast<uint32_t>(scaled_ns(kInitiateTimeoutMs))));
  last_ike_setup_ns_ = ctx.clock.now_ns() - start;
  vici_check_success(reply, "tunnel " + t.name + ": IKE from " + init.node + " to " +
                                peer_of(t, init).node + " (see " + charon_paths(init).log + ")");
}

}  // namespace netlab::tunnel
