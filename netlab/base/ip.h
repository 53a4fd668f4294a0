// IPv4 addresses and prefixes as value types (str(), ==, ordering).
// Pure; no kernel access. Host byte order inside.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netlab {

struct Ipv4 {
  uint32_t value = 0;  // host byte order

  static std::optional<Ipv4> parse(std::string_view text);
  std::string str() const;
  uint32_t network_order() const;
  static Ipv4 from_network_order(uint32_t be);
  auto operator<=>(const Ipv4&) const = default;
};

// An address with a prefix length: either a network ("10.0.0.0/24") or an
// interface address ("10.0.0.1/30"); network() normalises.
struct Ipv4Prefix {
  Ipv4 addr;
  uint8_t len = 32;

  // Accepts "a.b.c.d/len" (and "a.b.c.d", as /32 when allow_host is set).
  static std::optional<Ipv4Prefix> parse(std::string_view text, bool allow_host = false);
  std::string str() const;
  uint32_t mask() const;
  Ipv4 network() const;          // addr with host bits cleared
  Ipv4 broadcast() const;        // last address of the prefix
  Ipv4Prefix normalized() const { return {network(), len}; }
  bool is_network() const { return addr == network(); }
  uint64_t size() const { return uint64_t{1} << (32 - len); }
  bool contains(Ipv4 a) const;
  bool contains(const Ipv4Prefix& p) const;  // p lies entirely inside this prefix
  bool overlaps(const Ipv4Prefix& p) const;
  // The n-th usable host address for a point-to-point or LAN subnet: for /31
  // and /32 every address is usable, otherwise the network and broadcast
  // addresses are skipped. n counts from 0. nullopt when there is no such host.
  std::optional<Ipv4> host(uint32_t n) const;
  uint64_t usable_hosts() const;
  auto operator<=>(const Ipv4Prefix&) const = default;
};

}  // namespace netlab
