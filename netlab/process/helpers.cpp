#include "netlab/process/helpers.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "netlab/base/error.h"

namespace netlab::process {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> candidates(std::string_view program) {
  std::vector<std::string> out;
  if (const char* env = std::getenv(helper_env_var(program).c_str()); env && *env) out.push_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / program).string());
    out.push_back((exe.parent_path().parent_path() / program).string());
  }
  return out;
}

}  // namespace

std::string helper_env_var(std::string_view program) {
  std::string v = "NETLAB";
  std::string_view rest = program;
  if (rest.starts_with("netlab-")) rest.remove_prefix(7);
  v += '_';
  for (char c : rest) v += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v;
}

std::optional<std::string> find_helper(std::string_view program) {
  for (const auto& p : candidates(program))
    if (::access(p.c_str(), X_OK) == 0) return p;
  return std::nullopt;
}

std::string helper_path(std::string_view program) {
  if (auto p = find_helper(program)) return *p;
  std::string where;
  for (const auto& p : candidates(program)) where += (where.empty() ? "" : ", ") + p;
  throw EnvironmentError(std::string(program) + " is not installed (looked for $" +
                         helper_env_var(program) + ", then " + (where.empty() ? "nothing" : where) +
                         "): build it with netlab (ninja " + std::string(program) + ")");
}

}  // namespace netlab::process
