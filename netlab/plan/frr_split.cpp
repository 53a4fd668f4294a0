#include "netlab/plan/frr_split.h"

#include <array>
#include <sstream>
#include <string_view>

namespace netlab::plan {

const std::vector<std::string>& frr_daemons() {
  static const std::vector<std::string> d{"zebra", "staticd", "bfdd", "bgpd"};
  return d;
}

namespace {

struct Rule {
  std::string_view prefix;
  std::array<bool, 4> to;  // zebra, staticd, bfdd, bgpd
};

// Longest matching prefix wins, so order does not matter.
constexpr std::array<Rule, 29> kRules{{
    {"frr ", {1, 1, 1, 1}},          {"hostname", {1, 1, 1, 1}},
    {"domainname", {1, 1, 1, 1}},    {"log ", {1, 1, 1, 1}},
    {"service ", {1, 1, 1, 1}},      {"password", {1, 1, 1, 1}},
    {"enable password", {1, 1, 1, 1}}, {"line vty", {1, 1, 1, 1}},
    {"agentx", {1, 1, 1, 1}},
    {"interface", {1, 0, 0, 0}},     {"ip forwarding", {1, 0, 0, 0}},
    {"ip nht", {1, 0, 0, 0}},        {"ip protocol", {1, 0, 0, 0}},
    {"debug zebra", {1, 0, 0, 0}},  {"no zebra ", {1, 0, 0, 0}},
    {"zebra ", {1, 0, 0, 0}},
    {"ip route", {0, 1, 0, 0}},      {"debug static", {0, 1, 0, 0}},
    {"bfd", {0, 0, 1, 0}},           {"debug bfd", {0, 0, 1, 0}},
    {"router bgp", {0, 0, 0, 1}},    {"bgp ", {0, 0, 0, 1}},
    {"debug bgp", {0, 0, 0, 1}},     {"ip as-path", {0, 0, 0, 1}},
    {"ip community-list", {0, 0, 0, 1}}, {"rpki", {0, 0, 0, 1}},
    {"route-map", {1, 0, 0, 1}},     {"ip prefix-list", {1, 0, 0, 1}},
    {"access-list", {1, 0, 0, 1}},
}};

std::array<bool, 4> route(std::string_view line) {
  const Rule* best = nullptr;
  for (const auto& r : kRules)
    if (line.starts_with(r.prefix) && (!best || r.prefix.size() > best->prefix.size())) best = &r;
  // "bfd" must not catch "bfdsomething"; every other prefix ends in a space
  // or is a whole keyword.
  if (best && best->prefix == "bfd" && line.size() > 3 && line[3] != ' ') best = nullptr;
  return best ? best->to : std::array<bool, 4>{1, 0, 0, 1};
}

}  // namespace

std::map<std::string, std::string> split_frr_config(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const auto& d : frr_daemons()) out[d];
  std::array<bool, 4> to{1, 1, 1, 1};
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    bool top = !line.empty() && line[0] != ' ' && line[0] != '\t';
    if (top && line[0] == '!') {
      to = {1, 1, 1, 1};  // a separator: every daemon may see it
    } else if (top && line != "exit" && line != "end") {
      to = route(line);
    }
    for (size_t i = 0; i < 4; ++i)
      if (to[i]) out[frr_daemons()[i]] += line + "\n";
    if (top && line == "exit") to = {1, 1, 1, 1};
  }
  return out;
}

}  // namespace netlab::plan
