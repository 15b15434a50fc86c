// Page tokens for List calls (AIP-158): opaque to the client, bound to the query they
// came from, so that a token reused with other filters is refused instead of silently
// continuing another listing.
//
//   const std::string query = QueryFingerprint(request);        // filters only
//   std::optional<std::string> after = ReadPageToken(request.page_token(), query);
//   ...
//   response.set_next_page_token(MakePageToken(last_position, query));
//
// Pure functions: thread-safe.
#ifndef PCMD_COMMON_PAGING_PAGING_H_
#define PCMD_COMMON_PAGING_PAGING_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace pcmd {

// A fingerprint of `request` without its paging fields (any fields named page_size and
// page_token are left out): equal for two requests with the same filters.
std::string QueryFingerprint(const google::protobuf::Message& request);

// A web-safe token carrying `position` (where the next page starts; any bytes) for the
// query with `fingerprint`.
std::string MakePageToken(absl::string_view position, absl::string_view fingerprint);

// The position `token` carries, or nullopt when it is not a token of this query
// (malformed, or made for another fingerprint).
std::optional<std::string> ReadPageToken(absl::string_view token, absl::string_view fingerprint);

}  // namespace pcmd

#endif  // PCMD_COMMON_PAGING_PAGING_H_
