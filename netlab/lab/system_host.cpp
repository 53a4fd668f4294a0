#include "netlab/lab/system_host.h"

#include "netlab/kernel/clock.h"
#include "netlab/tunnel/tunnel.h"

namespace netlab::lab {

SystemHost::SystemHost(const std::atomic<bool>* stop, std::function<void(const std::string&)> progress) {
  caps_ = kernel::make_capability_probe()->probe();
  netlink_ = kernel::make_netlink();
  nft_ = kernel::make_nft();
  processes_ = process::make_processes();
  frr_ = make_frr("/usr/bin/vtysh", stop);
  namespaces_ = make_namespaces();
  tc_ = kernel::make_tc();
  queues_ = kernel::make_packet_queues();
  const std::string delayer = impair::find_delayer();
  impairer_ = std::make_unique<impair::Impairer>(
      impair::Seams{*netlink_, *nft_, *tc_, *queues_, *processes_, kernel::system_clock()},
      impair::select_backends(caps_, !delayer.empty()), impair::ImpairerOptions{.delayer_path = delayer});
  host_.reset(new Host{*netlink_, *nft_, *processes_, kernel::system_clock(), *frr_,
                       [this](topology::TunnelType t) { return tunnel::select_backend(t, caps_); }, stop,
                       std::move(progress), namespaces_.get(), impairer_.get()});
}

SystemHost::~SystemHost() = default;

}  // namespace netlab::lab
