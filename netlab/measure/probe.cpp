#include "netlab/measure/probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "netlab/base/error.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::measure {

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMax : kMin;
  return r;
}

int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? kMin : kMax;
  return r;
}

bool in_window(int64_t t, int64_t begin, int64_t end) { return t >= begin && t < end; }

std::string seconds(int64_t ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%09" PRId64 " s", ns < 0 ? "-" : "",
                std::abs(ns / 1'000'000'000), std::abs(ns % 1'000'000'000));
  return buf;
}

// The sender's records in seq order, and the questions the analysis asks them.
class SentIndex {
 public:
  explicit SentIndex(std::span<const SentProbe> sent) : view_(sent) {
    const bool sorted = std::is_sorted(sent.begin(), sent.end(),
                                       [](const auto& a, const auto& b) { return a.seq < b.seq; });
    if (!sorted) {
      copy_.assign(sent.begin(), sent.end());
      std::stable_sort(copy_.begin(), copy_.end(),
                       [](const auto& a, const auto& b) { return a.seq < b.seq; });
      view_ = copy_;
    }
  }
  bool empty() const { return view_.empty(); }
  const SentProbe& front() const { return view_.front(); }
  int64_t last_tx() const {
    int64_t t = kMin;
    for (const auto& s : view_) t = std::max(t, s.tx_ns);
    return t;
  }
  // Records with seq in [lo, hi].
  std::span<const SentProbe> range(uint64_t lo, uint64_t hi) const {
    auto first = std::lower_bound(view_.begin(), view_.end(), lo,
                                  [](const SentProbe& s, uint64_t v) { return s.seq < v; });
    auto last = std::upper_bound(first, view_.end(), hi,
                                 [](uint64_t v, const SentProbe& s) { return v < s.seq; });
    return {first, last};
  }
  std::span<const SentProbe> all() const { return view_; }

 private:
  std::span<const SentProbe> view_;
  std::vector<SentProbe> copy_;
};

uint64_t count_tx_in(std::span<const SentProbe> sent, int64_t begin, int64_t end) {
  return static_cast<uint64_t>(std::count_if(sent.begin(), sent.end(), [&](const SentProbe& s) {
    return in_window(s.tx_ns, begin, end);
  }));
}

// Grid points start + k*I (0 <= k < n) that lie in [begin, end).
uint64_t grid_points_in(int64_t start, int64_t interval, uint64_t n, int64_t begin, int64_t end) {
  if (n == 0 || end <= begin) return 0;
  // First k with start + k*I >= begin; first k with start + k*I >= end.
  auto first_at_or_after = [&](int64_t t) -> uint64_t {
    if (t <= start) return 0;
    const __int128 d = static_cast<__int128>(t) - start;
    const __int128 k = (d + interval - 1) / interval;
    return k > static_cast<__int128>(n) ? n : static_cast<uint64_t>(k);
  };
  const uint64_t lo = first_at_or_after(begin), hi = first_at_or_after(end);
  return hi > lo ? hi - lo : 0;
}

}  // namespace

std::string LossRun::str() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(duration_ns()) / 1e6);
  return "seq " + std::to_string(first_seq) + "+" + std::to_string(lost) + " lost, " + buf + " [" +
         seconds(start_ns) + ", " + seconds(end_ns) + ")" + (open ? " open" : "");
}

ProbeLog parse_probe_log(std::span<const std::byte> bytes, const std::string& source) {
  ProbeLog log;
  log.header = decode_probe_header(bytes, source);
  size_t off = kProbeLogHeaderSize;
  for (; off + kProbeLogRecordSize <= bytes.size(); off += kProbeLogRecordSize) {
    const ProbeRecord r = decode_probe_record(
        std::span<const std::byte, kProbeLogRecordSize>(bytes.data() + off, kProbeLogRecordSize));
    switch (r.kind) {
      case RecordKind::kReceived:
        log.received.push_back({.seq = r.seq, .tx_ns = r.a, .rx_ns = r.b});
        break;
      case RecordKind::kSent:
        log.sent.push_back(
            {.seq = r.seq, .tx_ns = r.a, .lateness_ns = r.b, .error = static_cast<int>(r.aux)});
        break;
      case RecordKind::kCounter:
        switch (static_cast<ProbeCounter>(r.aux)) {
          case ProbeCounter::kSent:
            log.counters.sent = r.seq;
            break;
          case ProbeCounter::kSendErrors:
            log.counters.send_errors = r.seq;
            break;
          case ProbeCounter::kReceived:
            log.counters.received = r.seq;
            break;
          case ProbeCounter::kForeign:
            log.counters.foreign = r.seq;
            break;
          case ProbeCounter::kRecvErrors:
            log.counters.recv_errors = r.seq;
            break;
          case ProbeCounter::kLateWakeups:
            log.counters.late_wakeups = r.seq;
            break;
        }
        break;
      case RecordKind::kHeartbeat:
        log.covered_until_ns = std::max(log.covered_until_ns, r.a);
        break;
      case RecordKind::kEnd:
        log.covered_until_ns = std::max(log.covered_until_ns, r.a);
        log.ended = true;
        break;
      case RecordKind::kReflected:
        log.reflected.push_back(
            {.seq = r.seq, .reflect_tx_ns = r.a, .tx_ns = r.b, .error = static_cast<int>(r.aux)});
        break;
      case RecordKind::kEchoed:
        log.echoed.push_back({.seq = r.seq, .reflect_tx_ns = r.a, .rx_ns = r.b, .instance = r.aux});
        break;
    }
    // Other kinds: written by a newer probe; skipped.
  }
  log.partial_bytes = bytes.size() - off;
  return log;
}

