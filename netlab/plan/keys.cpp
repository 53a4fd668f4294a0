#include "netlab/plan/keys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

#include "netlab/base/error.h"

namespace netlab::plan {

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::array<unsigned char, 32> base64_decode32(const std::string& b64) {
  if (b64.size() != 44) throw Error("bad key: expected 44 base64 characters");
  unsigned char out[48];
  int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n != 33) throw Error("bad key: not base64 of 32 bytes");  // 33: one padding byte
  std::array<unsigned char, 32> key;
  std::copy(out, out + 32, key.begin());
  return key;
}

std::string public_of(const std::array<unsigned char, 32>& priv) {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()),
               EVP_PKEY_free);
  if (!pkey) throw Error("X25519: cannot load private key");
  unsigned char pub[32];
  size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub, &len) != 1 || len != 32)
    throw Error("X25519: cannot derive public key");
  return base64_encode(pub, 32);
}

class OpensslKeySource : public KeySource {
 public:
  KeyPair wireguard_keypair() override {
    std::array<unsigned char, 32> priv;
    if (RAND_priv_bytes(priv.data(), priv.size()) != 1) throw Error("RAND_priv_bytes failed");
    // Clamp as WireGuard (and `wg genkey`) does.
    priv[0] &= 248;
    priv[31] = (priv[31] & 127) | 64;
    return {base64_encode(priv.data(), priv.size()), public_of(priv)};
  }
  std::string preshared_key() override {
    unsigned char k[32];
    if (RAND_priv_bytes(k, sizeof k) != 1) throw Error("RAND_priv_bytes failed");
    return base64_encode(k, sizeof k);
  }
};

}  // namespace

std::unique_ptr<KeySource> make_key_source() { return std::make_unique<OpensslKeySource>(); }

std::string base64_encode(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                            static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string base64_to_hex(const std::string& b64) {
  auto key = base64_decode32(b64);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : key) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

std::string wireguard_public_key(const std::string& private_b64) {
  return public_of(base64_decode32(private_b64));
}

}  // namespace netlab::plan
