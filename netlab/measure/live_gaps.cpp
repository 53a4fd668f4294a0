#include "netlab/measure/live_gaps.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "netlab/base/error.h"

namespace netlab::measure {

std::optional<LiveOutage> LiveGaps::received(uint64_t seq, int64_t rx_ns) {
  ++totals_.received;
  if (last_seq_ && seq <= *last_seq_) {
    // Late: it was counted as lost when the gap closed; it arrived after all.
    ++totals_.late;
    if (totals_.lost) --totals_.lost;
    return std::nullopt;
  }
  std::optional<LiveOutage> out;
  const uint64_t expected = last_seq_ ? *last_seq_ + 1 : seq;
  if (seq > expected) {
    LiveOutage o;
    o.lost = seq - expected;
    o.ms = static_cast<double>(o.lost) * static_cast<double>(interval_ns_) / 1e6;
    o.last_before_ns = last_rx_ns_;
    o.first_after_ns = rx_ns;
    totals_.lost += o.lost;
    ++totals_.outages;
    totals_.longest_ms = std::max(totals_.longest_ms, o.ms);
    out = o;
  }
  last_seq_ = seq;
  last_rx_ns_ = rx_ns;
  return out;
}

std::optional<LiveOutage> LiveGaps::open_at(int64_t now_ns, int64_t quiet_ns) const {
  if (!last_seq_ || now_ns - last_rx_ns_ <= quiet_ns) return std::nullopt;
  LiveOutage o;
  o.lost = static_cast<uint64_t>((now_ns - last_rx_ns_) / interval_ns_);
  o.ms = static_cast<double>(now_ns - last_rx_ns_) / 1e6;
  o.last_before_ns = last_rx_ns_;
  return o;
}

std::optional<ProbeHeader> ProbeLogFollower::header() {
  if (header_) return header_;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw KernelError("open", path_, errno);
  }
  std::array<std::byte, kProbeLogHeaderSize> buf;
  ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(buf.size())) return std::nullopt;
  header_ = decode_probe_header(buf, path_);
  return header_;
}

std::vector<ProbeRecord> ProbeLogFollower::read_new() {
  std::vector<ProbeRecord> out;
  if (!header()) return out;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw KernelError("open", path_, errno);
  std::array<std::byte, 64 * kProbeLogRecordSize> buf;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset_));
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw KernelError("read", path_, err);
    }
    size_t whole = static_cast<size_t>(n) / kProbeLogRecordSize;
    for (size_t i = 0; i < whole; ++i)
      out.push_back(decode_probe_record(
          std::span<const std::byte, kProbeLogRecordSize>(buf.data() + i * kProbeLogRecordSize, kProbeLogRecordSize)));
    offset_ += whole * kProbeLogRecordSize;
    if (whole < buf.size() / kProbeLogRecordSize) break;
  }
  ::close(fd);
  return out;
}

}  // namespace netlab::measure
