// Secrets a lab needs: WireGuard key pairs and IPsec pre-shared keys,
// generated per lab. Behind an interface so plans are deterministic in tests
// (a fake hands out fixed keys); the real one uses OpenSSL's X25519 and RAND.
#pragma once

#include <memory>
#include <string>

namespace netlab::plan {

struct KeyPair {
  std::string private_key;  // base64 of 32 bytes, as `wg genkey` prints
  std::string public_key;   // base64, as `wg pubkey` prints
};

class KeySource {
 public:
  virtual ~KeySource() = default;
  virtual KeyPair wireguard_keypair() = 0;
  virtual std::string preshared_key() = 0;  // base64 of 32 random bytes
};

std::unique_ptr<KeySource> make_key_source();

// Base64 (RFC 4648, padded) and back; hex for WireGuard's UAPI.
std::string base64_encode(const unsigned char* data, size_t n);
std::string base64_to_hex(const std::string& b64);  // throws Error on bad input
// The public key of a base64 X25519 private key.
std::string wireguard_public_key(const std::string& private_b64);

}  // namespace netlab::plan
