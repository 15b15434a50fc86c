#include "services/plans/plans.h"

#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/validation/validation.h"
#include "services/plans/metrics.h"
#include "services/plans/plan_document.h"
#include "services/plans/report_document.h"

namespace pcmd::plans {
namespace {

int PageSize(Validator& v, int32_t requested) {
  v.Range("page_size", requested, 0, 500);
  return requested <= 0 ? 100 : std::min(requested, 500);
}

// The page position a token carries, recording a violation when it is not one.
std::string After(Validator& v, const google::protobuf::Message& request, absl::string_view token) {
  if (token.empty()) return "";
  std::optional<std::string> after = ReadPageToken(token, QueryFingerprint(request));
  if (!after.has_value()) {
    v.Add("page_token", "is not a token of this listing");
    return "";
  }
  return *after;
}

absl::StatusOr<std::string> PlanCode(absl::string_view field, absl::string_view name) {
  return ParseResourceName(field, name, "plans");
}

// Sets the fields the service owns on a document it stores.
v1::Plan Stored(const v1::Plan& doc) {
  v1::Plan plan = DocumentOnly(doc);
  plan.set_name(absl::StrCat("plans/", doc.code()));
  return plan;
}

// What counts for a report period: "2024-H1" → 2024-01-01..2024-06-30; "2024" → the
// year. nullopt for another shape.
std::optional<std::pair<std::string, std::string>> ReportPeriod(absl::string_view period) {
  int year = 0;
  if (period.size() == 4 && absl::SimpleAtoi(period, &year)) {
    return std::make_pair(absl::StrCat(period, "-01-01"), absl::StrCat(period, "-12-31"));
  }
  if (period.size() == 7 && absl::SimpleAtoi(period.substr(0, 4), &year)) {
    if (period.substr(4) == "-H1") {
      return std::make_pair(absl::StrCat(period.substr(0, 4), "-01-01"),
                            absl::StrCat(period.substr(0, 4), "-06-30"));
    }
    if (period.substr(4) == "-H2") {
      return std::make_pair(absl::StrCat(period.substr(0, 4), "-07-01"),
                            absl::StrCat(period.substr(0, 4), "-12-31"));
    }
  }
  return std::nullopt;
}

}  // namespace

std::string Plans::Today() const { return IsoDate(VietnamDay(clock_.Now())); }

absl::Status Plans::CheckReach(const security::Access& access, absl::string_view record,
                               absl::string_view unit) const {
  security::RecordScope scope;
  scope.name = std::string(record);
  scope.unit_code = std::string(unit);
  return security::CheckScope(access, scope, units_);
}

absl::StatusOr<v1::Plan> Plans::CreatePlan(const security::Access& access,
                                           const v1::CreatePlanRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreatePlanRequest"));
  PCMD_RETURN_IF_ERROR(ValidatePlan(request.plan(), "plan.", directory_));
  PCMD_RETURN_IF_ERROR(CheckReach(access, absl::StrCat("plans/", request.plan().code()),
                                  request.plan().unit_code()));
  return store_.CreatePlan(Stored(request.plan()),
                           {request.request_id(), storage::RequestFingerprint(request)});
}

absl::StatusOr<v1::Plan> Plans::GetPlan(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string code, PlanCode("name", name));
  return store_.GetPlan(code);
}

