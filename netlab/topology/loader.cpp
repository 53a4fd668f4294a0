#include "netlab/topology/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <vector>

#include "netlab/topology/limits.h"
#include "netlab/topology/text.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {

namespace {

SourceRegion region_of(const toml::source_region& r) {
  return {r.begin.line, r.begin.column, r.end.line, r.end.column};
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Records where every key of `node` was written, recursively: "bgp",
// "bgp.hold", "endpoints.0", ... The value's region, so that errors found
// later (by the validator, the planner) can point at the value.
void record(const toml::node& node, const std::string& key, Positions& pos) {
  pos.at[key] = region_of(node.source());
  std::string prefix = key.empty() ? key : key + ".";
  if (auto* t = node.as_table()) {
    for (auto&& [k, v] : *t) record(v, prefix + std::string(k.str()), pos);
  } else if (auto* a = node.as_array()) {
    for (size_t i = 0; i < a->size(); ++i) record(*a->get(i), prefix + std::to_string(i), pos);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "did you mean "x"?" when a candidate is close, else the list of valid values.
std::string suggest(std::string_view word, const std::vector<std::string>& valid,
                    std::string_view valid_label) {
  std::string c = closest(word, valid);
  if (!c.empty()) return "did you mean " + quote(c) + "?";
  return std::string(valid_label) + ": " + join(valid);
}

template <class E>
std::vector<std::string> names_of(const std::vector<E>& values) {
  std::vector<std::string> out;
  for (E e : values) out.emplace_back(to_string(e));
  return out;
}

// One TOML table of the topology being read: type-checked access to its keys,
// with every problem reported against the key's position.
class Fields {
 public:
  Fields(Diagnostics& d, const toml::table& t, Positions& pos, std::string prefix, std::string what)
      : d_(d), t_(t), pos_(pos), prefix_(std::move(prefix)), what_(std::move(what)) {}

  const std::string& what() const { return what_; }
  void set_what(std::string w) { what_ = std::move(w); }
  const toml::table& table() const { return t_; }
  Diagnostics& diags() { return d_; }
  Positions& positions() { return pos_; }
  const std::string& prefix() const { return prefix_; }

  const toml::node* get(std::string_view key) const { return t_.get(key); }
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }
  SourceRegion at(std::string_view key) const { return pos_.of(path(key)); }
  SourceRegion here() const { return region_of(t_.source()); }

  void wrong_type(std::string_view key, const toml::node& n, std::string_view expected) {
    d_.error(region_of(n.source()), "wrong type for " + quote(path(key)) + " in " + what_ +
                                        ": expected " + std::string(expected) + ", found " +
                                        std::string(type_name(n)));
  }
  void missing(std::string_view key, std::string hint = {}) {
    d_.error(here(), "missing required key " + quote(path(key)) + " in " + what_, std::move(hint));
  }
  void bad(std::string_view key, std::string message, std::string hint = {}) {
    d_.error(at(key), std::move(message), std::move(hint));
  }

  std::optional<std::string> str(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto* s = n->as_string()) return s->get();
    wrong_type(key, *n, "a string");
    return std::nullopt;
  }

  // A string that names something: refused when empty.
  std::optional<std::string> name(std::string_view key) {
    auto s = str(key);
    if (s && s->empty()) {
      bad(key, quote(path(key)) + " in " + what_ + " must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto* b = n->as_boolean()) return b->get();
    wrong_type(key, *n, "true or false");
    return std::nullopt;
  }

  // An integer in [lo, hi]; `rule` says why when it is not ("ASNs are ...").
  std::optional<int64_t> integer(std::string_view key, int64_t lo, int64_t hi,
                                 std::string rule = {}) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    auto* i = n->as_integer();
    if (!i) {
      wrong_type(key, *n, "an integer");
      return std::nullopt;
    }
    int64_t v = i->get();
    if (v < lo || v > hi) {
      bad(key,
          quote(path(key)) + " in " + what_ + " " + range_text(lo, hi) + ", found " +
              std::to_string(v),
          std::move(rule));
      return std::nullopt;
    }
    return v;
  }

  // A finite number (integer or float) with lo < v (or lo <= v) and v <= hi.
  std::optional<double> number(std::string_view key, double lo, bool lo_inclusive, double hi,
                               std::string rule = {}) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    double v;
    if (auto* i = n->as_integer())
      v = static_cast<double>(i->get());
    else if (auto* f = n->as_floating_point())
      v = f->get();
    else {
      wrong_type(key, *n, "a number");
      return std::nullopt;
    }
    if (!std::isfinite(v)) {
      bad(key, quote(path(key)) + " in " + what_ + " must be a finite number");
      return std::nullopt;
    }
    if ((lo_inclusive ? v < lo : v <= lo) || v > hi) {
      std::string range =
          lo_inclusive ? "between " + format_number(lo) + " and " + format_number(hi)
                       : "greater than " + format_number(lo) + " and at most " + format_number(hi);
      bad(key,
          quote(path(key)) + " in " + what_ + " must be " + range + ", found " + format_number(v),
          std::move(rule));
      return std::nullopt;
    }
    return v;
  }

  const toml::table* table(std::string_view key, std::string_view expected = "a table") {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (auto* t = n->as_table()) return t;
    wrong_type(key, *n, expected);
    return nullptr;
  }

  const toml::array* array(std::string_view key, std::string_view expected = "an array") {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (auto* a = n->as_array()) return a;
    wrong_type(key, *n, expected);
    return nullptr;
  }

  // An array of strings; wrong elements are reported and skipped.
  std::vector<std::pair<std::string, std::string>> strings(std::string_view key) {
    std::vector<std::pair<std::string, std::string>> out;  // (value, position key)
    const toml::array* a = array(key, "an array of strings");
    if (!a) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      std::string k = std::string(key) + "." + std::to_string(i);
      const toml::node& n = *a->get(i);
      if (auto* s = n.as_string())
        out.emplace_back(s->get(), k);
      else
        wrong_type(k, n, "a string");
    }
    return out;
  }

  template <class E>
  std::optional<E> enumeration(std::string_view key, std::optional<E> (*parse)(std::string_view),
                               const std::vector<std::string>& valid, std::string_view noun) {
    auto s = str(key);
    if (!s) return std::nullopt;
    if (auto e = parse(*s)) return e;
    std::string guess = closest(*s, valid);
    std::string hint = guess.empty()
                           ? "valid " + std::string(noun) + "s: " + join(valid)
                           : "did you mean " + quote(guess) + "? (valid: " + join(valid) + ")";
    bad(key, "invalid " + std::string(noun) + " " + quote(*s) + " in " + what_, std::move(hint));
    // Recovery: carry on with the likely intended value, so the validator
    // does not pile errors on the typo. The file has an error either way.
    if (!guess.empty()) return parse(guess);
    return std::nullopt;
  }

  // A CIDR prefix; `network` requires a network address (host bits clear).
  // A prefix with host bits is reported and returned normalised, so later
  // checks still see something sensible.
  std::optional<Ipv4Prefix> prefix_at(std::string_view key, const toml::node* n,
                                      bool network = true) {
    if (!n) return std::nullopt;
    auto* s = n->as_string();
    if (!s) {
      wrong_type(key, *n, "a CIDR prefix string such as \"10.0.0.0/24\"");
      return std::nullopt;
    }
    auto p = Ipv4Prefix::parse(s->get());
    if (!p) {
      d_.error(region_of(n->source()), quote(s->get()) + " in " + what_ + " is not an IPv4 prefix",
               "write it as address/length, e.g. \"10.0.0.0/24\"");
      return std::nullopt;
    }
    if (network && !p->is_network()) {
      d_.error(region_of(n->source()),
               p->str() + " in " + what_ + " has host bits set; did you mean " +
                   p->normalized().str() + "?",
               "did you mean " + quote(p->normalized().str()) + "?");
      return p->normalized();
    }
    return p;
  }
  std::optional<Ipv4Prefix> prefix(std::string_view key, bool network = true) {
    return prefix_at(key, get(key), network);
  }

  // Reports every key of the table that is not in `known`.
  void finish(std::initializer_list<std::string_view> known) {
    std::vector<std::string> valid(known.begin(), known.end());
    for (auto&& [k, v] : t_) {
      std::string_view key = k.str();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      ++unknown_;
      d_.error(region_of(k.source()), "unknown key " + quote(path(key)) + " in " + what_,
               suggest(key, valid, "valid keys here"));
    }
  }
  size_t unknown_count() const { return unknown_; }

 private:
  static std::string range_text(int64_t lo, int64_t hi) {
    if (hi == std::numeric_limits<int64_t>::max()) return "must be at least " + std::to_string(lo);
    return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
  }

  Diagnostics& d_;
  const toml::table& t_;
  Positions& pos_;
  std::string prefix_;
  std::string what_;
  size_t unknown_ = 0;
};

constexpr int64_t kMaxAsn = 4294967294;
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
// Upper bounds keep every later conversion (to milliseconds, to chrono
// durations) far from overflow; each is far beyond any sensible lab.
constexpr double kMaxMs = 86'400'000;  // one day
constexpr double kMaxHoldS = 259'200;  // 72 h: AWS's longest failover test

// The order in which entries were written, for tables whose children toml++
// keeps sorted by key (node tables, zones).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    auto& ra = a.second->source().begin;
    auto& rb = b.second->source().begin;
    return std::pair(ra.line, ra.column) < std::pair(rb.line, rb.column);
  });
  return out;
}

