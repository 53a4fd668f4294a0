#include "netlab/lab/control.h"

#include <algorithm>

#include "netlab/kernel/nft_rules.h"
#include "netlab/lab/frr.h"
#include "netlab/lab/lab.h"
#include "netlab/plan/frr_config.h"

namespace netlab::lab {

namespace {

// A cut is a netdev ingress base chain whose policy is drop; the repair
// turns the policy to accept rather than deleting the table: unregistering
// any netfilter hook makes the kernel drop every packet NFQUEUE holds in
// that namespace (a delay impairment's), which would be loss the repair
// itself caused. The emptied table stays until the namespace goes.
std::string cut_commands(const LinkEnd& e, const std::string& tag, bool drop) {
  return kernel::nft_rules::cut("nl_" + tag + "_" + kernel::nft_rules::name_tag(e.ifname), e.ifname, drop);
}

class LabControl final : public Control {
 public:
  explicit LabControl(Lab& lab) : lab_(lab), host_(lab.host()) {}

  kernel::Clock& clock() override { return host_.clock; }
  bool stopping() const override { return host_.stopping(); }
  void say(const std::string& line) override { host_.say(line); }

  void cut(const LinkEnd& e, const std::string& tag) override {
    host_.nft.run(e.ns, cut_commands(e, tag, true));
  }
  void uncut(const LinkEnd& e, const std::string& tag) override {
    // Also right after a half-done cut: the chain is created accepting.
    host_.nft.run(e.ns, cut_commands(e, tag, false));
  }
  void set_link_state(const LinkEnd& e, bool up) override {
    host_.netlink.link_set_up(e.ns, e.ifname, up);
  }
  void reapply_routes(const std::string& node) override { lab_.reapply_routes(node); }
  int64_t impair(const std::string& link, const impair::Impairment& imp) override {
    return lab_.impair_link(link, imp);
  }
  int64_t restore(const std::string& link) override { return lab_.restore_link(link); }

  void kill_daemons(const std::string& node) override { lab_.kill_daemons(node); }
  void start_daemons(const std::string& node) override { lab_.start_daemons(node); }
  bool daemons_running(const std::string& node) override { return lab_.daemons_running(node); }

  void bgp_shutdown(const std::string& node, const std::string& peer, bool shut) override {
    const plan::PlanNode& n = router(node);
    host_.frr.vtysh(n, {"configure terminal", "router bgp " + asn(n),
                        std::string(shut ? "" : "no ") + "neighbor " + peer + " shutdown", "end"});
  }
  void bgp_graceful_shutdown(const std::string& node, bool on) override {
    const plan::PlanNode& n = router(node);
    host_.frr.vtysh(n, {"configure terminal", "router bgp " + asn(n),
                        std::string(on ? "" : "no ") + "bgp graceful-shutdown", "end"});
  }
  MedSetting tunnel_med(const std::string& tunnel, bool lowered) const override {
    return {"TO-" + plan::route_map_tag(tunnel), lowered ? plan::kVpnMaintenanceMed : plan::kVpnDefaultMed};
  }
  void bgp_set_med(const std::string& node, const MedSetting& m, const std::string& peer) override {
    host_.frr.vtysh(router(node), {"configure terminal", "route-map " + m.route_map + " permit 10",
                                   "set metric " + std::to_string(m.med), "end",
                                   "clear bgp ipv4 unicast " + peer + " soft out"});
  }

  std::vector<BgpPath> bgp_paths(const std::string& node, const std::string& address) override {
    return parse_bgp_route(host_.frr.vtysh(router(node), {"show bgp ipv4 unicast " + address + " json"}));
  }
  void bgp_clear(const std::string& node, const std::string& peer) override {
    host_.frr.vtysh(router(node), {"clear bgp ipv4 unicast " + peer});
  }

  void start_process(const std::string& node, const std::string& name,
                     const process::ProcessSpec& spec) override {
    lab_.spawn_process(node, name, spec);
  }
  bool stop_process(const std::string& node, const std::string& name) override {
    return lab_.stop_process(node, name);
  }

  std::vector<std::string> not_converged() override { return lab_.check_converged().missing; }
  void wait_converged(std::chrono::milliseconds timeout) override { lab_.wait_converged(timeout); }

 private:
  const plan::PlanNode& router(const std::string& node) const {
    const plan::PlanNode* n = lab_.plan().node(node);
    if (!n) throw Error("no node named \"" + node + "\" in lab " + lab_.plan().lab);
    return *n;
  }
  static std::string asn(const plan::PlanNode& n) { return std::to_string(n.asn.value_or(0)); }

  Lab& lab_;
  Host& host_;
};

}  // namespace

std::unique_ptr<Control> make_control(Lab& lab) { return std::make_unique<LabControl>(lab); }

void sleep_until(Control& c, int64_t t) {
  kernel::Clock& clock = c.clock();
  while (clock.now_ns() < t) {
    if (c.stopping()) throw Interrupted();
    clock.sleep_ns(std::min<int64_t>(t - clock.now_ns(), 50'000'000));
  }
}

}  // namespace netlab::lab
