// /proc/PID/stat, the few fields netlab needs, and reading it.
//
// The parser is pure: comm (field 2) is in parentheses and may itself
// contain spaces and parentheses, so the fields after it are counted from the
// LAST ')' in the line, as procps does.
// Errors: read_proc_stat throws KernelError for anything but "no such pid".
// Threads: any.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netlab::process {

struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';         // field 3: R S D T t Z X ...
  pid_t ppid = 0;           // field 4
  uint64_t start_time = 0;  // field 22, clock ticks since boot
  bool operator==(const ProcStat&) const = default;
  bool gone() const { return state == 'Z' || state == 'X' || state == 'x'; }
};

// nullopt when `text` is not a stat line.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// nullopt when there is no such pid.
std::optional<ProcStat> read_proc_stat(pid_t pid);

}  // namespace netlab::process
