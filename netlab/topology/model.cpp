#include "netlab/topology/model.h"

#include <array>
#include <utility>

namespace netlab::topology {

SourceRegion Positions::of(std::string_view key) const {
  std::string k(key);
  for (;;) {
    auto it = at.find(k);
    if (it != at.end() && it->second.known()) return it->second;
    if (k.empty()) return {};
    auto dot = k.rfind('.');
    k = dot == std::string::npos ? std::string() : k.substr(0, dot);
  }
}

namespace {
constexpr std::array<std::pair<Role, std::string_view>, 9> kRoles{{
    {Role::Host, "host"},
    {Role::Customer, "customer"},
    {Role::AwsDx, "aws-dx"},
    {Role::AwsVpn, "aws-vpn"},
    {Role::Vgw, "vgw"},
    {Role::Tgw, "tgw"},
    {Role::Dxgw, "dxgw"},
    {Role::Internet, "internet"},
    {Role::Router, "router"},
}};
constexpr std::array<std::pair<DomainType, std::string_view>, 4> kDomains{{
    {DomainType::Site, "site"},
    {DomainType::Location, "location"},
    {DomainType::Az, "az"},
    {DomainType::Region, "region"},
}};
constexpr std::array<std::pair<LinkKind, std::string_view>, 4> kLinkKinds{{
    {LinkKind::Lan, "lan"},
    {LinkKind::Dx, "dx"},
    {LinkKind::Internet, "internet"},
    {LinkKind::Backbone, "backbone"},
}};
constexpr std::array<std::pair<FaultKind, std::string_view>, 10> kFaults{{
    {FaultKind::Cut, "cut"},
    {FaultKind::Down, "down"},
    {FaultKind::Oneway, "oneway"},
    {FaultKind::Crash, "crash"},
    {FaultKind::Poweroff, "poweroff"},
    {FaultKind::Domain, "domain"},
    {FaultKind::Degrade, "degrade"},
    {FaultKind::Flap, "flap"},
    {FaultKind::Maintenance, "maintenance"},
    {FaultKind::BgpDown, "bgp_down"},
}};

template <class E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (auto& [v, n] : table)
    if (v == e) return n;
  return "?";
}
template <class E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
  for (auto& [v, n] : table)
    if (n == s) return v;
  return std::nullopt;
}
}  // namespace

std::string_view to_string(Role r) { return name_of(kRoles, r); }
std::optional<Role> role_from_string(std::string_view s) { return value_of(kRoles, s); }
std::string_view to_string(DomainType d) { return name_of(kDomains, d); }
std::optional<DomainType> domain_type_from_string(std::string_view s) {
  return value_of(kDomains, s);
}
std::string_view to_string(LinkKind k) { return name_of(kLinkKinds, k); }
std::optional<LinkKind> link_kind_from_string(std::string_view s) {
  return value_of(kLinkKinds, s);
}
std::string_view to_string(FaultKind k) { return name_of(kFaults, k); }

std::optional<FaultKind> fault_kind_from_string(std::string_view s) {
  return value_of(kFaults, s);
}
bool targets_link(FaultKind k) {
  return k == FaultKind::Cut || k == FaultKind::Down || k == FaultKind::Oneway ||
         k == FaultKind::Degrade || k == FaultKind::Flap || k == FaultKind::BgpDown;
}

std::vector<std::string> path_alternatives(std::string_view e) {
  std::vector<std::string> out;
  for (;;) {
    size_t bar = e.find('|');
    out.emplace_back(e.substr(0, bar));
    if (bar == std::string_view::npos) return out;
    e.remove_prefix(bar + 1);
  }
}

std::string_view to_string(FailbackPath f) { return f == FailbackPath::Any ? "any" : "baseline"; }
std::optional<FailbackPath> failback_path_from_string(std::string_view s) {
  if (s == "any") return FailbackPath::Any;
  if (s == "baseline") return FailbackPath::Baseline;
  return std::nullopt;
}

std::string_view to_string(TrafficProtocol p) { return p == TrafficProtocol::Tcp ? "tcp" : "udp"; }
std::optional<TrafficProtocol> traffic_protocol_from_string(std::string_view s) {
  if (s == "udp") return TrafficProtocol::Udp;
  if (s == "tcp") return TrafficProtocol::Tcp;
  return std::nullopt;
}

