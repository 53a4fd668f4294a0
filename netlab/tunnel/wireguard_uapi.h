// WireGuard's cross-platform userspace API (the text protocol wireguard-go
// serves on /run/wireguard/IFNAME.sock, https://www.wireguard.com/xplatform/).
// Encoding and decoding are pure; sending is in wireguard_go.cpp.
#pragma once

#include <optional>
#include <string>

#include "netlab/plan/plan.h"
#include "netlab/tunnel/dpd.h"

namespace netlab::tunnel {

// The "set=1" request that configures one end of a point-to-point tunnel:
// its private key and port, and the one peer with its endpoint. AllowedIPs
// is 0.0.0.0/0: with a single peer, BGP routes decide what enters the tunnel.
// The persistent keepalive is the DPD interval: WireGuard's stand-in for
// AWS's DPD probe after an idle interval (dpd.h).
std::string uapi_set_request(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                             const plan::TunnelEnd& peer);

// Removes the peer (its session, keys and roamed endpoint go with it) and
// adds it again: with `endpoint` ("a.b.c.d:port") it is contacted at once
// (DPD restart); without, this end waits to be contacted (DPD clear).
std::string uapi_peer_reset_request(const std::string& peer_public_hex,
                                    const std::optional<std::string>& endpoint,
                                    uint32_t keepalive_s);

inline std::string uapi_get_request() { return "get=1\n\n"; }

// Parses the reply ("errno=N\n\n"); nullopt when it is not a complete reply.
std::optional<int> uapi_parse_errno(const std::string& reply);

// The peer `peer_public_hex` in a "get=1" reply: its received bytes and last
// handshake. peer_present is false when the reply lacks that peer or is not
// a complete, successful reply.
WgReading uapi_parse_reading(const std::string& reply, const std::string& peer_public_hex);

}  // namespace netlab::tunnel
