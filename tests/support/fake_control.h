// FakeControl: a recording lab::Control for unit tests of faults and trials.
//
// Every call is recorded as one readable line, in order ("cut cgw:eth1
// cut", "link-down dx-ny5:eth2", "bgp-shutdown vgw 169.254.10.1", "start-process
// server probe-0"); a call made to fail is recorded with " -> failed"
// appended. Each operation costs `op_ns` on the FakeClock (the clock moves
// while the operation runs), so the instants a caller records are distinct
// and predictable. Queries (daemons-running, not-converged, tunnel-med) are
// in calls() but not in ops(); so are bgp-paths.
//
// The fake keeps the state a test asserts after a failure: which ends are
// cut or down, which links impaired, which daemons killed, which peerings
// shut, which processes running.
//
// Header-only: the shared support library holds fakes of the kernel and
// process layers only; this one is compiled into the tests that use it.
#pragma once

#include <cerrno>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/lab/control.h"
#include "support/fake_kernel.h"

namespace netlab::testing {

class FakeControl : public lab::Control {
 public:
  explicit FakeControl(FakeClock& clock, int64_t op_ns = 1'000'000) : clock_(clock), op_ns_(op_ns) {}

  // --- what a test sets --------------------------------------------------
  bool stop_requested = false;
  // Answers of not_converged(), one per call; then: converged.
  std::vector<std::vector<std::string>> convergence;
  // Runs after every recorded call with its line: lets a test act "while"
  // the code under test works.
  std::function<void(const std::string& line)> on_call;
  // The nth call from now (1 = the next) whose line starts with `op` throws
  // KernelError (EIO), after being recorded with " -> failed".
  void fail(const std::string& op, int nth = 1) { failures_.push_back({op, nth}); }

  // --- what a test reads ---------------------------------------------------
  const std::vector<std::string>& calls() const { return calls_; }
  std::vector<std::string> ops() const {
    std::vector<std::string> out;
    for (const auto& c : calls_)
      if (!query(c)) out.push_back(c);
    return out;
  }
  void clear() { calls_.clear(); }
  std::vector<std::string> said;
  std::set<std::string> cut_ends;    // "node:ifname tag"
  std::set<std::string> down_ends;   // "node:ifname"
  std::map<std::string, std::string> impaired;  // link -> Impairment::str()
  std::set<std::string> killed;      // nodes whose daemons are down
  std::set<std::string> shut_peers;  // "node peer"
  std::set<std::string> graceful;    // nodes in graceful shutdown
  std::map<std::string, uint32_t> meds;  // "node route-map" -> med, once set
  std::map<std::string, process::ProcessSpec> processes;  // "node name" -> spec, running
  // What bgp_paths() answers: "node address" -> paths (a test changes them,
  // e.g. from on_call after a "bgp-clear").
  std::map<std::string, std::vector<lab::BgpPath>> bgp_routes;
  // The state of a lab nothing was done to, or everything undone.
  bool pristine() const {
    return cut_ends.empty() && down_ends.empty() && impaired.empty() && killed.empty() &&
           shut_peers.empty() && graceful.empty() && processes.empty();
  }

  // --- lab::Control ----------------------------------------------------------
  kernel::Clock& clock() override { return clock_; }
  bool stopping() const override { return stop_requested; }
  void say(const std::string& line) override { said.push_back(line); }

  void cut(const lab::LinkEnd& e, const std::string& tag) override {
    op("cut " + end(e) + " " + tag, [&] { cut_ends.insert(end(e) + " " + tag); });
  }
  void uncut(const lab::LinkEnd& e, const std::string& tag) override {
    op("uncut " + end(e) + " " + tag, [&] { cut_ends.erase(end(e) + " " + tag); });
  }
  void set_link_state(const lab::LinkEnd& e, bool up) override {
    op(std::string(up ? "link-up " : "link-down ") + end(e), [&] {
      if (up)
        down_ends.erase(end(e));
      else
        down_ends.insert(end(e));
    });
  }
  void reapply_routes(const std::string& node) override { op("reapply-routes " + node, [] {}); }
  // What impair() spends before the first direction is impaired (a
  // backend's delayer processes starting).
  int64_t impair_setup_ns = 0;
  int64_t impair(const std::string& link, const impair::Impairment& imp) override {
    clock_.advance(impair_setup_ns);
    const int64_t t = clock_.now_ns();
    op("impair " + link + " " + imp.str(), [&] { impaired[link] = imp.str(); });
    return t;
  }
  int64_t restore(const std::string& link) override {
    const int64_t t = clock_.now_ns();
    op("restore " + link, [&] { impaired.erase(link); });
    return t;
  }

