#include "netlab/topology/diagnostics.h"

#include <algorithm>
#include <cstdint>

namespace netlab::topology {

void Diagnostics::error(SourceRegion where, std::string message, std::string hint) {
  items_.push_back({Severity::Error, where, std::move(message), std::move(hint)});
}

void Diagnostics::warning(SourceRegion where, std::string message, std::string hint) {
  items_.push_back({Severity::Warning, where, std::move(message), std::move(hint)});
}

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}
size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }
bool Diagnostics::has_errors() const { return error_count() != 0; }

void Diagnostics::sort() {
  // Diagnostics without a position (whole-file facts) go last, after the
  // ones that read top to bottom.
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.where.known() != b.where.known()) return a.where.known();
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
}

std::string Diagnostics::render(std::string_view path, std::string_view source, bool color) const {
  std::string out;
  for (const Diagnostic& d : items_) out += topology::render(d, path, source, color);
  return out;
}

namespace {

constexpr std::string_view kBold = "\x1b[1m", kRed = "\x1b[1;31m", kMagenta = "\x1b[1;35m",
                           kGreen = "\x1b[1;32m", kReset = "\x1b[0m";

// Line `n` (1-based) of `source` without its line break; nullopt past the end.
std::optional<std::string_view> line_of(std::string_view source, uint32_t n) {
  size_t begin = 0;
  for (uint32_t i = 1; i < n; ++i) {
    size_t nl = source.find('\n', begin);
    if (nl == std::string_view::npos) return std::nullopt;
    begin = nl + 1;
  }
  if (begin > source.size() || (begin == source.size() && n > 1)) return std::nullopt;
  size_t end = source.find('\n', begin);
  std::string_view line = source.substr(begin, end == std::string_view::npos ? end : end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// toml++ counts columns in code points, so the caret line walks the source
// line by code point; tabs are copied so the caret stays aligned however the
// terminal expands them.
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t code_points(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation(c); });
}

std::string padding(std::string_view line, uint32_t column) {
  std::string pad;
  uint32_t col = 1;
  for (size_t i = 0; i < line.size() && col < column; ++i) {
    if (is_continuation(line[i])) continue;
    pad += line[i] == '\t' ? '\t' : ' ';
    ++col;
  }
  pad.append(column > col ? column - col : 0, ' ');
  return pad;
}

}  // namespace

std::string render(const Diagnostic& d, std::string_view path, std::string_view source,
                   bool color) {
  auto paint = [color](std::string_view code, std::string_view text) {
    if (!color) return std::string(text);
    return std::string(code) + std::string(text) + std::string(kReset);
  };
  const SourceRegion& w = d.where;
  std::string loc(path.empty() ? "<input>" : path);
  if (w.known()) loc += ":" + std::to_string(w.line) + ":" + std::to_string(std::max(w.column, 1u));
  std::string out = paint(kBold, loc + ":") + " ";
  out += d.severity == Severity::Error ? paint(kRed, "error:") : paint(kMagenta, "warning:");
  out += " " + paint(kBold, d.message) + "\n";

  std::optional<std::string_view> line;
  if (w.known()) line = line_of(source, w.line);
  if (!line) {
    if (!d.hint.empty()) out += "  note: " + d.hint + "\n";
    return out;
  }
  uint32_t column = std::max(w.column, 1u);
  size_t width = code_points(*line);
  size_t length = 1;
  if (w.end_line == w.line && w.end_column > column)
    length = w.end_column - column;
  else if (w.end_line > w.line && width >= column)
    length = width - column + 1;  // a value spanning lines: underline to end of line
  std::string number = std::to_string(w.line);
  std::string gutter(std::max<size_t>(5, number.size()), ' ');
  out += gutter.substr(number.size()) + number + " | " + std::string(*line) + "\n";
  out +=
      gutter + " | " + padding(*line, column) + paint(kGreen, "^" + std::string(length - 1, '~'));
  if (!d.hint.empty()) out += " " + d.hint;
  out += "\n";
  return out;
}

namespace {

// Optimal string alignment distance (Damerau-Levenshtein restricted to
// adjacent transpositions): "cgw2" -> "cgw" is 1, "endpiots" -> "endpoints" is 1.
size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  // Long inputs are not typos of short names; the bound also keeps the
  // quadratic distance cheap on hostile input.
  if (word.empty() || word.size() > 64) return {};
  std::string w(word);
  std::transform(w.begin(), w.end(), w.begin(), lower);
  // Allow one edit per three characters, at least one: "cgw2" -> "cgw",
  // but "ab" never becomes "xy".
  const size_t limit = std::max<size_t>(1, (w.size() + 1) / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c.size() > 64) continue;
    std::string lc(c);
    std::transform(lc.begin(), lc.end(), lc.begin(), lower);
    size_t dist = edit_distance(w, lc);
    // A candidate as short as the edit itself is a guess, not a correction.
    if (dist < best_distance && dist < std::max(lc.size(), w.size())) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace netlab::topology