ProbeLog read_probe_log(const std::string& path) {
  kernel::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw KernelError("open probe log", path, errno);
  std::vector<std::byte> bytes;
  std::byte buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw KernelError("read probe log", path, errno);
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  return parse_probe_log(bytes, path);
}

namespace {

// The first copy of each seq received, in seq order. Counts the window's
// received probes and duplicates into `r`, and the reordered ones (judged on
// the arrival order).
std::vector<ReceivedProbe> first_copies(std::span<const ReceivedProbe> rx, int64_t B, int64_t E,
                                        DirectionReport& r) {
  std::vector<size_t> order(rx.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rx[a].seq < rx[b].seq; });
  std::vector<bool> first_copy(rx.size(), false);
  std::vector<ReceivedProbe> uniq;  // sorted by seq
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    if (k > 0 && rx[order[k - 1]].seq == rx[i].seq) {
      if (in_window(rx[i].tx_ns, B, E)) ++r.duplicates;
      continue;
    }
    first_copy[i] = true;
    uniq.push_back(rx[i]);
    if (in_window(rx[i].tx_ns, B, E)) ++r.received;
  }
  bool any = false;
  uint64_t highest = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    if (!first_copy[i]) continue;
    if (any && rx[i].seq < highest && in_window(rx[i].tx_ns, B, E)) ++r.reordered;
    highest = any ? std::max(highest, rx[i].seq) : rx[i].seq;
    any = true;
  }
  return uniq;
}

// The run before the first probe received (the peer was not up yet).
std::optional<LossRun> leading_run(const ReceivedProbe& first, const SentIndex& sent, int64_t I) {
  if (!sent.empty()) {
    if (sent.front().seq >= first.seq) return std::nullopt;
    const auto before = sent.range(sent.front().seq, first.seq - 1);
    return LossRun{.first_seq = sent.front().seq,
                   .lost = before.size(),
                   .start_ns = sent.front().tx_ns,
                   .end_ns = first.tx_ns};
  }
  if (first.seq == 0) return std::nullopt;
  // Without the sender's log: the probe starts at seq 0 on the grid.
  return LossRun{.first_seq = 0,
                 .lost = first.seq,
                 .start_ns = sat_add(first.tx_ns, -sat_mul(static_cast<int64_t>(first.seq), I)),
                 .end_ns = first.tx_ns};
}

// The run after the last probe received: open, to the end of the evidence.
std::optional<LossRun> trailing_run(const ReceivedProbe& last, const SentIndex& sent, int64_t I,
                                    int64_t E) {
  const int64_t start = sat_add(last.tx_ns, I);
  uint64_t lost = 0;
  if (!sent.empty()) {
    if (last.seq < std::numeric_limits<uint64_t>::max()) {
      lost = count_tx_in(sent.range(last.seq + 1, std::numeric_limits<uint64_t>::max()), kMin, E);
    }
  } else if (E != kMax && start < E) {
    lost = grid_points_in(start, I, std::numeric_limits<uint64_t>::max(), kMin, E);
  }
  if (lost == 0) return std::nullopt;
  return LossRun{.first_seq = last.seq + 1,
                 .lost = lost,
                 .start_ns = start,
                 .end_ns = std::max(E, start),
                 .open = true};
}

