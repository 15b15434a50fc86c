// How pcmdctl shows an answer: readable tables and indented fields for people, JSON
// for programs. Vietnamese text is UTF-8 throughout; columns are aligned by what a
// terminal shows (one column per character, none for a combining mark), not by bytes.
//
// All functions are pure and thread-safe.
#ifndef PCMD_TOOLS_PCMDCTL_RENDER_H_
#define PCMD_TOOLS_PCMDCTL_RENDER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace pcmd::ctl {

struct RenderOptions {
  // Cells longer than this many characters are cut with "…"; 0: never.
  int max_cell = 48;
};

// The answer for a person: scalar fields as "name: value" lines (nested messages
// indented), every repeated message field as a table whose columns are the elements'
// scalar fields (one level of nesting flattened as "place.address"), empty columns
// left out. Enum values print short ("received" for TIP_STATE_RECEIVED).
std::string RenderText(const google::protobuf::Message& message, const RenderOptions& options);

// Protobuf JSON with the .proto field names; `pretty` indents it, otherwise one line.
std::string RenderJson(const google::protobuf::Message& message, bool pretty);

// The rows as an aligned table with a header row and a rule under it.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

// The number of terminal columns `text` (UTF-8) takes: characters, less combining marks.
int DisplayWidth(absl::string_view text);

// `text` cut to at most `width` display columns, ending in "…" when cut; never splits
// a UTF-8 sequence.
std::string Truncate(absl::string_view text, int width);

}  // namespace pcmd::ctl

#endif  // PCMD_TOOLS_PCMDCTL_RENDER_H_
