// The pictures of a run (report.html, topology.svg, SCENARIO.timeline.svg),
// written by `netlab run`, `netlab sweep` and `netlab report`, and
// `netlab report --html` over several runs (cmd_report.cpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlab/plan/plan.h"
#include "netlab/report/html.h"
#include "netlab/topology/model.h"

namespace netlab::cli {

// What the topology picture shows on hover from the plan: every interface's
// name and address, per node and per link or tunnel.
report::TopologyDetails details_of(const plan::Plan&);

// DIR/report.html, DIR/topology.svg (when `topo` is given) and
// DIR/SCENARIO.timeline.svg for every scenario of `report` (report.json's
// document). Returns the paths written.
std::vector<std::string> write_pictures(const std::string& dir, const nlohmann::json& report,
                                        const topology::Topology* topo, const plan::Plan* plan);

// A scenario's name as a file name: anything but [A-Za-z0-9._-] becomes '-'.
std::string file_name_of(const std::string& scenario);

// write_pictures() for a report read back: the topology drawn when the file
// the report names is still there and valid.
std::vector<std::string> write_report_pictures(const std::string& dir, const nlohmann::json& report);

// netlab report --html OUT FILE...: one run drawn in full, several compared.
// A report.json file, or InputError: unreadable, or not netlab's.
nlohmann::json read_report(const std::string& file);

int cmd_report_html(const std::string& out, const std::vector<std::string>& files);
// netlab report --pictures DIR FILE: what `netlab run` writes beside report.json.
int cmd_report_pictures(const std::string& dir, const std::string& file);

}  // namespace netlab::cli
