// netlab doctor: what this host can do, which backend each feature will use,
// and what to install where something is missing. Exit 3 when a required
// part is missing.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string_view>

#include "netlab/base/helpers.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/impair/impair.h"
#include "netlab/tunnel/tunnel.h"
#include "netlab/version.h"

namespace netlab::cli {

int cmd_doctor() {
  auto caps = kernel::make_capability_probe()->probe();
  bool ok = true;
  auto line = [&](const char* what, bool have, const std::string& detail, bool required,
                  const std::string& fix = {}) {
    const char* mark = have ? "ok  " : (required ? "FAIL" : "--  ");
    std::printf("  %s %-34s %s\n", mark, what, detail.c_str());
    if (!have && !fix.empty()) std::printf("       %s\n", fix.c_str());
    if (!have && required) ok = false;
  };
  std::printf("host: kernel %s\n\nrequired\n", caps.kernel_release.c_str());
  line("root (CAP_NET_ADMIN, CAP_SYS_ADMIN)", caps.root, "", true, "run netlab as root or in a privileged container");
  line("network namespaces", caps.netns, "", true);
  line("veth links", caps.veth, "", true);
  line("nftables netdev ingress", caps.nft_netdev, "link cuts, loss", true, "a kernel with nf_tables netdev");
  line("FRRouting", !caps.frr_version.empty(), caps.frr_version, true, "apt-get install frr");
  line("FRR bfdd", caps.frr_bfdd, "", true, "apt-get install frr");
  line("/dev/net/tun", caps.tun, "userspace tunnels", false);

  std::printf("\nfeatures and the backend each will use\n");
  for (auto type : {topology::TunnelType::Wireguard, topology::TunnelType::Ipsec}) {
    auto c = tunnel::choose_backend(type, caps);
    std::string what = std::string(type == topology::TunnelType::Wireguard ? "WireGuard" : "IPsec") + " tunnels";
    line(what.c_str(), c.available, c.detail, false, c.fix);
  }
  auto ib = impair::select_backends(caps, !impair::find_delayer().empty());
  auto e = ib.entries();
  line("delay/jitter impairment", ib.delay != impair::DelayBackend::None, e["delay"], false,
       "a kernel with netem, or netlab-delay installed beside netlab");
  line("loss impairment", ib.loss != impair::LossBackend::None, e["loss"], false);
  line("rate impairment", ib.rate != impair::RateBackend::None, e["rate"], false);
  line("packet-rate impairment", ib.pps != impair::PpsBackend::None, e["pps"], false);
  std::printf("\nnetlab's own files\n");
  line("templates and catalogue", true, data_dir(), true);
  for (const char* helper : {"netlab-probe", "netlab-traffic", "netlab-tunnel-watch", "netlab-delay"}) {
    auto where = find_helper(helper);
    // The probe measures every trial, the traffic generator every trial with
    // [[traffic]], and the watcher runs every tunnel end; the delayer is one
    // delay backend among others.
    bool required = std::string_view(helper) != "netlab-delay";
    line(helper, where.has_value(), where.value_or("not found"), required,
         "reinstall netlab, or set NETLAB_LIBEXEC_DIR to the directory holding it");
  }
  std::printf("\n%s\n", ok ? "netlab can build labs on this host" : "netlab cannot build labs on this host");
  return ok ? 0 : 3;
}


Runner define_doctor(CLI::App&) {
  return [] { return cmd_doctor(); };
}

Runner define_version(CLI::App&) {
  return [] {
    std::printf("netlab %s\n", NETLAB_VERSION);
    return 0;
  };
}

}  // namespace netlab::cli
