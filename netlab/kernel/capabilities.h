// What this host's kernel and installed programs can do, probed at run time
// (never assumed: CI containers and laptops differ). The kernel probes run
// in a throwaway anonymous network namespace, so nothing on the host changes.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace netlab::kernel {

struct Capabilities {
  bool root = false;            // effective uid 0 or CAP_NET_ADMIN + CAP_SYS_ADMIN
  bool netns = false;
  bool veth = false;
  bool nft_netdev = false;      // nftables netdev ingress hook
  bool wireguard_kernel = false;
  bool xfrm_esp = false;        // XFRM with ESP (kernel IPsec)
  bool netem = false;
  bool htb = false;
  bool nfqueue = false;         // xtables NFQUEUE target
  bool tun = false;             // /dev/net/tun

  std::string kernel_release;
  std::string frr_version;      // "" when FRR is missing
  bool frr_bfdd = false;
  std::string wireguard_go;     // path, "" when missing
  std::string charon;           // charon-systemd path, "" when missing
  std::string swanctl;          // path, "" when missing
};

// The kernel and program facts an implementation of this probe reads.
// Behind an interface so backend selection is unit-tested with fakes.
class CapabilityProbe {
 public:
  virtual ~CapabilityProbe() = default;
  virtual Capabilities probe() = 0;
};

std::unique_ptr<CapabilityProbe> make_capability_probe();

}  // namespace netlab::kernel
