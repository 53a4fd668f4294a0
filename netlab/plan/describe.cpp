// `netlab plan`: the plan as text an engineer can review. Private keys and
// pre-shared keys are never printed.
#include <fmt/format.h>

#include <map>

#include "netlab/plan/describe.h"
#include "netlab/topology/limits.h"

namespace netlab::plan {

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string domains_str(const Domains& d) {
  std::vector<std::string> parts;
  if (d.site) parts.push_back("site=" + *d.site);
  if (d.location) parts.push_back("location=" + *d.location);
  if (d.az) parts.push_back("az=" + *d.az);
  if (d.region) parts.push_back("region=" + *d.region);
  return join(parts, " ");
}

std::string num(double v) { return fmt::format("{:g}", v); }

// "rate 100 Mbit/s pps 1400", "" when unlimited.
std::string limits_str(const topology::Impairment& i) {
  std::vector<std::string> parts;
  if (i.rate_mbit) parts.push_back("rate " + num(*i.rate_mbit) + " Mbit/s");
  if (i.pps) parts.push_back("pps " + num(*i.pps));
  return join(parts, " ");
}

// " (speed 10G)", or " (impair.rate_mbit, below the speed 10G)" when the
// link's own rate is the lower one and wins.
std::string speed_note(const PlanLink& l, double scale) {
  if (!l.speed) return "";
  auto sp = topology::dx_speed_mbit(*l.speed);
  if (sp && l.impair.rate_mbit && *l.impair.rate_mbit * scale < *sp)
    return " (impair.rate_mbit, below the speed " + *l.speed + ")";
  return " (speed " + *l.speed + ")";
}

std::string scale_note(double scale) { return scale == 1 ? "" : fmt::format(" (/ scale {:g})", scale); }

}  // namespace

