// netlab import clab FILE.clab.yml [-o FILE]: a containerlab topology as a
// netlab topology (netlab/importer/clab.h). Touches nothing on the host.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/importer/clab.h"

namespace netlab::cli {

namespace fs = std::filesystem;

int cmd_import(const std::string& format, const std::string& file, const std::string& output) {
  if (format != "clab") throw InputError("netlab import reads containerlab topologies only: netlab import clab FILE");
  // Config paths in the topology are relative to where it is written: the
  // output file's directory, or the clab file's when it is printed.
  std::string dir = output.empty() ? fs::path(file).parent_path().string() : fs::path(output).parent_path().string();
  auto r = importer::import_clab(file, dir);
  for (const auto& n : r.notes) std::fprintf(stderr, "netlab import: %s\n", n.c_str());
  if (output.empty()) {
    std::fputs(r.toml.c_str(), stdout);
  } else {
    std::ofstream out(output);
    out << r.toml;
    if (!out.flush()) throw InputError("cannot write " + output);
  }
  return 0;
}

Runner define_import(CLI::App& c) {
  struct Args {
    std::string format, file, output;
  };
  auto a = std::make_shared<Args>();
  c.add_option("format", a->format, "the other tool's format")->required()->check(CLI::IsMember({"clab"}));
  c.add_option("file", a->file, "containerlab topology (FILE.clab.yml)")->required();
  c.add_option("-o,--output", a->output,
               "write the topology to this file (config paths relative to it) instead of printing it "
               "(config paths relative to the clab file)");
  return [a] { return cmd_import(a->format, a->file, a->output); };
}

}  // namespace netlab::cli
