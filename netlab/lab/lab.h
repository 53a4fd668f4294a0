// A running lab: the Plan applied to the host through the journal.
//
// up() either returns a lab whose every BGP session is Established and whose
// every expected route is installed, or undoes everything it did and throws.
// teardown() (also for labs of crashed netlab processes) walks the journal
// backwards and removes exactly what it lists.
//
// What the journal guarantees (journal.h has the format):
//   - a namespace's identity (inode and cookie) is journaled from inside it
//     before it gets its name, so a namespace intent without an identity can
//     only mean "never named": teardown refuses any namespace of that name;
//   - a process's pid and start time are journaled while it is held before
//     execve (Processes::spawn_held), so nothing netlab starts ever runs
//     unrecorded;
//   - teardown deletes only namespaces whose identity matches the journal,
//     stops only processes whose pid AND start time match, and kills the
//     processes found inside a namespace it has identified as the lab's
//     (`netlab exec` commands, or anything else started there). Links die
//     with their namespaces; netlab never deletes a link by name.
//
// Threads: one thread drives a Lab. Stop requests (SIGINT/SIGTERM) arrive as
// an atomic flag that long steps check; they end in Interrupted, and the
// caller's teardown.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/impair/impair.h"
#include "netlab/lab/frr.h"
#include "netlab/lab/journal.h"
#include "netlab/lab/namespaces.h"
#include "netlab/plan/plan.h"
#include "netlab/process/processes.h"
#include "netlab/tunnel/tunnel.h"

namespace netlab::lab {

// The kernel and process seams a lab works through. Real ones in the CLI,
// recording fakes in unit tests.
struct Host {
  kernel::Netlink& netlink;
  kernel::Nft& nft;
  process::Processes& processes;
  kernel::Clock& clock;
  Frr& frr;
  std::function<std::unique_ptr<tunnel::Backend>(topology::TunnelType)> tunnel_backend;
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT/SIGTERM
  std::function<void(const std::string&)> progress;  // one line per step, for the terminal
  // Named namespaces with identities journaled before their names exist
  // (namespaces.h). nullptr: over `netlink` alone (unit tests' fakes), where
  // the identity is journaled right after creation.
  Namespaces* namespaces = nullptr;
  // Link impairments (delay, loss, rate); nullptr: a topology with `impair`
  // on a link is refused before anything is built.
  impair::Impairer* impairer = nullptr;

  bool stopping() const { return stop && stop->load(); }
  void say(const std::string& line) const {
    if (progress) progress(line);
  }
};

// A SIGINT or SIGTERM ended the operation; the lab has been (or is being) torn down.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
  int exit_code() const override { return 130; }
};

// The lab did not reach its converged state in time: names what is missing.
class NotConverged : public Error {
 public:
  using Error::Error;
};

// The lab's name is taken by another lab (running or stale), or a namespace
// with one of its names exists that netlab did not create. Nothing was
// touched; the fix is another [lab].name or `netlab down`: a usage error,
// exit 2.
class NameInUse : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 2; }
};

struct UpOptions {
  std::chrono::milliseconds converge_timeout{90'000};
  // How many routers' daemons start at once (each router: zebra, then the
  // others once zebra listens); 0: four times the CPUs netlab may run on.
  unsigned start_parallel = 0;
  // false: stop after the kernel objects, tunnels and FRR configs; no FRR
  // daemon is started and convergence is not awaited (a benchmark starts
  // them its own way; teardown still removes whatever runs inside).
  bool daemons = true;
};

// The number of routers start_routers() brings up at once for `requested`
// (0: four times the CPUs this process may run on, at least 2).
unsigned start_parallelism(unsigned requested);

// Milestones of the bring-up, on the monotonic clock (for bench/ and reports).
struct UpTimings {
  int64_t start_ns = 0, kernel_done_ns = 0, daemons_started_ns = 0, converged_ns = 0;
};

// What failed to converge, when it did not.
struct ConvergenceState {
  std::vector<std::string> missing;  // human lines: "session cgw -> dx-ny5 over dx1: Active"
  bool ok() const { return missing.empty(); }
};

class Lab {
 public:
  // Builds the lab; on any failure tears down what it built and rethrows.
  static std::unique_ptr<Lab> up(const plan::Plan&, Host&, const UpOptions& = {});
  // A lab that is already running (brought up and kept by an earlier
  // netlab), for live faults and impairments: its journal opened for
  // appending, its processes and impairments taken from the journal and the
  // plan. Nothing is built, and nothing is torn down when the Lab object
  // goes away. `plan` must be the plan the lab was built from.
  static std::unique_ptr<Lab> attach(const plan::Plan&, Host&);
  // Adopts a lab another netlab process brought up (`netlab up`), for `run`
  // against it or `status`. Does not touch it.
  ~Lab();

  const plan::Plan& plan() const { return plan_; }
  Host& host() { return host_; }
  const UpTimings& timings() const { return timings_; }
  const std::map<std::string, std::string>& backends() const { return backends_; }

  // One check of the converged state: expected routes, then every BGP
  // session Established, then every BFD session of the plan up.
  ConvergenceState check_converged();
  // Waits until converged; throws NotConverged naming what is missing.
  void wait_converged(std::chrono::milliseconds timeout);

