// Sealed columns of the intake stores: each personal value is sealed
// (crypto::FieldCipher) bound to where it lives — its record and field
// ("tips/<id>#persons/2.full_name") — so that a value copied to another row or column
// does not open. Thread-safe (the cipher is).
#ifndef PCMD_SERVICES_INTAKE_SEALED_COLUMN_H_
#define PCMD_SERVICES_INTAKE_SEALED_COLUMN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/crypto/keyring.h"
#include "common/storage/sqlite_database.h"

namespace pcmd::intake {

// Where a sealed value lives: its record and field. The context binds the value to it.
struct Where {
  absl::string_view record;  // "tips/0192…".
  std::string field;         // "persons/2.full_name".
  std::string Context() const { return absl::StrCat(record, "#", field); }
};

// The sealed form of `plaintext`, or NULL when it is empty.
storage::Value SealOrNull(const crypto::FieldCipher& cipher, absl::string_view plaintext,
                          const Where& where);

// Opens column `col` of `row` ("" when NULL). A value that does not open is a server
// fault — the row was altered or moved, or its key version is missing — never the
// caller's: it is logged as sealed_field_unreadable with where it lives (never the
// value) and answered INTERNAL.
absl::StatusOr<std::string> OpenColumn(const crypto::FieldCipher& cipher, const storage::Row& row,
                                       int col, const Where& where);

// INTERNAL for a sealed value that opened but is not the message it should be; logged
// like OpenColumn's failures.
absl::Status UnreadableMessage(const Where& where);

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_SEALED_COLUMN_H_
