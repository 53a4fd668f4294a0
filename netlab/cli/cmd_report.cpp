// The pictures of runs: report.html beside report.json, stand-alone SVGs,
// and several runs side by side (netlab report --html).
#include <filesystem>
#include <fstream>

#include "netlab/base/error.h"
#include "netlab/cli/common.h"
#include "netlab/cli/pictures.h"
#include "netlab/report/report.h"
#include "netlab/topology/loader.h"

namespace netlab::cli {

namespace fs = std::filesystem;
using nlohmann::json;

report::TopologyDetails details_of(const plan::Plan& p) {
  report::TopologyDetails d;
  for (const auto& n : p.nodes)
    for (const auto& i : n.ifaces) {
      std::string line = i.name + " " + i.address.str() + " (" + i.link + ")";
      d.node[n.name].push_back(line);
      d.link[i.link].push_back(n.name + " " + i.name + " " + i.address.str());
    }
  return d;
}

std::string file_name_of(const std::string& scenario) {
  std::string s = scenario;
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '-';
  if (s.empty() || s[0] == '.') s = "_" + s;
  return s;
}

std::vector<std::string> write_pictures(const std::string& dir, const json& r, const topology::Topology* topo,
                                        const plan::Plan* plan) {
  std::vector<std::string> written;
  std::unique_ptr<report::TopologyPicture> picture;
  if (topo) {
    // The run's figures matter more than its picture: a topology Graphviz
    // cannot lay out leaves the page without it.
    try {
      picture = std::make_unique<report::TopologyPicture>(*topo, plan ? details_of(*plan) : report::TopologyDetails{});
      report::write_file(dir + "/topology.svg", picture->svg());
      written.push_back(dir + "/topology.svg");
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const Error*>(&e)) throw;
      progress(std::string("no topology picture: ") + e.what());
    }
  }
  if (r.contains("scenarios"))
    for (const auto& s : r["scenarios"]) {
      std::string path = dir + "/" + file_name_of(s.value("name", "")) + ".timeline.svg";
      report::write_file(path, report::svg::scenario_timeline(s));
      written.push_back(path);
    }
  report::write_file(dir + "/report.html", report::html(r, picture.get()));
  written.push_back(dir + "/report.html");
  return written;
}

json read_report(const std::string& f) {
  std::ifstream in(f);
  if (!in) throw InputError("cannot read " + f);
  auto j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("scenarios")) throw InputError(f + " is not a netlab report.json");
  return j;
}

namespace {

// The run's topology, when its file is still where the report says and still
// valid: the pictures then include it. Otherwise they go without.
struct RunTopology {
  std::optional<topology::Topology> topo;
  std::optional<plan::Plan> plan;
};
RunTopology topology_of(const json& r) {
  RunTopology out;
  std::string path = r.value("topology", "");
  if (path.empty() || !fs::exists(path)) return out;
  auto loaded = topology::load_and_validate(path);
  if (!loaded.ok()) return out;
  out.topo = std::move(*loaded.topology);
  try {
    out.plan = make_plan(*out.topo);
  } catch (const std::exception&) {
    // Addresses on hover are a detail: the picture is drawn without them.
  }
  return out;
}

}  // namespace

int cmd_report_html(const std::string& out, const std::vector<std::string>& files) {
  std::vector<json> reports;
  std::vector<std::string> labels;
  for (const auto& f : files) {
    reports.push_back(read_report(f));
    labels.push_back(f);
  }
  if (reports.size() == 1) {
    auto t = topology_of(reports[0]);
    std::unique_ptr<report::TopologyPicture> picture;
    if (t.topo)
      picture = std::make_unique<report::TopologyPicture>(*t.topo, t.plan ? details_of(*t.plan) : report::TopologyDetails{});
    report::write_file(out, report::html(reports[0], picture.get()));
  } else {
    report::write_file(out, report::html_compare(reports, labels));
  }
  std::printf("report: %s\n", out.c_str());
  return 0;
}

std::vector<std::string> write_report_pictures(const std::string& dir, const json& r) {
  auto t = topology_of(r);
  return write_pictures(dir, r, t.topo ? &*t.topo : nullptr, t.plan ? &*t.plan : nullptr);
}

int cmd_report_pictures(const std::string& dir, const std::string& file) {
  json r = read_report(file);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError("cannot create the directory " + dir + ": " + ec.message());
  auto t = topology_of(r);
  for (const auto& p : write_pictures(dir, r, t.topo ? &*t.topo : nullptr, t.plan ? &*t.plan : nullptr))
    std::printf("%s\n", p.c_str());
  return 0;
}

}  // namespace netlab::cli
