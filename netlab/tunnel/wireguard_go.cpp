#include "netlab/tunnel/wireguard_go.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"
#include "netlab/tunnel/watch.h"
#include "netlab/tunnel/wireguard_uapi.h"

namespace netlab::tunnel {

std::string wireguard_uapi_exchange(const std::string& path, const std::string& request) {
  kernel::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw KernelError("socket", path, errno);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) throw KernelError("connect", path, ENAMETOOLONG);
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  check_errno(::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "connect", path);
  const char* p = request.data();
  size_t left = request.size();
  while (left) {
    ssize_t n = ::send(s.get(), p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    check_errno(n, "send UAPI request to", path);
    p += n;
    left -= static_cast<size_t>(n);
  }
  std::string reply;
  char buf[512];
  while (!uapi_parse_errno(reply)) {
    ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    check_errno(n, "read UAPI reply from", path);
    if (n == 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  return reply;
}

TunnelKernel& WireguardGo::kernel() {
  if (!kernel_) kernel_ = opts_.kernel ? opts_.kernel() : make_tunnel_kernel();
  return *kernel_;
}

std::string WireguardGo::socket_path(const plan::TunnelEnd& me) {
  return me.run_dir + "/wireguard/" + me.ifname + ".sock";
}

std::vector<process::ProcessSpec> WireguardGo::processes(const plan::PlanTunnel& t,
                                                         const plan::TunnelEnd& me) {
  process::ProcessSpec s;
  s.ns = me.ns;
  // -f: stay in the foreground, so the pid netlab journals is the daemon's.
  s.argv = {binary_, "-f", me.ifname};
  s.env = {{"LOG_LEVEL", "error"}};
  s.private_run = me.run_dir;
  s.log_path = me.run_dir + "/../wireguard-go-" + me.ifname + ".log";

  const plan::TunnelEnd& peer = peer_of(t, me);
  WatchOptions w;
  w.kind = WatchKind::WireguardUapi;
  w.tunnel = t.name;
  w.ifname = me.ifname;
  w.uapi_socket = socket_path(me);
  w.peer_public_hex = plan::base64_to_hex(peer.keys.public_key);
  w.peer_endpoint = peer.outer.str() + ":" + std::to_string(peer.listen_port);
  w.keepalive_s = t.dpd.interval_s;
  w.timeout_s = t.dpd.timeout_s;
  w.action = dpd_action_of(t, me);
  return {s, watcher_spec(opts_, me, w)};
}

void WireguardGo::configure(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                            const plan::TunnelEnd& peer, Context& ctx) {
  // wireguard-go creates its TUN device and then its socket; the socket
  // answering is the signal that it is ready (within tens of milliseconds).
  // The file exists a moment before it listens: ENOENT and ECONNREFUSED
  // both mean "not yet".
  const std::string sock = socket_path(me);
  const int64_t deadline = ctx.clock.now_ns() + 5'000'000'000;
  std::string reply;
  for (;;) {
    try {
      reply = wireguard_uapi_exchange(sock, uapi_set_request(t, me, peer));
      break;
    } catch (const KernelError& e) {
      if (e.op() != "connect" || (e.err() != ENOENT && e.err() != ECONNREFUSED)) throw;
      if (ctx.clock.now_ns() > deadline)
        throw Error("tunnel " + t.name + " at " + me.node + ": wireguard-go did not open " + sock +
                    " within 5 s (see its log beside the node's runtime directory)");
    }
    ctx.clock.sleep_ns(5'000'000);
  }
  auto err = uapi_parse_errno(reply);
  if (!err) throw Error("tunnel " + t.name + " at " + me.node + ": malformed UAPI reply");
  if (*err != 0) throw KernelError("configure wireguard-go", t.name + " at " + me.node, *err);
  // wireguard-go makes its TUN with MTU 1420 and follows the link's MTU when
  // it changes: the plan's MTU is set here, before the link is raised.
  kernel().link_set_mtu(me.ns, me.ifname, t.mtu);
  ctx.netlink.address_add({me.ns, me.ifname, me.inside});
  ctx.netlink.link_set_up(me.ns, me.ifname, true);
}

}  // namespace netlab::tunnel
