// BGP reasoning the planner needs, on the plan's sessions: which routers must
// end up with a route to which announced prefix.
//
// The model is presence only (not best-path selection): a prefix spreads over
// eBGP sessions unless the receiver's AS is already in the AS_PATH, and over
// iBGP sessions only from the router that learned it over eBGP or originated
// it, or from a route reflector. In the templates, customer and plain routers
// reflect between their iBGP peers; AWS roles do not (the VGW/TGW/DXGW hub
// decides among the edges' routes, as AWS does). Pure.
#pragma once

#include <vector>

#include "netlab/plan/plan.h"

namespace netlab::plan {

// Whether a router of this role reflects iBGP-learned routes to its iBGP peers.
bool reflects_ibgp(Role);

std::vector<ExpectedRoute> expected_routes(const std::vector<PlanNode>& nodes,
                                           const std::vector<Session>& sessions);

}  // namespace netlab::plan
