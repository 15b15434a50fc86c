#include "common/storage/idempotency.h"

#include <sodium.h>

#include <memory>

#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace pcmd::storage {

std::string RequestFingerprint(const google::protobuf::Message& request, absl::string_view key) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return std::string(reinterpret_cast<const char*>(hash), sizeof hash);
}

absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, absl::string_view scope,
                                                       absl::string_view request_id,
                                                       absl::string_view fingerprint) {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne("SELECT fingerprint, resource_name FROM idempotency_keys "
                                    "WHERE scope = ?1 AND request_id = ?2",
                                    {std::string(scope), std::string(request_id)}));
  if (!row.has_value()) return std::optional<std::string>();
  if (row->Text(0) != fingerprint) {
    return InvalidArgumentWithFields(
        "request_id was already used for a different request",
        {{"request_id", "was already used for a different request; choose a new id"}});
  }
  return std::optional<std::string>(row->Text(1));
}

absl::Status RecordRequest(Transaction& tx, absl::string_view scope, absl::string_view request_id,
                           absl::string_view fingerprint, absl::string_view resource_name,
                           int64_t now_unix_ms) {
  return tx.Execute(
      "INSERT INTO idempotency_keys(scope, request_id, fingerprint, resource_name, "
      "create_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
      {std::string(scope), std::string(request_id), Blob{std::string(fingerprint)},
       std::string(resource_name), now_unix_ms});
}

absl::StatusOr<std::string> CreateOnce(Transaction& tx, absl::string_view scope,
                                       absl::string_view request_id, absl::string_view fingerprint,
                                       absl::string_view resource_name, int64_t now_unix_ms,
                                       absl::FunctionRef<absl::Status()> insert) {
  PCMD_ASSIGN_OR_RETURN(std::optional<std::string> earlier,
                        FindRequest(tx, scope, request_id, fingerprint));
  if (earlier.has_value()) return *std::move(earlier);
  PCMD_RETURN_IF_ERROR(insert());
  PCMD_RETURN_IF_ERROR(
      RecordRequest(tx, scope, request_id, fingerprint, resource_name, now_unix_ms));
  return std::string(resource_name);
}

}  // namespace pcmd::storage
