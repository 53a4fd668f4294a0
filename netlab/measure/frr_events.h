// BFD and BGP neighbour state changes, read from a router's FRR log.
//
// bfdd logs "state-change: [... peer:A ...] up -> down reason:..." (with
// `debug bfd peer`, which the templates set) and bgpd logs "%ADJCHANGE:
// neighbor A(...) ... Up|Down <reason>", each with a microsecond wall-clock
// timestamp (`log timestamp precision 6`). Parsing is pure; FrrLogTail reads
// what a log gained since the last call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace netlab::measure {

struct FrrEvent {
  int64_t realtime_ns = 0;  // CLOCK_REALTIME of the log line
  std::string kind;         // bfd-down, bfd-up, bgp-down, bgp-up
  std::string peer;         // the neighbour's address
  std::string detail;       // "control-expired", "BGP Notification send", ...
  bool operator==(const FrrEvent&) const = default;
};

// Parses every state change in `text` (whole lines only). Timestamps are
// local time, as FRR writes them.
std::vector<FrrEvent> parse_frr_log(std::string_view text);

// Reads a growing log file from a starting offset onwards.
class FrrLogTail {
 public:
  explicit FrrLogTail(std::string path);
  // Skips everything written so far.
  void skip_to_end();
  // Events from lines completed since the last call.
  std::vector<FrrEvent> read_new();

 private:
  std::string path_;
  uint64_t offset_ = 0;
};

}  // namespace netlab::measure
