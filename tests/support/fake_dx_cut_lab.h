// FakeDxCutLab: the fakes of one lab of tests/data/scenario/hybrid.toml on
// which a cut of dx1 (the fault "cut cgw:dx1") blackholes the probe for
// 300 ms from the instant of the cut, until the repair. The probe's path is
// dx1 before and while the cut holds, or, with `moves_to_vpn`, the VPN's
// tunnel 1 while it holds. Route events are watched at cgw.
// Header-only, like fake_control.h.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "netlab/plan/plan.h"
#include "support/fake_control.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"

namespace netlab::testing {

struct FakeDxCutLab {
  static constexpr int64_t kBlackholeNs = 300'000'000;

  explicit FakeDxCutLab(const plan::Plan& plan, bool moves_to_vpn = false) {
    for (const auto& n : plan.nodes)
      for (const auto& f : n.ifaces) flows.link_of[n.ns][f.name] = f.link;
    control.on_call = [this](const std::string& line) {
      if (line == "cut cgw:dx1 cut") cut_at = clock.now_ns();
      if (line == "uncut cgw:dx1 cut") cut_at.reset();
    };
    flows.lost = [this](int64_t t, const std::string&, const std::string&) {
      return cut_at && t >= *cut_at && t < *cut_at + kBlackholeNs;
    };
    flows.links_at = [this, moves_to_vpn](int64_t) {
      if (moves_to_vpn && cut_at) return std::set<std::string>{"server-cgw", "vpn1-t1", "vpn-az1-vgw", "vgw-app"};
      return std::set<std::string>{"server-cgw", "dx1", "dx-ny5-vgw", "vgw-app"};
    };
    routes.watch(plan.node("cgw")->ns);
  }

  FakeClock clock;
  FakeControl control{clock};
  FakeFlowIo flows{clock};
  FakeRouteMonitor routes;
  std::optional<int64_t> cut_at;  // while the cut holds: its instant
};

}  // namespace netlab::testing
