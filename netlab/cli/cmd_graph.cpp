// netlab graph: the topology as a picture, without touching the host.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/cli/pictures.h"
#include "netlab/report/report.h"

namespace netlab::cli {

int cmd_graph(const std::string& file, const std::string& out) {
  std::string format = "svg";
  if (!out.empty()) {
    auto dot = out.rfind('.');
    format = dot == std::string::npos ? "" : out.substr(dot + 1);
    if (format != "svg" && format != "dot" && format != "png")
      throw InputError("netlab graph writes .svg, .dot or .png, not \"" + out + "\"");
  }
  auto topo = load_topology(file);
  auto plan = make_plan(topo);
  report::TopologyPicture picture(topo, details_of(plan));
  std::string text = format == "svg" ? picture.svg() : picture.render(format);
  if (out.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
  else report::write_file(out, text);
  return 0;
}

Runner define_graph(CLI::App& c) {
  struct Args {
    std::string file, out;
  };
  auto a = std::make_shared<Args>();
  c.add_option("file", a->file, "topology file")->required();
  c.add_option("-o,--out", a->out, "write here; .svg (netlab's drawing), .dot or .png (Graphviz's); default: SVG on stdout");
  return [a] { return cmd_graph(a->file, a->out); };
}

}  // namespace netlab::cli
