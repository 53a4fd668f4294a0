// Checks a report document against docs/report.schema.json with Debian's
// python3-jsonschema (/usr/bin/python3, not whatever is first in PATH),
// formats included. Header-only; for the report tests.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "netlab/process/command.h"
#include "netlab/report/report.h"

namespace netlab::testing {

// "" when `doc` follows the schema; else the validator's complaint.
inline std::string schema_errors(const nlohmann::json& doc) {
  static std::atomic<int> n{0};
  const std::string f = (std::filesystem::temp_directory_path() /
                         ("netlab-schema-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".json"))
                            .string();
  report::write_file(f, doc.dump(2));
  auto r = process::run_command(
      {"/usr/bin/python3", "-c",
       "import json, sys, jsonschema\n"
       "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),\n"
       "                    format_checker=jsonschema.FormatChecker())\n",
       f, std::string(NETLAB_SOURCE_DIR) + "/docs/report.schema.json"});
  std::filesystem::remove(f);
  if (r.exit_code == 0) return "";
  return r.err.empty() ? "the validator exited " + std::to_string(r.exit_code) : r.err;
}

}  // namespace netlab::testing
