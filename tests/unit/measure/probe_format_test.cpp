// The probe's bytes: what the encoders write decodes back to the same
// values, the layout is the documented one (little-endian, fixed offsets),
// and log parsing copes with a log that is still being written.
#include "netlab/measure/probe_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/probe.h"

namespace netlab::measure {
namespace {

using ::testing::ElementsAre;

TEST(ProbePacket, RoundTripsAndHasTheDocumentedLayout) {
  const ProbePacket p{.stream_id = 7, .seq = 0x0102030405060708, .tx_ns = -5};
  std::array<std::byte, kProbePacketSize> b;
  encode_probe_packet(p, b);
  EXPECT_EQ(decode_probe_packet(b), p);
  EXPECT_EQ(std::to_integer<char>(b[0]), 'N');
  EXPECT_EQ(std::to_integer<char>(b[1]), 'L');
  EXPECT_EQ(std::to_integer<char>(b[2]), 'P');
  EXPECT_EQ(std::to_integer<char>(b[3]), 'B');
  EXPECT_EQ(std::to_integer<int>(b[8]), 7);
  EXPECT_EQ(std::to_integer<int>(b[16]), 0x08);  // seq, little-endian
  EXPECT_EQ(std::to_integer<int>(b[23]), 0x01);
  EXPECT_EQ(std::to_integer<int>(b[31]), 0xff);  // tx_ns = -5
}

TEST(ProbePacket, RejectsWhatIsNotAProbe) {
  std::array<std::byte, kProbePacketSize> b;
  encode_probe_packet({.stream_id = 1, .seq = 1, .tx_ns = 1}, b);
  EXPECT_FALSE(decode_probe_packet(std::span<const std::byte>(b).first(31)));  // short
  auto bad_magic = b;
  bad_magic[0] = std::byte{'X'};
  EXPECT_FALSE(decode_probe_packet(bad_magic));
  auto bad_version = b;
  bad_version[4] = std::byte{2};
  EXPECT_FALSE(decode_probe_packet(bad_version));
  std::vector<std::byte> longer(b.begin(), b.end());
  longer.resize(100);  // padding after the packet is ignored
  EXPECT_EQ(decode_probe_packet(longer)->seq, 1u);
}

ProbeHeader header() {
  return {.stream_id = 1,
          .peer_stream_id = 2,
          .realtime = true,
          .interval_ns = 1'000'000,
          .start_ns = 123'456'789,
          .start_realtime_ns = 1'700'000'000'000'000'000,
          .bind_addr = *Ipv4::parse("10.1.2.3"),
          .bind_port = 4000,
          .peer_addr = *Ipv4::parse("10.1.2.4"),
          .peer_port = 4001};
}

// A log as netlab-probe writes it.
class LogBytes {
 public:
  explicit LogBytes(const ProbeHeader& h) : bytes_(kProbeLogHeaderSize) {
    encode_probe_header(
        h, std::span<std::byte, kProbeLogHeaderSize>(bytes_.data(), kProbeLogHeaderSize));
  }
  LogBytes& add(const ProbeRecord& r) {
    const size_t off = bytes_.size();
    bytes_.resize(off + kProbeLogRecordSize);
    encode_probe_record(
        r, std::span<std::byte, kProbeLogRecordSize>(bytes_.data() + off, kProbeLogRecordSize));
    return *this;
  }
  std::vector<std::byte> bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

TEST(ProbeLogFormat, HeaderRoundTrips) {
  std::array<std::byte, kProbeLogHeaderSize> b;
  encode_probe_header(header(), b);
  EXPECT_EQ(decode_probe_header(b, "t"), header());
  EXPECT_EQ(std::to_integer<int>(b[12]), 80);  // header size
  EXPECT_EQ(std::to_integer<int>(b[16]), 32);  // record size
}

TEST(ProbeLogFormat, RecordRoundTrips) {
  const ProbeRecord r{.kind = RecordKind::kSent, .aux = 101, .seq = 5, .a = -1, .b = 1 << 30};
  std::array<std::byte, kProbeLogRecordSize> b;
  encode_probe_record(r, b);
  EXPECT_EQ(decode_probe_record(b), r);
}

TEST(ProbeLogFormat, ParsesEveryKindOfRecord) {
  const auto bytes = LogBytes(header())
                         .add({.kind = RecordKind::kSent, .aux = 0, .seq = 0, .a = 1000, .b = 3})
                         .add({.kind = RecordKind::kReceived, .seq = 0, .a = 990, .b = 1050})
                         .add({.kind = RecordKind::kSent, .aux = 101, .seq = 1, .a = 2000, .b = 4})
                         .add({.kind = RecordKind::kCounter, .aux = 1, .seq = 1, .a = 2100})
                         .add({.kind = RecordKind::kCounter, .aux = 2, .seq = 1, .a = 2100})
                         .add({.kind = RecordKind::kCounter, .aux = 6, .seq = 9, .a = 2100})
                         .add({.kind = RecordKind::kHeartbeat, .a = 2200})
                         .add({.kind = static_cast<RecordKind>(77), .seq = 1})  // newer probe
                         .add({.kind = RecordKind::kCounter, .aux = 1, .seq = 2, .a = 2300})
                         .add({.kind = RecordKind::kEnd, .a = 2400})
                         .bytes();
  const ProbeLog log = parse_probe_log(bytes, "t");
  EXPECT_EQ(log.header, header());
  EXPECT_THAT(log.sent, ElementsAre(SentProbe{0, 1000, 3, 0}, SentProbe{1, 2000, 4, 101}));
  EXPECT_THAT(log.received, ElementsAre(ReceivedProbe{0, 990, 1050}));
  EXPECT_EQ(log.counters, (ProbeCounters{.sent = 2, .send_errors = 1, .late_wakeups = 9}));
  EXPECT_EQ(log.covered_until_ns, 2400);
  EXPECT_TRUE(log.ended);
  EXPECT_EQ(log.partial_bytes, 0u);
}

TEST(ProbeLogFormat, ToleratesAPartialLastRecord) {
  auto bytes = LogBytes(header())
                   .add({.kind = RecordKind::kReceived, .seq = 0, .a = 1, .b = 2})
                   .add({.kind = RecordKind::kHeartbeat, .a = 5})
                   .add({.kind = RecordKind::kReceived, .seq = 1, .a = 3, .b = 4})
                   .bytes();
  for (size_t cut = 1; cut < kProbeLogRecordSize; ++cut) {
    std::vector<std::byte> partial(bytes.begin(), bytes.end() - static_cast<ptrdiff_t>(cut));
    const ProbeLog log = parse_probe_log(partial, "t");
    EXPECT_THAT(log.received, ElementsAre(ReceivedProbe{0, 1, 2})) << cut;
    EXPECT_EQ(log.partial_bytes, kProbeLogRecordSize - cut);
    EXPECT_EQ(log.covered_until_ns, 5);
    EXPECT_FALSE(log.ended);
  }
  // Only a header: a probe that has just started.
  std::vector<std::byte> just_header(bytes.begin(), bytes.begin() + kProbeLogHeaderSize);
  const ProbeLog fresh = parse_probe_log(just_header, "t");
  EXPECT_TRUE(fresh.received.empty());
  EXPECT_EQ(fresh.covered_until_ns, std::numeric_limits<int64_t>::min());
}

TEST(ProbeLogFormat, RejectsWhatIsNotAProbeLog) {
  auto bytes = LogBytes(header()).bytes();
  EXPECT_THROW(parse_probe_log(std::span<const std::byte>(bytes).first(79), "t"), Error);
  auto bad = bytes;
  bad[0] = std::byte{'X'};
  EXPECT_THROW(parse_probe_log(bad, "t"), Error);
  auto newer = bytes;
  newer[8] = std::byte{2};
  try {
    parse_probe_log(newer, "probe-a.log");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("probe-a.log: version 2"));
  }
}

TEST(ProbePacket, AReflectionCarriesTheProbeAndItsOwnSendTime) {
  const ProbePacket p{.stream_id = 3, .seq = 42, .tx_ns = 1000, .reflected = true,
                      .reflect_tx_ns = 2000, .instance = 9};
  std::array<std::byte, kReflectionPacketSize> b;
  encode_reflection_packet(p, b);
  EXPECT_EQ(decode_probe_packet(b), p);
  EXPECT_EQ(std::to_integer<int>(b[6]), 1);   // flags: a reflection
  EXPECT_EQ(std::to_integer<int>(b[40]), 9);  // instance id
  // Bytes 0..31 are the probe as sent but for the flag.
  std::array<std::byte, kProbePacketSize> plain;
  encode_probe_packet(p, plain);
  EXPECT_EQ(std::to_integer<int>(plain[6]), 0);
  EXPECT_FALSE(decode_probe_packet(plain)->reflected);
  plain[6] = b[6];
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), b.begin()));
  // A flagged packet without its reflection part is not a probe packet.
  EXPECT_FALSE(decode_probe_packet(std::span<const std::byte>(b).first(kProbePacketSize)));
}

