// `netlab report --merge`: the parts of a sharded run (`--shard K/N`, each
// its own report.json) made into the one report an unsharded run would have
// written: every scenario in the serial order, every trial under its serial
// number, statistics and every target's verdict recomputed from the merged
// trials by scenario::evaluate. Each trial names the shard and the host that
// measured it. Pure: documents in, one RunResult out.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlab/scenario/results.h"
#include "netlab/topology/model.h"

namespace netlab::report {

struct ShardReport {
  std::string file;     // where it was read from: named in errors
  nlohmann::json json;  // its report.json
};

struct MergedRun {
  scenario::RunResult result;
  nlohmann::json json;  // report.json of the merged run, with "shards": which part ran where
};

// Throws InputError naming the file or the shard when a report is not a
// shard's, when the reports are of different runs (topology, seed, lab,
// scenarios and trial counts, shard count), and when a shard is missing,
// given twice, or lacks a trial it was due to run.
MergedRun merge_shards(const std::vector<ShardReport>&);

// The expect table behind a scenario's targets, read back from their names
// and limits as report.json writes them (inverse of scenario::evaluate's
// naming): the merge judges again with it.
topology::Expect expect_of(const std::vector<scenario::Target>&);

}  // namespace netlab::report