std::string describe(const Plan& p, bool with_configs) {
  std::string o;
  o += fmt::format("lab {}{}\n", p.lab, p.description.empty() ? "" : "  (" + p.description + ")");
  o += fmt::format("  seed       {}\n", p.seed ? std::to_string(*p.seed) : "chosen at run time");
  o += fmt::format("  scale      {:g}{}\n", p.scale,
                   p.scale == 1 ? "" : " (every bandwidth and packet rate divided by it)");
  o += fmt::format("  topology   {}\n  runtime    {}\n  namespaces {}* ({} nodes)\n\n",
                   p.topology_path, p.runtime_dir,
                   p.nodes.empty() ? "" : p.nodes.front().ns.substr(0, p.nodes.front().ns.size() - p.nodes.front().name.size()),
                   p.nodes.size());

  o += "nodes\n";
  for (const auto& n : p.nodes) {
    std::string as = n.asn ? fmt::format("AS{}", *n.asn) : "";
    o += fmt::format("  {:<15} {:<9} {:<11} {:<16} {}\n", n.name, topology::to_string(n.role), as,
                     n.is_router() ? "id " + n.router_id.str() : "", domains_str(n.domains));
    for (const auto& f : n.ifaces)
      o += fmt::format("      {:<15} {:<18} {} {} ({})\n", f.name, f.address.str(),
                       f.tunnel ? "tunnel" : "link", f.link, "to " + f.peer_node);
    for (const auto& r : n.routes) o += fmt::format("      route {}\n", r.str());
    if (!n.announce.empty()) {
      std::vector<std::string> a;
      for (const auto& x : n.announce) a.push_back(x.str());
      o += fmt::format("      announces {}\n", join(a, ", "));
    }
    if (n.anycast) o += fmt::format("      anycast {} (on lo)\n", n.anycast->str());
    for (const auto& r : n.anycast_routes)
      o += fmt::format("      announces {} for host {} via {}{}\n", r.prefix.str(), r.host, r.via.str(),
                       r.prepend ? fmt::format(" (standby: AS_PATH +{})", r.prepend) : "");
  }

  o += "\nlinks\n";
  for (const auto& l : p.links) {
    std::string extra = domains_str(l.domains);
    if (l.sitelink) extra += extra.empty() ? "sitelink" : " sitelink";
    if (l.mtu != topology::kDefaultLinkMtu) extra += (extra.empty() ? "mtu " : " mtu ") + std::to_string(l.mtu);
    if (!l.pmtud) extra += extra.empty() ? "pmtud=false" : " pmtud=false";
    o += fmt::format("  {:<15} {:<9} {:<18} {}:{} {} <-> {}:{} {}{}{}\n", l.name,
                     topology::to_string(l.kind), l.subnet.str(), l.a.node, l.a.ifname,
                     l.a.address.addr.str(), l.b.node, l.b.ifname, l.b.address.addr.str(),
                     extra.empty() ? "" : " ", extra);
    if (auto lim = limits_str(l.impair); !lim.empty())
      o += fmt::format("      limit {} each way{}{}\n", lim, speed_note(l, p.scale), scale_note(p.scale));
  }

  if (!p.tunnels.empty()) {
    o += "\ntunnels\n";
    for (const auto& t : p.tunnels)
      o += fmt::format("  {:<15} {:<9} {:<18} {} {} (outer {}:{}) <-> {} {} (outer {}:{})  dpd {}s/{}s {}{}{}\n",
                       t.name, topology::to_string(t.type), t.inside.str(), t.a.node,
                       t.a.inside.addr.str(), t.a.outer.str(), t.a.listen_port, t.b.node,
                       t.b.inside.addr.str(), t.b.outer.str(), t.b.listen_port, t.dpd.interval_s,
                       t.dpd.timeout_s, topology::to_string(t.dpd.action),
                       t.mtu != topology::kDefaultLinkMtu ? "  mtu " + std::to_string(t.mtu) : "",
                       t.pmtud ? "" : " pmtud=false");
    for (const auto& t : p.tunnels)
      if (auto lim = limits_str(t.impair); !lim.empty())
        o += fmt::format("  {:<15} limit {} each way{}\n", t.name, lim, scale_note(p.scale));
  }

  o += "\nbgp sessions\n";
  for (const auto& s : p.sessions) {
    std::string bfd = s.bfd ? fmt::format("bfd {}ms x{}", s.bfd->interval_ms, s.bfd->multiplier)
                            : "no bfd";
    o += fmt::format("  {:<15} {:<8} {} {} AS{} <-> {} {} AS{}  {}  keepalive {}s hold {}s  {}\n",
                     s.over, to_string(s.kind), s.a, s.a_addr.str(), s.a_asn, s.b, s.b_addr.str(),
                     s.b_asn, s.ibgp() ? "iBGP" : "eBGP", s.timers.keepalive_s, s.timers.hold_s,
                     bfd);
  }

  o += "\nexpected routes after convergence\n";
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_prefix;
  for (const auto& e : p.expected_routes) by_prefix[{e.prefix.str(), e.origin}].push_back(e.node);
  for (const auto& [k, nodes] : by_prefix)
    o += fmt::format("  {:<18} from {:<15} at {}\n", k.first, k.second, join(nodes, " "));

  o += "\nprocesses\n";
  for (const auto& n : p.nodes)
    for (const auto& d : n.daemons) o += fmt::format("  {}\n", d.spec.str());
  for (const auto& t : p.tunnels)
    for (const auto* e : {&t.a, &t.b})
      o += fmt::format("  [{}] {} for {} (private /run: {})\n", e->ns,
                       t.type == topology::TunnelType::Wireguard ? "wireguard-go" : "charon-systemd",
                       t.name, e->run_dir);

  if (with_configs) {
    for (const auto& n : p.nodes) {
      if (!n.is_router()) continue;
      o += fmt::format("\n# {}/frr.conf{}\n", n.frr_dir, n.own_config ? " (the node's own config)" : "");
      o += n.frr_config;
    }
  }
  return o;
}

}  // namespace netlab::plan