  void kill_daemons(const std::string& node) override {
    op("kill-daemons " + node, [&] { killed.insert(node); });
  }
  void start_daemons(const std::string& node) override {
    op("start-daemons " + node, [&] { killed.erase(node); });
  }
  bool daemons_running(const std::string& node) override {
    bool running = !killed.count(node);
    op("daemons-running " + node, [] {});
    return running;
  }
  void bgp_shutdown(const std::string& node, const std::string& peer, bool shut) override {
    op(std::string(shut ? "bgp-shutdown " : "bgp-no-shutdown ") + node + " " + peer, [&] {
      if (shut)
        shut_peers.insert(node + " " + peer);
      else
        shut_peers.erase(node + " " + peer);
    });
  }
  void bgp_graceful_shutdown(const std::string& node, bool on) override {
    op(std::string(on ? "bgp-graceful-shutdown " : "bgp-graceful-shutdown-off ") + node, [&] {
      if (on)
        graceful.insert(node);
      else
        graceful.erase(node);
    });
  }
  lab::MedSetting tunnel_med(const std::string& tunnel, bool lowered) const override {
    return {"TO-" + tunnel, lowered ? 50u : 100u};
  }
  void bgp_set_med(const std::string& node, const lab::MedSetting& m, const std::string& peer) override {
    op("bgp-set-med " + node + " " + m.str() + " " + peer, [&] { meds[node + " " + m.route_map] = m.med; });
  }

  std::vector<lab::BgpPath> bgp_paths(const std::string& node, const std::string& address) override {
    op("bgp-paths " + node + " " + address, [] {});
    auto it = bgp_routes.find(node + " " + address);
    return it == bgp_routes.end() ? std::vector<lab::BgpPath>{} : it->second;
  }
  void bgp_clear(const std::string& node, const std::string& peer) override {
    op("bgp-clear " + node + " " + peer, [] {});
  }

  void start_process(const std::string& node, const std::string& name,
                     const process::ProcessSpec& spec) override {
    op("start-process " + node + " " + name, [&] { processes[node + " " + name] = spec; });
  }
  bool stop_process(const std::string& node, const std::string& name) override {
    op("stop-process " + node + " " + name, [&] { processes.erase(node + " " + name); });
    return true;
  }

  std::vector<std::string> not_converged() override {
    std::vector<std::string> missing;
    if (next_convergence_ < convergence.size()) missing = convergence[next_convergence_++];
    op("not-converged", [] {});
    return missing;
  }
  void wait_converged(std::chrono::milliseconds timeout) override {
    op("wait-converged " + std::to_string(timeout.count()) + "ms", [] {});
  }

 private:
  static std::string end(const lab::LinkEnd& e) { return e.node + ":" + e.ifname; }
  static bool query(const std::string& line) {
    for (const char* q : {"daemons-running ", "not-converged", "bgp-paths "})
      if (line.rfind(q, 0) == 0) return true;
    return false;
  }
  // Records `line`, fails it when due, else applies `effect`; the clock moves
  // by op_ns either way.
  template <class F>
  void op(const std::string& line, F effect) {
    clock_.advance(op_ns_);
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (line.rfind(it->op, 0) != 0 || --it->nth > 0) continue;
      failures_.erase(it);
      calls_.push_back(line + " -> failed");
      if (on_call) on_call(calls_.back());
      throw KernelError("fake", line, EIO);
    }
    effect();
    calls_.push_back(line);
    if (on_call) on_call(line);
  }

  struct Failure {
    std::string op;
    int nth;
  };
  FakeClock& clock_;
  int64_t op_ns_;
  std::vector<std::string> calls_;
  std::vector<Failure> failures_;
  size_t next_convergence_ = 0;
};

}  // namespace netlab::testing