absl::StatusOr<v1::ListPlansResponse> Plans::ListPlans(const v1::ListPlansRequest& request) {
  Validator v;
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  v.Enum("level", request.level(), v1::PlanLevel_IsValid, false);
  v.Enum("state", request.state(), v1::PlanState_IsValid, false);
  if (request.year() != 0) v.Range("year", request.year(), 1990, 2100);
  PlanQuery q;
  const int wanted = PageSize(v, request.page_size());
  q.after_code = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListPlansRequest"));
  if (!request.unit_code().empty()) {
    PCMD_ASSIGN_OR_RETURN(q.units, units_.SubtreeOf(request.unit_code()));
  }
  q.level = request.level();
  q.state = request.state();
  q.year = request.year();
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Plan> plans, store_.ListPlans(q));
  v1::ListPlansResponse response;
  for (int i = 0; i < static_cast<int>(plans.size()) && i < wanted; ++i) {
    *response.add_plans() = plans[i];
  }
  if (static_cast<int>(plans.size()) > wanted) {
    response.set_next_page_token(
        MakePageToken(plans[wanted - 1].code(), QueryFingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::Plan> Plans::UpdatePlan(const security::Access& access,
                                           const v1::UpdatePlanRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan.name", request.plan().name());
  v.AddFrom(code.status());
  if (code.ok() && *code != request.plan().code()) {
    v.Add("plan.code", "a plan's code does not change; it must match plan.name");
  }
  if (request.etag().empty()) v.Add("etag", "is required: the etag of the plan as read");
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdatePlanRequest"));
  PCMD_RETURN_IF_ERROR(ValidatePlan(request.plan(), "plan.", directory_));
  PCMD_ASSIGN_OR_RETURN(v1::Plan current, store_.GetPlan(*code));
  PCMD_RETURN_IF_ERROR(CheckReach(access, current.name(), current.unit_code()));
  PCMD_RETURN_IF_ERROR(CheckReach(access, current.name(), request.plan().unit_code()));
  return store_.ReplaceDraft(Stored(request.plan()), request.etag());
}

absl::StatusOr<v1::Plan> Plans::IssuePlan(const security::Access& access,
                                          const v1::IssuePlanRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("name", request.name());
  v.AddFrom(code.status());
  v.DateNotAfter("issue_date", request.issue_date(), VietnamDay(clock_.Now()));
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid IssuePlanRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  PCMD_RETURN_IF_ERROR(CheckReach(access, plan.name(), plan.unit_code()));
  const std::string date = !request.issue_date().empty() ? request.issue_date()
                           : !plan.issue_date().empty()  ? plan.issue_date()
                                                         : Today();
  return store_.IssuePlan(*code, date, ObligationsOf(plan));
}

absl::StatusOr<v1::Plan> Plans::SupersedePlan(const security::Access& access,
                                              const v1::SupersedePlanRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("name", request.name());
  v.AddFrom(code.status());
  absl::StatusOr<std::string> by = PlanCode("superseded_by", request.superseded_by());
  v.AddFrom(by.status());
  if (code.ok() && by.ok() && *code == *by) v.Add("superseded_by", "a plan cannot replace itself");
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SupersedePlanRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  PCMD_RETURN_IF_ERROR(CheckReach(access, plan.name(), plan.unit_code()));
  return store_.SupersedePlan(*code, *by);
}

absl::StatusOr<v1::Plan> Plans::ImportPlan(const security::Access& access,
                                           const v1::ImportPlanRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  if (request.document().empty()) v.Add("document", "is required");
  if (request.document().size() > 2 * 1024 * 1024) v.Add("document", "is larger than 2 MiB");
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ImportPlanRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan doc, ParsePlanDocument(request.document()));
  PCMD_RETURN_IF_ERROR(ValidatePlan(doc, "", directory_));
  PCMD_RETURN_IF_ERROR(CheckReach(access, absl::StrCat("plans/", doc.code()), doc.unit_code()));
  return Import(access, doc, request);
}

absl::StatusOr<v1::Plan> Plans::Import(const security::Access& access, const v1::Plan& doc,
                                       const v1::ImportPlanRequest& request) {
  const v1::Plan stored_doc = Stored(doc);
  absl::StatusOr<v1::Plan> existing = store_.GetPlan(doc.code());
  if (existing.ok()) {
    // The same document again (a rerun of the demo, a retry) answers with the plan.
    if (DocumentOnly(*existing).SerializeAsString() ==
            DocumentOnly(stored_doc).SerializeAsString() ||
        (existing->state() != v1::PLAN_STATE_DRAFT && [&] {
          v1::Plan a = DocumentOnly(*existing), b = DocumentOnly(stored_doc);
          // Issuing may fill the issue date.
          a.clear_issue_date();
          b.clear_issue_date();
          return a.SerializeAsString() == b.SerializeAsString();
        }())) {
      if (request.issue() && existing->state() == v1::PLAN_STATE_DRAFT) {
        return store_.IssuePlan(doc.code(), doc.issue_date().empty() ? Today() : doc.issue_date(),
                                ObligationsOf(*existing));
      }
      return existing;
    }
    if (existing->state() != v1::PLAN_STATE_DRAFT) {
      return StatusWithFields(
          absl::StatusCode::kAlreadyExists,
          absl::StrCat("plan ", existing->name(), " is ", v1::PlanState_Name(existing->state()),
                       " with another document; import it under a new code and supersede"),
          {{"code", "holds an issued plan with different content"}});
    }
    PCMD_ASSIGN_OR_RETURN(v1::Plan replaced, store_.ReplaceDraft(stored_doc, existing->etag()));
    if (!request.issue()) return replaced;
    return store_.IssuePlan(doc.code(), doc.issue_date().empty() ? Today() : doc.issue_date(),
                            ObligationsOf(replaced));
  }
  if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  PCMD_ASSIGN_OR_RETURN(
      v1::Plan created,
      store_.CreatePlan(stored_doc, {request.request_id(), storage::RequestFingerprint(request)}));
  if (!request.issue() || created.state() != v1::PLAN_STATE_DRAFT) return created;
  return store_.IssuePlan(doc.code(), doc.issue_date().empty() ? Today() : doc.issue_date(),
                          ObligationsOf(created));
}

absl::StatusOr<std::string> Plans::ExportPlan(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, GetPlan(name));
  return PlanDocument(plan);
}

absl::StatusOr<v1::Task> Plans::UpdateTaskStatus(const security::Access& access,
                                                 const v1::UpdateTaskStatusRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  v.Code("task_number", request.task_number(), true, 16);
  v.Enum("status", request.status(), v1::TaskStatus_IsValid);
  v.Text("note", request.note(), {.max_chars = 2000, .multiline = true});
  v.DateNotAfter("date", request.date(), VietnamDay(clock_.Now()));
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdateTaskStatusRequest"));
  v1::TaskUpdate update;
  update.set_status(request.status());
  update.set_note(request.note());
  update.set_date(request.date().empty() ? Today() : request.date());
  update.set_agency_code(access.caller.agency.code);
  return store_.AddTaskUpdate(*code, request.task_number(), update);
}

absl::StatusOr<v1::PlanProgress> Plans::GetPlanProgress(const v1::GetPlanProgressRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  v.Date("as_of_date", request.as_of_date());
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid GetPlanProgressRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  if (!request.unit_code().empty()) {
    PCMD_ASSIGN_OR_RETURN(bool within, units_.IsWithin(request.unit_code(), plan.unit_code()));
    if (!within) {
      return InvalidArgumentWithFields(
          absl::StrCat("unit ", request.unit_code(), " is not within the plan's area ",
                       plan.unit_code()),
          {{"unit_code", "must be the plan's unit or a unit under it"}});
    }
  }
  const std::string as_of = request.as_of_date().empty() ? Today() : request.as_of_date();
  return ComputeProgress(plan, as_of, request.unit_code(), request.include_breakdown(), figures_);
}

absl::StatusOr<v1::ListTargetRecordsResponse> Plans::ListTargetRecords(
    const v1::ListTargetRecordsRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  v.Code("target_id", request.target_id(), true, 16);
  v.Enum("part", request.part(), v1::MeasurePart_IsValid, false);
  v.Date("as_of_date", request.as_of_date());
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  const int wanted = PageSize(v, request.page_size());
  const std::string after = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListTargetRecordsRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  const v1::Target* target = FindTarget(plan, request.target_id());
  if (target == nullptr) {
    return StatusWithFields(
        absl::StatusCode::kNotFound,
        absl::StrCat("plan ", plan.name(), " has no target ", request.target_id()),
        {{"target_id", "names no target of the plan"}});
  }
  if (target->source() != v1::TARGET_SOURCE_COMPUTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("target ", target->id(),
                     " is TARGET_SOURCE_REPORTED: its value comes from agencies' "
                     "reports (ListReports), not from records"));
  }
  const bool denominator = request.part() == v1::MEASURE_PART_DENOMINATOR;
  if (denominator && !target->has_denominator()) {
    return InvalidArgumentWithFields("the target has no denominator",
                                     {{"part", "the target is not a percentage"}});
  }
  const v1::Measure& m = denominator ? target->denominator() : target->numerator();
  std::string unit = request.unit_code().empty()
                         ? (m.unit_code().empty() ? plan.unit_code() : m.unit_code())
                         : request.unit_code();
  std::string as_of = request.as_of_date().empty() ? Today() : request.as_of_date();
  if (as_of > plan.period_end()) as_of = plan.period_end();
  int64_t position = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &position)) position = 0;
  int64_t next = 0;
  PCMD_ASSIGN_OR_RETURN(
      std::vector<v1::TargetRecord> records,
      figures_.Records(plan, m, unit, plan.period_start(), as_of, position, wanted, next));
  v1::ListTargetRecordsResponse response;
  for (v1::TargetRecord& r : records) *response.add_records() = std::move(r);
  if (next > 0)
    response.set_next_page_token(MakePageToken(absl::StrCat(next), QueryFingerprint(request)));
  response.set_method(DescribeMeasure(m, unit, plan.period_start(), as_of));
  return response;
}

