#include "netlab/cli/commands.h"

namespace netlab::cli {

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {"run", "build a lab, run its scenarios, judge the targets, tear it down", define_run},
      {"sweep", "run every single failure the topology can have; resiliency matrix", define_sweep},
      {"up", "build a lab and leave it running", define_up},
      {"down", "tear a lab down completely (also after a crash)", define_down},
      {"ls", "list labs with their state and age", define_ls},
      {"status", "show a lab's nodes, sessions and links", define_status},
      {"fault", "inject a fault into a running lab by hand (cut dx1, crash cgw, domain location=ny5, ...)", define_fault},
      {"repair", "repair faults injected with `netlab fault`", define_repair},
      {"impair", "put delay, jitter, loss or a rate limit on a running lab's link; --show, --reset", define_impair},
      {"probe", "run the 1 ms probe between two nodes of a running lab; each outage as it ends", define_probe},
      {"events", "follow a running lab's BFD, BGP and route changes as they happen", define_events},
      {"exec", "run a command inside a node's namespace", define_exec},
      {"vtysh", "FRR's shell on a node (interactive, or -c COMMAND)", define_vtysh},
      {"plan", "print the plan (names, addresses, sessions) without touching the host", define_plan},
      {"graph", "draw the topology (SVG, DOT or PNG) without touching the host", define_graph},
      {"generate", "print a topology of N routers (ring, clos, hub) for scale tests", define_generate},
      {"validate", "check topology files; every error with file:line:col", define_validate},
      {"import", "turn a containerlab topology (clab FILE.clab.yml) into a netlab topology", define_import},
      {"doctor", "check this host: root, FRR, WireGuard, IPsec, netem, nftables", define_doctor},
      {"report", "summarise report.json files (one row per scenario), or draw them (--html)", define_report},
      {"version", "print the version", define_version},
      {"completion", "print shell completion for bash or zsh", define_completion},
      {"man", "print the manual page (roff)", define_man},
  };
  return table;
}

const std::vector<std::pair<int, std::string>>& exit_codes() {
  static const std::vector<std::pair<int, std::string>> codes = {
      {0, "every target met"},
      {1, "a target missed"},
      {2, "invalid input or usage, or the lab's name is in use; nothing was touched"},
      {3, "environment: not root, FRR missing, a kernel feature with no fallback"},
      {4, "the lab failed: it did not converge, or the kernel refused an operation"},
      {130, "interrupted; the lab was torn down"},
  };
  return codes;
}

}  // namespace netlab::cli
