// Dead peer detection for WireGuard, which has none of its own, emulating
// AWS's (docs/aws-behaviour.md, "Site-to-Site VPN"): a tunnel end whose
// peer has been silent (no completed handshake, no received byte) for the
// DPD timeout is dead, and the configured action follows.
//
// AWS counts the timeout from the last packet received ("a DPD timeout of
// 40 s means the endpoint considers the peer dead 30 s after the first
// failed keep-alive", sent after 10 s idle: EC2 API reference,
// ModifyVpnTunnelOptionsSpecification). WireGuard's persistent keepalive,
// set to the DPD interval, plays AWS's probe: a live peer is never silent for
// longer than one interval, so silence for the timeout means it is dead.
//
// What each action does here (run by the tunnel watcher, watch.h):
//   clear    the session ends: the interface goes down (BGP drops at once
//            and its routes go, as AWS says) and comes back up passive, the
//            peer's session and endpoint forgotten. As AWS's endpoint with
//            the default startup action "add", it waits to be contacted: the
//            tunnel returns when the peer's next handshake arrives.
//   restart  the same, but the peer is re-initiated at its configured
//            endpoint at once, and again every timeout while it stays silent
//            (as IKE keeps retrying).
//   none     nothing; the death is only logged.
//
// Pure: no clock, no I/O. Times are CLOCK_MONOTONIC ns given by the caller;
// handshake times are compared only with each other.
#pragma once

#include <cstdint>
#include <string>

#include "netlab/topology/model.h"

namespace netlab::tunnel {

struct DpdPolicy {
  int64_t timeout_ns = 30'000'000'000;
  topology::DpdAction action = topology::DpdAction::Clear;
};

// One reading of a WireGuard peer.
struct WgReading {
  bool peer_present = false;  // false: device not configured yet, or not readable
  uint64_t rx_bytes = 0;
  int64_t last_handshake_ns = 0;  // as WireGuard reports it (CLOCK_REALTIME); 0: never
  bool operator==(const WgReading&) const = default;
};

struct DpdStep {
  enum class Kind { Nothing, PeerDead, PeerBack };
  Kind kind = Kind::Nothing;
  topology::DpdAction action = topology::DpdAction::None;  // for PeerDead
  int64_t silent_ns = 0;  // PeerDead: how long the peer had been silent
  bool operator==(const DpdStep&) const = default;
  std::string str() const;
};

class DpdMonitor {
 public:
  explicit DpdMonitor(DpdPolicy p) : policy_(p) {}

  // Feeds one reading taken at now_ns; returns what to do now.
  DpdStep observe(int64_t now_ns, const WgReading& r);

  bool started() const { return started_; }
  bool alive() const { return alive_; }
  int64_t last_heard_ns() const { return last_heard_; }

 private:
  DpdPolicy policy_;
  bool started_ = false;
  bool alive_ = true;
  int64_t last_heard_ = 0;
  int64_t last_action_ = 0;
  WgReading prev_;
};

}  // namespace netlab::tunnel
