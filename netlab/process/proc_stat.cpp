#include "netlab/process/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::process {

namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      open == 0 || text[open - 1] != ' ') {
    return std::nullopt;
  }
  ProcStat st;
  if (!parse_number(text.substr(0, open - 1), st.pid)) return std::nullopt;
  st.comm = std::string(text.substr(open + 1, close - open - 1));

  // Fields 3.. follow ") ", separated by single spaces.
  std::string_view rest = text.substr(close + 1);
  int field = 2;
  while (!rest.empty()) {
    if (rest.front() != ' ') return std::nullopt;
    rest.remove_prefix(1);
    const size_t end = rest.find_first_of(" \n");
    std::string_view value = rest.substr(0, end);
    ++field;
    if (field == 3) {
      if (value.size() != 1) return std::nullopt;
      st.state = value[0];
    } else if (field == 4) {
      if (!parse_number(value, st.ppid)) return std::nullopt;
    } else if (field == 22) {
      if (!parse_number(value, st.start_time)) return std::nullopt;
      return st;
    }
    if (end == std::string_view::npos || rest[end] == '\n') break;
    rest.remove_prefix(end);
  }
  return std::nullopt;  // fewer than 22 fields
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  kernel::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ESRCH) return std::nullopt;
    throw KernelError("open", path, errno);
  }
  // The line is well under 1 KiB (comm is at most 15 bytes); read until EOF
  // anyway so a future longer line is never cut.
  std::string text;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The process was reaped between open and read.
      if (errno == ESRCH) return std::nullopt;
      throw KernelError("read", path, errno);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  if (text.empty()) return std::nullopt;
  auto st = parse_proc_stat(text);
  if (!st) throw Error("read " + path + ": not a stat line: " + text);
  return st;
}

}  // namespace netlab::process
