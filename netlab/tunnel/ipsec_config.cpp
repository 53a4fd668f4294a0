#include "netlab/tunnel/ipsec_config.h"

#include <cmath>
#include <cstdio>

#include "netlab/plan/keys.h"
#include "netlab/tunnel/tunnel.h"

namespace netlab::tunnel {

namespace {

std::string seconds(uint32_t s) { return std::to_string(s) + "s"; }

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string raw_from_base64(const std::string& b64) {
  std::string hex = plan::base64_to_hex(b64);
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::vector<std::string> to_list(const char* const* b, const char* const* e) { return {b, e}; }

}  // namespace

CharonPaths charon_paths(const plan::TunnelEnd& me) {
  CharonPaths p;
  p.dir = me.run_dir + "/ipsec-" + me.ifname;
  p.conf = p.dir + "/strongswan.conf";
  p.vici = p.dir + "/charon.vici";
  p.log = me.run_dir + "/../charon-" + me.ifname + ".log";
  return p;
}

double Retransmits::give_up_s() const {
  double sum = 0, wait = timeout_s;
  for (uint32_t i = 0; i <= tries; ++i) {
    sum += wait;
    wait *= base;
  }
  return sum;
}

Retransmits dpd_retransmits(const topology::Dpd& d) {
  const double interval = std::max<uint32_t>(d.interval_s, 1);
  const double budget = std::max(static_cast<double>(d.timeout_s) - interval, 1.0);
  const auto n = static_cast<uint32_t>(std::max(1.0, std::ceil(budget / interval - 1e-9)));
  return {n - 1, budget / n, 1.0};
}

uint32_t xfrm_if_id(const plan::TunnelEnd& me) { return me.listen_port; }

uint32_t charon_routing_table(const plan::TunnelEnd& me) { return me.listen_port; }

std::string render_strongswan_conf(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                                   IpsecFlavor f) {
  const CharonPaths p = charon_paths(me);
  const Retransmits r = dpd_retransmits(t.dpd);
  std::string plugins = std::string(kCharonPlugins) +
                        (f == IpsecFlavor::Libipsec ? " kernel-libipsec" : "") +
                        " kernel-netlink socket-default vici";
  std::string s;
  s += "# charon of tunnel " + t.name + " at " + me.node +
       ", rendered by netlab (netlab/tunnel/ipsec_config.h).\n";
  s += "# Started with STRONGSWAN_CONF pointing here; nothing of /etc/strongswan* is read.\n";
  s += "charon {\n";
  s += "  load = " + plugins + "\n";
  s += "  # IKE and ESP-in-UDP on the tunnel's own port (several instances share a node);\n";
  s += "  # the plain IKE port is unused (random).\n";
  s += "  port = 0\n";
  s += "  port_nat_t = " + std::to_string(me.listen_port) + "\n";
  s += "  # Route-based: BGP routes decide what enters the tunnel interface, not charon.\n";
  s += "  install_routes = no\n";
  s += "  install_virtual_ip = no\n";
  s += "  process_route = no\n";
  if (f == IpsecFlavor::Libipsec) {
    const std::string table = std::to_string(charon_routing_table(me));
    s += "  # kernel-libipsec routes over its TUN regardless: into this instance's own table,\n";
    s += "  # whose rule netlab deletes (the default table 220 and its rule would send the\n";
    s += "  # peer's own ESP into the tunnel: docs/kernel-notes.md).\n";
    s += "  routing_table = " + table + "\n";
    s += "  routing_table_prio = " + table + "\n";
  } else {
    s += "  # No table and no rule.\n";
    s += "  routing_table = 0\n";
  }
  s += "  # DPD timeout " + std::to_string(t.dpd.timeout_s) +
       " s after the last packet, probe after " + std::to_string(t.dpd.interval_s) +
       " s idle: the probe gives up " + fixed3(r.give_up_s()) + " s after it is sent.\n";
  s += "  retransmit_tries = " + std::to_string(r.tries) + "\n";
  s += "  retransmit_timeout = " + fixed3(r.timeout_s) + "\n";
  s += "  retransmit_base = " + fixed3(r.base) + "\n";
  s += "  retransmit_jitter = 0\n";
  s += "  plugins {\n";
  s += "    vici {\n      socket = unix://" + p.vici + "\n    }\n";
  s += "    kernel-netlink {\n      roam_events = no\n    }\n";
  s += "  }\n";
  s += "  filelog {\n    netlab {\n";
  s += "      path = " + p.log + "\n";
  s += "      time_format = %Y-%m-%d %H:%M:%S\n";
  s += "      append = yes\n      flush_line = yes\n      default = 1\n";
  s += "    }\n  }\n";
  s += "}\n";
  s += "charon-systemd {\n  journal {\n    default = -1\n  }\n}\n";
  return s;
}

ViciMessage load_shared_message(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                                const plan::TunnelEnd& peer) {
  ViciMessage m;
  m.set("id", t.name);
  m.set("type", "IKE");
  m.set("data", raw_from_base64(t.psk));
  m.list("owners", {me.outer.str(), peer.outer.str()});
  return m;
}

ViciMessage load_conn_message(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                              const plan::TunnelEnd& peer, IpsecFlavor f) {
  const bool initiator = is_initiator(t, me);
  const topology::DpdAction action = dpd_action_of(t, me);
  const std::string if_id = std::to_string(xfrm_if_id(me));
  ViciMessage m;
  m.section(t.name, [&](ViciMessage& c) {
    c.set("version", "2");
    c.list("local_addrs", {me.outer.str()});
    c.list("remote_addrs", {peer.outer.str()});
    c.set("local_port", std::to_string(me.listen_port));
    c.set("remote_port", std::to_string(peer.listen_port));
    // libipsec only speaks ESP in UDP; the kernel's ESP goes as it is.
    c.set("encap", f == IpsecFlavor::Libipsec ? "yes" : "no");
    c.set("mobike", "no");
    c.list("proposals", to_list(std::begin(kIkeProposals), std::end(kIkeProposals)));
    c.set("dpd_delay", action == topology::DpdAction::None ? "0s" : seconds(t.dpd.interval_s));
    c.set("rekey_time", seconds(kIkeLifetimeS - kRekeyMarginS));
    c.set("over_time", seconds(kRekeyMarginS));
    c.set("rand_time", seconds(kRekeyMarginS));
    c.set("keyingtries", initiator ? "0" : "1");
    c.set("unique", "replace");
    c.section("local-psk", [&](ViciMessage& l) {
      l.set("auth", "psk");
      l.set("id", me.outer.str());
    });
    c.section("remote-psk", [&](ViciMessage& r) {
      r.set("auth", "psk");
      r.set("id", peer.outer.str());
    });
    c.section("children", [&](ViciMessage& ch) {
      ch.section(t.name, [&](ViciMessage& s) {
        s.list("local_ts", {"0.0.0.0/0"});
        s.list("remote_ts", {"0.0.0.0/0"});
        s.set("mode", "tunnel");
        s.list("esp_proposals", to_list(std::begin(kEspProposals), std::end(kEspProposals)));
        s.set("rekey_time", seconds(kChildLifetimeS - kRekeyMarginS));
        s.set("life_time", seconds(kChildLifetimeS));
        s.set("rand_time", seconds(kRekeyMarginS));
        // Initiated by netlab once both ends are loaded (ipsec.cpp): an
        // initiation before the responder has its connection fails for good.
        s.set("start_action", "none");
        s.set("dpd_action", action == topology::DpdAction::Restart ? "restart" : "clear");
        s.set("close_action", initiator ? "start" : "none");
        if (f == IpsecFlavor::Kernel) {
          s.set("if_id_in", if_id);
          s.set("if_id_out", if_id);
          s.set("reqid", if_id);
        }
      });
    });
  });
  return m;
}

ViciMessage initiate_message(const plan::PlanTunnel& t, uint32_t timeout_ms) {
  ViciMessage m;
  m.set("child", t.name);
  m.set("ike", t.name);
  m.set("timeout", std::to_string(timeout_ms));
  return m;
}

}  // namespace netlab::tunnel
