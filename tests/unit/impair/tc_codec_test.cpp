// The tc and NFQUEUE-steering encoders (netlab/kernel/tc_codec.h,
// tc_nfqueue_codec.h) checked by decoding their output back, and the byte
// layouts the kernel reads checked field by field. No sockets.
#include "netlab/kernel/tc_codec.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <set>

#include "netlab/base/error.h"
#include "netlab/kernel/tc.h"
#include "netlab/kernel/tc_nfqueue_codec.h"

namespace netlab::kernel {
namespace {

DecodedTc decode_back(const MsgBuilder& m) {
  auto d = decode_tc(m.nlh());
  EXPECT_TRUE(d) << "not decodable";
  return d.value_or(DecodedTc{});
}

const tcmsg* tcm(const MsgBuilder& m) {
  return static_cast<const tcmsg*>(mnl_nlmsg_get_payload(m.nlh()));
}

// The TCA_OPTIONS attribute of a tc message.
std::pair<const char*, size_t> options_of(const MsgBuilder& m) {
  std::pair<const char*, size_t> out{nullptr, 0};
  const char* p = static_cast<const char*>(mnl_nlmsg_get_payload(m.nlh()));
  size_t len = mnl_nlmsg_get_payload_len(m.nlh());
  for (size_t off = NLMSG_ALIGN(sizeof(tcmsg)); off + NLA_HDRLEN <= len;) {
    const auto* a = reinterpret_cast<const nlattr*>(p + off);
    if ((a->nla_type & NLA_TYPE_MASK) == TCA_OPTIONS)
      out = {p + off + NLA_HDRLEN, a->nla_len - NLA_HDRLEN};
    off += NLA_ALIGN(a->nla_len);
  }
  return out;
}

TEST(TcCodec, HtbQdiscRoundTripAndLayout) {
  TcObject q{TcObject::Type::Qdisc, tc_handle(1, 0), kTcRoot, HtbQdisc{1, 10}};
  MsgBuilder m = encode_tc(NLM_F_CREATE | NLM_F_REPLACE, 7, q);
  EXPECT_EQ(m.nlh()->nlmsg_type, RTM_NEWQDISC);
  EXPECT_EQ(m.nlh()->nlmsg_flags, NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(tcm(m)->tcm_ifindex, 7);
  EXPECT_EQ(tcm(m)->tcm_handle, 0x10000u);
  EXPECT_EQ(tcm(m)->tcm_parent, TC_H_ROOT);
  DecodedTc d = decode_back(m);
  EXPECT_EQ(d.ifindex, 7);
  EXPECT_EQ(d.object, q);
  EXPECT_EQ(q.str(), "qdisc htb 1: root default 1");
  // sch_htb.c's htb_init refuses any other protocol version.
  auto [p, n] = options_of(m);
  ASSERT_NE(p, nullptr);
  const auto* init = reinterpret_cast<const nlattr*>(p);
  EXPECT_EQ(init->nla_type & NLA_TYPE_MASK, TCA_HTB_INIT);
  tc_htb_glob g;
  std::memcpy(&g, p + NLA_HDRLEN, sizeof g);
  EXPECT_EQ(g.version, 3u);
  EXPECT_EQ(g.defcls, 1u);
  (void)n;
}

TEST(TcCodec, HtbClassRoundTripWithEthernetLinkLayer) {
  // 10 Mbit/s = 1,250,000 B/s; 15,000 B of burst = 12 ms = 187,500 ticks
  // exactly, so the decoded burst is the encoded one.
  HtbClass c{1'250'000, 1'250'000, 15'000, 15'000, 125'000};
  TcObject o{TcObject::Type::Class, tc_handle(1, 1), tc_handle(1, 0), c};
  MsgBuilder m = encode_tc(NLM_F_CREATE | NLM_F_REPLACE, 3, o);
  EXPECT_EQ(m.nlh()->nlmsg_type, RTM_NEWTCLASS);
  EXPECT_EQ(decode_back(m).object, o);
  EXPECT_EQ(
      o.str(),
      "class htb 1:1 parent 1: rate 10Mbit ceil 10Mbit burst 15000b cburst 15000b quantum 125000");

  auto [p, n] = options_of(m);
  tc_htb_opt opt{};
  bool found = false;
  for (size_t off = 0; off + NLA_HDRLEN <= n;) {
    const auto* a = reinterpret_cast<const nlattr*>(p + off);
    if ((a->nla_type & NLA_TYPE_MASK) == TCA_HTB_PARMS) {
      std::memcpy(&opt, p + off + NLA_HDRLEN, sizeof opt);
      found = true;
    }
    off += NLA_ALIGN(a->nla_len);
  }
  ASSERT_TRUE(found);
  // Ethernet link layer: the kernel needs no rate table (TCA_HTB_RTAB).
  EXPECT_EQ(opt.rate.linklayer & TC_LINKLAYER_MASK, TC_LINKLAYER_ETHERNET);
  EXPECT_EQ(opt.rate.rate, 1'250'000u);
  EXPECT_EQ(opt.buffer, 187'500u);  // psched ticks of 64 ns
}

TEST(TcCodec, HtbClassAbove34GbitUsesRate64) {
  HtbClass c{6'250'000'000, 0, 6'250'000, 0, 200'000};  // 50 Gbit/s
  TcObject o{TcObject::Type::Class, tc_handle(1, 1), tc_handle(1, 0), c};
  MsgBuilder m = encode_tc(0, 3, o);
  DecodedTc d = decode_back(m);
  const auto& back = std::get<HtbClass>(d.object.options);
  EXPECT_EQ(back.rate_bytes, 6'250'000'000u);
  EXPECT_EQ(back.ceil_bytes, 6'250'000'000u);  // ceil 0 means "= rate"
}

TEST(TcCodec, HtbClassWithoutRateIsRefused) {
  TcObject o{TcObject::Type::Class, tc_handle(1, 1), tc_handle(1, 0), HtbClass{}};
  EXPECT_THROW(encode_tc(0, 3, o), KernelError);
}

TEST(TcCodec, KindAndTypeMustAgree) {
  EXPECT_THROW(
      encode_tc(0, 3, TcObject{TcObject::Type::Qdisc, tc_handle(1, 0), kTcRoot, HtbClass{1000}}),
      KernelError);
  EXPECT_THROW(
      encode_tc(0, 3,
                TcObject{TcObject::Type::Class, tc_handle(1, 1), tc_handle(1, 0), NetemQdisc{}}),
      KernelError);
}

TEST(TcCodec, NetemRoundTripCarriesNanosecondsAndSeed) {
  NetemQdisc n;
  n.delay_ns = 10'000'123;  // not a multiple of a tick: LATENCY64 keeps it exact
  n.jitter_ns = 2'000'000;
  n.loss = netem_probability(1.5);
  n.limit = 10'000;
  n.seed = 77;
  TcObject o{TcObject::Type::Qdisc, tc_handle(0x10, 0), tc_handle(1, 1), n};
  MsgBuilder m = encode_tc(NLM_F_CREATE | NLM_F_REPLACE, 4, o);
  EXPECT_EQ(decode_back(m).object, o);
  EXPECT_EQ(o.str(),
            "qdisc netem 10: parent 1:1 delay 10.000ms jitter 2ms loss 1.5% limit 10000 seed 77");

  // TCA_OPTIONS of netem starts with tc_netem_qopt (legacy fields in ticks),
  // then the attributes: sch_netem.c's parse_attr skips NLA_ALIGN(qopt).
  auto [p, len] = options_of(m);
  ASSERT_GE(len, sizeof(tc_netem_qopt));
  tc_netem_qopt q;
  std::memcpy(&q, p, sizeof q);
  EXPECT_EQ(q.latency, 10'000'123u / 64);
  EXPECT_EQ(q.limit, 10'000u);
  EXPECT_EQ(q.loss, netem_probability(1.5));
  std::set<int> types;
  for (size_t off = NLA_ALIGN(sizeof q); off + NLA_HDRLEN <= len;) {
    const auto* a = reinterpret_cast<const nlattr*>(p + off);
    types.insert(a->nla_type & NLA_TYPE_MASK);
    off += NLA_ALIGN(a->nla_len);
  }
  EXPECT_EQ(types, (std::set<int>{TCA_NETEM_LATENCY64, TCA_NETEM_JITTER64, 14 /* PRNG_SEED */}));
}

TEST(TcCodec, NetemWithoutSeedSendsNone) {
  TcObject o{TcObject::Type::Qdisc, tc_handle(1, 0), kTcRoot,
             NetemQdisc{5'000'000, 0, 0, 1000, {}}};
  MsgBuilder m = encode_tc(0, 4, o);
  EXPECT_FALSE(std::get<NetemQdisc>(decode_back(m).object.options).seed);
}

TEST(TcCodec, BfifoRoundTrip) {
  TcObject f{TcObject::Type::Qdisc, tc_handle(0x10, 0), tc_handle(1, 1), FifoQdisc{125'000}};
  MsgBuilder m = encode_tc(NLM_F_CREATE | NLM_F_REPLACE, 4, f);
  EXPECT_EQ(decode_back(m).object, f);
  EXPECT_EQ(f.str(), "qdisc bfifo 10: parent 1:1 limit 125000b");
  auto [p, n] = options_of(m);
  ASSERT_EQ(n, sizeof(tc_fifo_qopt));
  tc_fifo_qopt q;
  std::memcpy(&q, p, sizeof q);
  EXPECT_EQ(q.limit, 125'000u);
}

TEST(TcCodec, DeleteRootAndDumps) {
  MsgBuilder d = encode_tc_delete_root(9);
  EXPECT_EQ(d.nlh()->nlmsg_type, RTM_DELQDISC);
  EXPECT_EQ(tcm(d)->tcm_ifindex, 9);
  EXPECT_EQ(tcm(d)->tcm_parent, TC_H_ROOT);
  EXPECT_EQ(tcm(d)->tcm_handle, 0u);
  MsgBuilder q = encode_tc_dump(TcObject::Type::Qdisc, 9);
  EXPECT_EQ(q.nlh()->nlmsg_type, RTM_GETQDISC);
  EXPECT_EQ(q.nlh()->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
  MsgBuilder c = encode_tc_dump(TcObject::Type::Class, 9);
  EXPECT_EQ(c.nlh()->nlmsg_type, RTM_GETTCLASS);
  EXPECT_EQ(tcm(c)->tcm_ifindex, 9);
}

TEST(TcCodec, OtherKindsAreNotDecoded) {
  MsgBuilder m(RTM_NEWQDISC, 0);
  auto* t = m.header<tcmsg>();
  t->tcm_ifindex = 2;
  t->tcm_parent = TC_H_ROOT;
  m.put_strz(TCA_KIND, "noqueue");
  EXPECT_FALSE(decode_tc(m.nlh()));
  MsgBuilder route(RTM_NEWROUTE, 0);
  route.header<rtmsg>();
  EXPECT_FALSE(decode_tc(route.nlh()));
}

TEST(TcCodec, Conversions) {
  EXPECT_EQ(netem_probability(0), 0u);
  EXPECT_EQ(netem_probability(100), 0xFFFFFFFFu);
  EXPECT_EQ(netem_probability(-3), 0u);
  EXPECT_DOUBLE_EQ(netem_percent(netem_probability(10)), 10.0);
  EXPECT_DOUBLE_EQ(netem_percent(netem_probability(0.25)), 0.25);
  EXPECT_EQ(mbit_to_bytes(10), 1'250'000u);
  EXPECT_EQ(mbit_to_bytes(0.5), 62'500u);
  EXPECT_EQ(tc_handle_str(tc_handle(1, 0)), "1:");
  EXPECT_EQ(tc_handle_str(tc_handle(1, 1)), "1:1");
  EXPECT_EQ(tc_handle_str(tc_handle(0x10, 0)), "10:");
  EXPECT_EQ(tc_handle_str(kTcRoot), "root");
}

// --- NFQUEUE steering (nf_tables batches) ---

TEST(SteerCodec, SteerBatchDecodesBack) {
  QueueSteer s{"eth1", 12, false};
  auto b = encode_steer(s);
  DecodedSteerBatch d = decode_steer_batch(b);
  EXPECT_TRUE(d.framed);
  // The chain is flushed before the rule: a second steer replaces the rule
  // instead of adding another. Nothing is deleted (no hook unregistered).
  EXPECT_EQ(d.types, (std::vector<uint16_t>{NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_DELRULE,
                                            NFT_MSG_NEWRULE}));
  EXPECT_EQ(d.family, NFPROTO_IPV4);
  EXPECT_EQ(d.table, "nl_delay_eth1");
  EXPECT_EQ(d.chain, "pre");
  EXPECT_EQ(d.chain_type, "filter");
  EXPECT_EQ(d.hooknum, NF_INET_PRE_ROUTING);
  EXPECT_EQ(d.priority, -300);
  EXPECT_EQ(d.target, "NFQUEUE");
  EXPECT_EQ(d.target_rev, 3u);
  ASSERT_TRUE(d.steer);
  EXPECT_EQ(*d.steer, s);
}

TEST(SteerCodec, BypassFlagAndAcks) {
  auto b = encode_steer(QueueSteer{"dx1", 3, true});
  EXPECT_TRUE(decode_steer_batch(b).steer->bypass);
  // Every message inside the batch asks for an ack; the framing does not.
  EXPECT_EQ(b.front().nlh()->nlmsg_flags & NLM_F_ACK, 0);
  EXPECT_EQ(b.back().nlh()->nlmsg_flags & NLM_F_ACK, 0);
  for (size_t i = 1; i + 1 < b.size(); ++i)
    EXPECT_EQ(b[i].nlh()->nlmsg_flags & NLM_F_ACK, NLM_F_ACK);
}

TEST(SteerCodec, InterfaceCompareIncludesTheNul) {
  // "eth1\0" (5 bytes): an exact match, not a prefix of eth10.
  auto b = encode_steer(QueueSteer{"eth1", 2, false});
  const MsgBuilder& rule = b[4];
  const char* p = rule.data();
  const char needle[] = "eth1";
  bool found_with_nul = false;
  for (size_t i = 0; i + 5 <= rule.size(); ++i) {
    if (std::memcmp(p + i, needle, 5) == 0) {
      // An NFTA_DATA_VALUE attribute of length header + 5 precedes it.
      const auto* a = reinterpret_cast<const nlattr*>(p + i - NLA_HDRLEN);
      if ((a->nla_type & NLA_TYPE_MASK) == NFTA_DATA_VALUE && a->nla_len == NLA_HDRLEN + 5)
        found_with_nul = true;
    }
  }
  EXPECT_TRUE(found_with_nul);
}

TEST(SteerCodec, UnsteerEmptiesTheChainAndDeletesNothing) {
  // Deleting the table would unregister its hook, and the kernel would drop
  // every packet held by any queue of the namespace.
  auto b = encode_unsteer("vpn1-t1");
  DecodedSteerBatch d = decode_steer_batch(b);
  EXPECT_TRUE(d.framed);
  EXPECT_EQ(d.types, (std::vector<uint16_t>{NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_DELRULE}));
  EXPECT_EQ(d.priority, -300);  // the same hook as steering, or the kernel refuses the chain
  EXPECT_EQ(d.table, "nl_delay_vpn1_2dt1");
  EXPECT_FALSE(d.steer);
}

TEST(SteerCodec, TableNamesNeverCollide) {
  EXPECT_NE(steer_table("a-b"), steer_table("a_b"));
  EXPECT_NE(steer_table("a.b"), steer_table("a-b"));
  EXPECT_EQ(steer_table("eth1"), "nl_delay_eth1");
}

TEST(SteerCodec, BadInterfaceNamesAreRefused) {
  EXPECT_THROW(encode_steer(QueueSteer{"", 1, false}), KernelError);
  EXPECT_THROW(encode_steer(QueueSteer{"sixteen-chars-xx", 1, false}), KernelError);
  EXPECT_THROW(encode_unsteer(""), KernelError);
}

TEST(QueueStatsParse, ReadsTheProcFile) {
  // As nfnetlink_queue prints it: queue, portid, held, copy mode, range,
  // dropped, user dropped, id sequence, 1.
  std::string text =
      "    3  12345     7 1     0     2     1     4711  1\n"
      "   65 4294967295     0 2 65531     0     0        0  1\n"
      "garbage\n";
  auto q = parse_nfnetlink_queue(text);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0], (QueueStats{3, 12345, 7, 2, 1, 4711}));
  EXPECT_EQ(q[1].queue, 65);
  EXPECT_EQ(q[1].portid, 4294967295u);
  EXPECT_TRUE(parse_nfnetlink_queue("").empty());
}

}  // namespace
}  // namespace netlab::kernel