class Loader {
 public:
  Loader(Diagnostics& d, std::filesystem::path dir) : d_(d), dir_(std::move(dir)) {}

  void load(const toml::table& root, Topology& t) {
    Positions root_pos;
    Fields f(d_, root, root_pos, "", "the top level");
    if (auto* lab = f.table("lab", "a table ([lab])"))
      load_lab(*lab, t.lab);
    else if (!f.get("lab"))
      d_.error({1, 1, 1, 1}, "missing [lab] table",
               "every topology starts with [lab] and name = \"...\"");
    if (auto* nodes = f.table("nodes", "a table of nodes ([nodes.NAME])")) {
      for (auto& [name, n] : in_file_order(*nodes)) {
        if (auto* nt = n->as_table())
          t.nodes.push_back(load_node(name, *nt));
        else
          d_.error(region_of(n->source()), "node " + quote(name) + " must be a table ([nodes." +
                                               name + "]), found " + std::string(type_name(*n)));
      }
    }
    if (auto* zones = f.table("zones", "a table of zones ([zones.NAME])")) {
      for (auto& [name, n] : in_file_order(*zones)) {
        if (auto* zt = n->as_table())
          t.zones.emplace(name, load_zone(name, *zt));
        else
          d_.error(region_of(n->source()), "zone " + quote(name) + " must be a table ([zones." +
                                               name + "]), found " + std::string(type_name(*n)));
      }
    }
    each_table(f, "links",
               [&](const toml::table& lt, size_t i) { t.links.push_back(load_link(lt, i)); });
    each_table(f, "tunnels",
               [&](const toml::table& tt, size_t i) { t.tunnels.push_back(load_tunnel(tt, i)); });
    each_table(f, "scenarios", [&](const toml::table& st, size_t i) {
      t.scenarios.push_back(load_scenario(st, i));
    });
    each_table(f, "traffic",
               [&](const toml::table& tt, size_t i) { t.traffic.push_back(load_traffic(tt, i)); });
    f.finish({"lab", "nodes", "zones", "links", "tunnels", "scenarios", "traffic"});
  }

