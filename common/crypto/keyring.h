// Personal data at rest: the keys, field encryption, blind indexes and the
// cross-service pseudonym.
//
// Key folder layout (development keys are made by `pcmd-keys generate`; production
// mounts the folder from a secret store):
//   field-<N>.key   32 random bytes, hex; the AEAD key of version N (1, 2, ...).
//                   New data is sealed with the highest version; older versions stay
//                   to open what they sealed, so keys rotate without rewriting rows.
//   audit.key       32 random bytes, hex; keys the audit log's hash chain, so that
//                   someone who can edit a database file cannot recompute the chain.
//   index.key       32 random bytes, hex; the key of blind indexes and pseudonyms.
//                   One per deployment, shared by every service: the same person gets
//                   the same pseudonym in intake, inspections and referrals.
//
// Keys live in memory locked with sodium_mlock where the system allows and are wiped
// when the Keyring is destroyed. A Keyring is immutable after Load and thread-safe.
#ifndef PCMD_COMMON_CRYPTO_KEYRING_H_
#define PCMD_COMMON_CRYPTO_KEYRING_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pcmd::crypto {

class Keyring {
 public:
  // Reads a key folder. Errors: NOT_FOUND when the folder has no field key, no index
  // key or no audit key; INVALID_ARGUMENT naming the file when a key is not 64 hex characters;
  // UNAVAILABLE when the folder cannot be read.
  static absl::StatusOr<std::unique_ptr<Keyring>> Load(const std::string& folder);

  // Writes a new folder with field-1.key, index.key and audit.key from the system's
  // CSPRNG, files
  // readable by the owner only. Errors: ALREADY_EXISTS when keys are there already;
  // UNAVAILABLE when it cannot write.
  static absl::Status Generate(const std::string& folder);

  // Adds field-<highest+1>.key to an existing folder and returns its version.
  static absl::StatusOr<int> Rotate(const std::string& folder);

  // For tests: a keyring from given keys (32 bytes each; at least one field key).
  static std::unique_ptr<Keyring> ForTesting(std::map<int, std::string> field_keys,
                                             std::string index_key,
                                             std::string audit_key = std::string(32, 'z'));

  ~Keyring();
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  int current_version() const { return field_keys_.rbegin()->first; }
  // nullptr when the version is unknown.
  const std::string* field_key(int version) const;
  const std::string& index_key() const { return index_key_; }
  const std::string& audit_key() const { return audit_key_; }

 private:
  Keyring() = default;
  std::map<int, std::string> field_keys_;
  std::string index_key_;
  std::string audit_key_;
};

// Seals and opens personal fields with XChaCha20-Poly1305 (libsodium).
//
// The sealed form is: 0x01 (format), key version (4 bytes, big endian), a random
// 24-byte nonce, then the ciphertext with its 16-byte tag. `context` is authenticated
// but not stored: callers pass where the value lives ("tips/0192…#reporter.name"), so
// a ciphertext copied into another row or field does not open.
class FieldCipher {
 public:
  // `keys` must outlive the cipher. Thread-safe.
  explicit FieldCipher(const Keyring& keys) : keys_(keys) {}

  std::string Seal(absl::string_view plaintext, absl::string_view context) const;

  // Errors: DATA_LOSS when the value was altered, belongs to another context or is
  // not a sealed value; FAILED_PRECONDITION naming the version when its key is not in
  // the keyring.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  // The key version a sealed value was made with; 0 when it is not a sealed value.
  static int VersionOf(absl::string_view sealed);

 private:
  const Keyring& keys_;
};

// Keyed hashes (BLAKE2b-256 under the index key) for exact-match look-ups without
// storing the value, and for the cross-service pseudonym. `kind` separates domains
// ("id_number", "phone", "person"), so equal strings of different kinds never collide.
// Thread-safe.
class BlindIndex {
 public:
  // `keys` must outlive the index.
  explicit BlindIndex(const Keyring& keys) : keys_(keys) {}

  // 64 hex characters. The value is normalised first: Unicode NFC is not applied, but
  // surrounding spaces are trimmed and ASCII letters lower-cased, so " 001AB " and
  // "001ab" match.
  std::string Hash(absl::string_view kind, absl::string_view value) const;

  // "psn_" + 26 base32 characters: the same person (by normalised identity, e.g. ID
  // number) gives the same pseudonym in every service of the deployment.
  std::string Pseudonym(absl::string_view identity) const;

 private:
  const Keyring& keys_;
};

}  // namespace pcmd::crypto

#endif  // PCMD_COMMON_CRYPTO_KEYRING_H_