// Every run of loss the logs show, in seq order.
std::vector<LossRun> loss_runs(const std::vector<ReceivedProbe>& uniq, const SentIndex& sent, int64_t I,
                               int64_t E) {
  std::vector<LossRun> runs;
  if (uniq.empty()) {
    // Nothing received: everything sent is one open run.
    const uint64_t lost = sent.empty() ? 0 : count_tx_in(sent.all(), kMin, E);
    if (lost > 0) {
      runs.push_back({.first_seq = sent.front().seq,
                      .lost = lost,
                      .start_ns = sent.front().tx_ns,
                      .end_ns = std::max(E, sent.front().tx_ns),
                      .open = true});
    }
    return runs;
  }
  if (auto lead = leading_run(uniq.front(), sent, I)) runs.push_back(*lead);
  for (size_t k = 1; k < uniq.size(); ++k) {
    const ReceivedProbe &p = uniq[k - 1], &n = uniq[k];
    if (n.seq == p.seq + 1) continue;
    const int64_t start = sat_add(p.tx_ns, I);
    runs.push_back({.first_seq = p.seq + 1,
                    .lost = n.seq - p.seq - 1,
                    .start_ns = start,
                    .end_ns = std::max(n.tx_ns, start)});
  }
  if (auto tail = trailing_run(uniq.back(), sent, I, E)) runs.push_back(*tail);
  return runs;
}

// The runs that overlap the window [B, E), and the longest of them.
void keep_overlapping(const std::vector<LossRun>& runs, int64_t B, int64_t E, DirectionReport& r) {
  for (const LossRun& run : runs) {
    if (run.start_ns < E && run.end_ns > B && E > B) {
      r.runs.push_back(run);
      if (!r.longest || run.duration_ns() > r.longest->duration_ns()) r.longest = run;
    }
  }
}

}  // namespace

DirectionReport analyze_direction(const DirectionInput& in, TimeWindow window,
                                  const AnalysisOptions& options) {
  const int64_t I = in.interval_ns;
  if (I <= 0) throw Error("probe analysis: interval " + std::to_string(I) + " ns");
  const SentIndex sent(in.sent);

  // The effective window: only what the evidence can judge.
  const int64_t B = window.begin_ns;
  int64_t E = window.end_ns;
  if (in.receiver_covered_until_ns != kMax) {
    E = std::min(E, sat_add(in.receiver_covered_until_ns, -options.in_flight_ns));
  }
  if (!sent.empty()) E = std::min(E, sat_add(sent.last_tx(), I));

  DirectionReport r;
  r.interval_ns = I;
  r.window = {B, E};
  const std::vector<ReceivedProbe> uniq = first_copies(in.received, B, E, r);
  const std::vector<LossRun> runs = loss_runs(uniq, sent, I, E);
  for (const LossRun& run : runs) {
    if (!sent.empty())
      r.lost += count_tx_in(sent.range(run.first_seq, run.first_seq + run.lost - 1), B, E);
    else
      r.lost += grid_points_in(run.start_ns, I, run.lost, B, E);
  }
  keep_overlapping(runs, B, E, r);
  r.sent = r.received + r.lost;
  r.reachable = r.received > 0;

  if (!sent.empty()) {
    for (const SentProbe& s : sent.all()) {
      if (!in_window(s.tx_ns, B, E)) continue;
      if (s.error != 0) ++r.send_errors;
      r.max_lateness_ns = std::max(r.max_lateness_ns.value_or(kMin), s.lateness_ns);
    }
  }
  return r;
}

DirectionReport analyze_direction(const ProbeLog& sender, const ProbeLog& receiver,
                                  TimeWindow window, const AnalysisOptions& options) {
  const ProbeHeader &s = sender.header, &r = receiver.header;
  if (s.interval_ns != r.interval_ns) {
    throw Error("probe logs do not belong together: intervals " + std::to_string(s.interval_ns) +
                " and " + std::to_string(r.interval_ns) + " ns");
  }
  if (s.peer_addr != r.bind_addr || s.peer_port != r.bind_port || r.peer_addr != s.bind_addr ||
      r.peer_port != s.bind_port) {
    throw Error("probe logs do not belong together: " + s.bind_addr.str() + ":" +
                std::to_string(s.bind_port) + " -> " + s.peer_addr.str() + ":" +
                std::to_string(s.peer_port) + " is not the peer of " + r.bind_addr.str() + ":" +
                std::to_string(r.bind_port));
  }
  if (r.peer_stream_id != 0 && r.peer_stream_id != s.stream_id) {
    throw Error("probe logs do not belong together: the receiver expects stream " +
                std::to_string(r.peer_stream_id) + ", the sender sends " +
                std::to_string(s.stream_id));
  }
  return analyze_direction(DirectionInput{.interval_ns = s.interval_ns,
                                          .received = receiver.received,
                                          .sent = sender.sent,
                                          .receiver_covered_until_ns = receiver.covered_until_ns},
                           window, options);
}

