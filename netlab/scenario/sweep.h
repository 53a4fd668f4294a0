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
#include "netlab/scenario/shard.h"

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

// Which failures a sweep runs (`netlab sweep --only`): every one, or only
// those the Direct Connect classification judges (`dx`): the cut of each DX
// connection, the poweroff of each DX device, the loss of each DX location.
// A DX device's router crash is not among them: the class judges a device's
// loss by its poweroff.
enum class SweepOnly { All, Dx };

// "" or "all": every failure; "dx"; anything else throws InputError.
SweepOnly parse_sweep_only(const std::string& text);

// Whether classify_dx() judges this failure's row.
bool judged_by_dx_class(const SweepFailure&);

// `failures` kept in their order, those `only` selects.
std::vector<SweepFailure> select_failures(std::vector<SweepFailure> failures, SweepOnly only);

struct SweepRow {
  SweepFailure failure;
  ScenarioResult result;
  bool reachable() const;
  bool over_dx = false;  // the probe still crossed a DX link while the failure held
};

// AWS's Direct Connect resiliency model of a design, earned twice: by the
// layout (the plan's DX connections, the AWS devices they end on, their
// locations: AWS's rule for each model) and by measurement (every single
// failure the layout's model promises to survive, survived with the probe
// still crossing DX). docs/verdicts.md, "The sweep".
struct Classification {
  std::string layout;  // the model AWS's layout rule gives: "Maximum Resiliency", "High Resiliency",
                       // "Development and Test", "none"
  std::string model;   // the class: `layout` when every promised failure was survived over DX, else "none"
  Verdict verdict = Verdict::Error;  // pass: they agree; fail: a promised failure was not survived;
                                     // inconclusive: one's trial ran on a starved host (invalid);
                                     // error: one has no row or its row could not be measured
  std::string shape;   // "4 connections on 4 devices at 2 locations"
  std::vector<std::string> findings;  // "loss of location eqdc2 not survived (unreachable)", ...
  std::vector<std::string> notes;     // what else was seen (failures the model does not promise)
  // "layout Maximum Resiliency; measured: loss of location eqdc2 not survived (unreachable)"
  std::string reason() const;
};

// Classifies from the DX layout and the measured rows: a DX failure counts
// as survived only when the probe kept flowing over another DX connection
// (a VPN backup is reported, not counted). A promised failure with no row,
// or whose row could not be measured, is an error, never a survival.
Classification classify_dx(const plan::Plan&, const std::vector<SweepRow>&);

struct SweepResult {
  std::vector<SweepRow> rows;
  Classification dx;
  SweepOnly only = SweepOnly::All;  // which failures were swept
  size_t all_failures = 0;          // how many the topology has (sweep_failures())
  size_t selected_failures = 0;     // how many of them `only` selects (a shard ran its part)
  // The worst of every row's verdict (its reachability against the graph's
  // prediction) and the classification's.
  Verdict verdict() const;
};

// `only`: the failures select_failures() keeps. `shard`: only the failures
// of that part (failure i of the selected failures' order belongs to
// in_shard(shard, i)); the classification then sees only those rows and is
// decided once the parts are merged.
SweepResult run_sweep(Runner&, const topology::Topology&, const plan::Plan&, double hold_s,
                      int trials, const Shard& shard = {}, SweepOnly only = SweepOnly::All);

// A failure's row from its measured result: `over_dx` from the paths its
// trials saw while the failure held.
SweepRow sweep_row(const plan::Plan&, const SweepFailure&, ScenarioResult);

// `--jobs N`: job K ran the failures of shard K/N (in_shard) on its own lab
// (`failures`: those the sweep runs, select_failures()'s list with --only);
// `per_job[K-1]` holds its results in the order it ran them. The rows in
// sweep_failures()'s order, each from the job that ran it, and the
// classification over all of them: the serial sweep's result. Throws Error
// naming the job when one lacks a failure it was due to run, has one more,
// or has them out of order.
SweepResult merge_jobs(const plan::Plan&, const std::vector<SweepFailure>& failures,
                       const std::vector<std::vector<ScenarioResult>>& per_job);

std::string sweep_table(const SweepResult&, bool color = false);

}  // namespace netlab::scenario
