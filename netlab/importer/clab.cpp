#include "netlab/importer/clab.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/plan/own_config.h"
#include "netlab/topology/names.h"

namespace netlab::importer {

namespace fs = std::filesystem;

namespace {

// The words of a shell-like line: whitespace-separated, with '...' and
// "..." kept together (containerlab runs exec lines without a shell, split
// the same way).
std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (have) out.push_back(cur), cur.clear(), have = false;
    } else {
      cur += c, have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

// iproute2 accepts any unambiguous prefix of a keyword ("a", "addr", "address").
bool abbrev(const std::string& word, const std::string& full, size_t min = 1) {
  return word.size() >= min && word.size() <= full.size() && full.compare(0, word.size(), word) == 0;
}

}  // namespace

ExecLine parse_exec_line(const std::string& line) {
  ExecLine e;
  auto w = split_words(line);
  auto unsupported = [&](std::string why) {
    e.kind = ExecLine::Kind::Unsupported;
    e.why = std::move(why);
    return e;
  };
  if (w.empty()) return unsupported("an empty line");
  if (w[0] != "ip" && w[0] != "/sbin/ip" && w[0] != "/usr/sbin/ip" && w[0] != "/bin/ip")
    return unsupported("netlab runs no commands in its nodes; only `ip address add` and `ip route add` are taken over");
  size_t i = 1;
  while (i < w.size() && (w[i] == "-4" || w[i] == "-d")) ++i;
  if (i >= w.size()) return unsupported("an `ip` command without an object");
  const std::string obj = w[i++];
  const std::string verb = i < w.size() ? w[i++] : "";
  if (abbrev(obj, "link") && abbrev(verb, "set") && std::find(w.begin(), w.end(), "up") != w.end() &&
      w.size() == i + 2) {
    e.kind = ExecLine::Kind::Ignored;
    e.why = "netlab brings every interface of a link up itself";
    return e;
  }
  if (abbrev(obj, "address") && (abbrev(verb, "add") || verb == "replace")) {
    std::optional<Ipv4Prefix> p;
    for (; i < w.size(); ++i) {
      if (w[i] == "dev" && i + 1 < w.size()) e.dev = w[++i];
      else if (w[i] == "local" && i + 1 < w.size()) p = Ipv4Prefix::parse(w[++i], true);
      else if (!p && Ipv4Prefix::parse(w[i], true)) p = Ipv4Prefix::parse(w[i], true);
      else if (w[i] == "brd" || w[i] == "broadcast" || w[i] == "scope" || w[i] == "label") ++i;
      else return unsupported("`" + w[i] + "` in an address is not something netlab sets");
    }
    if (!p || e.dev.empty()) return unsupported("an IPv4 address and `dev` are needed");
    e.kind = ExecLine::Kind::Address;
    e.prefix = *p;
    return e;
  }
  if (abbrev(obj, "route") && (abbrev(verb, "add") || verb == "replace")) {
    std::optional<Ipv4Prefix> p;
    for (; i < w.size(); ++i) {
      if (w[i] == "via" && i + 1 < w.size()) {
        e.via = Ipv4::parse(w[++i]);
        if (!e.via) return unsupported("the gateway `" + w[i] + "` is not an IPv4 address");
      } else if (w[i] == "dev" && i + 1 < w.size()) {
        e.dev = w[++i];
      } else if (!p && w[i] == "default") {
        p = Ipv4Prefix{Ipv4{0}, 0};
      } else if (!p && Ipv4Prefix::parse(w[i], true)) {
        p = Ipv4Prefix::parse(w[i], true);
      } else if (w[i] == "metric" || w[i] == "proto" || w[i] == "onlink") {
        if (w[i] != "onlink") ++i;
      } else {
        return unsupported("`" + w[i] + "` in a route is not something netlab sets");
      }
    }
    if (!p) return unsupported("a route needs an IPv4 destination");
    if (!e.via) return unsupported("a route without a gateway (`via`)");
    e.kind = ExecLine::Kind::Route;
    e.prefix = p->normalized();
    return e;
  }
  return unsupported("netlab takes over `ip address add` and `ip route add` only");
}

namespace {

std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

struct Clab {
  std::string path;
  std::string dir;
  std::vector<std::string> errors;

