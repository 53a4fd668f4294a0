// WireGuard's cross-platform userspace API (the text protocol wireguard-go
// serves on /run/wireguard/IFNAME.sock, https://www.wireguard.com/xplatform/).
// Encoding and decoding are pure; sending is in wireguard_go.cpp.
#pragma once

#include <optional>
#include <string>

#include "netlab/plan/plan.h"

namespace netlab::tunnel {

// The "set=1" request that configures one end of a point-to-point tunnel:
// its private key and port, and the one peer with its endpoint. AllowedIPs
// is 0.0.0.0/0: with a single peer, BGP routes decide what enters the tunnel.
std::string uapi_set_request(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                             const plan::TunnelEnd& peer);

// Parses the reply ("errno=N\n\n"); nullopt when it is not a complete reply.
std::optional<int> uapi_parse_errno(const std::string& reply);

}  // namespace netlab::tunnel
