// FakeFlowIo: a measure::FlowIo that simulates the probes of unicast flows on
// a FakeClock, for unit tests of trials without root.
//
// A started probe "sends" one packet per interval from the instant it
// started until it is stopped (or until now); its peer (the probe bound
// where it sends) receives every packet `lost` does not drop, 40 us later.
// read_log() builds both logs from that, as netlab-probe would have written
// them. Path counters: every interface on a link that `links_at(now)` lists
// counts one packet per interval since the previous read, half forward and
// half reverse (so a link, both ends summed, counts one per direction); with
// `links_back_at`, the reverse half only where it lists the link.
// Records "start-probe NODE NAME", "stop-probe NODE NAME", "counters NS".
// Only stream mode (unicast); anycast probes are not simulated.
// Header-only, like fake_control.h.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/data_plane.h"
#include "support/fake_kernel.h"

namespace netlab::testing {

class FakeFlowIo : public measure::FlowIo {
 public:
  explicit FakeFlowIo(FakeClock& clock) : clock_(clock) {}

  // A packet `from` sends to `to` at `t_ns` is lost.
  std::function<bool(int64_t t_ns, const std::string& from, const std::string& to)> lost;
  // The links carrying the probe at `t_ns`.
  std::function<std::set<std::string>(int64_t t_ns)> links_at;
  // The links carrying the way back, when it differs (none: links_at).
  std::function<std::set<std::string>(int64_t t_ns)> links_back_at;
  // ns -> ifname -> link, for the counters (a test fills it from the plan).
  std::map<std::string, std::map<std::string, std::string>> link_of;

  std::vector<std::string> calls;
  std::vector<measure::ProbeProcess> started;
  size_t running() const {
    size_t n = 0;
    for (const auto& p : probes_) n += p.stopped_ns < 0;
    return n;
  }

  void start_probe(const measure::ProbeProcess& p) override {
    calls.push_back("start-probe " + p.node + " " + p.name);
    started.push_back(p);
    probes_.push_back({p, clock_.now_ns(), -1});
  }
  void stop_probe(const std::string& node, const std::string& name) override {
    calls.push_back("stop-probe " + node + " " + name);
    for (auto& p : probes_)
      if (p.proc.node == node && p.proc.name == name && p.stopped_ns < 0) p.stopped_ns = clock_.now_ns();
  }
  void install_counters(const std::string& ns, const std::vector<std::string>&, uint16_t, uint16_t, Ipv4) override {
    calls.push_back("counters " + ns);
  }
  std::map<std::string, measure::DirectionCounts> read_counters(const std::string& ns) override {
    const int64_t now = clock_.now_ns();
    std::set<std::string> carrying = links_at ? links_at(now) : std::set<std::string>{};
    std::set<std::string> back = links_back_at ? links_back_at(now) : carrying;
    auto& last = last_read_[ns];
    auto& counts = counts_[ns];
    for (const auto& [ifname, link] : link_of[ns]) {
      if (last <= 0) continue;
      const auto n = static_cast<uint64_t>((now - last) / 1'000'000);
      if (carrying.count(link)) counts[ifname].forward += n / 2;
      if (back.count(link)) counts[ifname].reverse += n - n / 2;
    }
    last = now;
    return counts;
  }

  measure::ProbeLog read_log(const std::string& path) override {
    const Probe& me = probe_at(path);
    measure::ProbeLog log;
    const auto& o = me.proc.options;
    log.header = {measure::kProbeLogVersion, o.stream_id, o.peer_stream_id, o.realtime, o.mode,
                  o.interval_ns, me.started_ns, 0, o.bind_addr, o.bind_port, o.peer_addr, o.peer_port};
    const int64_t end = me.end(clock_.now_ns());
    for (uint64_t s = 0; me.tx(s) < end; ++s) log.sent.push_back({s, me.tx(s), 0, 0});
    if (const Probe* peer = peer_of(me))
      for (uint64_t s = 0; peer->tx(s) < peer->end(clock_.now_ns()); ++s) {
        const int64_t tx = peer->tx(s);
        if (tx + kLatency > end) break;
        if (!lost || !lost(tx, peer->proc.node, me.proc.node)) log.received.push_back({s, tx, tx + kLatency});
      }
    log.covered_until_ns = end;
    log.ended = me.stopped_ns >= 0;
    return log;
  }

 private:
  static constexpr int64_t kLatency = 40'000;
  struct Probe {
    measure::ProbeProcess proc;
    int64_t started_ns, stopped_ns;
    int64_t tx(uint64_t seq) const { return started_ns + static_cast<int64_t>(seq) * proc.options.interval_ns; }
    int64_t end(int64_t now) const { return stopped_ns >= 0 ? stopped_ns : now; }
  };
  // The latest probe writing `path`: a probe started again (a repeated
  // trial) truncates its log, as the real one does.
  const Probe& probe_at(const std::string& path) const {
    for (auto it = probes_.rbegin(); it != probes_.rend(); ++it)
      if (it->proc.options.out == path) return *it;
    throw Error("no probe writes " + path);
  }
  // The latest probe bound where `me` sends (a later trial reuses ports).
  const Probe* peer_of(const Probe& me) const {
    for (auto it = probes_.rbegin(); it != probes_.rend(); ++it)
      if (const Probe& p = *it; p.proc.options.bind_addr == me.proc.options.peer_addr &&
          p.proc.options.bind_port == me.proc.options.peer_port && p.proc.options.out != me.proc.options.out)
        return &p;
    return nullptr;
  }

  FakeClock& clock_;
  std::vector<Probe> probes_;
  std::map<std::string, int64_t> last_read_;
  std::map<std::string, std::map<std::string, measure::DirectionCounts>> counts_;
};

}  // namespace netlab::testing
