#include "netlab/fault/targets.h"

#include <algorithm>

#include "netlab/lab/lab.h"

namespace netlab::fault {

std::vector<lab::LinkEnd> Targets::ends_of(const std::string& name) const {
  if (const auto* l = plan_.link(name))
    return {{l->a.node, l->a.ns, l->a.ifname}, {l->b.node, l->b.ns, l->b.ifname}};
  if (const auto* t = plan_.tunnel(name))
    return {{t->a.node, t->a.ns, t->a.ifname}, {t->b.node, t->b.ns, t->b.ifname}};
  throw InputError("no link or tunnel named \"" + name + "\"");
}

std::vector<lab::LinkEnd> Targets::node_ends(const std::string& node) const {
  std::vector<lab::LinkEnd> out;
  for (const auto& l : plan_.links) {
    if (l.a.node == node) out.push_back({l.a.node, l.a.ns, l.a.ifname});
    if (l.b.node == node) out.push_back({l.b.node, l.b.ns, l.b.ifname});
  }
  return out;
}

Peering Targets::aws_side(const std::string& over) const {
  for (const auto& s : plan_.sessions) {
    if (s.over != over) continue;
    if (topology::is_aws(plan_.node(s.a)->role)) return {s.a, s.b_addr.str()};
    return {s.b, s.a_addr.str()};
  }
  throw InputError("no BGP session over \"" + over + "\"");
}

std::vector<std::string> Targets::tunnels_beside(const std::string& tunnel) const {
  const plan::PlanTunnel* t = plan_.tunnel(tunnel);
  if (!t) throw InputError("no tunnel named \"" + tunnel + "\"");
  const std::string& cust = topology::is_aws(plan_.node(t->a.node)->role) ? t->b.node : t->a.node;
  std::vector<std::string> out;
  for (const auto& u : plan_.tunnels)
    if (u.name != t->name && (u.a.node == cust || u.b.node == cust)) out.push_back(u.name);
  return out;
}

bool Targets::is_tunnel(const std::string& name) const { return plan_.tunnel(name) != nullptr; }

bool Targets::is_router(const std::string& node) const {
  const plan::PlanNode* n = plan_.node(node);
  return n && n->is_router();
}

impair::Impairment Targets::impairment_of(const std::string& link) const {
  return lab::base_impairment(plan_, link);
}

Targets::Domain Targets::domain(topology::DomainType type, const std::string& value) const {
  Domain d;
  for (const auto& n : plan_.nodes)
    if (n.domains.in(type, value)) d.nodes.push_back(n.name);
  auto in_domain = [&](const std::string& node) {
    return std::find(d.nodes.begin(), d.nodes.end(), node) != d.nodes.end();
  };
  for (const auto& l : plan_.links)
    if (!in_domain(l.a.node) && !in_domain(l.b.node) && l.domains.in(type, value))
      d.links.push_back(l.name);
  return d;
}

}  // namespace netlab::fault
