#include "netlab/topology/generate.h"

#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

LoadResult load(const GenerateOptions& o) {
  auto r = load_string(generate(o), "generated.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

size_t routers(const Topology& t) {
  size_t n = 0;
  for (const auto& node : t.nodes) n += node.role == Role::Router;
  return n;
}

TEST(Generate, RingsOfSeveralSizesAreValid) {
  for (int n : {3, 4, 7, 50, 300, 1000}) {
    auto r = load({Shape::Ring, n, 0, ""});
    ASSERT_TRUE(r.ok()) << "ring " << n << "\n" << r.render();
    EXPECT_EQ(r.diagnostics.warning_count(), 0u) << r.render();
    EXPECT_EQ(routers(*r.topology), static_cast<size_t>(n));
    EXPECT_EQ(r.topology->links.size(), static_cast<size_t>(n + 2));  // the ring and two hosts
    EXPECT_EQ(r.topology->lab.name, "ring");
    EXPECT_EQ(r.topology->scenarios.size(), 1u);
  }
}

TEST(Generate, ClosOfSeveralSizesAreValid) {
  for (auto [n, spines] : {std::pair{3, 0}, {10, 0}, {50, 4}, {300, 8}}) {
    auto r = load({Shape::Clos, n, spines, "fabric"});
    ASSERT_TRUE(r.ok()) << "clos " << n << "\n" << r.render();
    EXPECT_EQ(r.diagnostics.warning_count(), 0u) << r.render();
    const int s = spines ? spines : 2;
    EXPECT_EQ(routers(*r.topology), static_cast<size_t>(n));
    EXPECT_EQ(r.topology->links.size(), static_cast<size_t>((n - s) * s + 2));
    EXPECT_EQ(r.topology->lab.name, "fabric");
  }
}

TEST(Generate, HubsOfSeveralSizesAreValid) {
  for (int n : {3, 4, 20, 300}) {
    auto r = load({Shape::Hub, n, 0, ""});
    ASSERT_TRUE(r.ok()) << "hub " << n << "\n" << r.render();
    EXPECT_EQ(r.diagnostics.warning_count(), 0u) << r.render();
    EXPECT_EQ(routers(*r.topology), static_cast<size_t>(n));
    EXPECT_EQ(r.topology->links.size(), static_cast<size_t>(n - 1 + 2));
    EXPECT_EQ(r.topology->scenarios.size(), n >= 4 ? 1u : 0u);
  }
}

TEST(Generate, SizesOutOfRangeAreInputErrors) {
  EXPECT_THROW(generate({Shape::Ring, 2, 0, ""}), InputError);
  EXPECT_THROW(generate({Shape::Ring, kMaxGeneratedRouters + 1, 0, ""}), InputError);
  EXPECT_THROW(generate({Shape::Clos, 4, 4, ""}), InputError);
  EXPECT_THROW(generate({Shape::Hub, 5, 2, ""}), InputError);
  EXPECT_THROW(shape_from("star"), InputError);
  EXPECT_EQ(shape_from("clos"), Shape::Clos);
}

TEST(Generate, TheSameInputGivesTheSameText) {
  EXPECT_EQ(generate({Shape::Ring, 30, 0, ""}), generate({Shape::Ring, 30, 0, ""}));
}

}  // namespace
}  // namespace netlab::topology
