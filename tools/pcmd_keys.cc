// pcmd-keys: makes and rotates a deployment's key folder (see common/crypto/keyring.h).
//
//   pcmd-keys generate DIR   field-1.key, index.key and audit.key from the system CSPRNG
//   pcmd-keys rotate DIR     adds field-<N+1>.key; new data is sealed with it, old data
//                            still opens with the older keys
//   pcmd-keys check DIR      loads the folder as a service would
//
// Exit codes: 0 done, 1 refused or failed (the message says why), 2 bad arguments.
#include <cstdio>
#include <string>

#include "common/crypto/keyring.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "pcmd-keys: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: pcmd-keys generate|rotate|check DIR\n", stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::string folder = argv[2];
  if (command == "generate") {
    if (absl::Status s = pcmd::crypto::Keyring::Generate(folder); !s.ok()) return Fail(s);
    std::printf("keys: generated in %s\n", folder.c_str());
    return 0;
  }
  if (command == "rotate") {
    absl::StatusOr<int> version = pcmd::crypto::Keyring::Rotate(folder);
    if (!version.ok()) return Fail(version.status());
    std::printf("keys: field key version %d added in %s\n", *version, folder.c_str());
    return 0;
  }
  if (command == "check") {
    auto keys = pcmd::crypto::Keyring::Load(folder);
    if (!keys.ok()) return Fail(keys.status());
    std::printf("keys: %s loads; field key version %d is current\n", folder.c_str(),
                (*keys)->current_version());
    return 0;
  }
  std::fprintf(stderr, "pcmd-keys: unknown command \"%s\" (generate, rotate, check)\n",
               command.c_str());
  return 2;
}
