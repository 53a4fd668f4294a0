// How to start one program: what the Plan decides for every daemon and what
// process/ executes. Here rather than in process/ so that the Plan, which is
// pure, names programs without depending on the kernel's library.
// Pure; no system calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netlab {

struct ProcessSpec {
  std::string ns;  // network namespace name under /run/netns; "" = netlab's own
  // argv[0] is the program: a path, or a bare name looked up in the spec's
  // PATH (in netlab's own mount namespace, before the process starts).
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // the whole environment (PATH is added when absent)
  std::string log_path;                    // stdout and stderr appended here; "" = /dev/null
  // When set, the process gets a private mount namespace in which this
  // directory is bind-mounted over /run: per-instance runtime files (e.g.
  // wireguard-go's /run/wireguard/IF.sock) stay apart and visible to netlab
  // at this path. log_path and cwd are resolved in netlab's view (before the
  // bind); the program itself is executed after it.
  std::optional<std::string> private_run;
  std::string cwd = "/";
  bool operator==(const ProcessSpec&) const = default;
  // "[nl-x-a] /usr/lib/frr/zebra -f ..."; "[host]" for netlab's own namespace,
  // "run=DIR " after the namespace when private_run is set; arguments with
  // spaces or quotes are single-quoted.
  std::string str() const;
};

}  // namespace netlab
