#include "netlab/measure/path_counters.h"

#include <nlohmann/json.hpp>

namespace netlab::measure {

std::string path_counter_commands(const std::vector<std::string>& ifnames, uint16_t port, uint16_t ports,
                                  Ipv4 forward_from) {
  std::string dport = ports > 1 ? std::to_string(port) + "-" + std::to_string(port + ports - 1) : std::to_string(port);
  // add + delete + add: a fresh table whether or not one existed, in one
  // transaction.
  std::string c =
      "add table inet nl_path\n"
      "delete table inet nl_path\n"
      "add table inet nl_path\n"
      "add chain inet nl_path pre { type filter hook prerouting priority -300; policy accept; }\n";
  const std::string src = forward_from.str();
  for (const auto& i : ifnames) {
    c += "add rule inet nl_path pre iifname \"" + i + "\" ip saddr " + src + " udp dport " + dport + " counter\n";
    c += "add rule inet nl_path pre iifname \"" + i + "\" ip saddr != " + src + " udp dport " + dport + " counter\n";
  }
  return c;
}

std::map<std::string, DirectionCounts> parse_path_counters(const std::string& text) {
  std::map<std::string, DirectionCounts> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("nftables")) return out;
  for (const auto& item : j["nftables"]) {
    if (!item.contains("rule")) continue;
    std::string ifname;
    uint64_t packets = 0;
    bool counted = false, forward = false;
    for (const auto& e : item["rule"].value("expr", nlohmann::json::array())) {
      if (e.contains("match")) {
        const auto& m = e["match"];
        if (m.contains("left") && m["left"].is_object() && m["left"].contains("meta") &&
            m["left"]["meta"].value("key", "") == "iifname" && m["right"].is_string())
          ifname = m["right"].get<std::string>();
        if (m.contains("left") && m["left"].is_object() && m["left"].contains("payload") &&
            m["left"]["payload"].value("field", "") == "saddr" && m.value("op", "") == "==")
          forward = true;
      } else if (e.contains("counter")) {
        packets = e["counter"].value("packets", uint64_t{0});
        counted = true;
      }
    }
    if (counted && !ifname.empty()) (forward ? out[ifname].forward : out[ifname].reverse) += packets;
  }
  return out;
}

void PathCounters::install(const std::string& ns, const std::vector<std::string>& ifnames) {
  nft_.run(ns, path_counter_commands(ifnames, port_, ports_, forward_from_));
}

std::map<std::string, DirectionCounts> PathCounters::read(const std::string& ns) {
  return parse_path_counters(nft_.list_json(ns, "list table inet nl_path"));
}

}  // namespace netlab::measure