v1::ListMetricsResponse Plans::ListMetrics() {
  v1::ListMetricsResponse response;
  for (const MetricSpec& spec : Metrics()) {
    v1::Metric* m = response.add_metrics();
    m->set_name(spec.name);
    m->set_description(spec.description);
    m->set_source(spec.source);
    for (const std::string& k : spec.filter_keys) m->add_filter_keys(k);
  }
  return response;
}

absl::StatusOr<v1::Activity> Plans::RecordActivity(const security::Access& access,
                                                   const v1::RecordActivityRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  const v1::Activity& a = request.activity();
  v.Enum("activity.kind", a.kind(), v1::ActivityKind_IsValid);
  v.Code("activity.unit_code", a.unit_code());
  v.DateNotAfter("activity.date", a.date(), VietnamDay(clock_.Now()), /*required=*/true);
  v.Text("activity.title", a.title(), {.required = true, .max_chars = 500});
  v.Count("activity.audiences", a.audiences_size(), 0, 20);
  std::set<int> seen;
  for (int i = 0; i < a.audiences_size(); ++i) {
    const std::string p = absl::StrCat("activity.audiences[", i, "]");
    v.Enum(p + ".audience", a.audiences(i).audience(), v1::Audience_IsValid);
    v.Range(p + ".people", a.audiences(i).people(), 0, 1000000);
    if (!seen.insert(a.audiences(i).audience()).second) {
      v.Add(p + ".audience", "each audience once per activity");
    }
  }
  if (!v.Has("activity.unit_code")) {
    PCMD_ASSIGN_OR_RETURN(bool known, units_.Knows(a.unit_code()));
    if (!known)
      v.Add("activity.unit_code", absl::StrCat("names no unit of the directory: ", a.unit_code()));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RecordActivityRequest"));
  PCMD_RETURN_IF_ERROR(CheckReach(access, "activities", a.unit_code()));
  v1::Activity activity = a;
  activity.clear_name();
  activity.set_agency_code(access.caller.agency.code);
  return store_.RecordActivity(activity,
                               {request.request_id(), storage::RequestFingerprint(request)});
}

absl::StatusOr<v1::ListActivitiesResponse> Plans::ListActivities(
    const v1::ListActivitiesRequest& request) {
  Validator v;
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  v.Enum("kind", request.kind(), v1::ActivityKind_IsValid, false);
  v.DateRange("from_date", request.from_date(), "to_date", request.to_date());
  ActivityQuery q;
  const int wanted = PageSize(v, request.page_size());
  q.after_id = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListActivitiesRequest"));
  if (!request.unit_code().empty()) {
    PCMD_ASSIGN_OR_RETURN(q.units, units_.SubtreeOf(request.unit_code()));
  }
  q.kind = request.kind();
  q.from = request.from_date();
  q.to = request.to_date();
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Activity> list, store_.ListActivities(q));
  v1::ListActivitiesResponse response;
  for (int i = 0; i < static_cast<int>(list.size()) && i < wanted; ++i) {
    *response.add_activities() = list[i];
  }
  if (static_cast<int>(list.size()) > wanted) {
    response.set_next_page_token(MakePageToken(
        absl::string_view(list[wanted - 1].name()).substr(11), QueryFingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::Hotspot> Plans::CreateHotspot(const security::Access& access,
                                                 const v1::CreateHotspotRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  const v1::Hotspot& h = request.hotspot();
  v.Code("hotspot.code", h.code(), true, 64);
  v.Text("hotspot.display_name", h.display_name(), {.required = true, .max_chars = 500});
  v.Code("hotspot.unit_code", h.unit_code());
  v.Enum("hotspot.kind", h.kind(), v1::HotspotKind_IsValid);
  v.Enum("hotspot.level", h.level(), v1::HotspotLevel_IsValid);
  v.Enum("hotspot.state", h.state(), v1::HotspotState_IsValid, false);
  v.Text("hotspot.note", h.note(), {.max_chars = 1000});
  if (h.state() != v1::HOTSPOT_STATE_UNSPECIFIED && h.state() != v1::HOTSPOT_STATE_ACTIVE &&
      h.state() != v1::HOTSPOT_STATE_TARGETED) {
    v.Add("hotspot.state", "a new hotspot is ACTIVE or TARGETED");
  }
  if (h.state() == v1::HOTSPOT_STATE_TARGETED)
    v.Range("hotspot.target_year", h.target_year(), 1990, 2100);
  if (!v.Has("hotspot.unit_code")) {
    PCMD_ASSIGN_OR_RETURN(bool known, units_.Knows(h.unit_code()));
    if (!known)
      v.Add("hotspot.unit_code", absl::StrCat("names no unit of the directory: ", h.unit_code()));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateHotspotRequest"));
  PCMD_RETURN_IF_ERROR(CheckReach(access, absl::StrCat("hotspots/", h.code()), h.unit_code()));
  v1::Hotspot hotspot;
  hotspot.set_name(absl::StrCat("hotspots/", h.code()));
  hotspot.set_code(h.code());
  hotspot.set_display_name(h.display_name());
  hotspot.set_unit_code(h.unit_code());
  hotspot.set_kind(h.kind());
  hotspot.set_level(h.level());
  hotspot.set_state(h.state() == v1::HOTSPOT_STATE_TARGETED ? v1::HOTSPOT_STATE_TARGETED
                                                            : v1::HOTSPOT_STATE_ACTIVE);
  hotspot.set_target_year(h.target_year());
  hotspot.set_note(h.note());
  return store_.CreateHotspot(hotspot,
                              {request.request_id(), storage::RequestFingerprint(request)});
}

absl::StatusOr<v1::Hotspot> Plans::GetHotspot(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", name, "hotspots"));
  return store_.GetHotspot(code);
}

absl::StatusOr<v1::ListHotspotsResponse> Plans::ListHotspots(
    const v1::ListHotspotsRequest& request) {
  Validator v;
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  v.Enum("state", request.state(), v1::HotspotState_IsValid, false);
  v.Text("text", request.text(), {.max_chars = 100});
  HotspotQuery q;
  const int wanted = PageSize(v, request.page_size());
  q.after_code = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListHotspotsRequest"));
  if (!request.unit_code().empty()) {
    PCMD_ASSIGN_OR_RETURN(q.units, units_.SubtreeOf(request.unit_code()));
  }
  q.state = request.state();
  q.words = text::Words(request.text());
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Hotspot> list, store_.ListHotspots(q));
  v1::ListHotspotsResponse response;
  for (int i = 0; i < static_cast<int>(list.size()) && i < wanted; ++i) {
    *response.add_hotspots() = list[i];
  }
  if (static_cast<int>(list.size()) > wanted) {
    response.set_next_page_token(MakePageToken(list[wanted - 1].code(), QueryFingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::Hotspot> Plans::UpdateHotspotState(
    const security::Access& access, const v1::UpdateHotspotStateRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = ParseResourceName("name", request.name(), "hotspots");
  v.AddFrom(code.status());
  v.Enum("state", request.state(), v1::HotspotState_IsValid);
  if (request.state() == v1::HOTSPOT_STATE_ACTIVE ||
      request.state() == v1::HOTSPOT_STATE_RELAPSED) {
    v.Add("state",
          "a hotspot becomes TARGETED, ELIMINATED or HANDED_OVER by a call; it "
          "relapses only when a tip or violation shows it");
  }
  if (request.state() == v1::HOTSPOT_STATE_TARGETED) {
    v.Range("target_year", request.target_year(), 1990, 2100);
  }
  v.DateNotAfter("date", request.date(), VietnamDay(clock_.Now()));
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdateHotspotStateRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Hotspot h, store_.GetHotspot(*code));
  PCMD_RETURN_IF_ERROR(CheckReach(access, h.name(), h.unit_code()));
  return store_.ChangeHotspotState(*code, request.state(),
                                   request.date().empty() ? Today() : request.date(),
                                   request.target_year());
}

absl::StatusOr<v1::ListReportObligationsResponse> Plans::ListReportObligations(
    const v1::ListReportObligationsRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  if (!request.agency_code().empty()) v.Code("agency_code", request.agency_code());
  v.Enum("state", request.state(), v1::ObligationState_IsValid, false);
  ObligationQuery q;
  const int wanted = PageSize(v, request.page_size());
  q.after = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListReportObligationsRequest"));
  PCMD_RETURN_IF_ERROR(store_.GetPlan(*code).status());
  q.plan_code = *code;
  q.agency_code = request.agency_code();
  q.state = request.state();
  q.today = Today();
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::ReportObligation> list, store_.ListObligations(q));
  v1::ListReportObligationsResponse response;
  for (int i = 0; i < static_cast<int>(list.size()) && i < wanted; ++i) {
    *response.add_obligations() = list[i];
  }
  if (static_cast<int>(list.size()) > wanted) {
    const v1::ReportObligation& last = list[wanted - 1];
    response.set_next_page_token(MakePageToken(absl::StrCat(last.period(), "|", last.agency_code()),
                                               QueryFingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::Report> Plans::SubmitReport(const security::Access& access,
                                               const v1::SubmitReportRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  v.Code("period", request.period(), true, 16);
  v.Text("narrative", request.narrative(), {.max_chars = 50000, .multiline = true});
  v.Count("values", request.values_size(), 0, 500);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SubmitReportRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  std::set<std::string> seen;
  for (int i = 0; i < request.values_size(); ++i) {
    const v1::ReportedValue& rv = request.values(i);
    const std::string p = absl::StrCat("values[", i, "]");
    const v1::Target* t = FindTarget(plan, rv.target_id());
    if (t == nullptr) {
      v.Add(p + ".target_id", absl::StrCat("names no target of the plan: ", rv.target_id()));
    } else if (t->source() != v1::TARGET_SOURCE_REPORTED) {
      v.Add(p + ".target_id", absl::StrCat("target ", rv.target_id(),
                                           " is computed from pcmd's records, not reported"));
    } else if (!seen.insert(rv.target_id()).second) {
      v.Add(p + ".target_id", "each target once per report");
    }
    if (!std::isfinite(rv.value()) || rv.value() < -1e12 || rv.value() > 1e12) {
      v.Add(p + ".value", "must be a finite number");
    } else if (rv.value() < 0 && (t == nullptr || t->kind() != v1::TARGET_KIND_GROWTH)) {
      v.Add(p + ".value", "must not be negative");
    }
    v.Text(p + ".note", rv.note(), {.max_chars = 2000, .multiline = true});
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SubmitReportRequest"));
  v1::Report report;
  report.set_plan(plan.name());
  report.set_period(request.period());
  report.set_agency_code(access.caller.agency.code);
  *report.mutable_values() = request.values();
  report.set_narrative(request.narrative());
  report.set_submit_date(Today());
  return store_.SubmitReport(report, {request.request_id(), storage::RequestFingerprint(request)});
}

absl::StatusOr<v1::Report> Plans::ApproveReport(const security::Access& access,
                                                const v1::ApproveReportRequest& request) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", request.name(), "reports"));
  return store_.ApproveReport(id, access.caller.agency.code, Today());
}

absl::StatusOr<v1::ListReportsResponse> Plans::ListReports(const v1::ListReportsRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  if (!request.agency_code().empty()) v.Code("agency_code", request.agency_code());
  if (!request.period().empty()) v.Code("period", request.period(), true, 16);
  ReportQuery q;
  const int wanted = PageSize(v, request.page_size());
  q.after_id = After(v, request, request.page_token());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListReportsRequest"));
  q.plan_code = *code;
  q.agency_code = request.agency_code();
  q.period = request.period();
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Report> list, store_.ListReports(q));
  v1::ListReportsResponse response;
  for (int i = 0; i < static_cast<int>(list.size()) && i < wanted; ++i) {
    *response.add_reports() = list[i];
  }
  if (static_cast<int>(list.size()) > wanted) {
    response.set_next_page_token(MakePageToken(absl::string_view(list[wanted - 1].name()).substr(8),
                                               QueryFingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::GetReportingRatesResponse> Plans::GetReportingRates(
    const v1::GetReportingRatesRequest& request) {
  Validator v;
  std::string code;
  if (!request.plan().empty()) {
    absl::StatusOr<std::string> c = PlanCode("plan", request.plan());
    v.AddFrom(c.status());
    if (c.ok()) code = *c;
  }
  v.Date("as_of_date", request.as_of_date());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid GetReportingRatesRequest"));
  if (!code.empty()) PCMD_RETURN_IF_ERROR(store_.GetPlan(code).status());
  const std::string as_of = request.as_of_date().empty() ? Today() : request.as_of_date();
  ObligationQuery q;
  q.plan_code = code;
  q.today = as_of;
  q.limit = 1000000;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::ReportObligation> all, store_.ListObligations(q));
  std::map<std::string, v1::ReportingRate> rates;
  for (const v1::ReportObligation& o : all) {
    // Only deadlines that passed by the date count (a report sent early counts then).
    if (o.due_date() >= as_of) continue;
    v1::ReportingRate& r = rates[o.agency_code()];
    r.set_agency_code(o.agency_code());
    r.set_due(r.due() + 1);
    switch (o.state()) {
      case v1::OBLIGATION_STATE_SUBMITTED:
        r.set_on_time(r.on_time() + 1);
        break;
      case v1::OBLIGATION_STATE_SUBMITTED_LATE:
        r.set_late(r.late() + 1);
        break;
      default:
        r.set_missing(r.missing() + 1);
    }
  }
  v1::GetReportingRatesResponse response;
  for (auto& [agency, r] : rates) {
    r.set_on_time_rate(r.due() > 0 ? static_cast<double>(r.on_time()) / r.due() : 1);
    *response.add_rates() = r;
  }
  return response;
}

absl::StatusOr<v1::GenerateReportResponse> Plans::GenerateReport(
    const v1::GenerateReportRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = PlanCode("plan", request.plan());
  v.AddFrom(code.status());
  const auto period = ReportPeriod(request.period());
  if (!period.has_value()) v.Add("period", "must be YYYY-H1, YYYY-H2 or YYYY");
  v.Enum("format", request.format(), v1::ReportFormat_IsValid, false);
  v.Date("as_of_date", request.as_of_date());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid GenerateReportRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Plan plan, store_.GetPlan(*code));
  if (period->second < plan.period_start() || period->first > plan.period_end()) {
    return InvalidArgumentWithFields(
        absl::StrCat("period ", request.period(), " lies outside the plan's period"),
        {{"period", absl::StrCat("must overlap ", plan.period_start(), " – ", plan.period_end())}});
  }
  std::string as_of = request.as_of_date();
  if (as_of.empty()) as_of = std::min(period->second, Today());
  ReportContent content;
  content.plan = plan;
  content.period = request.period();
  PCMD_ASSIGN_OR_RETURN(content.progress, ComputeProgress(plan, as_of, "", false, figures_));
  for (const v1::PlanHotspot& ph : plan.hotspots()) {
    absl::StatusOr<v1::Hotspot> h = store_.GetHotspot(ph.code());
    if (h.ok()) {
      content.hotspots.push_back(*std::move(h));
    } else if (h.status().code() == absl::StatusCode::kNotFound) {
      // A draft's hotspots are not in the registry yet: show them as the plan lists them.
      v1::Hotspot listed;
      listed.set_name(absl::StrCat("hotspots/", ph.code()));
      listed.set_display_name(ph.display_name());
      listed.set_unit_code(ph.unit_code());
      listed.set_level(ph.level());
      listed.set_note(ph.note());
      content.hotspots.push_back(std::move(listed));
    } else {
      return h.status();
    }
  }
  ObligationQuery q;
  q.plan_code = plan.code();
  q.today = as_of;
  q.limit = 1000000;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::ReportObligation> all, store_.ListObligations(q));
  for (const v1::ReportObligation& o : all) {
    if (o.period_start() > period->second) continue;
    if (o.state() == v1::OBLIGATION_STATE_OVERDUE ||
        o.state() == v1::OBLIGATION_STATE_SUBMITTED_LATE) {
      content.late_or_missing.push_back(o);
    }
  }
  ReportQuery rq;
  rq.plan_code = plan.code();
  rq.period = request.period();
  rq.limit = 1000;
  PCMD_ASSIGN_OR_RETURN(content.reports, store_.ListReports(rq));
  // Names for the codes the document shows; a code the directory lost stays a code.
  std::set<std::string> units, agencies;
  for (const v1::Hotspot& h : content.hotspots) units.insert(h.unit_code());
  for (const v1::ReportObligation& o : content.late_or_missing) agencies.insert(o.agency_code());
  for (const v1::Report& r : content.reports) agencies.insert(r.agency_code());
  for (const std::string& u : units) {
    if (absl::StatusOr<v1::Unit> unit = directory_.GetUnit(u); unit.ok()) {
      content.names[u] = unit->display_name();
    }
  }
  for (const std::string& a : agencies) {
    if (absl::StatusOr<v1::Agency> agency = directory_.GetAgency(a); agency.ok()) {
      content.names[a] = agency->display_name();
    }
  }
  v1::GenerateReportResponse response;
  response.set_format(request.format() == v1::REPORT_FORMAT_HTML ? v1::REPORT_FORMAT_HTML
                                                                 : v1::REPORT_FORMAT_MARKDOWN);
  response.set_title(ReportTitle(plan, request.period()));
  response.set_document(response.format() == v1::REPORT_FORMAT_HTML ? RenderHtml(content)
                                                                    : RenderMarkdown(content));
  return response;
}

absl::StatusOr<int> Plans::ScanDeadlines() { return store_.ScanDeadlines(Today()); }

}  // namespace pcmd::plans
