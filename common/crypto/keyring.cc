#include "common/crypto/keyring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"

namespace pcmd::crypto {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr unsigned char kFormat = 0x01;
constexpr size_t kHeader = 1 + 4 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

void InitSodium() {
  // Idempotent and thread-safe; failing means no entropy source: a broken machine.
  if (sodium_init() < 0) std::abort();
}

absl::StatusOr<std::string> ReadKey(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read key ", file.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string hex(absl::StripAsciiWhitespace(ss.str()));
  std::string key(kKeyBytes, '\0');
  size_t len = 0;
  if (hex.size() != 2 * kKeyBytes ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", file.string(), " must hold 64 hex characters"));
  }
  return key;
}

// Writes a new key durably: created 0600 (never readable by others, not even
// briefly), fsynced, renamed into place, and the folder fsynced, so a crash leaves
// either no key or the whole key, never an empty file with data already sealed by it.
absl::Status WriteKey(const std::filesystem::path& file) {
  unsigned char key[kKeyBytes];
  randombytes_buf(key, sizeof key);
  char hex[2 * kKeyBytes + 2];
  sodium_bin2hex(hex, sizeof hex - 1, key, sizeof key);
  sodium_memzero(key, sizeof key);
  hex[2 * kKeyBytes] = '\n';
  const std::string tmp = file.string() + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", tmp));
  const bool written = write(fd, hex, 2 * kKeyBytes + 1) == 2 * kKeyBytes + 1 && fsync(fd) == 0;
  close(fd);
  sodium_memzero(hex, sizeof hex);
  if (!written) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", file.string()));
  }
  const int dir = open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

// Versions of field-<N>.key files in `folder`.
std::map<int, std::filesystem::path> FieldKeyFiles(const std::string& folder) {
  std::map<int, std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    absl::string_view v(name);
    int version = 0;
    if (absl::ConsumePrefix(&v, "field-") && absl::ConsumeSuffix(&v, ".key") &&
        absl::SimpleAtoi(v, &version) && version > 0) {
      out[version] = entry.path();
    }
  }
  return out;
}

std::string Normalise(absl::string_view value) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Keyring>> Keyring::Load(const std::string& folder) {
  InitSodium();
  auto files = FieldKeyFiles(folder);
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat("no field-<N>.key in key folder ", folder));
  }
  auto ring = std::unique_ptr<Keyring>(new Keyring());
  for (const auto& [version, file] : files) {
    PCMD_ASSIGN_OR_RETURN(ring->field_keys_[version], ReadKey(file));
  }
  const std::filesystem::path index = std::filesystem::path(folder) / "index.key";
  if (!std::filesystem::exists(index)) {
    return absl::NotFoundError(absl::StrCat("no index.key in key folder ", folder));
  }
  PCMD_ASSIGN_OR_RETURN(ring->index_key_, ReadKey(index));
  const std::filesystem::path audit = std::filesystem::path(folder) / "audit.key";
  if (!std::filesystem::exists(audit)) {
    return absl::NotFoundError(absl::StrCat("no audit.key in key folder ", folder));
  }
  PCMD_ASSIGN_OR_RETURN(ring->audit_key_, ReadKey(audit));
  for (auto& [v, key] : ring->field_keys_) sodium_mlock(key.data(), key.size());
  sodium_mlock(ring->index_key_.data(), ring->index_key_.size());
  return ring;
}

