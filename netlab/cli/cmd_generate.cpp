// netlab generate: a topology of N routers on stdout (topology/generate.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "netlab/cli/commands.h"
#include "netlab/topology/generate.h"

namespace netlab::cli {

Runner define_generate(CLI::App& c) {
  struct Args {
    std::string shape;
    int routers = 0;
    int spines = 0;
    std::string name;
  };
  auto a = std::make_shared<Args>();
  c.add_option("shape", a->shape, "ring, clos (leaves and spines) or hub (hub and spokes)")
      ->required()
      ->check(CLI::IsMember({"ring", "clos", "hub"}));
  c.add_option("routers", a->routers, "how many routers (clos: spines included)")->required();
  c.add_option("--spines", a->spines, "clos: how many spines (default 2)");
  c.add_option("--name", a->name, "the lab's name (default: the shape's)");
  c.footer(
      "Prints a valid topology: every router its own ASN and /24, eBGP and BFD on every link, two\n"
      "hosts far apart with a probe between them.  Example:\n"
      "  netlab generate ring 50 > ring50.toml && sudo netlab up ring50.toml");
  return [a] {
    topology::GenerateOptions o;
    o.shape = topology::shape_from(a->shape);
    o.routers = a->routers;
    o.spines = a->spines;
    o.name = a->name;
    std::fputs(topology::generate(o).c_str(), stdout);
    return 0;
  };
}

}  // namespace netlab::cli
