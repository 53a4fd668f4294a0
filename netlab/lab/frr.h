// Talking to a node's FRR instance: vtysh commands over the node's own vty
// socket directory. Behind an interface so lab and scenario logic run in unit
// tests with canned replies. Parsing of FRR's JSON is pure and separate.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "netlab/lab/control.h"
#include "netlab/plan/plan.h"

namespace netlab::lab {

class Frr {
 public:
  virtual ~Frr() = default;
  // Runs one command ("show bgp summary json", or a configuration line
  // prefixed by "configure terminal" lines given as several -c arguments)
  // and returns its output. Throws Error when vtysh fails, Interrupted when
  // the stop flag was set while it ran (vtysh is then killed).
  virtual std::string vtysh(const plan::PlanNode&, const std::vector<std::string>& commands) = 0;
};

// `stop`: the flag SIGINT/SIGTERM set; a vtysh call then ends within ~50 ms
// instead of waiting for its 10 s deadline.
std::unique_ptr<Frr> make_frr(std::string vtysh_binary = "/usr/bin/vtysh",
                              const std::atomic<bool>* stop = nullptr);

// From `show bgp summary json`: neighbour address -> BGP state
// ("Established", "Active", "Connect", "Idle", ...). Empty when the reply
// has no IPv4 unicast section yet (bgpd still starting).
std::map<std::string, std::string> parse_bgp_summary(const std::string& json);

// From `show bgp ipv4 unicast ADDRESS json`: every path of the route, the
// best one marked with its selectionReason. Empty when there is no route (or
// the reply is not JSON).
std::vector<BgpPath> parse_bgp_route(const std::string& json);

// From `show bfd peers json`: peer address -> BFD session status ("up",
// "down", "init", "shutdown"). Empty when bfdd has no session yet.
std::map<std::string, std::string> parse_bfd_peers(const std::string& json);

}  // namespace netlab::lab
