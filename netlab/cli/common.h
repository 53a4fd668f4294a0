// What every netlab command shares: where data files are, loading a topology
// with its diagnostics, the real kernel/process host, stop signals.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "netlab/kernel/capabilities.h"
#include "netlab/lab/lab.h"
#include "netlab/plan/plan.h"
#include "netlab/topology/model.h"

namespace netlab::cli {

// The directory holding frr-templates/ and topologies/: $NETLAB_DATA_DIR, or
// <exe>/../share/netlab when installed, or the source tree of this build.
std::string data_dir();
std::string default_topology();

// Loads and validates; prints every diagnostic to stderr; throws InputError
// (exit 2) when there are errors. Warnings are printed and do not stop.
topology::Topology load_topology(const std::string& path);

plan::PlanOptions plan_options();
plan::Plan make_plan(const topology::Topology&);

// The real kernel, processes and FRR, owned together.
class RealHost {
 public:
  RealHost();
  ~RealHost();
  lab::Host& host() { return *host_; }
  const kernel::Capabilities& caps() const { return caps_; }

 private:
  kernel::Capabilities caps_;
  std::unique_ptr<kernel::Netlink> netlink_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<process::Processes> processes_;
  std::unique_ptr<lab::Frr> frr_;
  std::unique_ptr<lab::Host> host_;
};

// Throws EnvironmentError (exit 3) when netlab cannot build labs here: not
// root, FRR missing, no network namespaces.
void require_environment(const kernel::Capabilities&);

// SIGINT/SIGTERM set this flag (and do nothing else); long operations check it.
const std::atomic<bool>* install_stop_signals();
bool stop_requested();

// Progress lines on stderr, prefixed with the time since start.
void progress(const std::string& line);

}  // namespace netlab::cli
