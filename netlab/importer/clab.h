// `netlab import clab`: a containerlab topology (FILE.clab.yml) as a netlab
// topology. FRR nodes (kind `frr`, or kind `linux` running an FRR image with
// its frr.conf bound to /etc/frr/frr.conf) become routers with their frr.conf
// as their own config; `linux` nodes become hosts, their addresses and
// routes read from their `exec` lines. Everything else is refused by name.
// docs/import.md says what maps to what.
//
// Reads the clab file and the frr.conf files it names; touches nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "netlab/base/ip.h"

namespace netlab::importer {

// One `exec` line of a linux node, as far as netlab can take it over.
struct ExecLine {
  enum class Kind { Address, Route, Ignored, Unsupported } kind = Kind::Unsupported;
  std::string dev;                   // Address, Route (when given)
  Ipv4Prefix prefix;                 // Address: the interface address; Route: the destination
  std::optional<Ipv4> via;           // Route
  std::string why;                   // Ignored, Unsupported: what netlab does instead, or why not
};
ExecLine parse_exec_line(const std::string& line);

struct Imported {
  std::string toml;                // the netlab topology
  std::vector<std::string> notes;  // what was not taken over and why (for stderr)
};

// `toml_dir`: the directory the TOML will be written to, so the configs'
// paths in it are relative to it (the clab file's directory when printed).
// Throws InputError ("FILE:LINE:COL: error: ...") for what netlab cannot
// emulate or the file gets wrong.
Imported import_clab(const std::string& clab_path, const std::string& toml_dir);

}  // namespace netlab::importer
