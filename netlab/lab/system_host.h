// The real kernel, process, FRR, tunnel and impairment seams, owned together:
// the one place they are composed, for the command line, benchmarks and
// privileged tests alike.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "netlab/impair/impair.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/kernel/tc.h"
#include "netlab/lab/frr.h"
#include "netlab/lab/lab.h"
#include "netlab/lab/namespaces.h"

namespace netlab::lab {

class SystemHost {
 public:
  // `stop`: the flag SIGINT/SIGTERM set (may be null); vtysh waits watch it too.
  explicit SystemHost(const std::atomic<bool>* stop = nullptr,
                      std::function<void(const std::string&)> progress = {});
  ~SystemHost();
  Host& host() { return *host_; }
  const kernel::Capabilities& caps() const { return caps_; }

 private:
  kernel::Capabilities caps_;
  std::unique_ptr<kernel::Netlink> netlink_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<process::Processes> processes_;
  std::unique_ptr<Frr> frr_;
  std::unique_ptr<Namespaces> namespaces_;
  std::unique_ptr<kernel::Tc> tc_;
  std::unique_ptr<kernel::PacketQueues> queues_;
  std::unique_ptr<impair::Impairer> impairer_;
  std::unique_ptr<Host> host_;
};

}  // namespace netlab::lab
