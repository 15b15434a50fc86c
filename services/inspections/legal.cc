#include "services/inspections/legal.h"

#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/validation/person_fields.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace pcmd::inspections {
namespace {

// Upper bound of violations, sanctions and persons met in one result.
constexpr int kMaxItems = 50;
constexpr int kMaxInformed = 10'000;
constexpr size_t kMaxCodeChars = 64;

// "<prefix>.<field>", or `field` alone when there is no prefix.
std::string PathOf(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

// True when every character of `s` passes `is_allowed` or is in `punctuation`.
bool AllOf(absl::string_view s, int (*is_allowed)(int), absl::string_view punctuation) {
  for (char c : s) {
    if (!is_allowed(static_cast<unsigned char>(c)) &&
        punctuation.find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A legal reference code: 1-64 characters from [A-Za-z0-9./_-] ("ND144-2021/24/1/").
bool IsReferenceCode(absl::string_view code) {
  return !code.empty() && code.size() <= kMaxCodeChars && AllOf(code, isalnum, "./_-");
}

// Whether `reference` (whose dates Parse checked) applies on `day`.
bool AppliesOn(const v1::LegalReference& reference, absl::CivilDay day) {
  const std::optional<absl::CivilDay> from = ParseIsoDate(reference.valid_from());
  const std::optional<absl::CivilDay> to = ParseIsoDate(reference.valid_to());
  return from.has_value() && *from <= day && (!to.has_value() || day <= *to);
}

// "from 2022-01-01 to 2025-12-14" or "from 2025-12-15".
std::string PeriodOf(const v1::LegalReference& reference) {
  std::string period = absl::StrCat("from ", reference.valid_from());
  if (!reference.valid_to().empty()) absl::StrAppend(&period, " to ", reference.valid_to());
  return period;
}

// Why a catalogue entry is malformed, or "" when it is well-formed. Uniqueness of the
// code is checked by the caller.
std::string ProblemOf(const v1::LegalReference& r) {
  if (!IsReferenceCode(r.code())) {
    return "code must be 1-64 characters from A-Z, a-z, 0-9, '.', '/', '_' and '-'";
  }
  const std::optional<absl::CivilDay> from = ParseIsoDate(r.valid_from());
  if (!from.has_value()) {
    return absl::StrCat("valid_from \"", r.valid_from(), "\" is not a date written YYYY-MM-DD");
  }
  if (!r.valid_to().empty()) {
    const std::optional<absl::CivilDay> to = ParseIsoDate(r.valid_to());
    if (!to.has_value()) {
      return absl::StrCat("valid_to \"", r.valid_to(),
                          "\" is neither empty nor a date written YYYY-MM-DD");
    }
    if (*to < *from) {
      return absl::StrCat("valid_to ", r.valid_to(), " is before valid_from ", r.valid_from());
    }
  }
  if (r.severity() == v1::SEVERITY_UNSPECIFIED || !v1::Severity_IsValid(r.severity())) {
    return "severity is required";
  }
  if (r.fine_min_vnd() < 0) {
    return absl::StrCat("fine_min_vnd ", r.fine_min_vnd(), " is negative");
  }
  if (r.fine_min_vnd() > r.fine_max_vnd()) {
    return absl::StrCat("fine_min_vnd ", r.fine_min_vnd(), " is above fine_max_vnd ",
                        r.fine_max_vnd());
  }
  if (r.fine_max_vnd() > kMaxFineIndividualVnd) {
    return absl::StrCat("fine_max_vnd ", r.fine_max_vnd(), " is above the ceiling of ",
                        kMaxFineIndividualVnd, " VND for an individual");
  }
  return "";
}

void ValidateViolations(Validator& v, absl::string_view prefix, const v1::InspectionResult& result,
                        absl::CivilDay inspection_date, const LegalCatalogue& catalogue,
                        std::vector<const v1::LegalReference*>& references) {
  const std::string field = PathOf(prefix, "violations");
  v.Count(field, result.violations_size(), 0, kMaxItems);
  if (result.violations_size() > kMaxItems) return;
  for (int i = 0; i < result.violations_size(); ++i) {
    const v1::Violation& violation = result.violations(i);
    const std::string at = absl::StrCat(field, "[", i, "]");
    const std::string code_field = at + ".legal_reference";
    const std::string& code = violation.legal_reference();
    const v1::LegalReference* reference = nullptr;
    if (code.empty()) {
      v.Add(code_field, "is required");
    } else if (!IsReferenceCode(code)) {
      v.Add(code_field, "must be 1-64 characters from A-Z, a-z, 0-9, '.', '/', '_' and '-'");
    } else if (reference = catalogue.Find(code); reference == nullptr) {
      v.Add(code_field, absl::StrCat("\"", code, "\" is not a known legal reference"));
    } else if (!AppliesOn(*reference, inspection_date)) {
      v.Add(code_field, absl::StrCat(code, " does not apply on the inspection date ",
                                     absl::FormatCivilTime(inspection_date), " (it applies ",
                                     PeriodOf(*reference), ")"));
      // Its fine bounds are no measure for this inspection's sanctions.
      reference = nullptr;
    }
    references.push_back(reference);
    v.Text(at + ".description", violation.description(), {.max_chars = 2000, .multiline = true});
  }
}

void ValidateFine(Validator& v, const std::string& field, const v1::Sanction& sanction,
                  const v1::LegalReference* reference) {
  const int64_t amount = sanction.fine_amount_vnd();
  const bool organisation = sanction.on_organisation();
  const int64_t factor = organisation ? 2 : 1;
  const char* payer = organisation ? "an organisation" : "an individual";
  const int64_t ceiling = kMaxFineIndividualVnd * factor;
  if (amount <= 0) {
    v.Add(field, absl::StrCat("is ", amount, "; a fine must be a positive amount of VND"));
  } else if (amount > ceiling) {
    v.Add(field, absl::StrCat("is ", amount, " VND, above the legal ceiling of ", ceiling,
                              " VND for ", payer));
  } else if (reference != nullptr && reference->fine_max_vnd() == 0) {
    v.Add(field, absl::StrCat("is ", amount, " VND but ", reference->code(), " sets no fine"));
  } else if (reference != nullptr) {
    const int64_t min = reference->fine_min_vnd() * factor;
    const int64_t max = reference->fine_max_vnd() * factor;
    if (amount < min || amount > max) {
      v.Add(field, absl::StrCat("is ", amount, " VND; ", reference->code(), " allows ", min, " to ",
                                max, " VND for ", payer));
    }
  }
}

void ValidateSanctions(Validator& v, absl::string_view prefix, const v1::InspectionResult& result,
                       const std::vector<const v1::LegalReference*>& references) {
  const std::string field = PathOf(prefix, "sanctions");
  v.Count(field, result.sanctions_size(), 0, kMaxItems);
  if (result.sanctions_size() > kMaxItems) return;
  const int violations = result.violations_size();
  for (int i = 0; i < result.sanctions_size(); ++i) {
    const v1::Sanction& sanction = result.sanctions(i);
    const std::string at = absl::StrCat(field, "[", i, "]");
    v.Enum(at + ".kind", sanction.kind(), v1::SanctionKind_IsValid);

    const int index = sanction.violation_index();
    const v1::LegalReference* reference = nullptr;
    if (violations == 0) {
      v.Add(at + ".violation_index", "names no violation: the result records none");
    } else if (index < 0 || index >= violations) {
      v.Add(at + ".violation_index",
            absl::StrCat("is ", index, "; the result records ", violations,
                         " violation(s), so it must be between 0 and ", violations - 1));
    } else if (static_cast<size_t>(index) < references.size()) {
      reference = references[index];
    }

    const std::string amount_field = at + ".fine_amount_vnd";
    if (sanction.kind() == v1::SANCTION_KIND_FINE) {
      ValidateFine(v, amount_field, sanction, reference);
    } else if (sanction.fine_amount_vnd() != 0) {
      v.Add(amount_field, "must be 0 unless kind is SANCTION_KIND_FINE");
    }

    const std::string months_field = at + ".suspension_months";
    if (sanction.kind() == v1::SANCTION_KIND_LICENCE_SUSPENSION ||
        sanction.kind() == v1::SANCTION_KIND_ACTIVITY_SUSPENSION) {
      v.Range(months_field, sanction.suspension_months(), 1, 24);
    } else if (sanction.suspension_months() != 0) {
      v.Add(months_field, "must be 0 unless the sanction is a suspension");
    }

    // As decisions are numbered: "125/QĐ-XPVPHC".
    v.Text(at + ".decision_number", sanction.decision_number(), {.max_chars = kMaxCodeChars});
  }
}

void ValidatePersonsMet(Validator& v, absl::string_view prefix, const v1::InspectionResult& result,
                        absl::CivilDay inspection_date) {
  const std::string field = PathOf(prefix, "persons_met");
  v.Count(field, result.persons_met_size(), 0, kMaxItems);
  if (result.persons_met_size() > kMaxItems) return;
  for (int i = 0; i < result.persons_met_size(); ++i) {
    const v1::PersonMet& person = result.persons_met(i);
    const std::string at = absl::StrCat(field, "[", i, "]");
    v.Text(at + ".full_name", person.full_name(), {.required = true, .max_chars = 200});
    // The same rules as intake's: the same ID number gives the same pseudonym.
    ValidateIdNumber(v, at + ".id_number", person.id_number());
    v.Date(at + ".birth_date", person.birth_date());
    if (const std::optional<absl::CivilDay> born = ParseIsoDate(person.birth_date());
        born.has_value() && *born >= inspection_date) {
      v.Add(at + ".birth_date", absl::StrCat("must be before the inspection date ",
                                             absl::FormatCivilTime(inspection_date)));
    }
    ValidatePhone(v, at + ".phone", person.phone());
    v.Text(at + ".needs", person.needs(), {.max_chars = 1000});
  }
}

}  // namespace

absl::StatusOr<LegalCatalogue> LegalCatalogue::Parse(absl::string_view text) {
  v1::ListLegalReferencesResponse file;
  // Collects protobuf's "line:column: what" so an operator sees where a file is wrong.
  class Errors : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
      if (first.empty()) first = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
    std::string first;
  } errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &file)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "legal references are not valid pcmd.inspections.v1.ListLegalReferencesResponse text: ",
        errors.first));
  }
  std::set<std::string> codes;
  for (int i = 0; i < file.legal_references_size(); ++i) {
    const v1::LegalReference& reference = file.legal_references(i);
    const std::string where = absl::StrCat("legal reference ", i, " (\"", reference.code(), "\")");
    if (reference.code().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": code is required"));
    }
    if (!codes.insert(reference.code()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": code is used twice"));
    }
    if (std::string problem = ProblemOf(reference); !problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
    }
  }
  LegalCatalogue catalogue;
  catalogue.references_.assign(file.legal_references().begin(), file.legal_references().end());
  return catalogue;
}

