// `netlab plan` output: a Plan as text an engineer can review (and the
// golden files of tests/data/plan/ compare). Private and pre-shared keys are
// never printed. Pure.
#pragma once

#include <string>

#include "netlab/plan/plan.h"

namespace netlab::plan {

std::string describe(const Plan&, bool with_configs = false);

}  // namespace netlab::plan