 private:
  void each_table(Fields& f, std::string_view key,
                  const std::function<void(const toml::table&, size_t)>& fn) {
    std::string expected = "an array of tables ([[" + std::string(key) + "]])";
    const toml::array* a = f.array(key, expected);
    if (!a) return;
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::node& n = *a->get(i);
      if (auto* t = n.as_table())
        fn(*t, i);
      else
        f.wrong_type(std::string(key) + "." + std::to_string(i), n,
                     "a table ([[" + std::string(key) + "]])");
    }
  }

  std::string resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_absolute()) return path.lexically_normal().string();
    return (dir_ / path).lexically_normal().string();
  }

  void load_lab(const toml::table& lt, Lab& lab) {
    record(lt, "", lab.pos);
    Fields f(d_, lt, lab.pos, "", "[lab]");
    if (auto n = f.name("name"))
      lab.name = *n;
    else if (!f.get("name"))
      f.missing("name", "a short lowercase name, e.g. name = \"hybrid\"");
    if (auto s = f.str("description")) lab.description = *s;
    if (auto p = f.prefix("pool")) {
      if (p->len > 30)
        f.bad("pool", "pool " + p->str() + " is too small to allocate link subnets from",
              "use a /30 or larger, e.g. \"10.255.0.0/16\"");
      else
        lab.pool = *p;
    }
    if (auto* p = f.table("probe")) lab.probe = load_probe(f, "probe", *p);
    if (auto s = f.name("frr_templates")) lab.frr_templates = resolve(*s);
    if (auto s = f.integer("seed", 0, kMaxInt)) lab.seed = static_cast<uint64_t>(*s);
    if (auto s = f.number("scale", 0, false, 1'000'000,
                          "every bandwidth and packet rate is divided by it, e.g. 100"))
      lab.scale = *s;
    f.finish({"name", "description", "pool", "probe", "frr_templates", "seed", "scale"});
  }

  Probe load_probe(Fields& parent, std::string_view key, const toml::table& pt) {
    Probe p;
    record(pt, "", p.pos);
    Fields f(d_, pt, parent.positions(), parent.path(key) + ".", "the probe of " + parent.what());
    if (auto s = f.name("from"))
      p.from = *s;
    else if (!f.get("from"))
      f.missing("from", "the host node the probe is sent from");
    if (auto s = f.name("to"))
      p.to = *s;
    else if (!f.get("to"))
      f.missing("to", "the host node the probe is echoed by");
    if (auto v = f.number("interval_ms", 0, false, 60'000)) p.interval_ms = *v;
    if (auto v = f.integer("flows", 1, kMaxFlows, "one probe stream pair per flow, each on its own UDP ports"))
      p.flows = static_cast<uint32_t>(*v);
    if (auto v = f.integer("size", kMinProbeSize, kMaxProbeSize,
                           "the probe's IP datagram in bytes; the smallest holds a reflection"))
      p.size = static_cast<uint32_t>(*v);
    if (auto v = f.boolean("df")) p.df = *v;
    f.finish({"from", "to", "interval_ms", "flows", "size", "df"});
    return p;
  }

  std::optional<BfdTimers> load_bfd_timers(Fields& parent, std::string_view key,
                                           const toml::table& bt) {
    Fields f(d_, bt, parent.positions(), parent.path(key) + ".", parent.what());
    BfdTimers b;
    bool ok = true;
    if (f.get("interval_ms")) {
      auto v = f.integer("interval_ms", 10, 60'000, "FRR's BFD timers are 10..60000 ms");
      ok &= v.has_value();
      if (v) b.interval_ms = static_cast<uint32_t>(*v);
    }
    if (f.get("multiplier")) {
      auto v = f.integer("multiplier", 1, 255);
      ok &= v.has_value();
      if (v) b.multiplier = static_cast<uint32_t>(*v);
    }
    f.finish({"interval_ms", "multiplier"});
    if (!ok) return std::nullopt;
    return b;
  }

  // BGP timers: keepalive and hold in seconds. A missing one follows the
  // usual 1:3 ratio from the other; both missing gives `fallback`.
  std::optional<BgpTimers> load_bgp_timers(Fields& parent, std::string_view key,
                                           const toml::table& bt,
                                           std::optional<BgpTimers> fallback,
                                           bool link_policy = false) {
    Fields f(d_, bt, parent.positions(), parent.path(key) + ".", parent.what());
    auto keepalive = f.integer("keepalive", 0, 65535);
    auto hold = f.integer("hold", 0, 65535);
    if (link_policy)
      f.finish({"keepalive", "hold", "communities", "prepend"});
    else
      f.finish({"keepalive", "hold"});
    bool bad = (f.get("keepalive") && !keepalive) || (f.get("hold") && !hold);
    if (bad) return std::nullopt;
    if (hold && *hold != 0 && *hold < 3) {
      f.bad("hold", "BGP hold time " + std::to_string(*hold) + " in " + f.what() +
                        " must be 0 (no keepalives) or at least 3 seconds");
      return std::nullopt;
    }
    if (!keepalive && !hold) return fallback;
    BgpTimers t;
    t.hold_s = static_cast<uint32_t>(hold ? *hold : *keepalive * 3);
    t.keepalive_s = static_cast<uint32_t>(keepalive ? *keepalive : *hold / 3);
    if (t.hold_s > 65535) t.hold_s = 65535;
    if (t.hold_s != 0 && t.keepalive_s >= t.hold_s) {
      f.bad("keepalive",
            "BGP keepalive " + std::to_string(t.keepalive_s) + " s in " + f.what() +
                " must be shorter than the hold time " + std::to_string(t.hold_s) + " s",
            "the usual ratio is keepalive = hold / 3");
      return std::nullopt;
    }
    return t;
  }

  // What the customer side of a link does to the routes it announces over
  // it: standard communities (AWS reads 7224:7100/7200/7300 as local
  // preference on DX) and AS_PATH prepending.
  void load_link_policy(Fields& parent, const toml::table& bt, LinkBgp& bgp) {
    Fields f(d_, bt, parent.positions(), parent.path("bgp") + ".", parent.what());
    for (auto& [value, key] : f.strings("communities")) {
      auto colon = value.find(':');
      auto part = [&](std::string_view v) -> std::optional<long> {
        if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string_view::npos)
          return std::nullopt;
        long n = std::stol(std::string(v));
        return n <= 65535 ? std::optional<long>(n) : std::nullopt;
      };
      if (colon == std::string::npos || !part(std::string_view(value).substr(0, colon)) ||
          !part(std::string_view(value).substr(colon + 1))) {
        f.bad(key, "invalid BGP community " + quote(value) + " in " + f.what(),
              "a standard community is ASN:VALUE, each 0..65535, e.g. \"7224:7300\"");
        continue;
      }
      bgp.communities.push_back(value);
    }
    if (auto p = f.integer("prepend", 0, 10, "AS_PATH prepending repeats the ASN 0..10 times"))
      bgp.prepend = static_cast<uint32_t>(*p);
  }

  void load_domains(Fields& f, Domains& d, bool node) {
    if (auto s = f.name("site")) d.site = *s;
    if (auto s = f.name("location")) d.location = *s;
    if (auto s = f.name("az")) d.az = *s;
    if (node)
      if (auto s = f.name("region")) d.region = *s;
  }

  Node load_node(const std::string& name, const toml::table& nt) {
    Node n;
    n.name = name;
    record(nt, "", n.pos);
    Fields f(d_, nt, n.pos, "", "node " + quote(name));
    static const std::vector<std::string> roles = names_of(all_roles());
    if (auto r = f.enumeration<Role>("role", role_from_string, roles, "role"))
      n.role = *r;
    else  // recovery, so the validator does not pile errors on this one
      n.role = f.get("asn") || f.get("announce") ? Role::Router : Role::Host;
    if (!f.get("role")) f.missing("role", "one of: " + join(roles));
    if (auto a = f.integer("asn", 1, kMaxAsn,
                           "ASNs are 1..4294967294; private: 64512-65534, 4200000000-4294967294"))
      n.asn = static_cast<uint32_t>(*a);
    if (f.get("announce")) {
      const toml::array* a = f.array("announce", "an array of CIDR prefixes");
      for (size_t i = 0; a && i < a->size(); ++i)
        if (auto p = f.prefix_at("announce." + std::to_string(i), a->get(i)))
          n.announce.push_back(*p);
    }
    if (auto s = f.name("config")) n.config = resolve(*s);
    load_domains(f, n.domains, true);
    if (auto* b = f.table("bfd")) n.bfd = load_bfd_timers(f, "bfd", *b);
    if (const toml::node* a = f.get("anycast")) {
      // An address, not a prefix: the host holds it as a /32.
      auto* s = a->as_string();
      auto addr = s ? Ipv4::parse(s->get()) : std::nullopt;
      if (!s)
        f.wrong_type("anycast", *a, "an IPv4 address string such as \"10.200.0.10\"");
      else if (!addr)
        f.bad("anycast", quote(s->get()) + " in " + f.what() + " is not an IPv4 address",
              "an anycast service address is one address, e.g. \"10.200.0.10\"");
      else
        n.anycast = *addr;
    }
    f.finish({"role", "asn", "announce", "config", "site", "location", "az", "region", "bfd",
              "anycast"});
    return n;
  }

  Zone load_zone(const std::string& name, const toml::table& zt) {
    Zone z;
    z.name = name;
    record(zt, "", z.pos);
    Fields f(d_, zt, z.pos, "", "zone " + quote(name));
    static const std::vector<std::string> types = {"az", "local"};
    if (auto t = f.enumeration<ZoneType>("type", zone_type_from_string, types, "zone type"))
      z.type = *t;
    if (auto s = f.name("parent")) z.parent = *s;
    if (auto s = f.name("failover")) z.failover = *s;
    f.finish({"type", "parent", "failover"});
    return z;
  }

  std::optional<Endpoint> endpoint(Fields& f, const std::string& key, const std::string& text) {
    Endpoint e;
    auto colon = text.find(':');
    e.node = text.substr(0, colon);
    if (colon != std::string::npos) e.ifname = text.substr(colon + 1);
    if (e.node.empty() || (e.ifname && e.ifname->empty())) {
      f.bad(key,
            "endpoint " + quote(text) + " of " + f.what() + " is not \"node\" or \"node:ifname\"");
      return std::nullopt;
    }
    return e;
  }

  // The two endpoints of a link or tunnel; nullopt when they are unusable.
  std::optional<std::pair<Endpoint, Endpoint>> endpoints(Fields& f, bool allow_ifname) {
    if (!f.get("endpoints")) {
      f.missing("endpoints", "endpoints = [\"node-a\", \"node-b\"]");
      return std::nullopt;
    }
    const toml::array* a = f.array("endpoints", "an array of two node names");
    if (!a) return std::nullopt;
    if (a->size() != 2) {
      f.bad("endpoints",
            f.what() + " needs exactly two endpoints, found " + std::to_string(a->size()));
      return std::nullopt;
    }
    std::optional<Endpoint> ends[2];
    for (size_t i = 0; i < 2; ++i) {
      std::string k = "endpoints." + std::to_string(i);
      const toml::node& n = *a->get(i);
      auto* s = n.as_string();
      if (!s) {
        f.wrong_type(k, n, "a string (a node name)");
        continue;
      }
      ends[i] = endpoint(f, k, s->get());
      if (ends[i] && ends[i]->ifname && !allow_ifname) {
        f.bad(k,
              "endpoint " + quote(s->get()) + " of " + f.what() +
                  " names an interface; a tunnel's interface is named after the tunnel",
              "write the node name only: " + quote(ends[i]->node));
        ends[i].reset();
      }
    }
    if (!ends[0] || !ends[1]) return std::nullopt;
    return std::pair(*ends[0], *ends[1]);
  }

  static constexpr const char* kMtuRule = "an IPv4 MTU is 68..65535 bytes";

  // mtu, and jumbo on dx links: 8500, which an explicit mtu must not contradict.
  void load_mtu(Fields& f, Link& l) {
    auto mtu = f.integer("mtu", kMinMtu, kMaxMtu, kMtuRule);
    if (mtu) l.mtu = static_cast<uint32_t>(*mtu);
    auto jumbo = f.boolean("jumbo");
    if (!jumbo) return;
    if (l.kind != LinkKind::Dx) {
      f.bad("jumbo", "\"jumbo\" in " + f.what() + " only applies to a kind = \"dx\" link, not to " +
                         std::string(to_string(l.kind)),
            "for another link give its mtu, e.g. mtu = 9000");
      return;
    }
    l.jumbo = *jumbo;
    if (!*jumbo) return;
    if (mtu && *mtu != kJumboDxMtu) {
      f.bad("mtu", "mtu " + std::to_string(*mtu) + " in " + f.what() + " contradicts jumbo = true (MTU " +
                       std::to_string(kJumboDxMtu) + ")",
            "drop one of them: jumbo = true is mtu = " + std::to_string(kJumboDxMtu));
      return;
    }
    l.mtu = kJumboDxMtu;
  }

  Link load_link(const toml::table& lt, size_t index) {
    Link l;
    record(lt, "", l.pos);
    Fields f(d_, lt, l.pos, "", "link #" + std::to_string(index + 1));
    auto name = f.name("name");
    if (name) f.set_what("link " + quote(*name));
    auto ends = endpoints(f, true);
    if (ends) {
      l.a = ends->first;
      l.b = ends->second;
    }
    if (name)
      l.name = *name;
    else if (ends)
      l.name = default_link_name(l.a, l.b);
    if (!l.name.empty()) f.set_what("link " + quote(l.name));
    static const std::vector<std::string> kinds = names_of(all_link_kinds());
    if (auto k = f.enumeration<LinkKind>("kind", link_kind_from_string, kinds, "link kind"))
      l.kind = *k;
    l.subnet = f.prefix("subnet");
    load_domains(f, l.domains, false);
    // bgp / bfd: false, true, or a table of timers.
    if (auto* n = f.get("bgp")) {
      if (auto* b = n->as_boolean())
        l.bgp.enabled = b->get();
      else if (auto* t = n->as_table()) {
        l.bgp.timers = load_bgp_timers(f, "bgp", *t, std::nullopt, true);
        load_link_policy(f, *t, l.bgp);
      } else
        f.wrong_type("bgp", *n, "true, false or a table { keepalive, hold, communities, prepend }");
    }
    l.bfd.enabled = l.kind == LinkKind::Dx;
    if (auto* n = f.get("bfd")) {
      if (auto* b = n->as_boolean()) {
        l.bfd.enabled = b->get();
      } else if (auto* t = n->as_table()) {
        l.bfd.enabled = true;
        l.bfd.timers = load_bfd_timers(f, "bfd", *t);
      } else {
        f.wrong_type("bfd", *n, "true, false or a table { interval_ms, multiplier }");
      }
    }
    if (auto* it = f.table("impair")) {
      Fields g(d_, *it, l.pos, "impair.", f.what());
      l.impair.delay_ms = g.number("delay_ms", 0, true, kMaxMs);
      l.impair.jitter_ms = g.number("jitter_ms", 0, true, kMaxMs);
      l.impair.loss_pct = g.number("loss_pct", 0, true, 100);
      l.impair.rate_mbit = g.number("rate_mbit", 0, false, 1'000'000);
      l.impair.pps = g.number("pps", 0, false, 100'000'000);
      g.finish({"delay_ms", "jitter_ms", "loss_pct", "rate_mbit", "pps"});
    }
    if (auto v = f.boolean("sitelink")) l.sitelink = *v;
    load_mtu(f, l);
    if (auto v = f.boolean("pmtud")) l.pmtud = *v;
    if (auto sp = f.str("speed")) {
      if (l.kind != LinkKind::Dx)
        f.bad("speed", "\"speed\" in " + f.what() + " applies to dx links only",
              "limit any link with [links.impair] rate_mbit");
      else if (!dx_speed_mbit(*sp))
        f.bad("speed", "invalid Direct Connect speed " + quote(*sp) + " in " + f.what(),
              "AWS's connection speeds: " + join(dx_speeds()));
      else
        l.speed = *sp;
    }
    f.finish({"name", "endpoints", "kind", "subnet", "location", "site", "az", "bgp", "bfd", "impair",
              "sitelink", "mtu", "jumbo", "pmtud", "speed"});
    return l;
  }

  Tunnel load_tunnel(const toml::table& tt, size_t index) {
    Tunnel t;
    record(tt, "", t.pos);
    Fields f(d_, tt, t.pos, "", "tunnel #" + std::to_string(index + 1));
    if (auto n = f.name("name")) {
      t.name = *n;
      f.set_what("tunnel " + quote(t.name));
    } else if (!f.get("name")) {
      f.missing("name", "tunnels are named: the name is also their interface name");
    }
    static const std::vector<std::string> types = {"wireguard", "ipsec"};
    if (auto ty = f.enumeration<TunnelType>("type", tunnel_type_from_string, types, "tunnel type"))
      t.type = *ty;
    if (auto ends = endpoints(f, false)) {
      t.a = ends->first.node;
      t.b = ends->second.node;
    }
    t.inside = f.prefix("inside");
    if (auto* b = f.table("bgp", "a table { keepalive, hold }"))
      if (auto timers = load_bgp_timers(f, "bgp", *b, BgpTimers{10, 30})) t.bgp = *timers;
    if (auto* dt = f.table("dpd", "a table { interval_s, timeout_s, action }")) {
      Fields g(d_, *dt, t.pos, "dpd.", f.what());
      auto interval = g.integer("interval_s", 1, 3600);
      auto timeout = g.integer("timeout_s", 1, 3600);
      if (interval) t.dpd.interval_s = static_cast<uint32_t>(*interval);
      if (timeout) t.dpd.timeout_s = static_cast<uint32_t>(*timeout);
      if (t.dpd.timeout_s < t.dpd.interval_s)
        g.bad(timeout ? "timeout_s" : "interval_s",
              "DPD timeout " + std::to_string(t.dpd.timeout_s) + " s in " + f.what() +
                  " is shorter than its probe interval " + std::to_string(t.dpd.interval_s) + " s",
              "AWS declares a peer dead after 3 lost probes: timeout = 3 x interval");
      static const std::vector<std::string> actions = {"clear", "none", "restart"};
      if (auto a =
              g.enumeration<DpdAction>("action", dpd_action_from_string, actions, "DPD action"))
        t.dpd.action = *a;
      g.finish({"interval_s", "timeout_s", "action"});
    }
    if (auto v = f.integer("mtu", kMinMtu, kMaxMtu, kMtuRule)) t.mtu = static_cast<uint32_t>(*v);
    if (auto v = f.boolean("pmtud")) t.pmtud = *v;
    if (auto r = f.number("rate_mbit", 0, true, 1'000'000, "0 = no limit")) t.rate_mbit = *r;
    if (auto r = f.number("pps", 0, true, 100'000'000, "0 = no limit")) t.pps = *r;
    f.finish({"name", "type", "endpoints", "inside", "bgp", "dpd", "mtu", "pmtud", "rate_mbit", "pps"});
    return t;
  }

  Traffic load_traffic(const toml::table& tt, size_t index) {
    Traffic t;
    record(tt, "", t.pos);
    Fields f(d_, tt, t.pos, "", "traffic #" + std::to_string(index + 1));
    if (auto n = f.name("name")) {
      t.name = *n;
      f.set_what("traffic " + quote(t.name));
    }
    if (auto s = f.name("from"))
      t.from = *s;
    else if (!f.get("from"))
      f.missing("from", "the host node the traffic is sent from");
    if (auto s = f.name("to"))
      t.to = *s;
    else if (!f.get("to"))
      f.missing("to", "the host node that receives the traffic");
    if (t.name.empty() && !t.from.empty() && !t.to.empty()) {
      t.name = t.from + "-" + t.to;
      f.set_what("traffic " + quote(t.name));
    }
    static const std::vector<std::string> protocols = {"udp", "tcp"};
    if (auto p = f.enumeration<TrafficProtocol>("protocol", traffic_protocol_from_string, protocols,
                                                "traffic protocol"))
      t.protocol = *p;
    static const std::vector<std::string> directions = {"forward", "reverse", "both"};
    if (auto d = f.enumeration<TrafficDirection>("direction", traffic_direction_from_string, directions,
                                                 "traffic direction"))
      t.direction = *d;
    t.rate_mbit = f.number("rate_mbit", 0, false, 1'000'000);
    if (auto v = f.integer("pps", 1, 100'000'000)) t.pps = static_cast<double>(*v);
    if (auto v = f.integer("size", 64, 65'535, "an IP datagram: 64 bytes (headers and netlab's stamp) to 65535"))
      t.size = static_cast<uint32_t>(*v);
    if (auto v = f.boolean("df")) t.df = *v;
    if (auto v = f.integer("flows", 1, kMaxTrafficFlows, "each flow is its own socket and port, for ECMP"))
      t.flows = static_cast<uint32_t>(*v);
    if (t.protocol == TrafficProtocol::Udp && !t.rate_mbit && !t.pps && !f.get("rate_mbit") && !f.get("pps"))
      d_.error(t.pos.of(""), f.what() + " is UDP and has no rate",
               "give rate_mbit (AWS's figure; [lab] scale divides it) and/or pps");
    if (t.protocol == TrafficProtocol::Tcp && f.get("df"))
      f.bad("df", "df of " + f.what() + " applies to udp only",
            "TCP always sets DF and follows the path MTU itself");
    f.finish({"name", "from", "to", "protocol", "direction", "rate_mbit", "pps", "size", "df", "flows"});
    return t;
  }

  Scenario load_scenario(const toml::table& st, size_t index) {
    Scenario s;
    record(st, "", s.pos);
    Fields f(d_, st, s.pos, "", "scenario #" + std::to_string(index + 1));
    if (auto n = f.name("name")) {
      s.name = *n;
      f.set_what("scenario " + quote(s.name));
    } else if (!f.get("name")) {
      f.missing("name");
    }
    if (auto d = f.str("description")) s.description = *d;
    if (auto* ft = f.table("fault", "a table such as { cut = \"LINK\" }"))
      load_fault(f, *ft, s.fault);
    else if (!f.get("fault"))
      f.missing("fault", "e.g. fault = { cut = \"dx1\" }");
    if (auto h = f.number("hold_s", 0, false, kMaxHoldS)) s.hold_s = *h;
    if (auto t = f.integer("trials", 1, 10'000)) s.trials = static_cast<uint32_t>(*t);
    if (auto c = f.number("clean_ms", 0, false, kMaxMs)) s.clean_ms = *c;
    if (auto c = f.boolean("cover_paths")) s.cover_paths = *c;
    if (auto* p = f.table("probe")) s.probe = load_probe(f, "probe", *p);
    if (f.get("traffic")) {
      s.traffic.emplace();
      for (auto& [name, key] : f.strings("traffic")) s.traffic->push_back(name);
    }
    if (auto* e = f.table("expect")) {
      Fields g(d_, *e, s.pos, "expect.", f.what());
      if (auto r = g.boolean("reachable")) s.expect.reachable = *r;
      s.expect.max_outage_ms = g.number("max_outage_ms", 0, true, kMaxMs);
      s.expect.max_convergence_ms = g.number("max_convergence_ms", 0, true, kMaxMs);
      s.expect.max_failback_outage_ms = g.number("max_failback_outage_ms", 0, true, kMaxMs);
      s.expect.max_affected_flows_pct = g.number("max_affected_flows_pct", 0, true, 100);
      s.expect.max_loss_ms = g.number("max_loss_ms", 0, true, kMaxMs);
      s.expect.max_recovery_ms = g.number("max_recovery_ms", 0, true, kMaxMs);
      if (auto b = g.integer("max_loss_bursts", 0, 1'000'000'000)) s.expect.max_loss_bursts = static_cast<uint64_t>(*b);
      s.expect.min_delivered_pct = g.number("min_delivered_pct", 0, true, 100);
      s.expect.max_delivered_pct = g.number("max_delivered_pct", 0, true, 100);
      s.expect.max_loss_pct = g.number("max_loss_pct", 0, true, 100);
      if (auto m = g.boolean("mtu_ok")) s.expect.mtu_ok = *m;
      // Recovery needs a clean period inside the hold: one as long as the
      // hold could never be seen, and the target never decided.
      if (s.expect.max_recovery_ms && s.clean_ms >= s.hold_s * 1000)
        g.bad("max_recovery_ms",
              "expect.max_recovery_ms of " + f.what() + " cannot be judged: its clean period " +
                  format_number(s.clean_ms) + " ms is not shorter than its hold of " + format_number(s.hold_s) +
                  " s",
              "recovery is the first probe after which the probe lost nothing for clean_ms (default 1000) "
              "while the fault holds: raise hold_s or lower clean_ms");
      for (auto& [name, key] : g.strings("path")) s.expect.path.push_back(name);
      for (auto& [name, key] : g.strings("path_forward")) s.expect.path_forward.push_back(name);
      for (auto& [name, key] : g.strings("path_reverse")) s.expect.path_reverse.push_back(name);
      for (auto& [name, key] : g.strings("serving")) s.expect.serving.push_back(name);
      // Where a path is claimed, failback is claimed to return to the baseline
      // path unless the file says otherwise.
      if (!s.expect.path.empty() || !s.expect.path_forward.empty() || !s.expect.path_reverse.empty())
        s.expect.failback_path = FailbackPath::Baseline;
      static const std::vector<std::string> failback_paths = {"baseline", "any"};
      if (auto fp = g.enumeration<FailbackPath>("failback_path", failback_path_from_string, failback_paths,
                                                "failback path"))
        s.expect.failback_path = *fp;
      g.finish({"reachable", "max_outage_ms", "max_convergence_ms", "path", "path_forward", "path_reverse",
                "failback_path", "max_failback_outage_ms", "max_affected_flows_pct", "serving", "max_loss_ms",
                "max_recovery_ms", "max_loss_bursts", "min_delivered_pct", "max_delivered_pct", "max_loss_pct",
                "mtu_ok"});
    }
    f.finish({"name", "description", "fault", "hold_s", "trials", "clean_ms", "cover_paths", "probe", "traffic",
              "expect"});
    return s;
  }

  void load_fault(Fields& parent, const toml::table& ft, Fault& fault) {
    Fields f(d_, ft, parent.positions(), "fault.", "the fault of " + parent.what());
    static const std::vector<std::string> kinds = names_of(all_fault_kinds());
    // Which fault keys were written, in file order.
    std::vector<std::pair<SourceRegion, FaultKind>> given;
    for (auto&& [k, v] : ft)
      if (auto kind = fault_kind_from_string(k.str()))
        given.emplace_back(region_of(k.source()), *kind);
    std::sort(given.begin(), given.end());
    const std::string& scenario = parent.what();

    f.finish({"cut", "down", "oneway", "crash", "poweroff", "domain", "degrade", "flap",
              "maintenance", "bgp_down", "from", "loss_pct", "delay_ms", "period_ms", "count"});
    if (given.empty()) {
      if (f.unknown_count() == 0)
        d_.error(f.here(), scenario + " names no fault", "give exactly one of: " + join(kinds));
      return;
    }
    if (given.size() > 1) {
      d_.error(given[1].first,
               scenario + " has two faults, \"" + std::string(to_string(given[0].second)) +
                   "\" and \"" + std::string(to_string(given[1].second)) +
                   "\"; a scenario injects exactly one",
               "split it into two scenarios");
      return;
    }
    fault.kind = given[0].second;
    std::string key(to_string(fault.kind));
    if (fault.kind == FaultKind::Domain) {
      if (auto* dt = f.table("domain", "a table such as { location = \"ny5\" }")) {
        Fields g(d_, *dt, parent.positions(), "fault.domain.", f.what());
        g.finish({"site", "location", "az", "region"});
        std::vector<std::string> present;
        for (auto&& [k, v] : *dt)
          if (domain_type_from_string(k.str())) present.emplace_back(k.str());
        if (present.size() != 1) {
          if (g.unknown_count() == 0)
            d_.error(f.at("domain"),
                     "a domain fault names exactly one of site, location, az, region; found " +
                         std::to_string(present.size()),
                     "e.g. domain = { location = \"ny5\" }");
        } else if (auto v = g.name(present[0])) {
          fault.domain_type = *domain_type_from_string(present[0]);
          fault.domain_value = *v;
        }
      }
    } else if (auto v = f.name(key)) {
      fault.target = *v;
    }

    auto only_for = [&](std::string_view modifier, FaultKind owner) {
      if (f.get(modifier) && fault.kind != owner)
        f.bad(modifier, quote(std::string(modifier)) + " only applies to a " +
                            std::string(to_string(owner)) + " fault, not to " + key);
    };
    only_for("from", FaultKind::Oneway);
    only_for("loss_pct", FaultKind::Degrade);
    only_for("delay_ms", FaultKind::Degrade);
    only_for("period_ms", FaultKind::Flap);
    only_for("count", FaultKind::Flap);
    switch (fault.kind) {
      case FaultKind::Oneway:
        if (auto s = f.name("from"))
          fault.from = *s;
        else if (!f.get("from"))
          f.missing("from", "the node whose sent traffic is lost, e.g. from = \"cgw\"");
        break;
      case FaultKind::Degrade:
        fault.loss_pct = f.number("loss_pct", 0, true, 100);
        fault.delay_ms = f.number("delay_ms", 0, true, kMaxMs);
        if (!f.get("loss_pct") && !f.get("delay_ms"))
          d_.error(f.at(key), "a degrade fault needs loss_pct, delay_ms or both",
                   "e.g. { degrade = \"dx1\", loss_pct = 5, delay_ms = 40 }");
        break;
      case FaultKind::Flap:
        if (auto p = f.integer("period_ms", 1, 3'600'000))
          fault.period_ms = static_cast<uint32_t>(*p);
        if (auto c = f.integer("count", 1, 100'000)) fault.count = static_cast<uint32_t>(*c);
        break;
      default:
        break;
    }
  }

  Diagnostics& d_;
  std::filesystem::path dir_;
};

// toml++ 3.3 (Debian 12) reaches __builtin_unreachable() when it asks
// whether certain non-ASCII characters are whitespace (upstream issues 190
// and 295): for a non-ASCII character outside strings and comments, and
// right after a backslash in a multi-line basic string. Undefined behaviour
// on a typo is not acceptable, so this scan finds those characters first and
// reports them itself. Both are errors in TOML anyway, except the rare
// multi-line string escape. The scan follows TOML's string and comment
// syntax, conservatively: a quote opens a string only where TOML allows one
// (after = [ { , or at the start of a line, and after . only in a key, as in
// a."b"), because toml++ scans the rest of a malformed value, quotes
// included, with the faulty check. One function of ~200 lines on purpose:
// a single-pass state machine whose states share the position, the nesting
// and the last character; split up, every piece would take all of them.
std::optional<Diagnostic> unsafe_for_toml(std::string_view text) {
  enum class State {
    Normal,
    Comment,
    Basic,
    Literal,
    MultiBasic,
    MultiLiteral
  } state = State::Normal;
  char last = '\n';  // the last character outside strings that is not a space or tab
  // Where we are: in a key (before `=` on a line, in a table header, or in an
  // inline table after { or ,) or in a value; and the arrays and inline
  // tables of the value we are in.
  bool in_key = true;
  std::vector<char> nest;
  auto track = [&](char c) {
    switch (c) {
      case '\n':
        if (nest.empty()) in_key = true;
        break;
      case '=':
        in_key = false;
        break;
      case '[':
        if (!in_key) nest.push_back('[');  // in a key: a table header
        break;
      case '{':
        nest.push_back('{');
        in_key = true;
        break;
      case ',':
        if (!nest.empty() && nest.back() == '{') in_key = true;
        break;
      case ']':
        if (!in_key && !nest.empty() && nest.back() == '[') nest.pop_back();
        break;
      case '}':
        if (!nest.empty() && nest.back() == '{') nest.pop_back();
        in_key = false;
        break;
      default:
        break;
    }
  };
  auto opens_string = [&] {
    return last == '=' || last == '[' || last == '{' || last == ',' || last == '\n' ||
           (last == '.' && in_key);
  };
  auto here = [&](size_t i) {
    uint32_t line = 1, column = 1;
    for (size_t k = 0; k < i; ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    return SourceRegion{line, column, line, column + 1};
  };
  auto code_point = [&](size_t i) {
    auto b = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    uint32_t c = b(i);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0xFF;
    for (int k = 1; k <= extra; ++k) c = (c << 6) | (b(i + k) & 0x3F);
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    return std::string(buf);
  };
  auto starts = [&](size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ascii = static_cast<unsigned char>(c) < 0x80;
    switch (state) {
      case State::Normal:
        if (!ascii)
          return Diagnostic{Severity::Error, here(i),
                            "character " + code_point(i) + " outside a string or comment",
                            "keys and values outside quotes are ASCII in TOML; quote it"};
        if (c == '#') {
          state = State::Comment;
        } else if (c == '"' && opens_string()) {
          state = starts(i, "\"\"\"") ? State::MultiBasic : State::Basic;
          if (state == State::MultiBasic) i += 2;
        } else if (c == '\'' && opens_string()) {
          state = starts(i, "'''") ? State::MultiLiteral : State::Literal;
          if (state == State::MultiLiteral) i += 2;
        } else if (c != ' ' && c != '\t' && c != '\r') {
          last = c;
          track(c);
        }
        break;
      case State::Comment:
        if (c == '\n') {
          state = State::Normal;
          last = '\n';
          track(c);
        }
        break;
      case State::Basic:
        if (c == '\\') {
          ++i;  // an escape: the next character cannot end the string
        } else if (c == '"' || c == '\n') {
          state = State::Normal;
          last = c;
          track(c);
        }
        break;
      case State::Literal:
        if (c == '\'' || c == '\n') {
          state = State::Normal;
          last = c;
          track(c);
        }
        break;
      case State::MultiBasic:
        if (c == '\\') {
          size_t j = i + 1;
          while (j < text.size() &&
                 (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
            ++j;
          if (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80)
            return Diagnostic{
                Severity::Error, here(j),
                "character " + code_point(j) + " right after a backslash in a multi-line string",
                "the TOML library cannot read this (toml++ 3.3); start the "
                "continued text with an ASCII character"};
          i = j == i + 1 ? j : j - 1;  // an escape skips one character; a line end skips all
        } else if (starts(i, "\"\"\"")) {
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '"') ++i;  // up to two quotes more
          state = State::Normal;
          last = '"';
        }
        break;
      case State::MultiLiteral:
        if (starts(i, "'''")) {
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '\'') ++i;
          state = State::Normal;
          last = '\'';
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

LoadResult load_string(std::string text, std::string path) {
  LoadResult r;
  r.path = path;
  r.source = text;
  if (auto unsafe = unsafe_for_toml(text)) {
    r.diagnostics.error(unsafe->where, unsafe->message, unsafe->hint);
    return r;
  }
  toml::table root;
  try {
    root = toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    SourceRegion where = region_of(e.source());
    where.end_line = where.line;
    where.end_column = where.column + 1;
    r.diagnostics.error(where, "invalid TOML: " + std::string(e.description()));
    return r;
  }
  Topology& t = r.topology.emplace();
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  Loader(r.diagnostics, dir).load(root, t);
  t.path = std::move(path);
  t.source = std::move(text);
  r.diagnostics.sort();
  return r;
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.path = path;
    r.diagnostics.error({}, "cannot read " + path + ": " + std::strerror(errno));
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    LoadResult r;
    r.path = path;
    r.diagnostics.error({}, "cannot read " + path + ": " + std::strerror(errno));
    return r;
  }
  return load_string(text.str(), path);
}

LoadResult load_and_validate(const std::string& path) {
  LoadResult r = load_file(path);
  if (r.topology) {
    validate(*r.topology, r.diagnostics);
    r.diagnostics.sort();
  }
  return r;
}

}  // namespace netlab::topology
