#include "netlab/base/process_spec.h"

namespace netlab {
namespace {

bool needs_quoting(const std::string& s) {
  if (s.empty()) return true;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\'' || c == '"' || c == '\\' || c == '$' ||
        c == '`' || c == ';' || c == '&' || c == '|' || c == '*' || c == '?') {
      return true;
    }
  }
  return false;
}

std::string quote(const std::string& s) {
  if (!needs_quoting(s)) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string ProcessSpec::str() const {
  std::string s = "[" + (ns.empty() ? std::string("host") : ns) + "]";
  if (private_run) s += " run=" + quote(*private_run);
  for (const auto& a : argv) s += " " + quote(a);
  return s;
}

}  // namespace netlab
