// The seed of a run is decided once: command line, else file, else random.
#include <gtest/gtest.h>

#include "netlab/plan/planner.h"

namespace netlab::plan {
namespace {

TEST(Seeds, CommandLineBeatsTopologyBeatsRandom) {
  EXPECT_EQ(decide_seed(5, 7), 5u);
  EXPECT_EQ(decide_seed(std::nullopt, 7), 7u);
  EXPECT_NE(decide_seed(std::nullopt, std::nullopt), decide_seed(std::nullopt, std::nullopt));
}

}  // namespace
}  // namespace netlab::plan
