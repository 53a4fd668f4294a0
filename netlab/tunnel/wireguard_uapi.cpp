#include "netlab/tunnel/wireguard_uapi.h"

#include <charconv>

namespace netlab::tunnel {

std::string uapi_set_request(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                             const plan::TunnelEnd& peer) {
  std::string r = "set=1\n";
  r += "private_key=" + plan::base64_to_hex(me.keys.private_key) + "\n";
  r += "listen_port=" + std::to_string(me.listen_port) + "\n";
  r += "replace_peers=true\n";
  r += "public_key=" + plan::base64_to_hex(peer.keys.public_key) + "\n";
  r += "endpoint=" + peer.outer.str() + ":" + std::to_string(peer.listen_port) + "\n";
  r += "replace_allowed_ips=true\n";
  r += "allowed_ip=0.0.0.0/0\n";
  r += "\n";
  return r;
}

std::optional<int> uapi_parse_errno(const std::string& reply) {
  if (!reply.ends_with("\n\n")) return std::nullopt;
  auto pos = reply.rfind("errno=");
  if (pos == std::string::npos) return std::nullopt;
  int e = 0;
  const char* b = reply.data() + pos + 6;
  auto [p, ec] = std::from_chars(b, reply.data() + reply.size(), e);
  if (ec != std::errc() || *p != '\n') return std::nullopt;
  return e;
}

}  // namespace netlab::tunnel