namespace {

// The client's echo log and the instances' reflector logs must describe one
// flow: the client sends to the service address the reflectors are bound to,
// and they reflect exactly its stream.
void check_anycast(const ProbeLog& client, std::span<const ProbeLog> instances) {
  const ProbeHeader& c = client.header;
  if (c.mode != ProbeMode::kEcho) throw Error("anycast analysis: the client's probe log is not in echo mode");
  if (instances.empty()) throw Error("anycast analysis: no instance's probe log");
  for (const ProbeLog& inst : instances) {
    const ProbeHeader& r = inst.header;
    if (r.mode != ProbeMode::kReflect)
      throw Error("anycast analysis: the log of instance " + std::to_string(r.stream_id) +
                  " is not in reflect mode");
    if (r.interval_ns != c.interval_ns)
      throw Error("probe logs do not belong together: intervals " + std::to_string(c.interval_ns) +
                  " and " + std::to_string(r.interval_ns) + " ns");
    if (r.bind_addr != c.peer_addr || r.bind_port != c.peer_port || r.peer_addr != c.bind_addr ||
        r.peer_port != c.bind_port || r.peer_stream_id != c.stream_id)
      throw Error("probe logs do not belong together: instance " + std::to_string(r.stream_id) +
                  " at " + r.bind_addr.str() + ":" + std::to_string(r.bind_port) + " reflects stream " +
                  std::to_string(r.peer_stream_id) + " of " + r.peer_addr.str() + ":" +
                  std::to_string(r.peer_port) + ", not the client's " + std::to_string(c.stream_id) +
                  " from " + c.bind_addr.str() + ":" + std::to_string(c.bind_port) + " to " +
                  c.peer_addr.str() + ":" + std::to_string(c.peer_port));
  }
}

}  // namespace

DirectionReport analyze_anycast_forward(const ProbeLog& client, std::span<const ProbeLog> instances,
                                        TimeWindow window, const AnalysisOptions& options) {
  check_anycast(client, instances);
  std::vector<ReceivedProbe> merged;
  int64_t covered = kMax;
  for (const ProbeLog& inst : instances) {
    merged.insert(merged.end(), inst.received.begin(), inst.received.end());
    covered = std::min(covered, inst.covered_until_ns);
  }
  // One clock: the instances' receipts interleave by arrival time.
  std::stable_sort(merged.begin(), merged.end(),
                   [](const ReceivedProbe& a, const ReceivedProbe& b) { return a.rx_ns < b.rx_ns; });
  return analyze_direction(DirectionInput{.interval_ns = client.header.interval_ns,
                                          .received = merged,
                                          .sent = client.sent,
                                          .receiver_covered_until_ns = covered},
                           window, options);
}

