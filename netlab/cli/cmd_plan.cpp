// netlab validate / netlab plan: everything above "apply", without root.
#include <CLI/CLI.hpp>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/plan/describe.h"
#include "netlab/topology/loader.h"

namespace netlab::cli {

int cmd_validate(const std::vector<std::string>& files) {
  int rc = 0;
  bool color = ::isatty(2);
  for (const auto& f : files) {
    auto r = topology::load_and_validate(f);
    if (!r.diagnostics.items().empty()) std::fputs(r.render(color).c_str(), stderr);
    if (!r.ok()) {
      size_t n = r.diagnostics.error_count();
      std::fprintf(stderr, "%s: %zu error%s\n", f.c_str(), n, n == 1 ? "" : "s");
      rc = 2;
      continue;
    }
    const auto& t = *r.topology;
    size_t w = r.diagnostics.warning_count();
    std::printf("%s: ok: lab %s, %zu nodes, %zu links, %zu tunnels, %zu scenarios%s\n", f.c_str(),
                t.lab.name.c_str(), t.nodes.size(), t.links.size(), t.tunnels.size(),
                t.scenarios.size(),
                w ? (", " + std::to_string(w) + " warning" + (w == 1 ? "" : "s")).c_str() : "");
  }
  return rc;
}

int cmd_plan(const std::string& file, bool configs) {
  auto t = load_topology(file);
  auto p = make_plan(t);
  std::fputs(plan::describe(p, configs).c_str(), stdout);
  return 0;
}


Runner define_plan(CLI::App& c) {
  struct Args {
    std::string file;
    bool configs = false;
  };
  auto a = std::make_shared<Args>();
  c.add_option("file", a->file, "topology file")->required();
  c.add_flag("--configs", a->configs, "also print every rendered FRR configuration");
  return [a] { return cmd_plan(a->file, a->configs); };
}

Runner define_validate(CLI::App& c) {
  auto files = std::make_shared<std::vector<std::string>>();
  c.add_option("files", *files, "topology files")->required();
  return [files] { return cmd_validate(*files); };
}

}  // namespace netlab::cli
