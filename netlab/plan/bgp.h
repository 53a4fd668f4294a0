// BGP reasoning the planner needs, on the plan's sessions: which routers must
// end up with a route to which announced prefix, and the AWS-side policy
// that decides it, shared by the FRR templates (frr_config.cpp gives them
// session_policy()) and the expected-route model, so the two cannot drift.
//
// The model is presence only (not best-path selection): a prefix spreads over
// eBGP sessions unless the receiver's AS is already in the AS_PATH, and over
// iBGP sessions only from the router that learned it over eBGP or originated
// it, or from a route reflector (reflects_ibgp). On top of that, AWS's
// transit rules (docs/aws-behaviour.md, "Direct Connect gateway and
// SiteLink"), which the templates enforce with netlab's own markers
// (communities, stripped before a route leaves AWS):
//  - a route that enters AWS over a Direct Connect virtual interface is
//    marked "from a VIF" (and "SiteLink" when that VIF has it); AWS's end of
//    a VIF sends no VIF-marked route to the customer unless both the route's
//    VIF and this one have SiteLink: no transit between sites otherwise;
//  - a Direct Connect gateway marks what it learns from a gateway
//    association (a VGW or TGW) and never sends such a route to another
//    association: no transit between associations.
// Pure.
#pragma once

#include <vector>

#include "netlab/plan/plan.h"

namespace netlab::plan {

// Whether a router of this role reflects iBGP-learned routes to its iBGP
// peers. Customer and plain routers do; so does a TGW (it routes between its
// attachments) and a DXGW (between the DX devices whose VIFs it holds, for
// SiteLink; its policy, not the reflection, keeps associations apart). A VGW
// and the DX and VPN edges do not: the VGW hub decides among their routes.
bool reflects_ibgp(Role);

// The AWS policy of one end of a session, as the templates render it.
struct SessionPolicy {
  bool vif = false;          // this end is AWS's end of a DX virtual interface
  bool sitelink = false;     // ... and that VIF has SiteLink
  bool association = false;  // this end is a DXGW; the peer a VGW or TGW associated with it
  bool from_dxgw = false;    // this end is a VGW or TGW, the peer its DXGW, over eBGP:
                             // DX routes get local preference above any VPN route
  bool outside = false;      // this end is AWS and the peer is not: markers stripped
                             // from what leaves, and from what arrives
  bool any() const { return vif || association || from_dxgw || outside; }
};
SessionPolicy session_policy(const PlanNode& me, const PlanNode& peer, const Session&,
                             bool link_sitelink);

std::vector<ExpectedRoute> expected_routes(const std::vector<PlanNode>& nodes,
                                           const std::vector<Session>& sessions,
                                           const std::vector<PlanLink>& links);

}  // namespace netlab::plan
