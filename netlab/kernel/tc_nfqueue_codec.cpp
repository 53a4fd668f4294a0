#include "netlab/kernel/tc_nfqueue_codec.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"
#include "netlab/kernel/nft_rules.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::kernel {
namespace {

constexpr const char* kChain = "pre";
constexpr uint32_t kReg = NFT_REG_1;
constexpr uint32_t kNfqRevision = 3;  // xt_NFQ_info_v3: queue, total, flags

uint16_t nft_type(uint16_t msg) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg); }

MsgBuilder batch_marker(uint16_t type) {
  MsgBuilder m(type, 0, 64);
  auto* g = m.header<nfgenmsg>();
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons(NFNL_SUBSYS_NFTABLES);
  return m;
}

MsgBuilder nft_msg(uint16_t msg, uint16_t flags) {
  MsgBuilder m(nft_type(msg), static_cast<uint16_t>(flags | NLM_F_ACK), 1024);
  auto* g = m.header<nfgenmsg>();
  g->nfgen_family = NFPROTO_IPV4;
  g->version = NFNETLINK_V0;
  g->res_id = 0;
  return m;
}

void put_be32(MsgBuilder& m, uint16_t type, uint32_t v) { m.put_u32(type, htonl(v)); }

MsgBuilder table_msg(uint16_t msg, uint16_t flags, const std::string& table) {
  MsgBuilder m = nft_msg(msg, flags);
  m.put_strz(NFTA_TABLE_NAME, table);
  return m;
}

void check(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ)
    throw KernelError("encode", ifname, EINVAL, "invalid interface name (1-15 bytes)");
}

std::string str_of(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }
std::optional<uint32_t> be32_of(const char* p, size_t n) {
  if (n < 4) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}

// BEGIN, the table and its base chain (created when absent, left as they
// are otherwise), the chain flushed, END.
std::vector<MsgBuilder> empty_chain_batch(const std::string& table) {
  std::vector<MsgBuilder> b;
  b.push_back(batch_marker(NFNL_MSG_BATCH_BEGIN));
  b.push_back(table_msg(NFT_MSG_NEWTABLE, NLM_F_CREATE, table));
  MsgBuilder chain = nft_msg(NFT_MSG_NEWCHAIN, NLM_F_CREATE);
  chain.put_strz(NFTA_CHAIN_TABLE, table);
  chain.put_strz(NFTA_CHAIN_NAME, kChain);
  nlattr* hook = chain.nest_start(NFTA_CHAIN_HOOK);
  put_be32(chain, NFTA_HOOK_HOOKNUM, NF_INET_PRE_ROUTING);
  put_be32(chain, NFTA_HOOK_PRIORITY, static_cast<uint32_t>(kSteerPriority));
  chain.nest_end(hook);
  put_be32(chain, NFTA_CHAIN_POLICY, NF_ACCEPT);
  chain.put_strz(NFTA_CHAIN_TYPE, "filter");
  b.push_back(std::move(chain));
  // DELRULE naming only table and chain: every rule of the chain.
  MsgBuilder flush = nft_msg(NFT_MSG_DELRULE, 0);
  flush.put_strz(NFTA_RULE_TABLE, table);
  flush.put_strz(NFTA_RULE_CHAIN, kChain);
  b.push_back(std::move(flush));
  b.push_back(batch_marker(NFNL_MSG_BATCH_END));
  return b;
}

}  // namespace

std::string QueueSteer::str() const {
  return "iifname " + ifname + " -> queue " + std::to_string(queue) + (bypass ? " bypass" : "");
}

std::string steer_table(const std::string& ifname) {
  return "nl_delay_" + nft_rules::name_tag(ifname);
}