std::string_view to_string(TrafficDirection d) {
  switch (d) {
    case TrafficDirection::Forward: return "forward";
    case TrafficDirection::Reverse: return "reverse";
    case TrafficDirection::Both: return "both";
  }
  return "forward";
}
std::optional<TrafficDirection> traffic_direction_from_string(std::string_view s) {
  if (s == "forward") return TrafficDirection::Forward;
  if (s == "reverse") return TrafficDirection::Reverse;
  if (s == "both") return TrafficDirection::Both;
  return std::nullopt;
}

std::string_view to_string(ZoneType t) { return t == ZoneType::Az ? "az" : "local"; }
std::optional<ZoneType> zone_type_from_string(std::string_view s) {
  if (s == "az") return ZoneType::Az;
  if (s == "local") return ZoneType::Local;
  return std::nullopt;
}
std::optional<TunnelType> tunnel_type_from_string(std::string_view s) {
  if (s == "wireguard") return TunnelType::Wireguard;
  if (s == "ipsec") return TunnelType::Ipsec;
  return std::nullopt;
}
std::optional<DpdAction> dpd_action_from_string(std::string_view s) {
  if (s == "clear") return DpdAction::Clear;
  if (s == "none") return DpdAction::None;
  if (s == "restart") return DpdAction::Restart;
  return std::nullopt;
}

template <class E, size_t N>
static std::vector<E> values_of(const std::array<std::pair<E, std::string_view>, N>& table) {
  std::vector<E> out;
  for (auto& [v, n] : table) out.push_back(v);
  return out;
}
std::vector<Role> all_roles() { return values_of(kRoles); }
std::vector<DomainType> all_domain_types() { return values_of(kDomains); }
std::vector<LinkKind> all_link_kinds() { return values_of(kLinkKinds); }
std::vector<FaultKind> all_fault_kinds() { return values_of(kFaults); }

std::string default_link_name(const Endpoint& a, const Endpoint& b) {
  return a.node + "-" + b.node;
}

std::string_view to_string(TunnelType t) {
  return t == TunnelType::Wireguard ? "wireguard" : "ipsec";
}
std::string_view to_string(DpdAction a) {
  switch (a) {
    case DpdAction::Clear: return "clear";
    case DpdAction::None: return "none";
    case DpdAction::Restart: return "restart";
  }
  return "?";
}

bool is_router(Role r) { return r != Role::Host && r != Role::Internet; }
bool is_aws(Role r) {
  return r == Role::AwsDx || r == Role::AwsVpn || r == Role::Vgw || r == Role::Tgw ||
         r == Role::Dxgw;
}

const std::optional<std::string>& Domains::get(DomainType t) const {
  switch (t) {
    case DomainType::Site: return site;
    case DomainType::Location: return location;
    case DomainType::Az: return az;
    case DomainType::Region: return region;
  }
  return site;
}

bool Domains::in(DomainType t, std::string_view value) const {
  auto& v = get(t);
  return v && *v == value;
}

std::string Fault::str() const {
  std::string s(to_string(kind));
  if (kind == FaultKind::Domain)
    return s + " " + std::string(to_string(domain_type)) + "=" + domain_value;
  s += " " + target;
  if (from) s += " from " + *from;
  return s;
}

template <class T>
static const T* find_named(const std::vector<T>& v, std::string_view name) {
  for (auto& x : v)
    if (x.name == name) return &x;
  return nullptr;
}

const Node* Topology::node(std::string_view n) const { return find_named(nodes, n); }
const Link* Topology::link(std::string_view n) const { return find_named(links, n); }
const Tunnel* Topology::tunnel(std::string_view n) const { return find_named(tunnels, n); }
const Scenario* Topology::scenario(std::string_view n) const { return find_named(scenarios, n); }
const Zone* Topology::zone(std::string_view n) const {
  auto it = zones.find(std::string(n));
  return it == zones.end() ? nullptr : &it->second;
}
std::vector<const Node*> Topology::anycast_instances(std::string_view address) const {
  std::vector<const Node*> out;
  auto a = Ipv4::parse(address);
  if (!a) return out;
  for (const Node& n : nodes)
    if (n.anycast && *n.anycast == *a) out.push_back(&n);
  return out;
}

const Probe* Topology::probe_for(const Scenario& s) const {
  if (s.probe) return &*s.probe;
  if (lab.probe) return &*lab.probe;
  return nullptr;
}

}  // namespace netlab::topology
