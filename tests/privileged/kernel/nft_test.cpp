// nftables per namespace: a netdev ingress drop really cuts a link while its
// carrier stays up (the way netlab injects a "cut").
#include "netlab/kernel/nft.h"

#include "kernel_fixture.h"

namespace netlab::kernel::testing {
namespace {

class NftTest : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    if (IsSkipped()) return;
    nft_ = make_nft();
  }
  void TearDown() override {
    // A context's netlink socket keeps its namespace alive.
    if (nft_) {
      for (const auto& ns : created_) nft_->forget(ns);
    }
    KernelTest::TearDown();
  }
  std::unique_ptr<Nft> nft_;
};

// Packets dropped by the cut table's counter, read through list_json.
uint64_t dropped(Nft& nft, const std::string& ns) {
  std::string json = nft.list_json(ns, "list table netdev nl_cut");
  auto pos = json.find("\"packets\":");
  if (pos == std::string::npos) pos = json.find("\"packets\": ");
  if (pos == std::string::npos) return 0;
  pos = json.find_first_of("0123456789", pos);
  return std::stoull(json.substr(pos));
}

TEST_F(NftTest, NetdevIngressDropBlackholesTrafficWhileCarrierStaysUp) {
  std::string a, b;
  make_pair(&a, &b);
  UniqueFd rx = udp_socket_in(b, "10.0.0.2", 6000);
  UniqueFd tx = udp_socket_in(a, "10.0.0.1", 6001);

  send_udp(tx.get(), "10.0.0.2", 6000, "before");
  std::vector<std::string> got;
  ASSERT_TRUE(wait_until([&] {
    for (auto& m : received(rx.get())) got.push_back(m);
    return !got.empty();
  }));
  EXPECT_EQ(got[0], "before");

  nft_->run(b,
            "add table netdev nl_cut\n"
            "add chain netdev nl_cut in { type filter hook ingress device \"eth1\" priority -500; "
            "policy accept; }\n"
            "add rule netdev nl_cut in counter drop\n");
  send_udp(tx.get(), "10.0.0.2", 6000, "during");
  // The counter proves the packet reached b's ingress and was dropped
  // there; only then is "nothing received" meaningful.
  ASSERT_TRUE(wait_until([&] { return dropped(*nft_, b) >= 1; }));
  EXPECT_TRUE(received(rx.get()).empty());
  EXPECT_TRUE(nl_->link_get(a, "eth1")->carrier);
  EXPECT_TRUE(nl_->link_get(b, "eth1")->carrier);

  nft_->run(b, "delete table netdev nl_cut");
  send_udp(tx.get(), "10.0.0.2", 6000, "after");
  got.clear();
  ASSERT_TRUE(wait_until([&] {
    for (auto& m : received(rx.get())) got.push_back(m);
    return !got.empty();
  }));
  EXPECT_EQ(got[0], "after");
}

TEST_F(NftTest, CommandsLandOnlyInTheirNamespace) {
  std::string a, b;
  make_pair(&a, &b);
  nft_->run(a, "add table inet nl_path");
  EXPECT_NE(nft_->list_json(a, "list tables").find("nl_path"), std::string::npos);
  EXPECT_EQ(nft_->list_json(b, "list tables").find("nl_path"), std::string::npos);
}

TEST_F(NftTest, ARejectedCommandThrowsWithNftsMessageAndChangesNothing) {
  std::string a, b;
  make_pair(&a, &b);
  try {
    // One transaction: the second command fails, so the first is not applied.
    nft_->run(a, "add table inet nl_ok\nadd chain inet nl_missing c\n");
    FAIL() << "expected an error";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.op(), "nft");
    EXPECT_EQ(e.err(), EINVAL);
    // nft's own text, with its caret lines (which command it blames is nft's business).
    EXPECT_NE(e.extack().find("Error: No such file or directory"), std::string::npos) << e.extack();
  }
  EXPECT_EQ(nft_->list_json(a, "list tables").find("nl_ok"), std::string::npos);
  try {
    nft_->run(a, "this is not nft");
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_NE(e.extack().find("syntax error"), std::string::npos) << e.extack();
  }
}

TEST_F(NftTest, InterfaceNamesResolveInTheTargetNamespace) {
  std::string a = make_ns("a"), b = make_ns("b");
  // Only b has "only9": `iif` is resolved by libnftables through a socket in
  // the calling thread's namespace, so this works only if we are inside b.
  nl_->veth_create(VethPair{b, "only9", b, "only8", 1500});
  nft_->run(b, "add table inet nl_t\nadd chain inet nl_t c\nadd rule inet nl_t c iif only9 drop");
  EXPECT_THROW(
      nft_->run(a,
                "add table inet nl_t\nadd chain inet nl_t c\nadd rule inet nl_t c iif only9 drop"),
      KernelError);
}

TEST_F(NftTest, MissingNamespaceIsEnoent) {
  try {
    nft_->run(test_prefix() + "missing", "add table inet t");
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENOENT);
  }
}

}  // namespace
}  // namespace netlab::kernel::testing