  // Re-applies the routes netlab itself manages on `node` (after a repair).
  void reapply_routes(const std::string& node);

  // Puts `imp` on a link or tunnel, both directions (replacing what it had);
  // an empty impairment removes it. Returns the instant the first direction
  // took effect. Delayers are journaled processes of the lab.
  int64_t impair_link(const std::string& link_or_tunnel, const impair::Impairment& imp);
  // Back to what the topology says for it (its `impair`, or none).
  int64_t restore_link(const std::string& link_or_tunnel);
  // Starts the node's FRR daemons again, journaled, as at bring-up.
  void start_daemons(const std::string& node);
  // Starts the FRR daemons of several routers, up to `parallel` routers at
  // once (start_parallelism()): each router's zebra, and its other daemons
  // as soon as that zebra's socket appears (inotify; a zebra that exits is
  // seen by its pidfd). Every process is journaled before it runs, as
  // spawn_process() does. Throws when a zebra exits or does not listen
  // within 10 s; what was started is the lab's (and its teardown's).
  void start_routers(const std::vector<std::string>& nodes, unsigned parallel = 0);
  // Kills the node's FRR daemons (SIGKILL), as a crash does; its other
  // processes (wireguard-go) stay.
  void kill_daemons(const std::string& node);
  bool daemons_running(const std::string& node);

  // Starts a process of this lab on a node, journaled like every other
  // (the scenario's probes); `name` is unique per node.
  process::ProcessId spawn_process(const std::string& node, const std::string& name,
                                   const process::ProcessSpec&);
  // Stops it (SIGTERM, then SIGKILL after `grace`); true when it is gone.
  bool stop_process(const std::string& node, const std::string& name,
                    std::chrono::milliseconds grace = std::chrono::seconds(2));

  // Tears the lab down (idempotent). Afterwards nothing of it remains.
  void down();
  // Keeps the lab running when this object goes away (`netlab up`, `run
  // --keep`); journals the state "kept".
  void release();

  Journal& journal() { return journal_; }

 private:
  // `command` asked of every router (a bounded number of vtysh at once),
  // each reply parsed; a router that did not answer is a line in `st`.
  std::map<std::string, std::map<std::string, std::string>> ask_routers(
      const std::vector<const plan::PlanNode*>& routers, const std::string& command,
      std::map<std::string, std::string> (*parse)(const std::string&), ConvergenceState& st);
  int64_t unimpair_link(const std::string& link_or_tunnel);
  // link or tunnel -> its two direction plans, while impaired
  std::map<std::string, std::vector<impair::DirectionPlan>> impairments_;

  Lab(const plan::Plan&, Host&, Journal);
  void build(const UpOptions&);
  // build()'s steps: the namespaces, the links and what sits on them, the tunnels.
  void create_namespaces();
  void create_links();
  void block_frag_needed();
  void start_tunnels();
  void check_stop() const;
  Namespaces& namespaces();

  plan::Plan plan_;
  Host& host_;
  Journal journal_;
  UpTimings timings_;
  std::map<std::string, std::string> backends_;  // feature -> backend name
  // node -> (process name -> process): FRR daemons, tunnel daemons, probes
  std::map<std::string, std::map<std::string, process::ProcessId>> processes_;
  std::unique_ptr<Namespaces> own_namespaces_;  // when the Host has none
  bool down_ = false, released_ = false;
};

// What teardown did, for the terminal and tests.
struct TeardownReport {
  std::vector<std::string> removed;  // "namespace nl-x-a", "process 1234 (zebra)"
  std::vector<std::string> refused;  // objects left alone because they are not this lab's
  std::vector<std::string> errors;   // what could not be removed (teardown must be retried)
  bool complete() const { return errors.empty(); }
};

// Journal-driven teardown of lab `name` under `runtime_root`, for labs whose
// netlab process is gone (SIGKILL, reboot) or for `netlab down`. Harmless
// when run twice or when half of the lab is already gone. Never interrupted
// by the stop flag: once begun it finishes (a second SIGINT changes nothing).
// Two teardowns of one lab take turns (a lock on its runtime directory).
TeardownReport teardown(const std::string& runtime_root, const std::string& name, Host&);

// What the journal's first line says about a lab, and what is left of its
// owner: for `netlab ls`, `status`, `down`, and the name check of up().
struct LabRecord {
  std::string name, topology, version, boot_id;
  int64_t created = 0;              // realtime, seconds
  process::ProcessId owner;         // the netlab process that built it
  std::string last_state;           // "converged", "kept", "up", "tearing-down", "" (building)
  process::ProcessId last_state_by; // who wrote last_state
  bool journal = false;             // false: a runtime directory without a (readable) journal
};
LabRecord read_lab_record(const std::vector<Entry>& entries);

// This boot's id (/proc/sys/kernel/random/boot_id); "" when unreadable.
std::string current_boot_id();

// A topology's impairment in the impairer's terms.
impair::Impairment impairment_of(const topology::Impairment&);
// What the plan puts on a link or tunnel from the start (a tunnel: its rate
// and packet-rate limits); nothing for an unknown name.
impair::Impairment base_impairment(const plan::Plan&, const std::string& link_or_tunnel);

// Where lab `name` keeps its runtime files.
std::string runtime_dir(const std::string& runtime_root, const std::string& name);

}  // namespace netlab::lab
