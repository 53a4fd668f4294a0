// Splits an integrated FRR configuration (frr.conf) into one file per daemon,
// the way vtysh distributes it: by the first word(s) of each top-level stanza.
//
// Why not `vtysh -f`: bgpd holds every peer created during an integrated
// configuration load for a fixed ~4 s after it ends ("config-pending hold",
// measured on FRR 8.4), which would add 4 s to every bring-up and every
// daemon restart. Why not the whole file for every daemon: a daemon that does
// not know a block (bgpd and `bfd`) reads that block's `exit` as leaving
// configuration mode and ignores the rest of the file. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace netlab::plan {

// The daemons netlab runs on a router with a role template, in start order.
// A router with its own config runs the daemons that config needs
// (own_config.h).
const std::vector<std::string>& frr_daemons();

// daemon -> its configuration, for each of `daemons`. Stanzas every daemon
// needs (hostname, log, line vty) go to all; `interface` stanzas to zebra and
// the interior routing daemons (they configure themselves per interface
// there); route-maps, prefix and access lists to zebra and every routing
// daemon; a protocol's stanza to its daemon; a stanza of unknown kind to
// zebra and bgpd.
std::map<std::string, std::string> split_frr_config(const std::string& integrated,
                                                    const std::vector<std::string>& daemons = frr_daemons());

}  // namespace netlab::plan
