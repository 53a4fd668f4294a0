#include "netlab/plan/frr_split.h"

#include <array>
#include <set>
#include <sstream>
#include <string_view>

namespace netlab::plan {

const std::vector<std::string>& frr_daemons() {
  static const std::vector<std::string> d{"zebra", "staticd", "bfdd", "bgpd"};
  return d;
}

namespace {

// Who reads a stanza: everyone, a group, or one daemon by name.
enum class To { All, Zebra, Interface, Policy, Unknown, Daemon };

struct Rule {
  std::string_view prefix;
  To to;
  std::string_view daemon = {};  // To::Daemon
};

// Daemons that configure themselves inside `interface` stanzas.
const std::set<std::string_view> kInterfaceDaemons{"ospfd", "ospf6d", "isisd", "fabricd", "ripd", "ripngd",
                                                   "eigrpd", "babeld", "pimd", "nhrpd", "vrrpd", "pbrd", "ldpd"};
// Daemons that read route-maps, prefix lists and access lists.
const std::set<std::string_view> kPolicyDaemons{"zebra", "bgpd", "ospfd", "ospf6d", "isisd", "fabricd", "ripd",
                                                "ripngd", "eigrpd", "babeld", "pimd", "ldpd"};

// Longest matching prefix wins, so order does not matter.
const std::vector<Rule> kRules{
    {"frr ", To::All},           {"hostname", To::All},        {"domainname", To::All},
    {"log ", To::All},           {"service ", To::All},        {"password", To::All},
    {"enable password", To::All}, {"line vty", To::All},       {"agentx", To::All},
    {"interface", To::Interface}, {"ip forwarding", To::Zebra}, {"ip nht", To::Zebra},
    {"ip protocol", To::Zebra},  {"debug zebra", To::Zebra},   {"no zebra ", To::Zebra},
    {"zebra ", To::Zebra},       {"no ipv6 forwarding", To::Zebra}, {"ipv6 forwarding", To::Zebra},
    {"ip route", To::Daemon, "staticd"},   {"ipv6 route", To::Daemon, "staticd"},
    {"debug static", To::Daemon, "staticd"},
    {"bfd", To::Daemon, "bfdd"},           {"debug bfd", To::Daemon, "bfdd"},
    {"router bgp", To::Daemon, "bgpd"},    {"bgp ", To::Daemon, "bgpd"},
    {"debug bgp", To::Daemon, "bgpd"},     {"ip as-path", To::Daemon, "bgpd"},
    {"ip community-list", To::Daemon, "bgpd"}, {"bgp community-list", To::Daemon, "bgpd"},
    {"rpki", To::Daemon, "bgpd"},
    {"router ospf ", To::Daemon, "ospfd"}, {"router ospf", To::Daemon, "ospfd"},
    {"debug ospf ", To::Daemon, "ospfd"},  {"router ospf6", To::Daemon, "ospf6d"},
    {"debug ospf6", To::Daemon, "ospf6d"}, {"router isis", To::Daemon, "isisd"},
    {"debug isis", To::Daemon, "isisd"},   {"router openfabric", To::Daemon, "fabricd"},
    {"router rip", To::Daemon, "ripd"},    {"debug rip ", To::Daemon, "ripd"},
    {"router ripng", To::Daemon, "ripngd"}, {"router eigrp", To::Daemon, "eigrpd"},
    {"router babel", To::Daemon, "babeld"}, {"router pim", To::Daemon, "pimd"},
    {"ip pim", To::Daemon, "pimd"},        {"ip multicast", To::Daemon, "pimd"},
    {"mpls ldp", To::Daemon, "ldpd"},      {"pbr-map", To::Daemon, "pbrd"},
    {"key chain", To::Policy},
    {"route-map", To::Policy},   {"ip prefix-list", To::Policy}, {"access-list", To::Policy},
};

const Rule* route(std::string_view line) {
  const Rule* best = nullptr;
  for (const auto& r : kRules)
    if (line.starts_with(r.prefix) && (!best || r.prefix.size() > best->prefix.size())) best = &r;
  // Whole keywords only: "bfd" must not catch "bfdsomething", "router rip"
  // not "router ripng" (the longer rule wins there), "router ospf" not
  // "router ospf6".
  if (best && line.size() > best->prefix.size() && best->prefix.back() != ' ' &&
      line[best->prefix.size()] != ' ')
    best = nullptr;
  return best;
}

bool reads(const Rule* r, const std::string& d) {
  if (!r) return d == "zebra" || d == "bgpd";
  switch (r->to) {
    case To::All: return true;
    case To::Zebra: return d == "zebra";
    case To::Interface: return d == "zebra" || kInterfaceDaemons.count(d);
    case To::Policy: return kPolicyDaemons.count(d) > 0;
    case To::Unknown: return d == "zebra" || d == "bgpd";
    case To::Daemon: return d == r->daemon;
  }
  return false;
}

}  // namespace

std::map<std::string, std::string> split_frr_config(const std::string& text,
                                                    const std::vector<std::string>& daemons) {
  std::map<std::string, std::string> out;
  for (const auto& d : daemons) out[d];
  std::vector<bool> to(daemons.size(), true);
  auto all = [&] { to.assign(daemons.size(), true); };
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    bool top = !line.empty() && line[0] != ' ' && line[0] != '\t';
    if (top && line[0] == '!') {
      all();  // a separator: every daemon may see it
    } else if (top && line != "exit" && line != "end") {
      const Rule* r = route(line);
      for (size_t i = 0; i < daemons.size(); ++i) to[i] = reads(r, daemons[i]);
    }
    for (size_t i = 0; i < daemons.size(); ++i)
      if (to[i]) out[daemons[i]] += line + "\n";
    if (top && line == "exit") all();
  }
  return out;
}

}  // namespace netlab::plan
