// pcmd-audit: checks a service's audit log for edited, removed or reordered records.
//
//   pcmd-audit verify --db=.state/intake/intake.db --keys=.state/keys
//   pcmd-audit verify --db=... --keys=... --anchor-count=1200 --anchor-hash=<64 hex>
//
// Prints the head (record count and hash) to anchor elsewhere. Exit codes: 0 intact,
// 1 tampered ("TAMPERED: ...") or not verifiable ("cannot verify: ..."), 2 bad
// arguments.
#include <cstdio>
#include <filesystem>

#include "common/audit/audit_log.h"
#include "common/config/config.h"
#include "common/crypto/keyring.h"

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "verify") {
    std::fputs("usage: pcmd-audit verify --db=PATH [--anchor-count=N --anchor-hash=HEX]\n", stderr);
    return 2;
  }
  pcmd::Config config("pcmd-audit verify");
  config.DefineString("db", "", "the service's SQLite file");
  config.DefineString("keys", "", "the deployment's key folder (holds audit.key)");
  config.DefineInt("anchor-count", 0, "record count of a head recorded earlier");
  config.DefineString("anchor-hash", "", "hash of that head");
  if (absl::Status s = config.Parse(argc - 1, argv + 1); !s.ok()) {
    std::fprintf(stderr, "pcmd-audit: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  const std::string path = config.GetString("db");
  if (path.empty() || !std::filesystem::exists(path)) {
    std::fprintf(stderr, "pcmd-audit: --db must name an existing database file\n");
    return 2;
  }
  auto keys = pcmd::crypto::Keyring::Load(config.GetString("keys"));
  if (!keys.ok()) {
    std::fprintf(stderr, "pcmd-audit: --keys: %s\n", std::string(keys.status().message()).c_str());
    return 2;
  }
  auto db = pcmd::storage::SqliteDatabase::Open({.path = path, .migrate = false}, {});
  if (!db.ok()) {
    std::fprintf(stderr, "pcmd-audit: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  std::optional<pcmd::audit::AuditHead> anchor;
  if (config.GetInt("anchor-count") > 0) {
    anchor = pcmd::audit::AuditHead{config.GetInt("anchor-count"), config.GetString("anchor-hash")};
  }
  auto head = pcmd::audit::AuditLog::Verify(**db, (*keys)->audit_key(), anchor);
  if (!head.ok()) {
    // Only a broken chain is evidence of tampering; anything else is a failure to look.
    std::printf("%s: %s\n",
                head.status().code() == absl::StatusCode::kDataLoss ? "TAMPERED" : "cannot verify",
                std::string(head.status().message()).c_str());
    return 1;
  }
  if (!anchor.has_value()) {
    std::printf(
        "note: without --anchor-count/--anchor-hash, records cut from the end of the "
        "log cannot be noticed\n");
  }
  std::printf("intact: %lld records, head %s\n", static_cast<long long>(head->count),
              head->hash_hex.c_str());
  return 0;
}
