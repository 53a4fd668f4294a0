// The Plan's own lookups (plan.h). Making a Plan is planner.cpp's job.
#include "netlab/plan/plan.h"

namespace netlab::plan {

std::string_view to_string(SessionKind k) {
  switch (k) {
    case SessionKind::Dx: return "dx";
    case SessionKind::Vpn: return "vpn";
    case SessionKind::Lan: return "lan";
    case SessionKind::Backbone: return "backbone";
  }
  return "?";
}

const Iface* PlanNode::iface_on(std::string_view link_or_tunnel) const {
  for (const auto& i : ifaces)
    if (i.link == link_or_tunnel) return &i;
  return nullptr;
}

template <class T>
static const T* find_named(const std::vector<T>& v, std::string_view name) {
  for (const auto& x : v)
    if (x.name == name) return &x;
  return nullptr;
}
const PlanNode* Plan::node(std::string_view n) const { return find_named(nodes, n); }
const PlanLink* Plan::link(std::string_view n) const { return find_named(links, n); }
const PlanTunnel* Plan::tunnel(std::string_view n) const { return find_named(tunnels, n); }

std::vector<const PlanNode*> Plan::anycast_instances(std::string_view address) const {
  std::vector<const PlanNode*> out;
  auto a = Ipv4::parse(address);
  if (!a) return out;
  for (const auto& n : nodes)
    if (n.anycast && *n.anycast == *a) out.push_back(&n);
  return out;
}

std::vector<std::string> Plan::namespaces() const {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.ns);
  return out;
}

}  // namespace netlab::plan
