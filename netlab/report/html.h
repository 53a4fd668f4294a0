// Pictures of a run: report.html, the timeline and distribution SVGs, and the
// topology drawn by Graphviz (docs/report-html.md).
//
// Everything here renders a report.json document (docs/report.schema.json),
// not the runner's structures, so `netlab report --html` draws old runs the
// same way `netlab run` draws its own. Pure: text in, text out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlab/topology/model.h"

namespace netlab::report {

namespace svg {

// The CSS class a verdict ("pass", "fail", ...) is drawn with: the one place
// that knows the verdicts.
std::string verdict_class(std::string_view verdict);

// Escapes text for XML content and attribute values.
std::string escape(std::string_view);

// One trial's timeline: a lane per router with its events as marks (class
// "mark", one per event), the outage of each direction (and flow) as bars
// (class "bar"), the failback after the repair, and under it the first 2 s
// after the fault on a zoomed axis. `scenario` and `trial` are report.json's.
std::string trial_timeline(const nlohmann::json& scenario, const nlohmann::json& trial);

// Every trial of a scenario, one timeline under the other: SCENARIO.timeline.svg.
std::string scenario_timeline(const nlohmann::json& scenario);

// The outage over the trials of a scenario, per direction: every trial a
// point, p50/p95/max and the target as lines. `axis_max_ms` > 0 fixes the
// axis (several runs drawn on the same scale).
std::string distribution(const nlohmann::json& scenario, double axis_max_ms = 0);

}  // namespace svg

// What the topology picture marks for one scenario.
struct TopologyOverlay {
  std::vector<std::string> path_before, path, path_after;  // link and tunnel names
  std::vector<std::string> faulted;  // node, link or tunnel names; "domain=value" for a domain
};

// What is shown on hover beyond the model: per node and per link or tunnel,
// lines such as "eth1 10.255.0.1/30" (from the plan's addresses).
struct TopologyDetails {
  std::map<std::string, std::vector<std::string>> node, link;
};

// The topology laid out once by Graphviz (dot), drawn as often as needed.
class TopologyPicture {
 public:
  explicit TopologyPicture(const topology::Topology&, TopologyDetails details = {});
  ~TopologyPicture();
  TopologyPicture(const TopologyPicture&) = delete;
  TopologyPicture& operator=(const TopologyPicture&) = delete;

  // The picture as SVG: a <g class="node"> per node, a <g class="link"> per
  // link, <g class="tunnel"> per tunnel, <g class="domain"> per failure domain.
  std::string svg(const TopologyOverlay& = {}) const;
  // Graphviz's own renderings of the same graph: "dot", "png", ...
  std::string render(const std::string& format) const;

  // What a scenario's fault takes down, by name (topology::Graph::failure_of);
  // for a sweep row the fault text ("cut dx1") is read instead.
  std::vector<std::string> faulted_by(const std::string& scenario, const std::string& fault) const;

 private:
  struct Impl;
  Impl* impl_;
};

// report.html: one self-contained page (inline SVG and CSS, no script).
// `topology` draws the topology section when given.
std::string html(const nlohmann::json& report, const TopologyPicture* topology = nullptr);

// Several runs side by side: per scenario each run's figures and the
// difference to the first. `labels` name the runs (file names).
std::string html_compare(const std::vector<nlohmann::json>& reports, const std::vector<std::string>& labels);

}  // namespace netlab::report
