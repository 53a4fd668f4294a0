// A plan of one of the shared test topologies (tests/data), for unit tests
// of the layers that read plans (fault, scenario): planned as `netlab plan`
// would, with fixed keys so that it is the same every time.
// Header-only, like fake_control.h: the shared support library stays below
// the topology and plan layers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "netlab/base/error.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"

namespace netlab::testing {

class FixedKeySource : public plan::KeySource {
 public:
  plan::KeyPair wireguard_keypair() override {
    ++n_;
    return {"private-" + std::to_string(n_), "public-" + std::to_string(n_)};
  }
  std::string preshared_key() override { return "psk-" + std::to_string(++n_); }

 private:
  int n_ = 0;
};

// `file` under tests/data (e.g. "scenario/hybrid.toml"), loaded and validated.
inline topology::Topology test_topology(const std::string& file) {
  auto r = topology::load_and_validate(std::string(NETLAB_TEST_DATA) + "/" + file);
  if (!r.ok()) throw Error("invalid test topology " + file + ": " + r.render());
  return std::move(*r.topology);
}

inline plan::Plan test_plan(const topology::Topology& t, const std::string& runtime_root = "/run/netlab-test") {
  plan::PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  o.runtime_root = runtime_root;
  FixedKeySource keys;
  return plan::make_plan(t, o, keys);
}

}  // namespace netlab::testing
