#include "netlab/base/helpers.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "netlab/base/error.h"
#include "netlab/version.h"

namespace netlab {

namespace fs = std::filesystem;

std::vector<std::string> helper_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("NETLAB_LIBEXEC_DIR"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path().string());
    dirs.push_back((exe.parent_path().parent_path() / "lib" / "netlab").string());
    // Only a program of this build tree (a benchmark, a test) falls back on
    // it: an installed netlab must never pick up a stale build's helpers.
    std::string tree = NETLAB_BINARY_DIR;
    if (exe.string().rfind(tree + "/", 0) == 0) dirs.push_back(tree);
  }
  return dirs;
}

std::optional<std::string> find_helper(std::string_view name) {
  for (const auto& d : helper_dirs()) {
    fs::path p = fs::path(d) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return std::nullopt;
}

std::string require_helper(std::string_view name) {
  if (auto p = find_helper(name)) return *p;
  std::string where;
  for (const auto& d : helper_dirs()) where += (where.empty() ? "" : ", ") + d;
  throw EnvironmentError(std::string(name) + " is not installed (looked in " + where +
                         "): build it with netlab (ninja " + std::string(name) +
                         ") or set NETLAB_LIBEXEC_DIR");
}

}  // namespace netlab
