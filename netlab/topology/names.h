// How topology names become kernel names (docs/design.md, "Names and isolation").
// Shared by the validator (which refuses names that cannot work) and the
// planner (which uses them). Pure.
//
//   namespace of node N in lab L:  nl-L-N
//   interface of an endpoint:      the endpoint's "node:ifname" when given;
//                                  else the link's explicit name when it is a
//                                  valid interface name; else eth1, eth2, ...
//                                  (per node, in file order, skipping taken names)
//   interface of a tunnel end:     the tunnel's name
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlab/topology/model.h"

namespace netlab::topology {

constexpr std::string_view kNetnsPrefix = "nl-";

std::string netns_name(std::string_view lab, std::string_view node);
// The prefix every namespace of lab L starts with: "nl-L-".
std::string netns_prefix(std::string_view lab);

// Linux accepts 1..15 bytes, no '/', ':' or whitespace; netlab also refuses
// names that would confuse nft or shells reading logs: [A-Za-z0-9_.-] only.
bool valid_ifname(std::string_view);
bool valid_lab_name(std::string_view);   // [a-z][a-z0-9]{0,7}
bool valid_node_name(std::string_view);  // [a-z][a-z0-9-]{0,14}

struct InterfaceNames {
  // (node, link index) -> interface name in that node's namespace
  std::map<std::pair<std::string, size_t>, std::string> link;
  // (node, tunnel index) -> interface name
  std::map<std::pair<std::string, size_t>, std::string> tunnel;
  // Names that could not be made to work: same name twice on one node, or an
  // invalid explicit name. Each: node, name, and the link/tunnel indices.
  struct Clash {
    std::string node, ifname;
    std::string what;  // human text: "links \"a-b\" and \"dx1\""
    bool tunnel = false;
    size_t index = 0;  // the second (offending) link or tunnel
  };
  std::vector<Clash> clashes;

  const std::string& of_link(const std::string& node, size_t link_index) const;
  const std::string& of_tunnel(const std::string& node, size_t tunnel_index) const;
};

InterfaceNames assign_interface_names(const Topology&);

}  // namespace netlab::topology
