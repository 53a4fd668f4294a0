#include "netlab/tunnel/wireguard_uapi.h"

#include <charconv>
#include <sstream>

namespace netlab::tunnel {

namespace {

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string uapi_set_request(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                             const plan::TunnelEnd& peer) {
  std::string r = "set=1\n";
  r += "private_key=" + plan::base64_to_hex(me.keys.private_key) + "\n";
  r += "listen_port=" + std::to_string(me.listen_port) + "\n";
  r += "replace_peers=true\n";
  r += "public_key=" + plan::base64_to_hex(peer.keys.public_key) + "\n";
  r += "endpoint=" + peer.outer.str() + ":" + std::to_string(peer.listen_port) + "\n";
  r += "persistent_keepalive_interval=" + std::to_string(t.dpd.interval_s) + "\n";
  r += "replace_allowed_ips=true\n";
  r += "allowed_ip=0.0.0.0/0\n";
  r += "\n";
  return r;
}

std::string uapi_peer_reset_request(const std::string& peer_public_hex,
                                    const std::optional<std::string>& endpoint,
                                    uint32_t keepalive_s) {
  std::string r = "set=1\n";
  r += "public_key=" + peer_public_hex + "\n";
  r += "remove=true\n";
  r += "public_key=" + peer_public_hex + "\n";
  if (endpoint) r += "endpoint=" + *endpoint + "\n";
  r += "persistent_keepalive_interval=" + std::to_string(keepalive_s) + "\n";
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

WgReading uapi_parse_reading(const std::string& reply, const std::string& peer_public_hex) {
  WgReading out;
  auto err = uapi_parse_errno(reply);
  if (!err || *err != 0) return out;
  std::istringstream in(reply);
  std::string line;
  bool in_peer = false;
  int64_t sec = 0, nsec = 0;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string_view key(line.data(), eq);
    std::string_view value(line.data() + eq + 1, line.size() - eq - 1);
    if (key == "public_key") {
      // Each peer's block starts with its public key.
      if (in_peer) break;
      in_peer = value == peer_public_hex;
      out.peer_present = in_peer;
      continue;
    }
    if (!in_peer) continue;
    if (key == "rx_bytes") out.rx_bytes = number<uint64_t>(value).value_or(0);
    if (key == "last_handshake_time_sec") sec = number<int64_t>(value).value_or(0);
    if (key == "last_handshake_time_nsec") nsec = number<int64_t>(value).value_or(0);
  }
  out.last_handshake_ns = sec * 1'000'000'000 + nsec;
  return out;
}

}  // namespace netlab::tunnel
