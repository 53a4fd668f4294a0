// libFuzzer entry point: any bytes -> load_string -> validate -> render.
//
// Besides crashes, leaks and sanitizer reports, it checks the promises the
// rest of netlab relies on, and traps when one is broken:
//  - a file that loads and validates without errors has kernel-safe names;
//  - every diagnostic has a message, and points inside the file when it has
//    a position;
//  - rendering never throws.
#include <cstddef>
#include <cstdint>
#include <string>

#include "netlab/topology/graph.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/names.h"
#include "netlab/topology/validate.h"

using namespace netlab::topology;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

uint32_t count_lines(const std::string& s) {
  uint32_t n = 1;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  LoadResult r = load_string(text, "fuzz/input.toml");
  if (r.topology) {
    validate(*r.topology, r.diagnostics);
    const Topology& t = *r.topology;
    if (!r.diagnostics.has_errors()) {
      check(valid_lab_name(t.lab.name));
      for (const Node& n : t.nodes) check(valid_node_name(n.name));
      InterfaceNames names = assign_interface_names(t);
      check(names.clashes.empty());
      // What the sweep will do: fail each link in turn and ask the graph.
      if (t.lab.probe) {
        Graph g(t);
        for (size_t i = 0; i < t.links.size() && i < 32; ++i) {
          FailureSet f;
          f.links.insert(t.links[i].name);
          Reachability reach = g.reach(t.lab.probe->from, t.lab.probe->to, f);
          check(reach.reachable || (reach.links.empty() && reach.tunnels.empty()));
          check(!reach.links.count(t.links[i].name));
        }
      }
    }
  }
  const uint32_t lines = count_lines(text);
  for (const Diagnostic& d : r.diagnostics.items()) {
    check(!d.message.empty());
    check(!d.where.known() || d.where.line <= lines);
  }
  std::string out = r.diagnostics.render("fuzz/input.toml", text, size % 2 == 1);
  check(r.diagnostics.items().empty() || !out.empty());
  return 0;
}
