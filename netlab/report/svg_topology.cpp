// The topology as a picture. Graphviz (libgvc/libcgraph, the dot layout)
// places nodes, failure-domain clusters and edges; this file only reads the
// layout back and writes SVG with netlab's classes and hover texts, so that
// one layout serves every scenario's overlay (path, fault).
//
// Node sizes are fixed from the label's length rather than measured by a
// font backend, so the layout does not depend on the fonts installed.
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/report/html.h"
#include "netlab/report/svg_util.h"
#include "netlab/topology/graph.h"

namespace netlab::report {

using svg::escape;
using svg::num;
using topology::Topology;

namespace {

constexpr double kPad = 12;  // around the drawing, in points

// A failure domain as a cluster: its place in the nesting region > az >
// location > site, e.g. {"region=us-east-1", "az=use1-az1"}.
using DomainPath = std::vector<std::string>;

DomainPath domain_path(const topology::Domains& d) {
  DomainPath p;
  for (auto t : {topology::DomainType::Region, topology::DomainType::Az, topology::DomainType::Location,
                 topology::DomainType::Site})
    if (const auto& v = d.get(t)) p.push_back(std::string(topology::to_string(t)) + "=" + *v);
  return p;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// Graphviz's setters take char*; agsafeset copies the strings.
void set(void* obj, const char* name, const std::string& value) {
  agsafeset(obj, const_cast<char*>(name), const_cast<char*>(value.c_str()), const_cast<char*>(""));
}

std::string role_class(topology::Role r) {
  std::string s(topology::to_string(r));
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

}  // namespace

struct TopologyPicture::Impl {
  Topology topo;
  TopologyDetails details;
  GVC_t* gvc = nullptr;
  Agraph_t* g = nullptr;

  struct NodeBox {
    std::string name, title, role;
    double x = 0, y = 0, w = 0, h = 0;
  };
  struct Wire {
    std::string name, cls, title, d;
    double lx = 0, ly = 0;  // where its name is written
  };
  struct Cluster {
    std::string key, label;  // key: "region=x/az=y"; label: its last part
    double x = 0, y = 0, w = 0, h = 0;
  };
  std::vector<NodeBox> nodes;
  std::vector<Wire> wires;
  std::vector<Cluster> clusters;
  double width = 0, height = 0;
  boxf bb{};

  double X(double x) const { return x - bb.LL.x + kPad; }
  double Y(double y) const { return bb.UR.y - y + kPad; }

  void build();
  void read_layout();
  // read_layout()'s parts.
  void read_clusters();
  void read_nodes();
  void read_wires();
  void name_wire(Wire& w, bool tunnel) const;
  void trace_wire(const splines& spl, Wire& w) const;
};

void TopologyPicture::Impl::build() {
  gvc = gvContext();
  g = agopen(const_cast<char*>("topology"), Agundirected, nullptr);
  set(g, "rankdir", "LR");
  set(g, "nodesep", "0.35");
  set(g, "ranksep", "0.8");
  set(g, "fontsize", "10");

  // Clusters: one subgraph per domain path prefix, nested.
  std::map<std::string, Agraph_t*> sub;
  auto cluster_of = [&](const DomainPath& p) {
    Agraph_t* parent = g;
    std::string key;
    for (const auto& part : p) {
      key += (key.empty() ? "" : "/") + part;
      auto it = sub.find(key);
      if (it == sub.end()) {
        std::string name = "cluster_" + key;
        Agraph_t* s = agsubg(parent, name.data(), 1);
        set(s, "margin", "16");
        it = sub.emplace(key, s).first;
      }
      parent = it->second;
    }
    return parent;
  };

  for (const auto& n : topo.nodes) {
    Agraph_t* where = cluster_of(domain_path(n.domains));
    Agnode_t* an = agnode(where, const_cast<char*>(n.name.c_str()), 1);
    bool round = n.role == topology::Role::Host || n.role == topology::Role::Internet;
    double w = std::max(0.75, 0.1 * static_cast<double>(n.name.size()) + 0.3);
    set(an, "shape", round ? "ellipse" : "box");
    set(an, "fixedsize", "true");
    set(an, "width", fmt::format("{:.2f}", round ? w + 0.2 : w));
    set(an, "height", "0.42");
    set(an, "label", n.name);
    set(an, "fontsize", "10");
  }
  auto node = [&](const std::string& name) { return agnode(g, const_cast<char*>(name.c_str()), 0); };
  for (const auto& l : topo.links) {
    Agnode_t* a = node(l.a.node);
    Agnode_t* b = node(l.b.node);
    if (!a || !b) continue;
    std::string key = "link " + l.name;
    Agedge_t* e = agedge(g, a, b, key.data(), 1);
    if (l.kind == topology::LinkKind::Internet) set(e, "style", "dotted");
    if (l.kind == topology::LinkKind::Dx) set(e, "penwidth", "2");
    set(e, "tooltip", l.name);
  }
  for (const auto& t : topo.tunnels) {
    Agnode_t* a = node(t.a);
    Agnode_t* b = node(t.b);
    if (!a || !b) continue;
    std::string key = "tunnel " + t.name;
    Agedge_t* e = agedge(g, a, b, key.data(), 1);
    set(e, "style", "dashed");
    set(e, "constraint", "false");  // tunnels follow the layout of the links they ride on
    set(e, "tooltip", t.name);
  }
  if (gvLayout(gvc, g, "dot") != 0) throw std::runtime_error("graphviz could not lay the topology out");
  read_layout();
}

void TopologyPicture::Impl::read_layout() {
  bb = GD_bb(g);
  width = bb.UR.x - bb.LL.x + 2 * kPad;
  height = bb.UR.y - bb.LL.y + 2 * kPad;

  read_clusters();
  read_nodes();
  read_wires();
}

// Clusters, parents before children (drawn first, underneath).
void TopologyPicture::Impl::read_clusters() {
  std::function<void(Agraph_t*)> walk = [&](Agraph_t* sg) {
    for (int i = 1; i <= GD_n_cluster(sg); ++i) {
      Agraph_t* c = GD_clust(sg)[i];
      // The subgraph's name is "cluster_" and the domain path.
      std::string key = std::string(agnameof(c)).substr(8);
      std::string label = key.substr(key.rfind('/') + 1);
      boxf b = GD_bb(c);
      clusters.push_back({key, label, X(b.LL.x), Y(b.UR.y), b.UR.x - b.LL.x, b.UR.y - b.LL.y});
      walk(c);
    }
  };
  walk(g);
}

void TopologyPicture::Impl::read_nodes() {
  for (const auto& n : topo.nodes) {
    Agnode_t* an = agnode(g, const_cast<char*>(n.name.c_str()), 0);
    if (!an) continue;
    NodeBox box;
    box.name = n.name;
    box.role = role_class(n.role);
    box.x = X(ND_coord(an).x);
    box.y = Y(ND_coord(an).y);
    box.w = ND_width(an) * 72;
    box.h = ND_height(an) * 72;
    std::string title = n.name + " (" + std::string(topology::to_string(n.role));
    if (n.asn) title += ", AS " + std::to_string(*n.asn);
    title += ")";
    auto dp = domain_path(n.domains);
    if (!dp.empty()) title += "\n" + join(dp, " ");
    if (n.anycast) title += "\nanycast " + n.anycast->str();
    for (const auto& p : n.announce) title += "\nannounces " + p.str();
    if (auto it = details.node.find(n.name); it != details.node.end())
      for (const auto& line : it->second) title += "\n" + line;
    box.title = title;
    nodes.push_back(std::move(box));
  }
}

// A wire's class and title, from its link or tunnel (and the details).
void TopologyPicture::Impl::name_wire(Wire& w, bool tunnel) const {
  std::string title;
  if (tunnel) {
    const auto* t = topo.tunnel(w.name);
    w.cls = "tunnel type-" + std::string(topology::to_string(t->type));
    title = w.name + " (" + std::string(topology::to_string(t->type)) + " tunnel, " + t->a + " - " + t->b + ")";
    title += fmt::format("\nBGP keepalive {} s, hold {} s; DPD {} s / {} s", t->bgp.keepalive_s, t->bgp.hold_s,
                         t->dpd.interval_s, t->dpd.timeout_s);
    if (t->inside) title += "\ninside " + t->inside->str();
  } else {
    const auto* l = topo.link(w.name);
    w.cls = "link kind-" + std::string(topology::to_string(l->kind));
    title = w.name + " (" + std::string(topology::to_string(l->kind)) + ", " + l->a.node + " - " + l->b.node + ")";
    if (l->subnet) title += "\nsubnet " + l->subnet->str();
    if (l->bfd.enabled) title += "\nBFD";
    if (l->sitelink) title += "\nSiteLink";
    if (!l->impair.empty()) title += "\nimpaired";
  }
  if (auto it = details.link.find(w.name); it != details.link.end())
    for (const auto& line : it->second) title += "\n" + line;
  w.title = title;
}

// A wire's path from its splines, and where its name goes.
void TopologyPicture::Impl::trace_wire(const splines& spl, Wire& w) const {
  std::string d;
  for (int i = 0; i < spl.size; ++i) {
    const bezier& bz = spl.list[i];
    if (bz.size == 0) continue;
    d += "M" + num(X(bz.list[0].x)) + "," + num(Y(bz.list[0].y));
    for (int j = 1; j + 2 < bz.size; j += 3)
      d += "C" + num(X(bz.list[j].x)) + "," + num(Y(bz.list[j].y)) + " " + num(X(bz.list[j + 1].x)) + "," +
           num(Y(bz.list[j + 1].y)) + " " + num(X(bz.list[j + 2].x)) + "," + num(Y(bz.list[j + 2].y));
  }
  // The name at the middle of the curve: the middle cubic segment at t = 0.5.
  const bezier& mid = spl.list[spl.size / 2];
  if (mid.size >= 4) {
    int seg = (mid.size - 1) / 3 / 2 * 3;
    const pointf* p = mid.list + seg;
    w.lx = X((p[0].x + 3 * p[1].x + 3 * p[2].x + p[3].x) / 8);
    w.ly = Y((p[0].y + 3 * p[1].y + 3 * p[2].y + p[3].y) / 8);
  } else if (mid.size > 0) {
    w.lx = X(mid.list[0].x);
    w.ly = Y(mid.list[0].y);
  }
  w.d = std::move(d);
}

void TopologyPicture::Impl::read_wires() {
  for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n))
    for (Agedge_t* e = agfstout(g, n); e; e = agnxtout(g, e)) {
      std::string key = agnameof(e);
      bool tunnel = key.starts_with("tunnel ");
      Wire w;
      w.name = key.substr(key.find(' ') + 1);
      name_wire(w, tunnel);
      const splines* spl = ED_spl(e);
      if (!spl || spl->size == 0) continue;
      trace_wire(*spl, w);
      wires.push_back(std::move(w));
    }
  // Edges in the order of the file: links, then tunnels.
  auto order = [&](const Wire& w) -> size_t {
    bool tunnel = w.cls.starts_with("tunnel");
    const auto& v = topo;
    if (!tunnel)
      for (size_t i = 0; i < v.links.size(); ++i)
        if (v.links[i].name == w.name) return i;
    for (size_t i = 0; i < v.tunnels.size(); ++i)
      if (v.tunnels[i].name == w.name) return v.links.size() + i;
    return SIZE_MAX;
  };
  std::stable_sort(wires.begin(), wires.end(), [&](const Wire& a, const Wire& b) { return order(a) < order(b); });
}

TopologyPicture::TopologyPicture(const Topology& t, TopologyDetails details) : impl_(new Impl) {
  impl_->topo = t;
  impl_->details = std::move(details);
  try {
    impl_->build();
  } catch (...) {
    this->~TopologyPicture();
    throw;
  }
}

TopologyPicture::~TopologyPicture() {
  if (!impl_) return;
  if (impl_->g) {
    gvFreeLayout(impl_->gvc, impl_->g);
    agclose(impl_->g);
  }
  if (impl_->gvc) gvFreeContext(impl_->gvc);
  delete impl_;
  impl_ = nullptr;
}

std::string TopologyPicture::svg(const TopologyOverlay& o) const {
  const Impl& m = *impl_;
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" width=\"" << num(m.width) << "\" height=\""
      << num(m.height) << "\" viewBox=\"0 0 " << num(m.width) << " " << num(m.height) << "\">\n";
  out << "<style>"
         ".topology text{font:10px sans-serif}"
         ".domain rect{fill:#f4f6fa;stroke:#9aa5b8;stroke-dasharray:3 2}"
         ".domain.faulted rect{fill:#fde8e8;stroke:#c62828;stroke-width:2}"
         ".domain text{fill:#56607a;font-size:9px}"
         ".node rect,.node ellipse{fill:#fff;stroke:#333}"
         ".node.role-router rect,.node.role-customer rect{fill:#e8f0fe}"
         ".node.role-aws-dx rect,.node.role-aws-vpn rect,.node.role-vgw rect,.node.role-tgw rect,"
         ".node.role-dxgw rect{fill:#fff4e0;stroke:#c77700}"
         ".node.role-internet ellipse{fill:#eef7ee}"
         ".node.faulted rect,.node.faulted ellipse{stroke:#c62828;stroke-width:3;fill:#fde8e8}"
         ".wire{fill:none;stroke:#555;stroke-width:1.2}"
         ".kind-dx .wire{stroke:#c77700;stroke-width:3}"
         ".kind-backbone .wire{stroke:#37474f;stroke-width:2.5}"
         ".kind-internet .wire{stroke:#2e7d32;stroke-dasharray:1 3}"
         ".tunnel .wire{stroke:#6a1b9a;stroke-dasharray:6 3}"
         ".tunnel.type-ipsec .wire{stroke:#283593}"
         ".faulted .wire{stroke:#c62828;stroke-width:3}"
         ".hl{fill:none;stroke-linecap:round;opacity:.55}"
         ".hl.before{stroke:#1565c0;stroke-width:11}"
         ".hl.during{stroke:#ef6c00;stroke-width:7}"
         ".hl.after{stroke:#2e7d32;stroke-width:3}"
         ".link text,.tunnel text{fill:#444;font-size:8px;paint-order:stroke;stroke:#fff;stroke-width:3px}"
         ".x{stroke:#c62828;stroke-width:3}"
         "g:hover>.wire{stroke-width:5}"
         "</style>\n";
  for (const auto& c : m.clusters) {
    bool faulted = false;
    for (const auto& f : o.faulted)
      if (c.label == f) faulted = true;
    out << "<g class=\"domain" << (faulted ? " faulted" : "") << "\" data-name=\"" << escape(c.key) << "\"><title>"
        << escape(c.key) << "</title><rect x=\"" << num(c.x) << "\" y=\"" << num(c.y) << "\" width=\"" << num(c.w)
        << "\" height=\"" << num(c.h) << "\" rx=\"4\"/><text x=\"" << num(c.x + 4) << "\" y=\"" << num(c.y + 10)
        << "\">" << escape(c.label) << "</text></g>\n";
  }
  for (const auto& w : m.wires) {
    std::string cls = w.cls;
    bool b = has(o.path_before, w.name), d = has(o.path, w.name), a = has(o.path_after, w.name);
    bool f = has(o.faulted, w.name);
    if (b) cls += " before";
    if (d) cls += " during";
    if (a) cls += " after";
    if (f) cls += " faulted";
    out << "<g class=\"" << cls << "\" data-name=\"" << escape(w.name) << "\"><title>" << escape(w.title);
    if (b || d || a) {
      out << "\nprobe path:";
      if (b) out << " before";
      if (d) out << " during";
      if (a) out << " after";
    }
    out << "</title>";
    if (b) out << "<path class=\"hl before\" d=\"" << w.d << "\"/>";
    if (d) out << "<path class=\"hl during\" d=\"" << w.d << "\"/>";
    if (a) out << "<path class=\"hl after\" d=\"" << w.d << "\"/>";
    out << "<path class=\"wire\" d=\"" << w.d << "\"/>";
    out << "<text x=\"" << num(w.lx + 3) << "\" y=\"" << num(w.ly - 3) << "\">" << escape(w.name) << "</text>";
    if (f)
      out << "<path class=\"x\" d=\"M" << num(w.lx - 6) << "," << num(w.ly - 6) << "l12,12m0,-12l-12,12\"/>";
    out << "</g>\n";
  }
  for (const auto& n : m.nodes) {
    bool f = has(o.faulted, n.name);
    out << "<g class=\"node role-" << n.role << (f ? " faulted" : "") << "\" data-name=\"" << escape(n.name)
        << "\"><title>" << escape(n.title) << "</title>";
    if (n.role == "host" || n.role == "internet")
      out << "<ellipse cx=\"" << num(n.x) << "\" cy=\"" << num(n.y) << "\" rx=\"" << num(n.w / 2) << "\" ry=\""
          << num(n.h / 2) << "\"/>";
    else
      out << "<rect x=\"" << num(n.x - n.w / 2) << "\" y=\"" << num(n.y - n.h / 2) << "\" width=\"" << num(n.w)
          << "\" height=\"" << num(n.h) << "\" rx=\"5\"/>";
    out << "<text x=\"" << num(n.x) << "\" y=\"" << num(n.y + 3.5) << "\" text-anchor=\"middle\">" << escape(n.name)
        << "</text></g>\n";
  }
  out << "</svg>\n";
  return out.str();
}

std::string TopologyPicture::render(const std::string& format) const {
  char* data = nullptr;
  unsigned int len = 0;
  if (gvRenderData(impl_->gvc, impl_->g, format.c_str(), &data, &len) != 0 || !data)
    throw InputError("graphviz cannot render the format \"" + format + "\"");
  std::string out(data, len);
  gvFreeRenderData(data);
  return out;
}

std::vector<std::string> TopologyPicture::faulted_by(const std::string& scenario, const std::string& fault) const {
  const Topology& t = impl_->topo;
  std::vector<std::string> out;
  std::optional<topology::Fault> f;
  if (const auto* sc = t.scenario(scenario); sc && sc->fault.str() == fault) f = sc->fault;
  std::istringstream words(fault);
  std::string kind, target;
  words >> kind >> target;
  if (!f && kind == "domain") {
    auto eq = target.find('=');
    auto type = topology::domain_type_from_string(target.substr(0, eq));
    if (eq != std::string::npos && type) {
      f = topology::Fault{};
      f->kind = topology::FaultKind::Domain;
      f->domain_type = *type;
      f->domain_value = target.substr(eq + 1);
    }
  }
  if (f) {
    topology::Graph graph(t);
    auto failed = graph.failure_of(*f);
    out.insert(out.end(), failed.nodes.begin(), failed.nodes.end());
    out.insert(out.end(), failed.links.begin(), failed.links.end());
    out.insert(out.end(), failed.tunnels.begin(), failed.tunnels.end());
    if (f->kind == topology::FaultKind::Domain)
      out.push_back(std::string(topology::to_string(f->domain_type)) + "=" + f->domain_value);
    else if (!f->target.empty() && std::find(out.begin(), out.end(), f->target) == out.end())
      out.push_back(f->target);  // degrade takes nothing down, yet it is what the fault is on
  } else if (t.node(target) || t.link(target) || t.tunnel(target)) {
    out.push_back(target);
  }
  return out;
}

}  // namespace netlab::report
