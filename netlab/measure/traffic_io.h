// The traffic of one trial: netlab-traffic receivers and senders started in
// the lab's namespaces, stopped, and read (traffic.h, traffic_figures.h).
// TrafficIo is the seam a trial uses; make_lab_traffic_io() runs the real
// programs through the lab's processes (journaled, as the probes are), and
// tests/support/fake_traffic_io.h returns scripted windows for unit tests.
//
// Per spec i, two processes: "traffic-<i>-recv" on to_node and
// "traffic-<i>-send" on from_node (names unique per node), logs in log_dir:
// <slug>.recv.log and <slug>.send.log (slug: the spec's name with every
// character but [A-Za-z0-9-_] replaced by '-'), their stdout and stderr in
// <slug>.recv.out and <slug>.send.out.
//
// UDP senders run with --rt (SCHED_FIFO 5, below the probe's 10); TCP
// senders and receivers at normal priority (an unpaced TCP sender at a
// real-time priority would starve the routing daemons).
//
// Threads: one thread drives a TrafficIo. Errors: start() throws Error when
// a program does not come up within 5 s (naming its output), and what the
// lab's process layer throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/measure/traffic.h"
#include "netlab/measure/traffic_figures.h"

namespace netlab::lab {
class Control;
}

namespace netlab::measure {

struct TrafficSpec {
  std::string name;  // "traffic 1 forward": appears in reports and log names
  std::string from_node, from_ns, to_node, to_ns;
  Ipv4 from_addr, to_addr;
  uint16_t port = 0;  // flow f: port + f
  uint32_t flows = 1;
  TrafficProtocol protocol = TrafficProtocol::Udp;
  double rate_mbit = 0, pps = 0;  // 0: not limited by that (tcp with both 0: as fast as TCP goes)
  uint32_t size = 1200;           // IP datagram bytes (udp)
  bool df = false;
  bool operator==(const TrafficSpec&) const = default;
};

class TrafficIo {  // one trial's traffic
 public:
  virtual ~TrafficIo() = default;
  // Returns once every receiver is bound and every sender sent.
  virtual void start(const std::vector<TrafficSpec>&, const std::string& log_dir) = 0;
  // SIGTERM, wait: the logs are complete.
  virtual void stop() = 0;
  // The figures of spec `spec_index` in [t0, t1] (traffic_figures.h). After
  // stop(), from the complete logs; before it, from the records so far.
  virtual TrafficWindow window(size_t spec_index, int64_t t0_ns, int64_t t1_ns) const = 0;
};

// The file-name part of a spec's name.
std::string traffic_slug(const std::string& name);
// The options of a spec's receiver and sender, logging to `log_dir`.
TrafficOptions traffic_receiver_options(const TrafficSpec&, const std::string& log_dir);
TrafficOptions traffic_sender_options(const TrafficSpec&, const std::string& log_dir);

std::unique_ptr<TrafficIo> make_lab_traffic_io(lab::Control&, std::string traffic_binary);

}  // namespace netlab::measure
