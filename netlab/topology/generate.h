// Topologies of any size for scaling tests and benchmarks: `netlab generate
// ring|clos|hub N` prints one as TOML (docs/topology.md's language), which
// loads and validates like a hand-written file.
//
// Every shape is made of N plain routers (role "router"), one private 4-byte
// ASN each (4200000000 + i; a Clos's spines share one), each announcing its
// own /24 (10.<i/256>.<i%256>.0/24), with BGP and BFD (300 ms x 3) on every
// link. Two hosts, h1 and h2, sit at routers far apart, a probe runs
// between them and one scenario breaks a link the topology survives:
//   ring: r1 - r2 - ... - rN - r1; h1 at r1, h2 at the opposite router;
//         the scenario cuts r1-r2.
//   clos: S spines s1..sS (default 2) and N - S leaves l1..; every leaf
//         linked to every spine; h1 at l1, h2 at the last leaf; the
//         scenario cuts l1-s1.
//   hub:  r1 the hub, r2..rN spokes; h1 at r2, h2 at r3; N >= 4 adds a
//         scenario taking down r1-r4 (not on the probe's path).
// Pure. Errors: InputError for a size or option out of range.
#pragma once

#include <string>
#include <string_view>

namespace netlab::topology {

enum class Shape { Ring, Clos, Hub };

struct GenerateOptions {
  Shape shape = Shape::Ring;
  int routers = 0;
  int spines = 0;    // clos only; 0: 2
  std::string name;  // [lab].name; "": the shape's name
};

// Minimum and maximum router counts (ring 3, clos spines + 1, hub 3; at
// most 10000, within the /24 numbering and the interface names).
inline constexpr int kMaxGeneratedRouters = 10000;

// "ring" -> Shape::Ring; throws InputError naming the valid shapes.
Shape shape_from(std::string_view);

std::string generate(const GenerateOptions&);

}  // namespace netlab::topology
