// The sweep: every single failure a topology can have, each run as a
// scenario on one lab, and a resiliency matrix. Also classifies the Direct
// Connect design in AWS's terms (docs/aws-behaviour.md, "Direct Connect resiliency
// models") by what it measurably survives.
//
// Threads: one thread. Errors: as Runner.
#pragma once

#include <string>
#include <vector>

#include "netlab/scenario/runner.h"

namespace netlab::scenario {

struct SweepFailure {
  std::string kind;  // link cut, tunnel cut, router crash, node poweroff, <domain type> loss
  std::string name;  // what fails: a link, tunnel, node or domain value
  topology::Fault fault;
  double hold_s = 5;
  bool predicted_reachable = true;  // from the topology graph
  bool dx = false;                  // a DX connection, DX device or DX location
};

// Every link (a host's own access link excepted: its loss is trivially
// fatal) and tunnel cut, every router crash, every router and internet node
// poweroff, every failure domain. `hold_s` <= 0: each failure holds long
// enough for the slowest detection it can involve (BFD, or the BGP hold time
// of a session without BFD), plus 3 s.
std::vector<SweepFailure> sweep_failures(const topology::Topology&, const plan::Plan&, double hold_s);

struct SweepRow {
  SweepFailure failure;
  ScenarioResult result;
  bool reachable() const;
  bool over_dx = false;  // the probe still crossed a DX link while the failure held
};

struct Classification {
  std::string model;   // "Maximum Resiliency", "High Resiliency", "Development and Test", "none"
  std::string reason;  // what it survived or not, in AWS's terms
};

// Classifies from the DX structure (connections, devices, locations) and the
// measured rows: a DX failure counts as survived only when the probe kept
// flowing over another DX connection (a VPN backup is reported, not counted).
Classification classify_dx(const plan::Plan&, const std::vector<SweepRow>&);

struct SweepResult {
  std::vector<SweepRow> rows;
  Classification dx;
};

SweepResult run_sweep(Runner&, const topology::Topology&, const plan::Plan&, double hold_s,
                      int trials);

std::string sweep_table(const SweepResult&, bool color = false);

}  // namespace netlab::scenario
