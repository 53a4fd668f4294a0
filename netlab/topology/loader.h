// Loading a topology: TOML text -> Topology, with every problem reported as a
// Diagnostic that points into the file. Pure: reads the file, touches nothing.
#pragma once

#include <optional>
#include <string>

#include "netlab/topology/diagnostics.h"
#include "netlab/topology/model.h"

namespace netlab::topology {

struct LoadResult {
  std::optional<Topology> topology;  // set when the file parsed (it may still have errors)
  Diagnostics diagnostics;
  // The file's path and text, kept even when it did not parse, so that the
  // diagnostics can always be rendered against it.
  std::string path, source;
  bool ok() const { return topology && !diagnostics.has_errors(); }
  // Every diagnostic, rendered against the file (Diagnostics::render).
  std::string render(bool color = false) const { return diagnostics.render(path, source, color); }
};

// Parses and type-checks `text` (unknown keys, wrong types, missing required
// keys, bad enums/CIDRs/ASNs), applies the spec's defaults, and resolves
// relative paths (node config, frr_templates) against `path`'s directory.
LoadResult load_string(std::string text, std::string path);
LoadResult load_file(const std::string& path);

// load_file() followed by validate(): the one call the CLI makes.
LoadResult load_and_validate(const std::string& path);

}  // namespace netlab::topology
