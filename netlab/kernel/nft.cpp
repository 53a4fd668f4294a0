// The real Nft: libnftables, one context per namespace.
//
// What libnftables binds to a namespace (checked in nftables 1.0.x,
// src/libnftables.c and src/iface.c): nft_ctx_new() opens its
// NETLINK_NETFILTER socket at once, so a context created inside a namespace
// sends its batches there. But resolving interface names (`iif eth1`, and
// listing) opens a fresh NETLINK_ROUTE socket on every command in whatever
// namespace the calling thread is in, and keeps that cache in a
// process-global list. So every command also runs with the thread inside the
// namespace, and all libnftables calls of the process are serialised.
#include "netlab/kernel/nft.h"

#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <mutex>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/netns_sockets.h"

namespace netlab::kernel {
namespace {

std::mutex& libnftables_mutex() {
  static std::mutex m;
  return m;
}

struct CtxFree {
  void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};
using CtxPtr = std::unique_ptr<nft_ctx, CtxFree>;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class RealNft final : public Nft {
 public:
  ~RealNft() override {
    std::lock_guard lock(libnftables_mutex());
    ctxs_.clear();
  }

  void run(const std::string& ns, const std::string& commands) override {
    std::lock_guard lock(libnftables_mutex());
    execute(ns, commands, false);
  }

  std::string list_json(const std::string& ns, const std::string& command) override {
    std::lock_guard lock(libnftables_mutex());
    return execute(ns, command, true);
  }

  void forget(const std::string& ns) override {
    std::lock_guard lock(libnftables_mutex());
    ctxs_.erase(ns);
  }

 private:
  struct Ctx {
    std::optional<NetnsId> id;  // nullopt for "" (the process's own namespace)
    UniqueFd nsfd;
    CtxPtr ctx;
  };

  Ctx& context(const std::string& ns) {
    std::optional<NetnsId> id;
    if (Ctx* cached = cached_in_netns(ctxs_, ns, id)) return *cached;
    Ctx c;
    c.nsfd = netns_open(ns);
    if (!ns.empty()) c.id = netns_id_of(c.nsfd.get());
    NetnsGuard guard(c.nsfd.get(), ns);
    // libnftables exit()s the process when it cannot open its socket (no
    // nf_tables in the kernel): find out first, and throw instead.
    UniqueFd probe(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!probe) throw KernelError("nft", ns, errno, "no NETLINK_NETFILTER socket");
    probe.reset();
    c.ctx.reset(nft_ctx_new(NFT_CTX_DEFAULT));
    guard.leave();
    if (!c.ctx) throw KernelError("nft", ns, ENOMEM, "nft_ctx_new failed");
    nft_ctx_buffer_output(c.ctx.get());
    nft_ctx_buffer_error(c.ctx.get());
    auto [pos, inserted] = ctxs_.insert_or_assign(ns, std::move(c));
    return pos->second;
  }

  std::string execute(const std::string& ns, const std::string& commands, bool json) {
    Ctx& c = context(ns);
    unsigned flags = nft_ctx_output_get_flags(c.ctx.get());
    flags = json ? (flags | NFT_CTX_OUTPUT_JSON) : (flags & ~NFT_CTX_OUTPUT_JSON);
    nft_ctx_output_set_flags(c.ctx.get(), flags);
    NetnsGuard guard(c.nsfd.get(), ns);
    int rc = nft_run_cmd_from_buffer(c.ctx.get(), commands.c_str());
    guard.leave();
    // Read both buffers every time: they are rewound on read, so nothing
    // from this command leaks into the next one's message.
    std::string out = nft_ctx_get_output_buffer(c.ctx.get());
    std::string err = trim(nft_ctx_get_error_buffer(c.ctx.get()));
    if (rc != 0) {
      throw KernelError("nft", ns, EINVAL, err.empty() ? "command failed: " + commands : err);
    }
    return out;
  }

  std::map<std::string, Ctx> ctxs_;
};

}  // namespace

std::unique_ptr<Nft> make_nft() { return std::make_unique<RealNft>(); }

void nft_run_here(const std::string& commands) {
  std::lock_guard lock(libnftables_mutex());
  UniqueFd probe(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
  if (!probe) throw KernelError("nft", "(here)", errno, "no NETLINK_NETFILTER socket");
  probe.reset();
  CtxPtr ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) throw KernelError("nft", "(here)", ENOMEM, "nft_ctx_new failed");
  nft_ctx_buffer_output(ctx.get());
  nft_ctx_buffer_error(ctx.get());
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    throw KernelError("nft", "(here)", EINVAL, trim(nft_ctx_get_error_buffer(ctx.get())));
  }
}

}  // namespace netlab::kernel