TEST(ProbeLogFormat, TheModeRoundTripsInTheFlags) {
  for (ProbeMode m : {ProbeMode::kStream, ProbeMode::kEcho, ProbeMode::kReflect}) {
    ProbeHeader h = header();
    h.mode = m;
    std::array<std::byte, kProbeLogHeaderSize> b;
    encode_probe_header(h, b);
    EXPECT_EQ(decode_probe_header(b, "t"), h);
    EXPECT_EQ(std::to_integer<int>(b[28]) & 1, 1);  // realtime stays bit 0
  }
  std::array<std::byte, kProbeLogHeaderSize> b;
  encode_probe_header(header(), b);
  b[28] = std::byte{0x07};  // mode 3: unknown
  EXPECT_THROW(decode_probe_header(b, "t"), Error);
}

TEST(ProbeLogFormat, ParsesReflectedAndEchoedRecords) {
  auto bytes = LogBytes(header())
                   .add({.kind = RecordKind::kReceived, .seq = 5, .a = 100, .b = 140})
                   .add({.kind = RecordKind::kReflected, .aux = 0, .seq = 5, .a = 145, .b = 100})
                   .add({.kind = RecordKind::kReflected, .aux = 101, .seq = 6, .a = 245, .b = 200})
                   .add({.kind = RecordKind::kEchoed, .aux = 2, .seq = 5, .a = 145, .b = 190})
                   .bytes();
  const ProbeLog log = parse_probe_log(bytes, "t");
  EXPECT_THAT(log.received, ElementsAre(ReceivedProbe{5, 100, 140}));
  EXPECT_THAT(log.reflected, ElementsAre(ReflectedProbe{5, 145, 100, 0}, ReflectedProbe{6, 245, 200, 101}));
  EXPECT_THAT(log.echoed, ElementsAre(EchoedProbe{5, 145, 190, 2}));
}

}  // namespace
}  // namespace netlab::measure
