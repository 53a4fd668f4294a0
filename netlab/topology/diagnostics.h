// Diagnostics that point into a topology file, in the form compilers use:
//
//   topologies/bad.toml:41:14: error: link "dx1" names node "cgw2", which is not defined
//      41 | endpoints = ["cgw2", "dx-ny5"]
//         |              ^~~~~~ did you mean "cgw"?
//
// Collected, never thrown one at a time: `netlab validate` reports every error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "netlab/topology/model.h"

namespace netlab::topology {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceRegion where;
  std::string message;
  std::string hint;  // printed after the caret ("did you mean \"cgw\"?"); may be empty
};

class Diagnostics {
 public:
  void error(SourceRegion where, std::string message, std::string hint = {});
  void warning(SourceRegion where, std::string message, std::string hint = {});
  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  // Sorts by position (stable), so the output reads top to bottom.
  void sort();
  // Renders every diagnostic against `source`, the text of file `path`.
  std::string render(std::string_view path, std::string_view source, bool color = false) const;

 private:
  std::vector<Diagnostic> items_;
};

// Renders one diagnostic (see the file comment).
std::string render(const Diagnostic&, std::string_view path, std::string_view source,
                   bool color = false);

// The candidate closest to `word` by edit distance, when it is close enough to
// be a likely typo; empty otherwise. For "did you mean" hints.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace netlab::topology
