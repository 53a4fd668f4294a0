#include "netlab/topology/limits.h"

#include <algorithm>

#include "netlab/topology/text.h"

namespace netlab::topology {

namespace {
struct Speed {
  const char* name;
  double mbit;
};
// AWS Direct Connect: dedicated connections 1, 10, 100 and 400 Gbit/s;
// hosted connections 50 Mbit/s to 25 Gbit/s (docs/topology.md).
constexpr Speed kSpeeds[] = {{"50M", 50},      {"100M", 100},    {"200M", 200},   {"300M", 300},
                             {"400M", 400},    {"500M", 500},    {"1G", 1000},    {"2G", 2000},
                             {"5G", 5000},     {"10G", 10000},   {"25G", 25000},  {"100G", 100000},
                             {"400G", 400000}};

std::string fmt(double v) { return format_number(v); }
}  // namespace

const std::vector<std::string>& dx_speeds() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto& s : kSpeeds) out.push_back(s.name);
    return out;
  }();
  return v;
}

std::optional<double> dx_speed_mbit(std::string_view s) {
  for (const auto& sp : kSpeeds)
    if (s == sp.name) return sp.mbit;
  return std::nullopt;
}

Limits link_limits(const Lab& lab, const Link& l) {
  Limits out;
  const double scale = lab.scale > 0 ? lab.scale : 1;
  double rate = 0;
  if (l.impair.rate_mbit) rate = *l.impair.rate_mbit, out.rate_from = "impair.rate_mbit";
  if (l.speed)
    if (auto sp = dx_speed_mbit(*l.speed); sp && (rate == 0 || *sp < rate))
      rate = *sp, out.rate_from = "speed";
  out.rate_mbit = rate / scale;
  out.pps = l.impair.pps.value_or(0) / scale;
  return out;
}

Limits tunnel_limits(const Lab& lab, const Tunnel& t) {
  Limits out;
  const double scale = lab.scale > 0 ? lab.scale : 1;
  out.rate_mbit = t.rate_mbit / scale;
  out.pps = t.pps / scale;
  if (t.rate_mbit > 0) out.rate_from = "rate_mbit";
  return out;
}

void validate_limits(const Topology& t, Diagnostics& d) {
  const double scale = t.lab.scale;
  if (scale <= 0) return;  // the loader reported it
  const std::string by = scale == 1 ? "" : " (divided by [lab] scale = " + fmt(scale) + ")";
  const std::string hint =
      scale == 1 ? "" : "a smaller scale, or a higher limit: the impairment layer shapes down to " +
                            fmt(kMinRateMbit) + " Mbit/s and " + fmt(kMinPps) + " packet/s";
  auto check = [&](const Positions& pos, const std::string& who, const Limits& lim,
                   const std::string& pps_key) {
    if (lim.rate_mbit > 0 && lim.rate_mbit < kMinRateMbit)
      d.error(pos.of(lim.rate_from), who + ": rate " + fmt(lim.rate_mbit) + " Mbit/s from " +
                                         quote(lim.rate_from) + by + " is below " +
                                         fmt(kMinRateMbit) + " Mbit/s",
              hint);
    if (lim.pps > 0 && lim.pps < kMinPps)
      d.error(pos.of(pps_key), who + ": packet rate " + fmt(lim.pps) + "/s from " + quote(pps_key) +
                                   by + " is below " + fmt(kMinPps) + " packet/s",
              hint);
  };
  for (const Link& l : t.links) check(l.pos, "link " + quote(l.name), link_limits(t.lab, l), "impair.pps");
  for (const Tunnel& tu : t.tunnels)
    check(tu.pos, "tunnel " + quote(tu.name), tunnel_limits(t.lab, tu), "pps");

  // The probe is not scaled: one over a tunnel's packet budget measures the
  // policer. Warned once per tunnel, for the busiest probe of the file.
  double probe_pps = 0;
  auto probe_rate = [&](const Probe& p) {
    if (p.interval_ms > 0)
      probe_pps = std::max(probe_pps, 1000.0 / p.interval_ms * static_cast<double>(p.flows));
  };
  if (t.lab.probe) probe_rate(*t.lab.probe);
  for (const Scenario& s : t.scenarios)
    if (s.probe) probe_rate(*s.probe);
  for (const Tunnel& tu : t.tunnels) {
    const Limits lim = tunnel_limits(t.lab, tu);
    if (lim.pps > 0 && lim.pps >= kMinPps && probe_pps > 0.8 * lim.pps)
      d.warning(tu.pos.of(tu.pos.at.count("pps") ? "pps" : "name"),
                "tunnel " + quote(tu.name) + " carries " + fmt(lim.pps) + " packets/s" + by +
                    ", and the probe alone sends up to " + fmt(probe_pps) +
                    " a second each way (over 80 % of it): trials would measure the limit, not "
                    "the failover",
                "a longer probe interval_ms, fewer flows, or a smaller [lab] scale");
  }
}

}  // namespace netlab::topology
