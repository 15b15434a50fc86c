#include "tools/pcmdctl/render.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "tools/pcmdctl/catalog.h"

namespace pcmd::ctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsWellKnown(const FieldDescriptor& f) {
  return f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         absl::StartsWith(f.message_type()->full_name(), "google.protobuf.");
}

// A well-known type in its JSON form, unquoted: "2026-01-31T08:00:00Z".
std::string WellKnownText(const Message& m) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(m, &json).ok()) return "?";
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"') {
    return json.substr(1, json.size() - 2);
  }
  return json;
}

// One value of a scalar, enum or well-known field (index -1: singular).
std::string ValueText(const Message& m, const FieldDescriptor& f, int index) {
  const Reflection& r = *m.GetReflection();
  const bool rep = index >= 0;
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
      if (f.type() == FieldDescriptor::TYPE_BYTES) return absl::StrCat("<", s.size(), " bytes>");
      return s;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f)) ? "yes" : "no";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return ShortEnumName(rep ? r.GetRepeatedEnum(m, &f, index) : r.GetEnum(m, &f));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return WellKnownText(rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f));
  }
  return "";
}

std::string AllValues(const Message& m, const FieldDescriptor& f) {
  if (!f.is_repeated()) return ValueText(m, f, -1);
  std::vector<std::string> values;
  const int n = m.GetReflection()->FieldSize(m, &f);
  for (int i = 0; i < n; ++i) values.push_back(ValueText(m, f, i));
  return absl::StrJoin(values, ", ");
}

bool IsLeaf(const FieldDescriptor& f) {
  return f.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || IsWellKnown(f);
}

// The set fields of `m`, in declaration order.
std::vector<const FieldDescriptor*> SetFields(const Message& m) {
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  return fields;
}

// Flattened cells of one table row: "place.address" → value; nested repeated
// messages as their count. Every scalar field gets a cell, "0" and "no" included, so
// that a column shown for one row reads right in the others; `shown` collects the
// columns that hold something other than the default in this row.
void RowCells(const Message& m, const std::string& prefix, int depth,
              std::map<std::string, std::string>& cells, std::vector<std::string>& order,
              std::set<std::string>& shown) {
  const Reflection& r = *m.GetReflection();
  const google::protobuf::Descriptor& type = *m.GetDescriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* f = type.field(i);
    const std::string name = prefix + f->name();
    const bool set = f->is_repeated() ? r.FieldSize(m, f) > 0 : r.HasField(m, f);
    std::string value;
    if (IsLeaf(*f)) {
      if (!set && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) continue;
      value = AllValues(m, *f);
    } else if (f->is_repeated()) {
      if (!set) continue;
      value = absl::StrCat("[", r.FieldSize(m, f), "]");
    } else if (depth > 0) {
      if (set) RowCells(r.GetMessage(m, f), name + ".", depth - 1, cells, order, shown);
      continue;
    } else {
      if (!set) continue;
      value = "{…}";
    }
    if (set) shown.insert(name);
    if (cells.emplace(name, value).second) order.push_back(name);
  }
}

std::string Indent(int n) { return std::string(static_cast<size_t>(n), ' '); }

void RenderInto(const Message& m, int indent, const RenderOptions& options, std::string& out) {
  for (const FieldDescriptor* f : SetFields(m)) {
    const Reflection& r = *m.GetReflection();
    if (IsLeaf(*f)) {
      absl::StrAppend(&out, Indent(indent), f->name(), ": ", AllValues(m, *f), "\n");
    } else if (!f->is_repeated()) {
      absl::StrAppend(&out, Indent(indent), f->name(), ":\n");
      RenderInto(r.GetMessage(m, f), indent + 2, options, out);
    } else {
      // A table: the union of the rows' columns, in first-seen order.
      const int n = r.FieldSize(m, f);
      std::vector<std::map<std::string, std::string>> rows(static_cast<size_t>(n));
      std::vector<std::string> columns;
      std::set<std::string> shown;
      for (int i = 0; i < n; ++i) {
        std::vector<std::string> order;
        RowCells(r.GetRepeatedMessage(m, f, i), "", 1, rows[static_cast<size_t>(i)], order, shown);
        for (const std::string& c : order) {
          if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
        }
      }
      // Columns that are empty (or zero) in every row say nothing.
      columns.erase(std::remove_if(columns.begin(), columns.end(),
                                   [&](const std::string& c) { return shown.count(c) == 0; }),
                    columns.end());
      std::vector<std::vector<std::string>> cells;
      for (const auto& row : rows) {
        std::vector<std::string> line;
        for (const std::string& c : columns) {
          auto it = row.find(c);
          const std::string value = it == row.end() ? "" : it->second;
          line.push_back(options.max_cell > 0 ? Truncate(value, options.max_cell) : value);
        }
        cells.push_back(std::move(line));
      }
      absl::StrAppend(&out, Indent(indent), f->name(), " (", n, "):\n");
      for (absl::string_view line : absl::StrSplit(Table(columns, cells), '\n')) {
        if (!line.empty()) absl::StrAppend(&out, Indent(indent + 2), line, "\n");
      }
    }
  }
}

// The length in bytes of the UTF-8 sequence starting with `lead` (1 for a stray byte).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Whether the code point at `p` (length `n`) is a combining mark (U+0300–U+036F), which
// a terminal draws on the previous character.
bool IsCombining(const unsigned char* p, size_t n) {
  if (n != 2) return false;
  const unsigned cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  return cp >= 0x300 && cp <= 0x36F;
}

}  // namespace

std::string RenderText(const Message& message, const RenderOptions& options) {
  std::string out;
  RenderInto(message, 0, options, out);
  if (out.empty()) out = "(empty answer)\n";
  return out;
}

std::string RenderJson(const Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  if (!json.empty() && json.back() != '\n') json += '\n';
  return json;
}

std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<int> widths;
  for (const std::string& h : header) widths.push_back(DisplayWidth(h));
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      text += cell;
      if (i + 1 < widths.size()) text += Indent(widths[i] - DisplayWidth(cell) + 2);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string out = line(header);
  std::vector<std::string> rule;
  for (int w : widths) rule.push_back(std::string(static_cast<size_t>(w), '-'));
  out += line(rule);
  for (const auto& row : rows) out += line(row);
  return out;
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const size_t n = std::min(SequenceLength(*p), static_cast<size_t>(end - p));
    if (!IsCombining(p, n)) ++width;
    p += n;
  }
  return width;
}

std::string Truncate(absl::string_view text, int width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  std::string out;
  int used = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const size_t n = std::min(SequenceLength(*p), static_cast<size_t>(end - p));
    const bool combining = IsCombining(p, n);
    if (!combining && used + 1 > width - 1) break;
    out.append(reinterpret_cast<const char*>(p), n);
    if (!combining) ++used;
    p += n;
  }
  return out + "…";
}

}  // namespace pcmd::ctl
