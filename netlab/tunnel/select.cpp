#include "netlab/base/error.h"
#include "netlab/tunnel/tunnel.h"
#include "netlab/tunnel/wireguard_go.h"

namespace netlab::tunnel {

std::unique_ptr<Backend> select_backend(topology::TunnelType type,
                                        const kernel::Capabilities& caps) {
  if (type == topology::TunnelType::Wireguard) {
    if (!caps.wireguard_go.empty()) return std::make_unique<WireguardGo>(caps.wireguard_go);
    throw EnvironmentError(
        "WireGuard tunnels need wireguard-go on this host (its kernel has no WireGuard): "
        "apt-get install wireguard-go");
  }
  throw EnvironmentError("IPsec tunnels are not supported yet on this host");
}

}  // namespace netlab::tunnel
