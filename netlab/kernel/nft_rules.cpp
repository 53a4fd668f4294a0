#include "netlab/kernel/nft_rules.h"

#include <algorithm>

#include <cctype>

namespace netlab::kernel::nft_rules {

std::string name_tag(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      o += static_cast<char>(c);
    } else {
      o += '_';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

std::string ingress_chain(const std::string& table, const std::string& ifname, int32_t priority,
                          bool drop) {
  return "add table netdev " + table + "\nadd chain netdev " + table +
         " c { type filter hook ingress device \"" + ifname + "\" priority " +
         std::to_string(priority) + "; policy " + (drop ? "drop" : "accept") + "; }\n";
}

std::string cut(const std::string& table, const std::string& ifname, bool drop) {
  return ingress_chain(table, ifname, kCutPriority, drop);
}

std::string loss_table(const std::string& ifname) { return "nl_loss_" + name_tag(ifname); }

std::string loss_emptied(const std::string& ifname) {
  const std::string t = loss_table(ifname);
  return ingress_chain(t, ifname, kLossPriority, false) + "flush chain netdev " + t + " c\n";
}

std::string loss(const std::string& ifname, long per10k) {
  return loss_emptied(ifname) + "add rule netdev " + loss_table(ifname) +
         " c numgen random mod 10000 < " + std::to_string(per10k) + " counter drop\n";
}

uint64_t pps_burst(uint64_t pps) { return std::max<uint64_t>(50, pps / 100); }

std::string ingress_limits(const std::string& ifname, long per10k, uint64_t pps) {
  std::string c = loss_emptied(ifname);
  if (pps > 0)
    c += "add rule netdev " + loss_table(ifname) + " c limit rate over " + std::to_string(pps) +
         "/second burst " + std::to_string(pps_burst(pps)) + " packets counter drop\n";
  if (per10k > 0)
    c += "add rule netdev " + loss_table(ifname) + " c numgen random mod 10000 < " +
         std::to_string(per10k) + " counter drop\n";
  return c;
}

std::string prerouting_udp_counters(const std::string& table,
                                    const std::vector<std::string>& ifnames,
                                    const std::string& dport) {
  // add + delete + add: a fresh table whether or not one existed.
  std::string c = "add table inet " + table + "\ndelete table inet " + table +
                  "\nadd table inet " + table + "\nadd chain inet " + table +
                  " pre { type filter hook prerouting priority -300; policy accept; }\n";
  for (const auto& i : ifnames)
    c += "add rule inet " + table + " pre iifname \"" + i + "\" udp dport " + dport + " counter\n";
  return c;
}

std::string no_frag_needed(uint32_t mtu) {
  const std::string t = kPmtudTable;
  // Output: ICMP errors the namespace itself generates pass there, and
  // nothing else of the router's forwarding does.
  return "add table inet " + t + "\nadd chain inet " + t +
         " out { type filter hook output priority 0; policy accept; }\nadd rule inet " + t +
         " out icmp type destination-unreachable icmp code frag-needed icmp mtu " +
         std::to_string(mtu) + " counter drop\n";
}

}  // namespace netlab::kernel::nft_rules
