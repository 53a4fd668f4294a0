// Semantic checks of a loaded topology (docs/topology.md):
// references, duplicates, subnets, ASNs, AWS rules, kernel name limits,
// design warnings. Pure.
#pragma once

#include "netlab/topology/diagnostics.h"
#include "netlab/topology/model.h"

namespace netlab::topology {

void validate(const Topology&, Diagnostics&);

// Kernel names derived from the topology must fit IFNAMSIZ-1 (15) characters:
// namespace "nl-<lab>-<node>" is free of that limit but lab and node names
// are constrained by the spec's patterns; interface names are checked here.
constexpr size_t kMaxIfname = 15;

}  // namespace netlab::topology