  std::string where(const YAML::Node& n) const {
    const auto m = n.Mark();
    if (m.is_null()) return path;
    return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  void error(const YAML::Node& at, const std::string& msg) { errors.push_back(where(at) + ": error: " + msg); }
  [[noreturn]] void fail(const YAML::Node& at, const std::string& msg) {
    throw InputError(where(at) + ": error: " + msg);
  }
  void throw_errors() {
    if (errors.empty()) return;
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    throw InputError(all);
  }
};

std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.as<std::string>() : std::string(); }

struct ClabNode {
  std::string clab_name, name;  // as written, and as netlab names it
  std::string kind, image;
  bool frr = false;
  YAML::Node at;                 // for messages
  std::string config;            // FRR: frr.conf, resolved against the clab file
  std::vector<std::string> exec;
  std::map<std::string, std::vector<Ipv4Prefix>> addresses;  // interface -> addresses
  std::vector<std::pair<ExecLine, std::string>> routes;      // with the line as written
  std::optional<uint32_t> asn;
  size_t links = 0;
};

// Lab and node names as netlab takes them: lower case, [a-z0-9] (and '-'
// for nodes), starting with a letter, cut to the kernel-derived limits.
std::string lab_name(const std::string& s) {
  std::string o;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (o.empty() || !std::isalpha(static_cast<unsigned char>(o[0]))) o = "c" + o;
  return o.substr(0, 8);
}

YAML::Node load_root(const std::string& clab_path) {
  try {
    return YAML::LoadFile(clab_path);
  } catch (const YAML::BadFile&) {
    throw InputError(clab_path + ": error: cannot read the containerlab file");
  } catch (const YAML::Exception& e) {
    throw InputError(clab_path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": error: invalid YAML: " + e.msg);
  }
}

// The levels a node's settings come from, most specific first.
struct NodeLevels {
  YAML::Node spec, group, kind, defaults;

