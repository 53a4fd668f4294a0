// The text of every nftables rule netlab installs, built in one place: cuts
// (fault/), loss (impair/), the path counters (measure/) and the capability
// probe (kernel/). Callers hand the text to Nft::run.
//
// Netdev ingress chains are never deleted while their namespace lives, only
// turned to accept or emptied: deleting a base chain unregisters a netfilter
// hook, and the kernel then drops every packet an NFQUEUE of the namespace
// holds (docs/kernel-notes.md), which would turn a repair into loss.
//
// Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netlab::kernel::nft_rules {

// Netdev ingress priorities: a cut (-500) sees a packet before a loss rule
// (-400), so a cut link does not count loss.
inline constexpr int32_t kCutPriority = -500;
inline constexpr int32_t kLossPriority = -400;

// An nft object name for any interface name: [A-Za-z0-9_] kept, other bytes
// as _XX, so that two interface names never share a table.
std::string name_tag(const std::string& s);

// Table `table` (netdev) with one base chain "c" at `ifname`'s ingress,
// created when absent, its policy set to drop or accept. Idempotent.
std::string ingress_chain(const std::string& table, const std::string& ifname, int32_t priority,
                          bool drop);

// A cut of `ifname`'s ingress (drop) or its repair (accept): netdev table
// `table`, chain "c" at kCutPriority.
std::string cut(const std::string& table, const std::string& ifname, bool drop);

// The loss chain of `ifname` (table nl_loss_<tag>, chain "c" at
// kLossPriority), created accepting and emptied; loss() then adds one rule
// dropping `per10k` packets in 10000 at random (nft's numgen: netem's loss
// where the kernel has no netem). Both idempotent.
std::string loss_table(const std::string& ifname);
std::string loss_emptied(const std::string& ifname);
std::string loss(const std::string& ifname, long per10k);
// The same chain with a packet-rate limit (`pps` > 0: `limit rate over pps/second
// burst B packets drop`, B = 10 ms of packets, at least 50: a tunnel's
// daemon writes packets in batches, and BGP's bursts at a low scaled rate
// must not be cut) and then the loss
// rule (`per10k` > 0). Idempotent.
std::string ingress_limits(const std::string& ifname, long per10k, uint64_t pps);
uint64_t pps_burst(uint64_t pps);

// Table inet `table`, recreated empty in one transaction, with one counter
// per interface for UDP to `dport` ("P" or "P-Q") at prerouting (-300): which
// links the probe's packets cross.
std::string prerouting_udp_counters(const std::string& table,
                                    const std::vector<std::string>& ifnames,
                                    const std::string& dport);

// Table inet nl_pmtud (created when absent) with an output chain that drops
// this namespace's own ICMP "fragmentation needed" (type 3 code 4) whose
// next-hop MTU is `mtu`: the router no longer tells senders that a packet
// was too big for its link or tunnel of that MTU (a PMTUD blackhole).
// Adding it for several MTUs adds one rule each.
inline constexpr const char* kPmtudTable = "nl_pmtud";
std::string no_frag_needed(uint32_t mtu);

}  // namespace netlab::kernel::nft_rules
