// Topology -> Plan: names, addresses, BGP sessions, keys and FRR
// configurations decided before anything on the host is touched.
//
// Pure but for reading files: make_plan() reads the FRR templates (and a
// node's own config file when it has one); nothing else. Threads: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "netlab/plan/keys.h"
#include "netlab/plan/plan.h"
#include "netlab/topology/model.h"

namespace netlab::plan {

struct PlanOptions {
  std::string runtime_root = "/run/netlab";
  std::string frr_bin_dir = "/usr/lib/frr";
  std::string templates_dir;  // the project's frr-templates/ (unless [lab].frr_templates)
  uint16_t probe_port = 47000;
};

// Thrown for problems only the planner can see (a pool too small, a missing
// template or config file). InputError: exit code 2, nothing touched.
// The message points into the file like a diagnostic when it can.
Plan make_plan(const topology::Topology&, const PlanOptions&, KeySource&);

// The seed of a run, decided once, before the lab is built: the command
// line's, else the file's ([lab].seed), else a random one (reported with the
// results, so the run can be repeated with --seed). Whoever brings a lab up
// stores it in Plan::seed; nothing later chooses again.
uint64_t decide_seed(std::optional<uint64_t> command_line, std::optional<uint64_t> topology);

}  // namespace netlab::plan
