// FakeCanary: a scheduling canary (measure/canary.h) whose figures a test
// sets, one window per begin(): the nth window reports lateness_ms[n-1]
// (the last one again when the list is shorter), or no wake-up at all when
// the list is empty.
//
// Header-only, like fake_control.h.
#pragma once

#include <algorithm>
#include <vector>

#include "netlab/measure/canary.h"

namespace netlab::testing {

class FakeCanary : public measure::Canary {
 public:
  std::vector<double> lateness_ms;
  int windows = 0;  // begin() calls so far

  void begin() override { ++windows; }
  measure::CanaryFigures figures() override {
    if (lateness_ms.empty() || windows == 0) return {};
    const size_t i = std::min<size_t>(static_cast<size_t>(windows), lateness_ms.size()) - 1;
    return {lateness_ms[i], 100};
  }
};

}  // namespace netlab::testing
