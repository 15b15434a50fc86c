#include "common/paging/paging.h"

#include <cstdint>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace pcmd {

std::string QueryFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> query(request.New());
  query->CopyFrom(request);
  const google::protobuf::Reflection* reflection = query->GetReflection();
  for (const char* paging : {"page_size", "page_token"}) {
    if (const google::protobuf::FieldDescriptor* field =
            query->GetDescriptor()->FindFieldByName(paging);
        field != nullptr) {
      reflection->ClearField(query.get(), field);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    query->SerializeToCodedStream(&out);
  }
  // FNV-1a: a fingerprint against mistakes, not an authenticator.
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return absl::StrCat(absl::Hex(hash, absl::kZeroPad16));
}

std::string MakePageToken(absl::string_view position, absl::string_view fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(fingerprint, ".", position));
}

std::optional<std::string> ReadPageToken(absl::string_view token, absl::string_view fingerprint) {
  std::string plain;
  if (token.empty() || !absl::WebSafeBase64Unescape(token, &plain)) return std::nullopt;
  const absl::string_view text(plain);
  if (text.size() <= fingerprint.size() || text.substr(0, fingerprint.size()) != fingerprint ||
      text[fingerprint.size()] != '.') {
    return std::nullopt;
  }
  return std::string(text.substr(fingerprint.size() + 1));
}

}  // namespace pcmd
