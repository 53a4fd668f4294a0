// Rendering of Results: the terminal table, report.json (schema in
// docs/report.schema.json) and JUnit XML for CI systems. Pure.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "netlab/scenario/results.h"

namespace netlab::report {

std::string table(const scenario::RunResult&, bool color = false);
nlohmann::json to_json(const scenario::RunResult&);
// report.json read back: every figure of every trial and the targets as
// written (statistics and verdicts are recomputed from the trials by
// scenario::evaluate, not read). Throws nlohmann::json::exception on a
// document that is not a report.
scenario::RunResult from_json(const nlohmann::json&);
scenario::ScenarioResult scenario_from_json(const nlohmann::json&);
scenario::Trial trial_from_json(const nlohmann::json&);
// `extra`: targets judged over the whole run rather than one scenario (the
// sweep's Direct Connect class), as one more testsuite named `extra_suite`.
std::string junit(const scenario::RunResult&, const std::string& extra_suite = "",
                  const std::vector<scenario::Target>& extra = {});

// Summaries of several report.json documents, one row per scenario:
// topology, what it claims, scenario, fault, trials, outage p50/max, verdict.
std::string markdown_summary(const std::vector<nlohmann::json>& reports);
std::string text_summary(const std::vector<nlohmann::json>& reports);

// Writes `text` to `path` atomically (temporary file + rename).
void write_file(const std::string& path, const std::string& text);

}  // namespace netlab::report
