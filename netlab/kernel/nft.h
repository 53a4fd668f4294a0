// nftables through libnftables, per namespace.
//
// Commands are nft syntax built by netlab from validated names (never from
// raw user text). The real implementation keeps one nft context per
// namespace, created inside it, so that a fault is injected by one call with
// no namespace switching on the hot path.
//
// Errors: a rejected command throws KernelError("nft", ns, EINVAL, <nft's
// error text>).
#pragma once

#include <memory>
#include <string>

namespace netlab::kernel {

class Nft {
 public:
  virtual ~Nft() = default;
  // Runs `commands` (one or more nft statements) as one transaction in `ns`.
  virtual void run(const std::string& ns, const std::string& commands) = 0;
  // Runs a listing command ("list table inet nl_path") and returns nft's JSON
  // output.
  virtual std::string list_json(const std::string& ns, const std::string& command) = 0;
  // Forgets the cached context of a namespace that is about to be deleted.
  virtual void forget(const std::string& ns) = 0;
};

std::unique_ptr<Nft> make_nft();

// Runs `commands` with a throwaway context in the calling thread's current
// namespace (the capability probe, on a thread inside an anonymous
// namespace). Throws like Nft::run.
void nft_run_here(const std::string& commands);

}  // namespace netlab::kernel
