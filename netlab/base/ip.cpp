#include "netlab/base/ip.h"

#include <arpa/inet.h>

#include <charconv>

namespace netlab {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  uint32_t v = 0;
  int parts = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (parts < 4) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    // no leading zeros ("010" is octal to some parsers: refuse it)
    if (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9') return std::nullopt;
    unsigned octet = 0;
    auto [q, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || octet > 255) return std::nullopt;
    v = (v << 8) | octet;
    p = q;
    ++parts;
    if (parts < 4) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return Ipv4{v};
}

std::string Ipv4::str() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
         std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

uint32_t Ipv4::network_order() const { return htonl(value); }
Ipv4 Ipv4::from_network_order(uint32_t be) { return Ipv4{ntohl(be)}; }

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text, bool allow_host) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!allow_host) return std::nullopt;
    auto a = Ipv4::parse(text);
    if (!a) return std::nullopt;
    return Ipv4Prefix{*a, 32};
  }
  auto a = Ipv4::parse(text.substr(0, slash));
  if (!a) return std::nullopt;
  auto lentext = text.substr(slash + 1);
  if (lentext.empty() || lentext.size() > 2) return std::nullopt;
  unsigned len = 0;
  auto [q, ec] = std::from_chars(lentext.data(), lentext.data() + lentext.size(), len);
  if (ec != std::errc() || q != lentext.data() + lentext.size() || len > 32) return std::nullopt;
  return Ipv4Prefix{*a, static_cast<uint8_t>(len)};
}

std::string Ipv4Prefix::str() const { return addr.str() + "/" + std::to_string(len); }

uint32_t Ipv4Prefix::mask() const { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
Ipv4 Ipv4Prefix::network() const { return Ipv4{addr.value & mask()}; }
Ipv4 Ipv4Prefix::broadcast() const { return Ipv4{(addr.value & mask()) | ~mask()}; }

bool Ipv4Prefix::contains(Ipv4 a) const { return (a.value & mask()) == network().value; }

bool Ipv4Prefix::contains(const Ipv4Prefix& p) const {
  return p.len >= len && contains(p.network());
}

bool Ipv4Prefix::overlaps(const Ipv4Prefix& p) const { return contains(p) || p.contains(*this); }

uint64_t Ipv4Prefix::usable_hosts() const {
  if (len >= 31) return size();
  return size() - 2;
}

std::optional<Ipv4> Ipv4Prefix::host(uint32_t n) const {
  if (n >= usable_hosts()) return std::nullopt;
  uint32_t first = network().value + (len >= 31 ? 0 : 1);
  return Ipv4{first + n};
}

}  // namespace netlab
