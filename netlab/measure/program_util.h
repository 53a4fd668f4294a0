// Small pieces shared by netlab's measuring programs (netlab-probe,
// netlab-traffic): their clock, their sleeps' deadlines, and how they read
// and write an IPv4 endpoint. Header-only; each program is one process.
#pragma once

#include <netinet/in.h>
#include <time.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "netlab/base/error.h"
#include "netlab/base/ip.h"

namespace netlab::measure::program {

// CLOCK_MONOTONIC in ns: one clock for every namespace of the host.
inline int64_t mono_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

inline timespec to_timespec(int64_t ns) {
  return timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
}

// "ADDR:PORT" of option `flag`; InputError naming the flag otherwise.
inline void parse_endpoint(const std::string& flag, const std::string& text, Ipv4& addr, uint16_t& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw InputError(flag + " " + text + ": expected ADDR:PORT");
  auto a = Ipv4::parse(std::string_view(text).substr(0, colon));
  if (!a) throw InputError(flag + " " + text + ": not an IPv4 address");
  unsigned p = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, p);
  if (first == last || ec != std::errc() || end != last || p == 0 || p > 65535)
    throw InputError(flag + " " + text + ": port must be 1..65535");
  addr = *a;
  port = static_cast<uint16_t>(p);
}

inline sockaddr_in to_sockaddr(Ipv4 a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = a.network_order();
  return sa;
}

}  // namespace netlab::measure::program
