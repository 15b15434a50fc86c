// Time-ordered unique ids: UUID version 7 (RFC 9562), written as 36 lowercase hex
// characters with dashes. Ids sort by creation time, so lists ordered by id are
// ordered by time and SQLite's primary-key index stays append-mostly.
#ifndef PCMD_COMMON_IDS_IDS_H_
#define PCMD_COMMON_IDS_IDS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/ids/clock.h"

namespace pcmd {

// Generates UUIDv7 ids. Within one generator ids are strictly increasing even when the
// clock stands still or steps back (RFC 9562 §6.2 method 1: a 12-bit counter in
// rand_a, and the timestamp held at its highest value seen). Thread-safe.
class IdGenerator {
 public:
  // `clock` must outlive the generator. `random64` supplies randomness; by default a
  // cryptographically secure source (libsodium's randombytes).
  explicit IdGenerator(const Clock& clock, std::function<uint64_t()> random64 = nullptr);

  std::string Next();

 private:
  const Clock& clock_;
  std::function<uint64_t()> random64_;
  absl::Mutex mu_;
  int64_t last_ms_ ABSL_GUARDED_BY(mu_) = -1;
  uint32_t counter_ ABSL_GUARDED_BY(mu_) = 0;
};

// The Unix-epoch milliseconds encoded in a UUIDv7 string; -1 when `id` is not one.
int64_t UuidV7Millis(const std::string& id);

}  // namespace pcmd

#endif  // PCMD_COMMON_IDS_IDS_H_
