// What every netlab command shares: where data files are, loading a topology
// with its diagnostics, the real kernel/process host, stop signals.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "netlab/kernel/capabilities.h"
#include "netlab/lab/lab.h"
#include "netlab/lab/system_host.h"
#include "netlab/plan/planner.h"
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

// Throws InputError (exit 2) unless a lab of this name exists on this host.
void require_lab(const std::string& lab);
// The plan a running lab was built from, re-made from the copy of its
// topology that `netlab up` keeps beside its journal; nullopt when there is
// no copy (a lab of `netlab run`, or an `up` that stopped half-way).
std::optional<plan::Plan> running_plan(const std::string& lab);

// The real seams (lab/system_host.h), with netlab's stop flag and progress lines.
class RealHost {
 public:
  RealHost();
  lab::Host& host() { return sys_.host(); }
  const kernel::Capabilities& caps() const { return sys_.caps(); }

 private:
  lab::SystemHost sys_;
};

// Throws EnvironmentError (exit 3) when netlab cannot build labs here: not
// root, FRR missing, no network namespaces.
void require_environment(const kernel::Capabilities&);
// Throws EnvironmentError (exit 3) unless netlab runs as root; `what` is the
// command ("netlab down"). Checked before anything is read or touched.
void require_root(const std::string& what);

// SIGINT, SIGTERM and SIGHUP set this flag (and do nothing else); long
// operations check it and end in lab::Interrupted, whose unwinding tears the
// lab down. A second signal only says that teardown is under way: nothing
// aborts a teardown half-way (SIGKILL aside, after which `netlab down`
// finishes it). SIGPIPE is ignored from then on, so that a closed terminal
// or pipe cannot kill netlab in the middle of a teardown either.
const std::atomic<bool>* install_stop_signals();
bool stop_requested();

// Progress lines on stderr, prefixed with the time since start (and with
// `tag`, when set: which of several labs of one run speaks).
void progress(const std::string& line);
void set_progress_tag(const std::string& tag);

}  // namespace netlab::cli
