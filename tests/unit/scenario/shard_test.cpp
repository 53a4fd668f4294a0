#include "netlab/scenario/shard.h"

#include <gtest/gtest.h>

#include <set>

#include "netlab/base/error.h"

namespace netlab::scenario {
namespace {

TEST(Shard, ParsesKOverN) {
  EXPECT_EQ(parse_shard("2/3"), (Shard{2, 3}));
  EXPECT_EQ(parse_shard("1/1"), (Shard{1, 1}));
  EXPECT_TRUE(parse_shard("1/1").whole());
  EXPECT_EQ(parse_shard("3/7").str(), "3/7");
}

TEST(Shard, RefusesWhatIsNotAShard) {
  for (const char* bad : {"", "3", "0/3", "4/3", "-1/3", "1/0", "a/b", "1/3x", "1//3", "1/1001"})
    EXPECT_THROW(parse_shard(bad), InputError) << bad;
}

TEST(Shard, EveryTrialRunsOnExactlyOneShardWhateverTheCounts) {
  const std::vector<int> trials{3, 1, 5, 2};  // 11 units in serial order
  for (int n = 1; n <= 12; ++n) {
    std::multiset<std::pair<size_t, int>> all;
    size_t largest = 0, smallest = 100;
    for (int k = 1; k <= n; ++k) {
      auto part = shard_trials(Shard{k, n}, trials);
      size_t size = 0;
      for (size_t s = 0; s < part.size(); ++s)
        for (int t : part[s]) {
          all.insert({s, t});
          ++size;
        }
      largest = std::max(largest, size);
      smallest = std::min(smallest, size);
    }
    EXPECT_EQ(all.size(), 11u) << n;
    for (size_t s = 0; s < trials.size(); ++s)
      for (int t = 1; t <= trials[s]; ++t) EXPECT_EQ(all.count({s, t}), 1u) << n << " " << s << " " << t;
    EXPECT_LE(largest - smallest, 1u) << "unequal shares with N=" << n;
  }
}

TEST(Shard, TheSplitIsRoundRobinInSerialOrder) {
  auto part = shard_trials(Shard{2, 3}, {3, 1, 5});
  // serial: s0t1 s0t2 s0t3 s1t1 s2t1 s2t2 s2t3 s2t4 s2t5 -> positions 1, 4, 7
  EXPECT_EQ(part, (std::vector<std::vector<int>>{{2}, {}, {1, 4}}));
  EXPECT_EQ(part.size(), 3u);
  EXPECT_EQ(shard_trials(Shard{1, 1}, {2, 2}), (std::vector<std::vector<int>>{{1, 2}, {1, 2}}));
}

TEST(DefaultJobs, OneLabPerTwoCpusAtLeastOneAtMostTheCap) {
  EXPECT_EQ(default_jobs(1), 1);
  EXPECT_EQ(default_jobs(2), 1);
  EXPECT_EQ(default_jobs(3), 1);
  EXPECT_EQ(default_jobs(8), 4);
  EXPECT_EQ(default_jobs(64), kMaxJobs);
  EXPECT_GE(usable_cpus(), 1);
}

}  // namespace
}  // namespace netlab::scenario