  // A key from the most specific level that has it: node, group, kind, defaults.
  YAML::Node lookup(const char* key) const {
    for (const YAML::Node& level : {spec, group, kind, defaults})
      if (level && level.IsMap() && level[key]) return level[key];
    return YAML::Node();
  }
};

// An FRR node's frr.conf: its startup-config, or a file bound to
// /etc/frr/frr.conf (or a directory bound to /etc/frr). False after an error.
bool read_frr_config(Clab& c, const YAML::Node& node_at, const NodeLevels& lv, ClabNode& n) {
  std::string conf;
  YAML::Node conf_at = node_at;
  if (YAML::Node sc = lv.lookup("startup-config")) {
    conf = scalar(sc);
    conf_at = sc;
    if (conf.find('\n') != std::string::npos) {
      c.error(sc, "node \"" + n.clab_name + "\": an inline startup-config is not taken over; put it in a file");
      return false;
    }
  }
  for (const YAML::Node& level : {lv.spec, lv.group, lv.kind, lv.defaults}) {
    if (!conf.empty() || !level || !level.IsMap() || !level["binds"] || !level["binds"].IsSequence()) continue;
    for (YAML::const_iterator bi = level["binds"].begin(); bi != level["binds"].end(); ++bi) {
      const YAML::Node b = *bi;
      std::string s = scalar(b);
      auto colon = s.find(':');
      if (colon == std::string::npos) continue;
      std::string src = s.substr(0, colon), dst = s.substr(colon + 1);
      dst = dst.substr(0, dst.find(':'));
      while (dst.size() > 1 && dst.back() == '/') dst.pop_back();
      if (dst == "/etc/frr/frr.conf") conf = src, conf_at = b;
      else if (dst == "/etc/frr") conf = (fs::path(src) / "frr.conf").string(), conf_at = b;
    }
  }
  if (conf.empty()) {
    c.error(node_at, "FRR node \"" + n.clab_name + "\" has no frr.conf: give it a startup-config, or bind one "
                     "to /etc/frr/frr.conf");
    return false;
  }
  fs::path p = fs::path(conf).is_absolute() ? fs::path(conf) : fs::path(c.dir) / conf;
  std::ifstream in(p);
  if (!in) {
    c.error(conf_at, "cannot read the FRR config \"" + p.string() + "\" of node \"" + n.clab_name + "\"");
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto oc = plan::read_own_config(ss.str());
  n.addresses = oc.addresses;
  n.asn = oc.bgp_asn;
  n.config = p.lexically_normal().string();
  return true;
}

// A node's exec lines: addresses (and a host's routes) taken over, the rest noted.
void take_exec_lines(ClabNode& n, Imported& out) {
  for (const auto& line : n.exec) {
    ExecLine e = parse_exec_line(line);
    std::string who = "node \"" + n.clab_name + "\": exec `" + line + "`";
    switch (e.kind) {
      case ExecLine::Kind::Address: n.addresses[e.dev].push_back(e.prefix); break;
      case ExecLine::Kind::Route:
        if (n.frr) out.notes.push_back(who + " not taken over: a router's routes come from its FRR config");
        else n.routes.push_back({e, line});
        break;
      case ExecLine::Kind::Ignored: out.notes.push_back(who + " not needed: " + e.why); break;
      case ExecLine::Kind::Unsupported: out.notes.push_back(who + " not taken over: " + e.why); break;
    }
  }
}

// One node of `topology.nodes`, or nothing after an error.
std::optional<ClabNode> read_node(Clab& c, const YAML::Node& key, const YAML::Node& value, YAML::Node defaults,
                                  YAML::Node kinds, YAML::Node groups,
                                  const std::vector<ClabNode>& list, Imported& out) {
  ClabNode n;
  n.clab_name = key.as<std::string>();
  n.at = key;
  NodeLevels lv;
  lv.spec = value.IsMap() ? value : YAML::Node(YAML::NodeType::Map);
  lv.group = groups && lv.spec["group"] ? groups[scalar(lv.spec["group"])] : YAML::Node();
  n.kind = scalar(lv.spec["kind"]);
  if (n.kind.empty() && lv.group) n.kind = scalar(lv.group["kind"]);
  if (n.kind.empty() && defaults) n.kind = scalar(defaults["kind"]);
  lv.kind = kinds && !n.kind.empty() ? kinds[n.kind] : YAML::Node();
  lv.defaults = defaults;
  n.image = scalar(lv.lookup("image"));
  std::string lower = n.image;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (n.kind == "frr" || (n.kind == "linux" && lower.find("frr") != std::string::npos)) n.frr = true;
  else if (n.kind != "linux") {
    c.error(key, "node \"" + n.clab_name + "\" is of kind " + (n.kind.empty() ? "(none)" : n.kind) +
                     ", which netlab cannot emulate: it runs FRR routers (kind frr, or linux with an "
                     "FRR image) and Linux hosts (kind linux)");
    return std::nullopt;
  }
  n.name = n.clab_name;
  std::transform(n.name.begin(), n.name.end(), n.name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  std::replace(n.name.begin(), n.name.end(), '_', '-');
  if (!topology::valid_node_name(n.name)) {
    c.error(key, "node name \"" + n.clab_name + "\" does not fit netlab's node names ([a-z][a-z0-9-]{0,14})");
    return std::nullopt;
  }
  for (const auto& o : list)
    if (o.name == n.name) c.error(key, "nodes \"" + o.clab_name + "\" and \"" + n.clab_name + "\" would both be named \"" + n.name + "\"");
  if (YAML::Node ex = lv.lookup("exec"); ex && ex.IsSequence())
    for (const auto& l : ex) n.exec.push_back(scalar(l));
  if (n.frr && !read_frr_config(c, key, lv, n)) return std::nullopt;
  take_exec_lines(n, out);
  return n;
}

// Links: ["a:if", "b:if"], or the extended form with {node, interface}.
struct End {
  size_t node;
  std::string ifname;
};
struct Link {
  End a, b;
  std::optional<Ipv4Prefix> subnet;
  YAML::Node at;
};

std::vector<Link> read_links(Clab& c, YAML::Node topo, const std::map<std::string, size_t>& by_clab) {
  std::vector<Link> links;
  YAML::Node ls = topo["links"];
  if (ls && ls.IsSequence()) {
    for (const auto& l : ls) {
      YAML::Node eps = l["endpoints"];
      if (!eps || !eps.IsSequence() || eps.size() != 2) {
        c.error(l, "a link needs two endpoints");
        continue;
      }
      if (l["type"] && scalar(l["type"]) != "veth") {
        c.error(l["type"], "link type \"" + scalar(l["type"]) + "\" cannot be emulated: netlab links are veth pairs");
        continue;
      }
      std::vector<End> ends;
      for (const auto& ep : eps) {
        std::string node, ifname;
        if (ep.IsMap()) node = scalar(ep["node"]), ifname = scalar(ep["interface"]);
        else {
          std::string s = scalar(ep);
          auto colon = s.find(':');
          node = s.substr(0, colon);
          ifname = colon == std::string::npos ? "" : s.substr(colon + 1);
        }
        auto f = by_clab.find(node);
        if (node == "host" || node == "macvlan" || node == "mgmt-net" || node == "ovs-bridge" || node == "bridge")
          c.error(ep, "endpoint \"" + node + ":" + ifname + "\" leaves the lab; netlab links join two nodes of the lab");
        else if (f == by_clab.end())
          c.error(ep, "endpoint \"" + node + "\" names no node");
        else if (!topology::valid_ifname(ifname))
          c.error(ep, "interface name \"" + ifname + "\" is not valid in Linux (1-15 of [A-Za-z0-9_.-])");
        else
          ends.push_back({f->second, ifname});
      }
      if (ends.size() == 2) links.push_back({ends[0], ends[1], std::nullopt, l});
    }
  }
  return links;
}

// Addresses: each end's first IPv4 address on its interface. netlab gives
// a link's first endpoint the subnet's first address and the second the
// second, so the ends are ordered to match.
void assign_subnets(Clab& c, std::vector<ClabNode>& list, std::vector<Link>& links, Imported& out) {
  for (auto& l : links) {
    auto addr = [&](const End& e) -> std::optional<Ipv4Prefix> {
      auto f = list[e.node].addresses.find(e.ifname);
      if (f == list[e.node].addresses.end() || f->second.empty()) return std::nullopt;
      return f->second.front();
    };
    auto name = [&](const End& e) { return list[e.node].clab_name + ":" + e.ifname; };
    auto a = addr(l.a), b = addr(l.b);
    list[l.a.node].links++;
    list[l.b.node].links++;
    if (!a && !b) {
      out.notes.push_back("link " + name(l.a) + " - " + name(l.b) +
                          ": no address in the configs; netlab allocates a subnet from its pool");
      continue;
    }
    Ipv4Prefix s = (a ? *a : *b).normalized();
    if (a && b && a->normalized() != b->normalized()) {
      c.error(l.at, "link " + name(l.a) + " - " + name(l.b) + ": the ends' addresses " + a->str() + " and " +
                        b->str() + " are not in one subnet");
      continue;
    }
    auto first = s.host(0), second = s.host(1);
    auto is = [&](const std::optional<Ipv4Prefix>& x, const std::optional<Ipv4>& h) { return x && h && x->addr == *h; };
    bool ok_as_is = (!a || is(a, first)) && (!b || is(b, second));
    bool ok_swapped = (!a || is(a, second)) && (!b || is(b, first));
    if (!ok_as_is && ok_swapped) std::swap(l.a, l.b), std::swap(a, b);
    else if (!ok_as_is) {
      c.error(l.at, "link " + name(l.a) + " - " + name(l.b) + ": netlab gives the two ends of a link the first two "
                        "addresses of its subnet (" + (first ? first->str() : "?") + " and " +
                        (second ? second->str() : "?") + " in " + s.str() + "), but the configs use " +
                        (a ? a->str() : "none") + " and " + (b ? b->str() : "none"));
      continue;
    }
    if (!a || !b)
      out.notes.push_back("link " + name(a ? l.b : l.a) + ": no address in the configs; netlab gives it " +
                          (a ? second : first)->str() + "/" + std::to_string(s.len));
    l.subnet = s;
  }
}

// A host's TOML lines: its exec routes, covered by the default route via its
// router or noted as not taken over.
void write_host(std::ostringstream& t, const ClabNode& n, const std::vector<ClabNode>& list,
                const std::vector<Link>& links, Imported& out) {
  // Its one link leads to its router: netlab routes everything there.
  const Link* mine = nullptr;
  for (const auto& l : links)
    if (list[l.a.node].name == n.name || list[l.b.node].name == n.name) mine = &l;
  std::optional<Ipv4> gw;
  std::string gw_name;
  if (mine && mine->subnet) {
    bool first = list[mine->a.node].name == n.name;
    gw = mine->subnet->host(first ? 1 : 0);
    gw_name = list[first ? mine->b.node : mine->a.node].name;
  }
  for (const auto& [r, line] : n.routes) {
    if (gw && r.via == gw) {
      t << "# exec `" << line << "`: covered by the default route via " << gw_name << "\n";
    } else {
      out.notes.push_back("node \"" + n.clab_name + "\": exec `" + line + "` not taken over: its gateway " +
                          r.via->str() + " is not its router's address" +
                          (gw ? " (" + gw->str() + ")" : std::string()) +
                          "; netlab routes a host through its router");
      t << "# exec `" << line << "`: not taken over (the gateway is not its router)\n";
    }
  }
}

void write_links(std::ostringstream& t, const std::vector<ClabNode>& list, const std::vector<Link>& links) {
  std::set<std::string> link_names;
  for (const auto& l : links) {
    const auto& na = list[l.a.node];
    const auto& nb = list[l.b.node];
    // Two links between the same nodes need names of their own.
    std::string lname = na.name + "-" + nb.name;
    bool named = false;
    for (int k = 2; !link_names.insert(lname).second; ++k) lname = na.name + "-" + nb.name + "-" + std::to_string(k), named = true;
    t << "\n[[links]]\n";
    if (named) t << "name = " << quoted(lname) << "\n";
    t << "endpoints = [" << quoted(na.name + ":" + l.a.ifname) << ", "
      << quoted(nb.name + ":" + l.b.ifname) << "]\n";
    if (l.subnet) t << "subnet = " << quoted(l.subnet->str()) << "\n";
    if (na.frr && nb.frr) t << "bgp = false                     # the routers' own configs say what runs here\n";
  }
}

std::string write_toml(const std::string& clab_path, const std::string& toml_dir, YAML::Node root,
                       const std::vector<ClabNode>& list, const std::vector<Link>& links, Imported& out) {
  std::ostringstream t;
  t << "# netlab topology imported by `netlab import clab` from " << fs::path(clab_path).filename().string() << "\n";
  t << "# Routers run their own frr.conf; hosts get one default route via their router.\n\n";
  t << "[lab]\nname = " << quoted(lab_name(scalar(root["name"]))) << "\n";
  t << "description = " << quoted("containerlab topology " + scalar(root["name"])) << "\n";
  fs::path base = toml_dir.empty() ? fs::path(".") : fs::path(toml_dir);
  for (const auto& n : list) {
    t << "\n[nodes." << n.name << "]\n";
    if (n.frr) {
      t << "role = \"router\"\n";
      if (n.asn) t << "asn = " << *n.asn << "\n";
      else t << "asn = 64512                     # its config runs no BGP; netlab needs an ASN for every router\n";
      t << "config = " << quoted(fs::proximate(n.config, fs::absolute(base)).generic_string()) << "\n";
    } else {
      t << "role = \"host\"\n";
      write_host(t, n, list, links, out);
    }
  }
  write_links(t, list, links);
  return t.str();
}

}  // namespace

Imported import_clab(const std::string& clab_path, const std::string& toml_dir) {
  Clab c;
  c.path = clab_path;
  c.dir = fs::path(clab_path).parent_path().string();
  YAML::Node root = load_root(clab_path);
  if (!root.IsMap()) c.fail(root, "not a containerlab topology: expected `name:` and `topology:`");
  YAML::Node topo = root["topology"];
  if (!topo || !topo.IsMap()) c.fail(root, "no `topology:` section");
  YAML::Node nodes = topo["nodes"];
  if (!nodes || !nodes.IsMap()) c.fail(topo, "no `nodes:` in `topology:`");
  YAML::Node defaults = topo["defaults"], kinds = topo["kinds"], groups = topo["groups"];

  Imported out;
  std::vector<ClabNode> list;
  std::map<std::string, size_t> by_clab;
  for (auto it = nodes.begin(); it != nodes.end(); ++it) {
    auto n = read_node(c, it->first, it->second, defaults, kinds, groups, list, out);
    if (!n) continue;
    by_clab[n->clab_name] = list.size();
    list.push_back(std::move(*n));
  }
  c.throw_errors();

  std::vector<Link> links = read_links(c, topo, by_clab);
  c.throw_errors();

  assign_subnets(c, list, links, out);
  for (const auto& n : list)
    if (!n.frr && n.links != 1)
      c.error(n.at, "linux node \"" + n.clab_name + "\" has " + std::to_string(n.links) +
                        " links; netlab emulates a linux node as a host, with exactly one link, to a router");
  c.throw_errors();

  out.toml = write_toml(clab_path, toml_dir, root, list, links, out);
  return out;
}

}  // namespace netlab::importer