const LegalCatalogue& LegalCatalogue::Default() {
  static const LegalCatalogue* catalogue = [] {
    absl::StatusOr<LegalCatalogue> parsed = Parse(DefaultLegalReferences());
    // The tests parse the shipped file, so this happens only to a broken build.
    if (!parsed.ok()) std::abort();
    return new LegalCatalogue(*std::move(parsed));
  }();
  return *catalogue;
}

const v1::LegalReference* LegalCatalogue::Find(absl::string_view code) const {
  for (const v1::LegalReference& reference : references_) {
    if (reference.code() == code) return &reference;
  }
  return nullptr;
}

std::vector<v1::LegalReference> LegalCatalogue::ValidOn(std::optional<absl::CivilDay> day) const {
  if (!day.has_value()) return references_;
  std::vector<v1::LegalReference> valid;
  for (const v1::LegalReference& reference : references_) {
    if (AppliesOn(reference, *day)) valid.push_back(reference);
  }
  return valid;
}

void ValidateResult(Validator& v, absl::string_view prefix, const v1::InspectionResult& result,
                    absl::CivilDay inspection_date, const LegalCatalogue& catalogue) {
  v.Text(PathOf(prefix, "findings"), result.findings(), {.max_chars = 8000, .multiline = true});

  // One entry per examined violation: its reference when known and applicable.
  std::vector<const v1::LegalReference*> references;
  ValidateViolations(v, prefix, result, inspection_date, catalogue, references);
  ValidateSanctions(v, prefix, result, references);

  v.Range(PathOf(prefix, "owners_informed"), result.owners_informed(), 0, kMaxInformed);
  v.Range(PathOf(prefix, "workers_informed"), result.workers_informed(), 0, kMaxInformed);

  ValidatePersonsMet(v, prefix, result, inspection_date);

  if (result.minor_involved() && !result.crime_suspected()) {
    v.Add(PathOf(prefix, "minor_involved"),
          "may be set only with crime_suspected: a minor involved is a sign of a crime");
  }
  if (result.trafficking_suspected() && !result.crime_suspected()) {
    v.Add(PathOf(prefix, "trafficking_suspected"),
          "may be set only with crime_suspected: suspected trafficking is a sign of a crime");
  }

  const std::string follow_up = PathOf(prefix, "follow_up_by");
  v.Date(follow_up, result.follow_up_by());
  if (const std::optional<absl::CivilDay> by = ParseIsoDate(result.follow_up_by());
      by.has_value() && *by <= inspection_date) {
    v.Add(follow_up, absl::StrCat("must be after the inspection date ",
                                  absl::FormatCivilTime(inspection_date)));
  }
}

}  // namespace pcmd::inspections