namespace {

// A reflection sent, by seq: the earliest send time of its copies, and
// whether any copy left without an error.
struct Reflection {
  int64_t t = kMax;
  bool sent_ok = false;
};
using Reflections = std::map<uint64_t, Reflection>;

// Every reflection the instances sent before the evidence ends.
Reflections reflections_before(std::span<const ProbeLog> instances, int64_t E) {
  Reflections out;
  for (const ProbeLog& inst : instances)
    for (const ReflectedProbe& x : inst.reflected) {
      if (x.reflect_tx_ns >= E) continue;
      Reflection& y = out[x.seq];
      y.t = std::min(y.t, x.reflect_tx_ns);
      y.sent_ok |= x.error == 0;
    }
  return out;
}

// The seqs whose reflection came back (first copies); counts duplicates and
// reordering (on arrival order) into `r`. A reflection that came back was
// sent, even when its instance's log does not show it yet.
std::set<uint64_t> echoes(const ProbeLog& client, int64_t B, int64_t E, Reflections& reflections,
                          DirectionReport& r) {
  std::set<uint64_t> back;
  bool any = false;
  uint64_t highest = 0;
  for (const EchoedProbe& e : client.echoed) {
    if (e.reflect_tx_ns >= E) continue;
    Reflection& y = reflections[e.seq];
    y.t = std::min(y.t, e.reflect_tx_ns);
    y.sent_ok = true;
    const bool counted = in_window(e.reflect_tx_ns, B, E);
    if (!back.insert(e.seq).second) {
      if (counted) ++r.duplicates;
      continue;
    }
    if (any && e.seq < highest && counted) ++r.reordered;
    highest = any ? std::max(highest, e.seq) : e.seq;
    any = true;
  }
  return back;
}

// Runs of lost reflections, broken where a probe reached no instance.
std::vector<LossRun> reflection_runs(const Reflections& reflections, const std::set<uint64_t>& back,
                                     int64_t I) {
  std::vector<LossRun> runs;
  std::optional<LossRun> cur;
  uint64_t cur_last = 0;
  int64_t cur_last_t = 0;
  for (const auto& [seq, x] : reflections) {
    const bool came_back = back.count(seq) > 0;
    const bool adjacent = cur && seq == cur_last + 1;
    if (!came_back && adjacent) {
      ++cur->lost;
      cur_last = seq;
      cur_last_t = x.t;
      continue;
    }
    if (cur) {
      cur->end_ns = std::max(adjacent ? x.t : sat_add(cur_last_t, I), cur->start_ns);
      runs.push_back(*cur);
      cur.reset();
    }
    if (!came_back) {
      cur = LossRun{.first_seq = seq, .lost = 1, .start_ns = x.t, .end_ns = x.t};
      cur_last = seq;
      cur_last_t = x.t;
    }
  }
  if (cur) {
    cur->end_ns = sat_add(cur_last_t, I);
    runs.push_back(*cur);
  }
  return runs;
}

// Runs after the last reflection that came back: none recovered. They are
// one open run, to the end of the evidence.
std::vector<LossRun> close_runs(const std::vector<LossRun>& runs, const std::set<uint64_t>& back, int64_t E) {
  std::optional<uint64_t> last_back;
  if (!back.empty()) last_back = *back.rbegin();
  std::vector<LossRun> closed;
  std::optional<LossRun> open;
  for (const LossRun& run : runs) {
    if (!last_back || run.first_seq > *last_back) {
      if (!open) {
        open = run;
        open->open = true;
      } else {
        open->lost += run.lost;
      }
      continue;
    }
    closed.push_back(run);
  }
  if (open) {
    open->end_ns = std::max(E, open->start_ns);
    closed.push_back(*open);
  }
  return closed;
}

}  // namespace

DirectionReport analyze_anycast_reverse(const ProbeLog& client, std::span<const ProbeLog> instances,
                                        TimeWindow window, const AnalysisOptions& options) {
  check_anycast(client, instances);
  const int64_t I = client.header.interval_ns;
  const int64_t B = window.begin_ns;
  int64_t E = std::min(window.end_ns, sat_add(client.covered_until_ns, -options.in_flight_ns));
  for (const ProbeLog& inst : instances) E = std::min(E, inst.covered_until_ns);

  DirectionReport r;
  r.interval_ns = I;
  r.window = {B, E};
  Reflections reflections = reflections_before(instances, E);
  const std::set<uint64_t> back = echoes(client, B, E, reflections, r);
  const std::vector<LossRun> closed = close_runs(reflection_runs(reflections, back, I), back, E);

  for (const auto& [seq, x] : reflections) {
    if (!in_window(x.t, B, E)) continue;
    ++r.sent;
    if (back.count(seq)) {
      ++r.received;
    } else {
      ++r.lost;
      if (!x.sent_ok) ++r.send_errors;
    }
  }
  keep_overlapping(closed, B, E, r);
  r.reachable = r.received > 0;
  return r;
}

std::vector<uint64_t> served_by(std::span<const ProbeLog> instances, TimeWindow window) {
  std::vector<uint64_t> out;
  for (const ProbeLog& inst : instances) {
    std::set<uint64_t> seqs;
    for (const ReceivedProbe& p : inst.received)
      if (in_window(p.tx_ns, window.begin_ns, window.end_ns)) seqs.insert(p.seq);
    out.push_back(seqs.size());
  }
  return out;
}

LatenessStats lateness_stats(std::span<const SentProbe> sent, int64_t interval_ns,
                             TimeWindow window) {
  std::vector<int64_t> v;
  LatenessStats st;
  for (const SentProbe& s : sent) {
    if (!in_window(s.tx_ns, window.begin_ns, window.end_ns)) continue;
    v.push_back(s.lateness_ns);
    if (s.lateness_ns >= interval_ns) ++st.late_by_an_interval;
  }
  if (v.empty()) return st;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(k, 1, v.size()) - 1];
  };
  st.samples = v.size();
  st.p50_ns = rank(0.50);
  st.p99_ns = rank(0.99);
  st.max_ns = v.back();
  return st;
}

}  // namespace netlab::measure
