// What one strongSwan charon instance of a tunnel end is told: its
// strongswan.conf (read at start through STRONGSWAN_CONF) and the vici
// messages that load its pre-shared key and its connection. Pure.
//
// One charon per tunnel END, not per node: kernel-libipsec creates a single
// TUN per daemon and picks an SA by traffic selector, and a route-based
// tunnel's selectors are 0.0.0.0/0 both ways, so one daemon cannot keep two
// tunnels of a node apart (the kernel's XFRM could, with if_ids; netlab keeps
// the one shape for both flavours, with a distinct if_id and reqid per
// tunnel so that two instances never share kernel state). Instances on one
// node stay apart by their vici socket, their IKE port (the tunnel's own
// UDP port, the same at both ends) and, for libipsec, their TUN.
//
// AWS's tunnel options (docs/aws-behaviour.md):
//   - IKEv2 with the lab's pre-shared key; identities are the outer addresses.
//   - Lifetimes: phase 1 28800 s, phase 2 3600 s; AWS rekeys in the margin
//     (270 s) before expiry, randomised by the fuzz (100 %): rekey_time =
//     lifetime - margin, rand_time = margin, over_time = margin, so the SA is
//     rekeyed between lifetime - 2*margin and lifetime - margin and expires at
//     the lifetime at the latest.
//   - DPD: a probe after `interval` s without inbound traffic, the peer dead
//     `timeout` s after the last packet received (EC2 API reference:
//     "a DPD timeout of 40 s means the endpoint considers the peer dead 30 s
//     after the first failed keep-alive"). charon's IKEv2 DPD has no timeout
//     of its own: a probe is an INFORMATIONAL request that fails when its
//     retransmissions are exhausted, so the retransmission settings are what
//     make the timeout (dpd_retransmits()). Measured here: see bench/README.md.
//   - DPD action at AWS's end: clear -> charon's clear; restart -> restart;
//     none -> no DPD at all (dpd_delay = 0): charon has no "detect but do
//     nothing", and with no action a detection changes nothing.
//   - The customer gateway (first endpoint) initiates, retries forever
//     (keyingtries 0), restarts on DPD timeout and re-initiates when AWS
//     closes the CHILD_SA; AWS's end (startup action "add") only responds.
#pragma once

#include <cstdint>
#include <string>

#include "netlab/plan/plan.h"
#include "netlab/tunnel/vici.h"

namespace netlab::tunnel {

enum class IpsecFlavor { Libipsec, Kernel };

inline constexpr uint32_t kIkeLifetimeS = 28800;   // AWS phase 1 default
inline constexpr uint32_t kChildLifetimeS = 3600;  // AWS phase 2 default
inline constexpr uint32_t kRekeyMarginS = 270;     // AWS rekey margin default
// AWS's defaults include AES128(-GCM-16), SHA2-256 and DH group 14; GCM first
// (libipsec's fastest here), CBC+HMAC as the fallback a peer may choose.
inline constexpr const char* kIkeProposals[] = {"aes128gcm16-prfsha256-modp2048",
                                                "aes128-sha256-modp2048"};
inline constexpr const char* kEspProposals[] = {"aes128gcm16-modp2048", "aes128-sha256-modp2048"};
// libipsec reads its TUN with a buffer of the MTU it gave it (1400) and
// drops what is cut short: the interface never gets a larger MTU than this.
inline constexpr uint32_t kLibipsecMaxMtu = 1400;
// The plugins charon loads (docs/kernel-notes.md; kdf is required in 5.9.8).
inline constexpr const char* kCharonPlugins =
    "random nonce openssl aes sha1 sha2 hmac kdf gmp curve25519 pem pkcs1 x509 pubkey";

// Files of one charon instance. The directory is private to netlab (0700);
// the log sits beside the node's other logs.
struct CharonPaths {
  std::string dir, conf, vici, log;
};
CharonPaths charon_paths(const plan::TunnelEnd& me);

// charon's retransmission settings for one instance.
struct Retransmits {
  uint32_t tries = 0;      // retransmissions after the first send
  double timeout_s = 4.0;  // first wait; then timeout * base^n
  double base = 1.8;
  bool operator==(const Retransmits&) const = default;
  // When the request is given up: sum of the waits.
  double give_up_s() const;
};
// The settings that make a DPD probe, sent `interval` s after the last
// packet received, fail `timeout` s after that packet: equal waits
// (base 1) filling timeout - interval, none longer than the interval.
Retransmits dpd_retransmits(const topology::Dpd&);

// An XFRM interface id (and reqid) unique to the tunnel in its lab: the
// tunnel's UDP port, which the planner makes unique per tunnel.
uint32_t xfrm_if_id(const plan::TunnelEnd& me);
// libipsec's charon installs a route over its TUN with each CHILD_SA, always
// (charon's install_routes does not reach kernel-libipsec), into its routing
// table, and a rule to that table at start. Table 0 would mean the main
// table: every instance gets a table of its own instead (the tunnel's port),
// whose rule netlab deletes once charon runs (and whose priority, the same
// number, sorts after the main table's 32766 should it ever come back).
uint32_t charon_routing_table(const plan::TunnelEnd& me);

std::string render_strongswan_conf(const plan::PlanTunnel&, const plan::TunnelEnd& me, IpsecFlavor);

// load-shared: the tunnel's PSK, owned by both identities.
ViciMessage load_shared_message(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                                const plan::TunnelEnd& peer);
// load-conn: the connection (and its CHILD_SA), both named after the tunnel.
ViciMessage load_conn_message(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                              const plan::TunnelEnd& peer, IpsecFlavor);
// initiate: the CHILD_SA, waiting up to timeout_ms for the outcome.
ViciMessage initiate_message(const plan::PlanTunnel&, uint32_t timeout_ms);

}  // namespace netlab::tunnel
