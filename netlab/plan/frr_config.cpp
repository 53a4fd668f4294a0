#include "netlab/plan/frr_config.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <memory>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/plan/bgp.h"

namespace netlab::plan {

namespace mu = kainjow::mustache;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr std::string_view kSuffix = ".mustache";

mu::data str(const std::string& s) { return mu::data(s); }

// Section tags on lines of their own leave empty lines behind; FRR ignores
// them, people reading a config should not have to. Drops empty lines and
// repeated "!" separators.
std::string tidy(const std::string& text) {
  std::string out, line;
  std::istringstream in(text);
  bool last_bang = false;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bool bang = line.find_first_not_of(" ") != std::string::npos && line.substr(line.find_first_not_of(" ")) == "!";
    if (bang && last_bang) continue;
    last_bang = bang;
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string route_map_tag(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

TemplateSet TemplateSet::load(const std::string& dir) {
  TemplateSet set;
  set.dir_ = dir;
  struct Closedir {
    void operator()(DIR* d) const { closedir(d); }
  };
  std::unique_ptr<DIR, Closedir> d(opendir(dir.c_str()));
  if (!d) throw InputError("cannot read the FRR template directory " + dir);
  while (dirent* e = readdir(d.get())) {
    std::string name = e->d_name;
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) continue;
    std::string stem = name.substr(0, name.size() - kSuffix.size());
    std::string text = read_text(dir + "/" + name);
    if (stem.starts_with("_"))
      set.partials_[stem.substr(1)] = std::move(text);
    else if (stem.ends_with(".conf"))
      set.roles_[stem.substr(0, stem.size() - 5)] = std::move(text);
  }
  return set;
}

bool TemplateSet::has_role(std::string_view role) const { return roles_.count(role) > 0; }

namespace {

// The prefixes the node announces, and the blackhole routes that originate them.
void set_networks(mu::data& d, const PlanNode& node) {
  mu::data networks{mu::data::type::list};
  mu::data statics{mu::data::type::list};
  for (const auto& p : node.announce) {
    mu::data n;
    n.set("prefix", str(p.str()));
    networks << n;
    // An aggregate is originated from a blackhole route, the usual practice:
    // `network` needs the exact prefix in the RIB, and more specific routes
    // (the hosts' subnets) still win in the FIB. A prefix that is exactly a
    // connected subnet needs none.
    bool connected = std::any_of(node.ifaces.begin(), node.ifaces.end(),
                                 [&](const Iface& f) { return f.address.normalized() == p; });
    if (!connected) statics << n;
  }
  d.set("networks", networks);
  d.set("statics", statics);
}

// The hosts' anycast service addresses: a static route to each host, and
// BGP announces it while that route is in the RIB (see AnycastRoute).
void set_anycast(mu::data& d, const PlanNode& node) {
  mu::data anycast{mu::data::type::list};
  int seq = 0;
  for (const AnycastRoute& r : node.anycast_routes) {
    mu::data a;
    ++seq;
    a.set("prefix", str(r.prefix.str()));
    a.set("via", str(r.via.str()));
    a.set("host", str(r.host));
    a.set("seq", str(std::to_string(seq * 10)));
    a.set("list", str("ANYCAST-" + std::to_string(seq)));
    std::string prepend;
    for (uint32_t i = 0; i < r.prepend; ++i)
      prepend += (prepend.empty() ? "" : " ") + std::to_string(node.asn.value_or(0));
    a.set("standby", mu::data(r.prepend > 0));
    a.set("prepend", str(prepend));
    anycast << a;
  }
  d.set("anycast", anycast);
  d.set("has_anycast", mu::data(!node.anycast_routes.empty()));
}

// One BGP session of the node, as its template sees it; its BFD profile goes
// into `profiles`.
mu::data neighbor(const Plan& plan, const PlanNode& node, const Session& s,
                  std::map<std::string, BfdTimers>& profiles) {
  bool is_a = s.a == node.name;
  const std::string& peer = is_a ? s.b : s.a;
  const PlanNode* peer_node = plan.node(peer);
  mu::data n;
  n.set("addr", str((is_a ? s.b_addr : s.a_addr).str()));
  n.set("local_addr", str((is_a ? s.a_addr : s.b_addr).str()));
  n.set("remote_as", str(std::to_string(is_a ? s.b_asn : s.a_asn)));
  n.set("peer", str(peer));
  n.set("peer_role", str(std::string(topology::to_string(peer_node->role))));
  n.set("over", str(s.over));
  n.set("rm", str(route_map_tag(s.over)));
  n.set("kind", str(std::string(to_string(s.kind))));
  n.set("dx", mu::data(s.kind == SessionKind::Dx));
  n.set("vpn", mu::data(s.kind == SessionKind::Vpn));
  n.set("lan", mu::data(s.kind == SessionKind::Lan));
  n.set("backbone", mu::data(s.kind == SessionKind::Backbone));
  n.set("ibgp", mu::data(s.ibgp()));
  n.set("ebgp", mu::data(!s.ibgp()));
  n.set("reflect", mu::data(s.ibgp() && reflects_ibgp(node.role)));
  // AWS's transit rules (bgp.h says which and why).
  const PlanLink* link = plan.link(s.over);
  SessionPolicy pol = session_policy(node, *peer_node, s, link && link->sitelink);
  n.set("vif_sitelink", mu::data(pol.sitelink));
  n.set("association", mu::data(pol.association));
  n.set("from_dxgw", mu::data(pol.from_dxgw));
  n.set("outside", mu::data(pol.outside));
  n.set("plain_backbone", mu::data(s.kind == SessionKind::Backbone && !pol.association && !pol.from_dxgw));
  n.set("keepalive", str(std::to_string(s.timers.keepalive_s)));
  n.set("hold", str(std::to_string(s.timers.hold_s)));
  n.set("med", str(std::to_string(kVpnDefaultMed)));
  // The link's customer-side policy, for the ends that are not AWS.
  bool customer_side = !topology::is_aws(node.role);
  std::string communities;
  for (const auto& c : s.communities) communities += (communities.empty() ? "" : " ") + c;
  n.set("has_communities", mu::data(customer_side && !communities.empty()));
  n.set("communities", str(communities));
  std::string prepend;
  for (uint32_t i = 0; i < s.prepend; ++i) prepend += (prepend.empty() ? "" : " ") + std::to_string(node.asn.value_or(0));
  n.set("has_prepend", mu::data(customer_side && s.prepend > 0));
  n.set("prepend", str(prepend));
  bool limit = s.kind == SessionKind::Dx && topology::is_aws(node.role) &&
               !topology::is_aws(peer_node->role);
  n.set("has_max_prefix", mu::data(limit));
  n.set("max_prefix", str(std::to_string(kFrrMaximumPrefixForDxLimit)));
  n.set("prefix_limit", str(std::to_string(kDxPrefixLimit)));
  n.set("has_bfd", mu::data(s.bfd.has_value()));
  if (s.bfd) {
    // This end's own [nodes.X].bfd wins over the default, but not over
    // timers the link sets explicitly.
    BfdTimers t = (!s.bfd_from_link && node.bfd) ? *node.bfd : *s.bfd;
    std::string name = "bfd-" + std::to_string(t.interval_ms) + "x" + std::to_string(t.multiplier);
    profiles[name] = t;
    n.set("bfd_profile", str(name));
  }
  return n;
}

void set_bfd_profiles(mu::data& d, const std::map<std::string, BfdTimers>& profiles) {
  mu::data bfd_profiles{mu::data::type::list};
  for (auto& [name, t] : profiles) {
    mu::data p;
    p.set("name", str(name));
    p.set("interval_ms", str(std::to_string(t.interval_ms)));
    p.set("multiplier", str(std::to_string(t.multiplier)));
    bfd_profiles << p;
  }
  d.set("bfd_profiles", bfd_profiles);
  d.set("has_bfd", mu::data(!profiles.empty()));
}

}  // namespace

std::string TemplateSet::render(const Plan& plan, const PlanNode& node) const {
  std::string role(topology::to_string(node.role));
  auto it = roles_.find(role);
  if (it == roles_.end())
    throw InputError("no FRR template for role \"" + role + "\" in " + dir_ + " (expected " +
                     role + ".conf.mustache)");

  mu::data d;
  d.set("lab", str(plan.lab));
  d.set("node", str(node.name));
  d.set("role", str(role));
  d.set("template", str(role + ".conf.mustache"));
  d.set("asn", str(std::to_string(node.asn.value_or(0))));
  d.set("router_id", str(node.router_id.str()));
  d.set("log_file", str(node.frr_dir + "/frr.log"));
  // FRR's datacenter profile would allow 64 paths everywhere.
  bool single = topology::is_aws(node.role) && node.role != Role::Tgw;
  d.set("max_paths", str(single ? "1" : "8"));
  d.set("max_paths_ibgp", str(node.role == Role::Tgw ? "8" : "1"));

  set_networks(d, node);

  set_anycast(d, node);

  mu::data neighbors{mu::data::type::list};
  std::map<std::string, BfdTimers> profiles;
  for (const Session& s : plan.sessions) {
    if (s.a != node.name && s.b != node.name) continue;
    neighbors << neighbor(plan, node, s, profiles);
  }
  d.set("neighbors", neighbors);
  d.set("has_neighbors", mu::data(!neighbors.list_value().empty()));

  set_bfd_profiles(d, profiles);

  for (auto& [name, text] : partials_) {
    std::string copy = text;
    d.set(name, mu::partial([copy]() { return copy; }));
  }

  mu::mustache tmpl(it->second);
  if (!tmpl.is_valid())
    throw InputError(dir_ + "/" + role + ".conf.mustache: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });  // FRR config, not HTML
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid())
    throw InputError(dir_ + "/" + role + ".conf.mustache: " + tmpl.error_message());
  return tidy(out);
}

}  // namespace netlab::plan
