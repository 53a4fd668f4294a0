// Bring-up cost through this API, against the anchors in
// docs/kernel-notes.md: 200 namespaces + 200 veth pairs + addresses took
// 3.5 s as 1400 `ip` calls and 0.65 s with `ip -batch`. Same work here: per
// namespace create (+ lo up); per pair one veth, two addresses, two link ups.
#include <cstdio>

#include "kernel_fixture.h"

namespace netlab::kernel::testing {
namespace {

using ScaleTest = KernelTest;

TEST_F(ScaleTest, TwoHundredNamespacesAndVethPairsWithAddresses) {
  constexpr int kN = 200;
  std::vector<std::string> ns;
  int64_t t0 = mono_ns();
  for (int i = 0; i < kN; ++i) ns.push_back(make_ns("s" + std::to_string(i)));
  int64_t t1 = mono_ns();
  // A ring: node i's eth1 to node i+1's eth2, a /30 each.
  for (int i = 0; i < kN; ++i) {
    const std::string& x = ns[i];
    const std::string& y = ns[(i + 1) % kN];
    nl_->veth_create(VethPair{x, "eth1", y, "eth2", 1500});
    uint32_t base = (10u << 24) | (1u << 16) | static_cast<uint32_t>(i * 4);
    nl_->address_add(Address{x, "eth1", Ipv4Prefix{Ipv4{base + 1}, 30}});
    nl_->address_add(Address{y, "eth2", Ipv4Prefix{Ipv4{base + 2}, 30}});
    nl_->link_set_up(x, "eth1", true);
    nl_->link_set_up(y, "eth2", true);
  }
  int64_t t2 = mono_ns();
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(nl_->link_get(ns[i], "eth1")->carrier) << ns[i];
    ASSERT_EQ(nl_->address_list(ns[i]).size(), 3u) << ns[i];  // lo, eth1, eth2
  }
  int64_t t3 = mono_ns();
  for (const auto& n : ns) nl_->netns_delete(n);
  int64_t t4 = mono_ns();
  for (const auto& n : ns) EXPECT_FALSE(nl_->netns_id(n));

  auto ms = [](int64_t a, int64_t b) { return (b - a) / 1e6; };
  std::printf(
      "netns create x%d: %.0f ms; veth+2 addr+2 up x%d: %.0f ms; total up %.0f ms; "
      "delete: %.0f ms\n",
      kN, ms(t0, t1), kN, ms(t1, t2), ms(t0, t2), ms(t3, t4));
  RecordProperty("bring_up_ms", static_cast<int>(ms(t0, t2)));
  RecordProperty("teardown_ms", static_cast<int>(ms(t3, t4)));
}

}  // namespace
}  // namespace netlab::kernel::testing