std::vector<MsgBuilder> encode_steer(const QueueSteer& s) {
  check(s.ifname);
  const std::string table = steer_table(s.ifname);
  std::vector<MsgBuilder> b = empty_chain_batch(table);
  b.pop_back();  // BATCH_END comes after the rule

  MsgBuilder rule = nft_msg(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
  rule.put_strz(NFTA_RULE_TABLE, table);
  rule.put_strz(NFTA_RULE_CHAIN, kChain);
  nlattr* exprs = rule.nest_start(NFTA_RULE_EXPRESSIONS);
  {
    // meta load iifname => reg 1
    nlattr* e = rule.nest_start(NFTA_LIST_ELEM);
    rule.put_strz(NFTA_EXPR_NAME, "meta");
    nlattr* d = rule.nest_start(NFTA_EXPR_DATA);
    put_be32(rule, NFTA_META_KEY, NFT_META_IIFNAME);
    put_be32(rule, NFTA_META_DREG, kReg);
    rule.nest_end(d);
    rule.nest_end(e);
  }
  {
    // cmp eq reg 1 "<ifname>\0": the terminating NUL makes it an exact match
    // (without it "eth1" would also match "eth10").
    nlattr* e = rule.nest_start(NFTA_LIST_ELEM);
    rule.put_strz(NFTA_EXPR_NAME, "cmp");
    nlattr* d = rule.nest_start(NFTA_EXPR_DATA);
    put_be32(rule, NFTA_CMP_SREG, kReg);
    put_be32(rule, NFTA_CMP_OP, NFT_CMP_EQ);
    nlattr* data = rule.nest_start(NFTA_CMP_DATA);
    rule.put(NFTA_DATA_VALUE, s.ifname.c_str(), s.ifname.size() + 1);
    rule.nest_end(data);
    rule.nest_end(d);
    rule.nest_end(e);
  }
  {
    nlattr* e = rule.nest_start(NFTA_LIST_ELEM);
    rule.put_strz(NFTA_EXPR_NAME, "counter");
    rule.nest_end(e);
  }
  {
    nlattr* e = rule.nest_start(NFTA_LIST_ELEM);
    rule.put_strz(NFTA_EXPR_NAME, "target");
    nlattr* d = rule.nest_start(NFTA_EXPR_DATA);
    rule.put_strz(NFTA_TARGET_NAME, "NFQUEUE");
    put_be32(rule, NFTA_TARGET_REV, kNfqRevision);
    // The kernel wants the target's size rounded up to 8 (XT_ALIGN).
    char info[8] = {};
    xt_NFQ_info_v3 q{};
    q.queuenum = s.queue;
    q.queues_total = 1;
    q.flags = s.bypass ? NFQ_FLAG_BYPASS : 0;
    std::memcpy(info, &q, sizeof q);
    rule.put(NFTA_TARGET_INFO, info, sizeof info);
    rule.nest_end(d);
    rule.nest_end(e);
  }
  rule.nest_end(exprs);
  b.push_back(std::move(rule));
  b.push_back(batch_marker(NFNL_MSG_BATCH_END));
  return b;
}

std::vector<MsgBuilder> encode_unsteer(const std::string& ifname) {
  check(ifname);
  return empty_chain_batch(steer_table(ifname));
}

DecodedSteerBatch decode_steer_batch(const std::vector<MsgBuilder>& batch) {
  DecodedSteerBatch d;
  auto is_marker = [](const MsgBuilder& m, uint16_t type) {
    if (m.nlh()->nlmsg_type != type || mnl_nlmsg_get_payload_len(m.nlh()) < sizeof(nfgenmsg))
      return false;
    const auto* g = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(m.nlh()));
    return ntohs(g->res_id) == NFNL_SUBSYS_NFTABLES;
  };
  d.framed = batch.size() >= 2 && is_marker(batch.front(), NFNL_MSG_BATCH_BEGIN) &&
             is_marker(batch.back(), NFNL_MSG_BATCH_END);
  for (size_t i = 1; i + 1 < batch.size(); ++i) {
    const nlmsghdr* nlh = batch[i].nlh();
    if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) continue;
    const uint16_t msg = nlh->nlmsg_type & 0xFF;
    d.types.push_back(msg);
    size_t payload = mnl_nlmsg_get_payload_len(nlh);
    if (payload < sizeof(nfgenmsg)) continue;
    const auto* p = static_cast<const char*>(mnl_nlmsg_get_payload(nlh));
    d.family = reinterpret_cast<const nfgenmsg*>(p)->nfgen_family;
    const char* attrs = p + NLMSG_ALIGN(sizeof(nfgenmsg));
    size_t len = payload - NLMSG_ALIGN(sizeof(nfgenmsg));
    if (msg == NFT_MSG_NEWTABLE) {
      for_each_attr(attrs, len, [&](uint16_t t, const char* v, size_t n) {
        if (t == NFTA_TABLE_NAME) d.table = str_of(v, n);
      });
    } else if (msg == NFT_MSG_NEWCHAIN) {
      for_each_attr(attrs, len, [&](uint16_t t, const char* v, size_t n) {
        if (t == NFTA_CHAIN_NAME) d.chain = str_of(v, n);
        if (t == NFTA_CHAIN_TYPE) d.chain_type = str_of(v, n);
        if (t == NFTA_CHAIN_HOOK) {
          for_each_attr(v, n, [&](uint16_t h, const char* hv, size_t hn) {
            if (h == NFTA_HOOK_HOOKNUM) d.hooknum = be32_of(hv, hn);
            if (h == NFTA_HOOK_PRIORITY) {
              if (auto x = be32_of(hv, hn)) d.priority = static_cast<int32_t>(*x);
            }
          });
        }
      });
    } else if (msg == NFT_MSG_NEWRULE) {
      std::string ifname;
      std::optional<xt_NFQ_info_v3> info;
      for_each_attr(attrs, len, [&](uint16_t t, const char* v, size_t n) {
        if (t != NFTA_RULE_EXPRESSIONS) return;
        for_each_attr(v, n, [&](uint16_t, const char* ev, size_t en) {
          std::string name;
          const char* data = nullptr;
          size_t data_len = 0;
          for_each_attr(ev, en, [&](uint16_t et, const char* x, size_t xn) {
            if (et == NFTA_EXPR_NAME) name = str_of(x, xn);
            if (et == NFTA_EXPR_DATA) data = x, data_len = xn;
          });
          if (data == nullptr) return;
          if (name == "cmp") {
            for_each_attr(data, data_len, [&](uint16_t ct, const char* x, size_t xn) {
              if (ct != NFTA_CMP_DATA) return;
              for_each_attr(x, xn, [&](uint16_t vt, const char* y, size_t yn) {
                if (vt == NFTA_DATA_VALUE) ifname = str_of(y, yn);
              });
            });
          } else if (name == "target") {
            for_each_attr(data, data_len, [&](uint16_t tt, const char* x, size_t xn) {
              if (tt == NFTA_TARGET_NAME) d.target = str_of(x, xn);
              if (tt == NFTA_TARGET_REV) d.target_rev = be32_of(x, xn);
              if (tt == NFTA_TARGET_INFO && xn >= sizeof(xt_NFQ_info_v3)) {
                xt_NFQ_info_v3 q;
                std::memcpy(&q, x, sizeof q);
                info = q;
              }
            });
          }
        });
      });
      if (info) d.steer = QueueSteer{ifname, info->queuenum, (info->flags & NFQ_FLAG_BYPASS) != 0};
    }
  }
  return d;
}

}  // namespace netlab::kernel
