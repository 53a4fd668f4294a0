// Outages of a probe stream while it runs: `netlab probe` follows a growing
// probe log (probe_format.h) and reports each outage the moment it ends.
//
// An outage is a run of sequence numbers that did not arrive, closed by the
// first packet after it: its length is lost x interval (the loss-derived
// figure, as a traffic generator reports it), its start and end the
// receive times of the packets around it. A packet older than the newest
// one seen (reordered, or late from the other path of a failover) is counted
// as received and makes no outage. Pure: fed records, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "netlab/measure/probe_format.h"

namespace netlab::measure {

struct LiveOutage {
  uint64_t lost = 0;               // sequence numbers missing
  double ms = 0;                   // lost x interval
  int64_t last_before_ns = 0;      // receive time of the packet before the gap
  int64_t first_after_ns = 0;      // ... and of the one that closed it
};

struct LiveTotals {
  uint64_t received = 0, lost = 0, late = 0, outages = 0;
  double longest_ms = 0;
};

class LiveGaps {
 public:
  explicit LiveGaps(int64_t interval_ns) : interval_ns_(interval_ns) {}
  // One received packet; the outage it closes, if it closes one.
  std::optional<LiveOutage> received(uint64_t seq, int64_t rx_ns);
  // Nothing arrived since the last packet for longer than `quiet` at `now`:
  // the outage still open, if one is. `now` must be a time up to which the
  // log is known to be complete (a heartbeat's), not the reader's clock: the
  // probe writes its log in batches.
  std::optional<LiveOutage> open_at(int64_t now_ns, int64_t quiet_ns) const;
  const LiveTotals& totals() const { return totals_; }

 private:
  int64_t interval_ns_;
  std::optional<uint64_t> last_seq_;
  int64_t last_rx_ns_ = 0;
  LiveTotals totals_;
};

// Reads the records appended to a probe log since the last call (whole
// records only; a partial last one is kept for the next call).
class ProbeLogFollower {
 public:
  explicit ProbeLogFollower(std::string path) : path_(std::move(path)) {}
  // The header, once the file exists with one; nullopt before.
  std::optional<ProbeHeader> header();
  std::vector<ProbeRecord> read_new();

 private:
  std::string path_;
  std::optional<ProbeHeader> header_;
  uint64_t offset_ = kProbeLogHeaderSize;
};

}  // namespace netlab::measure