absl::Status Keyring::Generate(const std::string& folder) {
  InitSodium();
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", folder));
  if (chmod(folder.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot restrict ", folder, " to its owner"));
  }
  if (!FieldKeyFiles(folder).empty()) {
    return absl::AlreadyExistsError(absl::StrCat("keys already exist in ", folder));
  }
  // index.key and audit.key first: a folder with a field key is complete.
  PCMD_RETURN_IF_ERROR(WriteKey(std::filesystem::path(folder) / "index.key"));
  PCMD_RETURN_IF_ERROR(WriteKey(std::filesystem::path(folder) / "audit.key"));
  return WriteKey(std::filesystem::path(folder) / "field-1.key");
}

absl::StatusOr<int> Keyring::Rotate(const std::string& folder) {
  InitSodium();
  auto files = FieldKeyFiles(folder);
  if (files.empty()) return absl::NotFoundError(absl::StrCat("no field key in ", folder));
  const int next = files.rbegin()->first + 1;
  PCMD_RETURN_IF_ERROR(
      WriteKey(std::filesystem::path(folder) / absl::StrCat("field-", next, ".key")));
  return next;
}

std::unique_ptr<Keyring> Keyring::ForTesting(std::map<int, std::string> field_keys,
                                             std::string index_key, std::string audit_key) {
  InitSodium();
  auto ring = std::unique_ptr<Keyring>(new Keyring());
  ring->field_keys_ = std::move(field_keys);
  ring->index_key_ = std::move(index_key);
  ring->audit_key_ = std::move(audit_key);
  return ring;
}

Keyring::~Keyring() {
  for (auto& [v, key] : field_keys_) sodium_munlock(key.data(), key.size());
  sodium_munlock(index_key_.data(), index_key_.size());
  sodium_munlock(audit_key_.data(), audit_key_.size());
}

const std::string* Keyring::field_key(int version) const {
  auto it = field_keys_.find(version);
  return it == field_keys_.end() ? nullptr : &it->second;
}

std::string FieldCipher::Seal(absl::string_view plaintext, absl::string_view context) const {
  const int version = keys_.current_version();
  const std::string& key = *keys_.field_key(version);
  std::string out(kHeader + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kFormat;
  p[1] = static_cast<unsigned char>(version >> 24);
  p[2] = static_cast<unsigned char>(version >> 16);
  p[3] = static_cast<unsigned char>(version >> 8);
  p[4] = static_cast<unsigned char>(version);
  unsigned char* nonce = p + 5;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  // The header is authenticated too, so the version byte cannot be swapped.
  std::string ad(reinterpret_cast<const char*>(p), 5);
  ad.append(context.data(), context.size());
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      p + kHeader, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      nonce, reinterpret_cast<const unsigned char*>(key.data()));
  out.resize(kHeader + clen);
  return out;
}

int FieldCipher::VersionOf(absl::string_view sealed) {
  if (sealed.size() < kHeader + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      static_cast<unsigned char>(sealed[0]) != kFormat) {
    return 0;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  return static_cast<int>((uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) |
                          uint32_t{p[4]});
}

absl::StatusOr<std::string> FieldCipher::Open(absl::string_view sealed,
                                              absl::string_view context) const {
  const int version = VersionOf(sealed);
  if (version <= 0) return absl::DataLossError("not a sealed value");
  const std::string* key = keys_.field_key(version);
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("sealed with key version ", version, ", which this keyring does not hold"));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string ad(sealed.substr(0, 5));
  ad.append(context.data(), context.size());
  std::string out(sealed.size() - kHeader - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr, p + kHeader,
          sealed.size() - kHeader, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          p + 5, reinterpret_cast<const unsigned char*>(key->data())) != 0) {
    return absl::DataLossError("sealed value was altered or belongs to another field");
  }
  out.resize(mlen);
  return out;
}

std::string BlindIndex::Hash(absl::string_view kind, absl::string_view value) const {
  const std::string input = absl::StrCat(kind, "\x1f", Normalise(value));
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(keys_.index_key().data()),
                     keys_.index_key().size());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, 64);
}

std::string BlindIndex::Pseudonym(absl::string_view identity) const {
  const std::string input = absl::StrCat("person\x1f", Normalise(identity));
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(keys_.index_key().data()),
                     keys_.index_key().size());
  // Crockford base32 (no I, L, O, U): readable, unambiguous over the phone.
  static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string out = "psn_";
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : hash) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

}  // namespace pcmd::crypto
