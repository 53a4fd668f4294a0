#include "netlab/base/time_scale.h"

#include <gtest/gtest.h>

namespace netlab {
namespace {

TEST(TimeScale, AcceptsNumbersFromOneToAHundred) {
  EXPECT_EQ(parse_time_scale("1"), 1.0);
  EXPECT_EQ(parse_time_scale("3"), 3.0);
  EXPECT_EQ(parse_time_scale("2.5"), 2.5);
  EXPECT_EQ(parse_time_scale("100"), 100.0);
}

TEST(TimeScale, RefusesWhatCouldShortenOrIsNoNumber) {
  for (const char* bad : {"", "0", "0.5", "-2", "101", "3x", " 3", "nan", "inf", "x"})
    EXPECT_EQ(parse_time_scale(bad), std::nullopt) << bad;
}

TEST(TimeScale, UnsetIsOne) {
  // The test runs without NETLAB_TIME_SCALE (ctest's environment).
  if (std::getenv("NETLAB_TIME_SCALE")) GTEST_SKIP() << "NETLAB_TIME_SCALE is set";
  EXPECT_EQ(time_scale(), 1.0);
  EXPECT_EQ(scaled(std::chrono::milliseconds(10'000)), std::chrono::milliseconds(10'000));
  EXPECT_EQ(scaled_ns(5), 5);
}

}  // namespace
}  // namespace netlab
