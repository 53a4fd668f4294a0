#include "netlab/topology/names.h"

#include <set>

namespace netlab::topology {

std::string netns_name(std::string_view lab, std::string_view node) {
  return netns_prefix(lab) + std::string(node);
}

std::string netns_prefix(std::string_view lab) {
  return std::string(kNetnsPrefix) + std::string(lab) + "-";
}

bool valid_ifname(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

static bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool valid_lab_name(std::string_view s) {
  if (s.empty() || s.size() > 8 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s)
    if (!lower_alnum(c)) return false;
  return true;
}

bool valid_node_name(std::string_view s) {
  if (s.empty() || s.size() > 15 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

const std::string& InterfaceNames::of_link(const std::string& node, size_t i) const {
  return link.at({node, i});
}
const std::string& InterfaceNames::of_tunnel(const std::string& node, size_t i) const {
  return tunnel.at({node, i});
}

InterfaceNames assign_interface_names(const Topology& t) {
  InterfaceNames out;
  std::map<std::string, std::map<std::string, std::string>> taken;  // node -> name -> owner

  auto claim = [&](const std::string& node, const std::string& name, const std::string& owner,
                   bool tunnel, size_t index) {
    auto& names = taken[node];
    auto [it, fresh] = names.emplace(name, owner);
    if (!fresh)
      out.clashes.push_back({node, name, it->second + " and " + owner, tunnel, index});
    else if (!valid_ifname(name))
      out.clashes.push_back({node, name, owner, tunnel, index});
  };
  auto link_owner = [&](size_t i) { return "link \"" + t.links[i].name + "\""; };

  // Pass 1: names the user chose (endpoint ifnames, link names, tunnel names),
  // so that generated ethN names never take one of them.
  std::vector<std::pair<size_t, int>> generated;  // (link index, end 0/1)
  for (size_t i = 0; i < t.links.size(); ++i) {
    const Link& l = t.links[i];
    bool named = l.pos.at.count("name") && valid_ifname(l.name);
    for (int end = 0; end < 2; ++end) {
      const Endpoint& ep = end == 0 ? l.a : l.b;
      if (ep.ifname) {
        out.link[{ep.node, i}] = *ep.ifname;
        claim(ep.node, *ep.ifname, link_owner(i), false, i);
      } else if (named) {
        out.link[{ep.node, i}] = l.name;
        claim(ep.node, l.name, link_owner(i), false, i);
      } else {
        generated.push_back({i, end});
      }
    }
  }
  for (size_t i = 0; i < t.tunnels.size(); ++i) {
    const Tunnel& tu = t.tunnels[i];
    std::string name = tu.name.substr(0, 15);
    for (const std::string& node : {tu.a, tu.b}) {
      out.tunnel[{node, i}] = name;
      claim(node, name, "tunnel \"" + tu.name + "\"", true, i);
    }
  }
  // Pass 2: ethN for the rest, numbered per node in file order.
  std::map<std::string, int> next;
  for (auto [i, end] : generated) {
    const std::string& node = end == 0 ? t.links[i].a.node : t.links[i].b.node;
    auto& names = taken[node];
    int& n = next[node];
    std::string name;
    do name = "eth" + std::to_string(++n);
    while (names.count(name));
    names.emplace(name, link_owner(i));
    out.link[{node, i}] = name;
  }
  return out;
}

}  // namespace netlab::topology
