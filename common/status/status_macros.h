// PCMD_RETURN_IF_ERROR and PCMD_ASSIGN_OR_RETURN: Abseil 20220623 ships neither.
//
//   PCMD_RETURN_IF_ERROR(store.Insert(tip));
//   PCMD_ASSIGN_OR_RETURN(Tip tip, store.Get(id));
//
// Both return the error status from the enclosing function, which must return
// absl::Status or absl::StatusOr<T>.
#ifndef PCMD_COMMON_STATUS_STATUS_MACROS_H_
#define PCMD_COMMON_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PCMD_RETURN_IF_ERROR(expr)                                  \
  do {                                                              \
    if (::absl::Status pcmd_status_ = (expr); !pcmd_status_.ok()) { \
      return pcmd_status_;                                          \
    }                                                               \
  } while (false)

#define PCMD_STATUS_CONCAT_INNER_(a, b) a##b
#define PCMD_STATUS_CONCAT_(a, b) PCMD_STATUS_CONCAT_INNER_(a, b)

#define PCMD_ASSIGN_OR_RETURN(lhs, rexpr) \
  PCMD_ASSIGN_OR_RETURN_IMPL_(PCMD_STATUS_CONCAT_(pcmd_statusor_, __LINE__), lhs, rexpr)

#define PCMD_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) {                                   \
    return std::move(statusor).status();                  \
  }                                                       \
  lhs = std::move(*statusor)

#endif  // PCMD_COMMON_STATUS_STATUS_MACROS_H_
