#include "netlab/measure/traffic_figures.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace netlab::measure {

namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <class T>
bool number(std::string_view s, T& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_header(std::string_view line, TrafficLog& log) {
  const auto f = fields(line);
  if (f.size() < 4 || f[0] != "netlab-traffic" || f[1] != "1") return false;
  if (f[2] == "send") {
    log.role = TrafficRole::Send;
  } else if (f[2] == "recv") {
    log.role = TrafficRole::Recv;
  } else {
    return false;
  }
  if (f[3] != "udp" && f[3] != "tcp") return false;
  log.tcp = f[3] == "tcp";
  for (size_t i = 4; i < f.size(); ++i) {
    const size_t eq = f[i].find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view k = f[i].substr(0, eq), v = f[i].substr(eq + 1);
    if (k == "flows") number(v, log.flows);
    if (k == "size") number(v, log.size);
    if (k == "rate_bps") number(v, log.rate_bps);
    if (k == "pps") number(v, log.pps);
    if (k == "df") log.df = v == "1";
  }
  return true;
}

bool parse_record(std::string_view line, TrafficLog& log) {
  const auto f = fields(line);
  if (f.empty() || f[0].size() != 1) return false;
  const char kind = f[0][0];
  const bool send = log.role == TrafficRole::Send;
  if (kind == 'b' || kind == 's' || kind == 'e') {
    TrafficSample s;
    s.kind = kind;
    if (send) {
      if (f.size() < 8) return false;
      if (!number(f[1], s.t_ns) || !number(f[2], s.packets) || !number(f[3], s.bytes) ||
          !number(f[4], s.emsgsize) || !number(f[5], s.errors) || !number(f[6], s.path_mtu) ||
          !number(f[7], s.late))
        return false;
    } else {
      if (f.size() < 6) return false;
      if (!number(f[1], s.t_ns) || !number(f[2], s.packets) || !number(f[3], s.bytes) ||
          !number(f[4], s.expected) || !number(f[5], s.foreign))
        return false;
    }
    log.samples.push_back(s);
    if (kind == 'e') log.ended = true;
    return true;
  }
  if (kind == 'f') {
    TrafficFlowTotals t;
    if (f.size() < 5 || !number(f[1], t.flow) || !number(f[2], t.packets) || !number(f[3], t.bytes))
      return false;
    if (send) {
      if (f.size() < 6 || !number(f[4], t.emsgsize) || !number(f[5], t.path_mtu)) return false;
    } else if (!number(f[4], t.expected)) {
      return false;
    }
    log.flow_totals.push_back(t);
    return true;
  }
  return true;  // unknown kinds are skipped
}

// The first and last samples with t0 <= t <= t1.
struct Span {
  const TrafficSample* first = nullptr;
  const TrafficSample* last = nullptr;
  size_t count = 0;
};

Span span_of(const TrafficLog& log, int64_t t0, int64_t t1) {
  Span s;
  for (const auto& x : log.samples) {
    if (x.t_ns < t0 || x.t_ns > t1) continue;
    if (!s.first) s.first = &x;
    s.last = &x;
    ++s.count;
  }
  return s;
}

std::string unusable(const TrafficLog& log, const char* what) {
  if (!log.exists) return std::string(what) + " log missing";
  if (!log.error.empty()) return std::string(what) + " log: " + log.error;
  if (!log.ended) return std::string(what) + " log truncated (no end record: not stopped cleanly)";
  return "";
}

}  // namespace

TrafficLog parse_traffic_log(std::string_view text) {
  TrafficLog log;
  log.exists = true;
  size_t pos = 0;
  bool header = false;
  size_t line_no = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // a partial last line
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!header) {
      if (!parse_header(line, log)) {
        log.error = "not a netlab-traffic log (bad header)";
        return log;
      }
      header = true;
      continue;
    }
    if (!parse_record(line, log)) {
      log.error = "bad record on line " + std::to_string(line_no);
      return log;
    }
  }
  if (!header) log.error = "no header";
  return log;
}

TrafficLog read_traffic_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_traffic_log(ss.str());
}

TrafficWindow traffic_window(const TrafficLog& sender, const TrafficLog& receiver, int64_t t0,
                             int64_t t1) {
  TrafficWindow w;
  w.tcp = sender.tcp;
  if (auto why = unusable(sender, "sender"); !why.empty()) {
    w.why_not = why;
    return w;
  }
  if (auto why = unusable(receiver, "receiver"); !why.empty()) {
    w.why_not = why;
    return w;
  }
  if (t1 <= t0) {
    w.why_not = "empty window";
    return w;
  }
  const Span s = span_of(sender, t0, t1), r = span_of(receiver, t0, t1);
  if (s.count < 2 || s.last->t_ns <= s.first->t_ns) {
    w.why_not = "sender log: " + std::to_string(s.count) + " sample(s) in the window (2 needed)";
    return w;
  }
  if (r.count < 2 || r.last->t_ns <= r.first->t_ns) {
    w.why_not = "receiver log: " + std::to_string(r.count) + " sample(s) in the window (2 needed)";
    return w;
  }
  const double ss = static_cast<double>(s.last->t_ns - s.first->t_ns) / 1e9;
  const double rs = static_cast<double>(r.last->t_ns - r.first->t_ns) / 1e9;
  w.seconds = ss;
  w.sent = s.last->packets - s.first->packets;
  w.received = r.last->packets - r.first->packets;
  w.emsgsize = s.last->emsgsize - s.first->emsgsize;
  for (const TrafficSample* x = s.first; x <= s.last; ++x) {
    if (x->path_mtu != 0 && (w.path_mtu == 0 || x->path_mtu < w.path_mtu)) w.path_mtu = x->path_mtu;
  }
  const uint64_t sent_bytes = s.last->bytes - s.first->bytes;
  const uint64_t recv_bytes = r.last->bytes - r.first->bytes;
  w.offered_mbit = static_cast<double>(sent_bytes) * 8 / ss / 1e6;
  w.delivered_mbit = static_cast<double>(recv_bytes) * 8 / rs / 1e6;
  if (sender.tcp) {
    w.sent = sent_bytes;
    w.received = recv_bytes;
    w.measured = true;
    return w;
  }
  // Offered: every send attempted, also those the kernel refused (EMSGSIZE,
  // no route): the application offered them.
  const uint64_t attempts = w.sent + w.emsgsize + (s.last->errors - s.first->errors);
  if (attempts == 0) {
    w.why_not = "the sender attempted no send in the window";
    return w;
  }
  w.offered_pps = static_cast<double>(attempts) / ss;
  w.offered_mbit = static_cast<double>(attempts) * sender.size * 8 / ss / 1e6;
  w.delivered_pps = static_cast<double>(w.received) / rs;
  w.delivered_pct = w.offered_pps > 0 ? 100.0 * w.delivered_pps / w.offered_pps : 0;
  const uint64_t expected = r.last->expected - r.first->expected;
  if (w.received == 0) {
    w.loss_pct = 100;
  } else if (expected > 0) {
    w.loss_pct = 100.0 * static_cast<double>(expected > w.received ? expected - w.received : 0) /
                 static_cast<double>(expected);
  }
  w.measured = true;
  return w;
}

}  // namespace netlab::measure
