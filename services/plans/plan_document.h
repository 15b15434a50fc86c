// A plan as a document: validation naming every offending field by its path, the
// protobuf-JSON form it is imported and exported in, and the report obligations its
// reporting rules ask for. No gRPC, no SQL; thread-safe when the store is.
#ifndef PCMD_SERVICES_PLANS_PLAN_DOCUMENT_H_
#define PCMD_SERVICES_PLANS_PLAN_DOCUMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/plans/v1/plans.pb.h"
#include "services/plans/directory_store.h"

namespace pcmd::plans {

// OK, or INVALID_ARGUMENT with one violation per problem, each named by its path
// prefixed with `prefix` ("plan." for CreatePlan, "" for an imported document):
// "targets[3].numerator.metric". Unit and agency codes must be in `directory`.
// Errors: also storage errors of `directory`.
absl::Status ValidatePlan(const v1::Plan& plan, absl::string_view prefix,
                          DirectoryStore& directory);

// Parses a protobuf-JSON document (field names as in the proto or in lowerCamelCase).
// Errors: INVALID_ARGUMENT naming `document` with the parser's message.
absl::StatusOr<v1::Plan> ParsePlanDocument(absl::string_view json);

// The plan as an indented protobuf-JSON document without its output-only fields
// (name, state, etag, superseded_by, task status and updates): ParsePlanDocument of it
// gives back the plan as it was imported.
std::string PlanDocument(const v1::Plan& plan);

// The document with the output-only fields cleared.
v1::Plan DocumentOnly(const v1::Plan& plan);

// The reports the plan's rules ask for over its period: one per rule, year (or
// month, quarter) of the period, and agency. A six-monthly rule covers "YYYY-H1"
// (January–June) when its deadline falls in the first half of the year, else
// "YYYY-H2"; annual rules cover "YYYY"; the deadline is that "MM-DD" of the year (the
// six-monthly and annual reports are due before their period ends, with estimates to
// its end, as the plans ask). Quarterly "YYYY-Qn" and monthly "YYYY-MM" reports are
// due on the rule's day of the month after the period. Reports due before the plan's
// issue date (when it has one) are not asked for: the plan did not exist yet.
std::vector<v1::ReportObligation> ObligationsOf(const v1::Plan& plan);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PLAN_DOCUMENT_H_
