#include "services/plans/plan_document.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/json_util.h"
#include "services/plans/metrics.h"

namespace pcmd::plans {
namespace {

struct Checker {
  Validator& v;
  DirectoryStore& directory;
  std::string prefix;
  absl::Status storage = absl::OkStatus();

  std::string F(absl::string_view path) const { return absl::StrCat(prefix, path); }

  void Unit(absl::string_view path, absl::string_view code, bool required) {
    if (code.empty()) {
      if (required) v.Add(F(path), "is required");
      return;
    }
    v.Code(F(path), code);
    if (v.Has(F(path))) return;
    absl::StatusOr<v1::Unit> u = directory.GetUnit(code);
    if (u.status().code() == absl::StatusCode::kNotFound) {
      v.Add(F(path), absl::StrCat("names no unit of the directory: ", code));
    } else if (!u.ok() && storage.ok()) {
      storage = u.status();
    }
  }

  void Agency(absl::string_view path, absl::string_view code) {
    v.Code(F(path), code);
    if (v.Has(F(path))) return;
    absl::StatusOr<v1::Agency> a = directory.GetAgency(code);
    if (a.status().code() == absl::StatusCode::kNotFound) {
      v.Add(F(path), absl::StrCat("names no agency of the directory: ", code));
    } else if (!a.ok() && storage.ok()) {
      storage = a.status();
    }
  }

  void Measure(absl::string_view path, const v1::Measure& m) {
    const MetricSpec* spec = FindMetric(m.metric());
    if (m.metric().empty()) {
      v.Add(F(absl::StrCat(path, ".metric")), "is required");
      return;
    }
    if (spec == nullptr) {
      v.Add(F(absl::StrCat(path, ".metric")),
            absl::StrCat("is not a metric (ListMetrics lists them): ", m.metric()));
      return;
    }
    if (m.filters_size() > 2) v.Add(F(absl::StrCat(path, ".filters")), "at most two filters");
    std::set<std::string> keys;
    for (int i = 0; i < m.filters_size(); ++i) {
      const std::string field = F(absl::StrCat(path, ".filters[", i, "]"));
      std::vector<std::string> kv = absl::StrSplit(m.filters(i), absl::MaxSplits('=', 1));
      if (kv.size() != 2 || kv[0].empty() || kv[1].empty()) {
        v.Add(field, "must be key=value");
        continue;
      }
      if (std::find(spec->filter_keys.begin(), spec->filter_keys.end(), kv[0]) ==
          spec->filter_keys.end()) {
        v.Add(field, absl::StrCat(m.metric(), " has no filter ", kv[0]));
      } else if (!keys.insert(kv[0]).second) {
        v.Add(field, absl::StrCat("filters on ", kv[0], " twice"));
      }
      if (kv[1].find('&') != std::string::npos) v.Add(field, "value must not hold '&'");
    }
    Unit(absl::StrCat(path, ".unit_code"), m.unit_code(), false);
    v.Enum(F(absl::StrCat(path, ".aggregate")), m.aggregate(), v1::Aggregate_IsValid, false);
    if (spec->kind != MetricSource::kCounters &&
        (m.aggregate() > v1::AGGREGATE_SUM || m.cumulative() || m.filters_size() > 0)) {
      v.Add(F(absl::StrCat(path, ".metric")),
            absl::StrCat(m.metric(), " takes no filters, aggregate or cumulative"));
    }
  }

  void Target(absl::string_view path, const v1::Target& t, std::set<std::string>& ids) {
    const std::string id_field = F(absl::StrCat(path, ".id"));
    v.Code(id_field, t.id(), true, 16);
    if (!t.id().empty() && !ids.insert(t.id()).second) {
      v.Add(id_field, absl::StrCat("target id ", t.id(), " is used twice"));
    }
    v.Text(F(absl::StrCat(path, ".title")), t.title(),
           {.required = true, .max_chars = 2000, .multiline = true});
    v.Enum(F(absl::StrCat(path, ".kind")), t.kind(), v1::TargetKind_IsValid);
    v.Enum(F(absl::StrCat(path, ".source")), t.source(), v1::TargetSource_IsValid);
    v.Enum(F(absl::StrCat(path, ".interval")), t.interval(), v1::Interval_IsValid, false);
    v.Text(F(absl::StrCat(path, ".lead")), t.lead(), {.max_chars = 1000, .multiline = true});
    v.Text(F(absl::StrCat(path, ".coordinating")), t.coordinating(),
           {.max_chars = 2000, .multiline = true});
    v.Text(F(absl::StrCat(path, ".note")), t.note(), {.max_chars = 2000, .multiline = true});
    v.Date(F(absl::StrCat(path, ".due_date")), t.due_date());
    for (int i = 0; i < t.lead_agencies_size(); ++i) {
      Agency(absl::StrCat(path, ".lead_agencies[", i, "]"), t.lead_agencies(i));
    }
    if (t.target_value() < 0 && t.kind() != v1::TARGET_KIND_GROWTH) {
      v.Add(F(absl::StrCat(path, ".target_value")), "must not be negative");
    }
    if (t.kind() == v1::TARGET_KIND_PERCENT && t.target_value() > 100) {
      v.Add(F(absl::StrCat(path, ".target_value")), "a percentage is at most 100");
    }
    if (t.kind() == v1::TARGET_KIND_GROWTH && t.target_max() != 0 &&
        t.target_max() < t.target_value()) {
      v.Add(F(absl::StrCat(path, ".target_max")), "must not be below target_value");
    }
    if (t.kind() == v1::TARGET_KIND_MILESTONE && t.due_date().empty()) {
      v.Add(F(absl::StrCat(path, ".due_date")), "a milestone needs its due date");
    }
    if (t.kind() == v1::TARGET_KIND_FREQUENCY && t.interval() == v1::INTERVAL_UNSPECIFIED) {
      v.Add(F(absl::StrCat(path, ".interval")), "a frequency needs its interval");
    }
    const bool has_num = t.has_numerator(), has_den = t.has_denominator();
    if (t.source() == v1::TARGET_SOURCE_COMPUTED) {
      if (!has_num) {
        v.Add(F(absl::StrCat(path, ".numerator")), "a computed target needs what it counts");
      } else {
        Measure(absl::StrCat(path, ".numerator"), t.numerator());
      }
      if (t.kind() == v1::TARGET_KIND_PERCENT) {
        if (!has_den) {
          v.Add(F(absl::StrCat(path, ".denominator")), "a computed percentage needs one");
        } else {
          Measure(absl::StrCat(path, ".denominator"), t.denominator());
        }
      } else if (has_den) {
        v.Add(F(absl::StrCat(path, ".denominator")), "only a percentage has a denominator");
      }
    } else if (t.source() == v1::TARGET_SOURCE_REPORTED && (has_num || has_den)) {
      v.Add(F(absl::StrCat(path, has_num ? ".numerator" : ".denominator")),
            "a reported target takes its value from reports, not from a measure");
    }
    for (int i = 0; i < t.sub_targets_size(); ++i) {
      Target(absl::StrCat(path, ".sub_targets[", i, "]"), t.sub_targets(i), ids);
    }
  }
};

bool IsMonthDay(absl::string_view s) {
  int m = 0, d = 0;
  return s.size() == 5 && s[2] == '-' && absl::SimpleAtoi(s.substr(0, 2), &m) &&
         absl::SimpleAtoi(s.substr(3, 2), &d) && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
         ParseIsoDate(absl::StrCat("2023-", s)).has_value();
}

bool IsDayOfMonth(absl::string_view s) {
  int d = 0;
  return s.size() == 2 && absl::SimpleAtoi(s, &d) && d >= 1 && d <= 28;
}

}  // namespace

absl::Status ValidatePlan(const v1::Plan& plan, absl::string_view prefix,
                          DirectoryStore& directory) {
  Validator v;
  Checker c{v, directory, std::string(prefix)};
  v.Code(c.F("code"), plan.code(), true, 64);
  if (!v.Has(c.F("code"))) {
    for (char ch : plan.code()) {
      if (!(std::islower(static_cast<unsigned char>(ch)) ||
            std::isdigit(static_cast<unsigned char>(ch)) || ch == '-')) {
        v.Add(c.F("code"), "lowercase letters, digits and '-' only");
        break;
      }
    }
  }
  v.Text(c.F("number"), plan.number(), {.max_chars = 100});
  v.Text(c.F("title"), plan.title(), {.required = true, .max_chars = 500});
  v.Text(c.F("issuer"), plan.issuer(), {.required = true, .max_chars = 300});
  if (!plan.issuer_agency().empty()) c.Agency("issuer_agency", plan.issuer_agency());
  v.Enum(c.F("level"), plan.level(), v1::PlanLevel_IsValid);
  c.Unit("unit_code", plan.unit_code(), true);
  v.Date(c.F("period_start"), plan.period_start(), true);
  v.Date(c.F("period_end"), plan.period_end(), true);
  if (!v.Has(c.F("period_start")) && !v.Has(c.F("period_end")) &&
      plan.period_end() < plan.period_start()) {
    v.Add(c.F("period_end"), "must not be before period_start");
  }
  v.Date(c.F("issue_date"), plan.issue_date());
  v.Text(c.F("source"), plan.source(), {.max_chars = 300});
  v.Count(c.F("targets"), plan.targets_size(), 0, 200);
  v.Count(c.F("tasks"), plan.tasks_size(), 0, 500);
  for (int i = 0; i < plan.legal_bases_size(); ++i) {
    const v1::LegalBasis& b = plan.legal_bases(i);
    const std::string p = absl::StrCat("legal_bases[", i, "]");
    v.Text(c.F(p + ".number"), b.number(), {.max_chars = 100});
    v.Text(c.F(p + ".title"), b.title(), {.max_chars = 1000, .multiline = true});
    v.Date(c.F(p + ".date"), b.date());
    if (!b.plan().empty())
      v.AddFrom(ParseResourceName(c.F(p + ".plan"), b.plan(), "plans").status());
  }
  for (int i = 0; i < plan.objectives_size(); ++i) {
    v.Text(c.F(absl::StrCat("objectives[", i, "]")), plan.objectives(i),
           {.required = true, .max_chars = 4000, .multiline = true});
  }
  std::set<std::string> ids;
  for (int i = 0; i < plan.targets_size(); ++i) {
    c.Target(absl::StrCat("targets[", i, "]"), plan.targets(i), ids);
  }
  std::set<std::string> numbers;
  for (int i = 0; i < plan.tasks_size(); ++i) {
    const v1::Task& t = plan.tasks(i);
    const std::string p = absl::StrCat("tasks[", i, "]");
    v.Code(c.F(p + ".number"), t.number(), true, 16);
    if (!t.number().empty() && !numbers.insert(t.number()).second) {
      v.Add(c.F(p + ".number"), absl::StrCat("task number ", t.number(), " is used twice"));
    }
    v.Text(c.F(p + ".title"), t.title(), {.required = true, .max_chars = 1000, .multiline = true});
    v.Text(c.F(p + ".description"), t.description(), {.max_chars = 20000, .multiline = true});
    v.Text(c.F(p + ".lead"), t.lead(), {.max_chars = 1000, .multiline = true});
    v.Text(c.F(p + ".coordinating"), t.coordinating(), {.max_chars = 2000, .multiline = true});
    v.Text(c.F(p + ".time_frame"), t.time_frame(), {.max_chars = 200});
    v.DateRange(c.F(p + ".start_date"), t.start_date(), c.F(p + ".end_date"), t.end_date());
    for (int j = 0; j < t.lead_agencies_size(); ++j) {
      c.Agency(absl::StrCat(p, ".lead_agencies[", j, "]"), t.lead_agencies(j));
    }
  }
  std::set<std::string> hotspot_codes;
  for (int i = 0; i < plan.hotspots_size(); ++i) {
    const v1::PlanHotspot& h = plan.hotspots(i);
    const std::string p = absl::StrCat("hotspots[", i, "]");
    v.Code(c.F(p + ".code"), h.code(), true, 64);
    if (!h.code().empty() && !hotspot_codes.insert(h.code()).second) {
      v.Add(c.F(p + ".code"), absl::StrCat("hotspot ", h.code(), " is listed twice"));
    }
    v.Text(c.F(p + ".display_name"), h.display_name(), {.required = true, .max_chars = 500});
    c.Unit(p + ".unit_code", h.unit_code(), true);
    v.Enum(c.F(p + ".kind"), h.kind(), v1::HotspotKind_IsValid);
    v.Enum(c.F(p + ".level"), h.level(), v1::HotspotLevel_IsValid);
    v.Enum(c.F(p + ".goal"), h.goal(), v1::HotspotGoal_IsValid);
    v.Text(c.F(p + ".note"), h.note(), {.max_chars = 1000});
    if (h.goal() == v1::HOTSPOT_GOAL_KEEP_CLEAN) {
      v.Range(c.F(p + ".handed_over_year"), h.handed_over_year(), 1990, 2100);
    }
  }
  for (int i = 0; i < plan.reporting_size(); ++i) {
    const v1::ReportingRule& r = plan.reporting(i);
    const std::string p = absl::StrCat("reporting[", i, "]");
    v.Enum(c.F(p + ".kind"), r.kind(), v1::ReportKind_IsValid);
    if (r.kind() == v1::REPORT_KIND_SIX_MONTHLY || r.kind() == v1::REPORT_KIND_ANNUAL) {
      if (!IsMonthDay(r.due())) v.Add(c.F(p + ".due"), "must be the deadline as MM-DD");
    } else if (r.kind() != v1::REPORT_KIND_UNSPECIFIED && !IsDayOfMonth(r.due())) {
      v.Add(c.F(p + ".due"), "must be the day of the following month, 01–28");
    }
    v.Count(c.F(p + ".agencies"), r.agencies_size(), 1, 200);
    for (int j = 0; j < r.agencies_size(); ++j) {
      c.Agency(absl::StrCat(p, ".agencies[", j, "]"), r.agencies(j));
    }
    v.Text(c.F(p + ".recipient"), r.recipient(), {.max_chars = 500});
    v.Text(c.F(p + ".note"), r.note(), {.max_chars = 1000, .multiline = true});
  }
  if (!c.storage.ok()) return c.storage;
  return v.ToStatus("invalid plan document");
}

absl::StatusOr<v1::Plan> ParsePlanDocument(absl::string_view json) {
  v1::Plan plan;
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &plan, options);
  if (!status.ok()) {
    return InvalidArgumentWithFields("the document is not a pcmd.plans.v1.Plan in protobuf JSON",
                                     {{"document", std::string(status.message())}});
  }
  return plan;
}

v1::Plan DocumentOnly(const v1::Plan& plan) {
  v1::Plan doc = plan;
  doc.clear_name();
  doc.clear_state();
  doc.clear_etag();
  doc.clear_superseded_by();
  for (v1::Task& t : *doc.mutable_tasks()) {
    t.clear_status();
    t.clear_updates();
  }
  return doc;
}

std::string PlanDocument(const v1::Plan& plan) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(DocumentOnly(plan), &out, options);
  return out;
}

std::vector<v1::ReportObligation> ObligationsOf(const v1::Plan& plan) {
  std::vector<v1::ReportObligation> out;
  const std::optional<absl::CivilDay> start = ParseIsoDate(plan.period_start());
  const std::optional<absl::CivilDay> end = ParseIsoDate(plan.period_end());
  if (!start.has_value() || !end.has_value()) return out;
  // A plan issued after its period began cannot have asked for the reports due before.
  const std::optional<absl::CivilDay> issued = ParseIsoDate(plan.issue_date());
  auto add = [&](const v1::ReportingRule& r, std::string period, absl::CivilDay from,
                 absl::CivilDay to, absl::CivilDay due) {
    if (issued.has_value() && due < *issued) return;
    if (from < *start) from = *start;
    if (to > *end) to = *end;
    for (const std::string& agency : r.agencies()) {
      v1::ReportObligation o;
      o.set_plan(absl::StrCat("plans/", plan.code()));
      o.set_kind(r.kind());
      o.set_period(period);
      o.set_period_start(absl::FormatCivilTime(from));
      o.set_period_end(absl::FormatCivilTime(to));
      o.set_agency_code(agency);
      o.set_due_date(absl::FormatCivilTime(due));
      o.set_state(v1::OBLIGATION_STATE_PENDING);
      out.push_back(std::move(o));
    }
  };
  for (const v1::ReportingRule& r : plan.reporting()) {
    int month = 0, day = 0;
    switch (r.kind()) {
      case v1::REPORT_KIND_SIX_MONTHLY:
      case v1::REPORT_KIND_ANNUAL:
        if (!absl::SimpleAtoi(r.due().substr(0, 2), &month) ||
            !absl::SimpleAtoi(r.due().substr(3, 2), &day)) {
          continue;
        }
        for (int64_t y = start->year(); y <= end->year(); ++y) {
          if (r.kind() == v1::REPORT_KIND_ANNUAL) {
            add(r, absl::StrCat(y), absl::CivilDay(y, 1, 1), absl::CivilDay(y, 12, 31),
                absl::CivilDay(y, month, day));
          } else if (month <= 6) {
            add(r, absl::StrCat(y, "-H1"), absl::CivilDay(y, 1, 1), absl::CivilDay(y, 6, 30),
                absl::CivilDay(y, month, day));
          } else {
            add(r, absl::StrCat(y, "-H2"), absl::CivilDay(y, 7, 1), absl::CivilDay(y, 12, 31),
                absl::CivilDay(y, month, day));
          }
        }
        break;
      case v1::REPORT_KIND_MONTHLY:
      case v1::REPORT_KIND_QUARTERLY: {
        if (!absl::SimpleAtoi(r.due(), &day)) continue;
        const int step = r.kind() == v1::REPORT_KIND_MONTHLY ? 1 : 3;
        for (absl::CivilMonth m(start->year(), r.kind() == v1::REPORT_KIND_MONTHLY
                                                   ? start->month()
                                                   : (start->month() - 1) / 3 * 3 + 1);
             absl::CivilDay(m) <= *end; m += step) {
          const absl::CivilMonth next = m + step;
          const std::string period = step == 1
                                         ? absl::StrFormat("%04d-%02d", m.year(), m.month())
                                         : absl::StrCat(m.year(), "-Q", (m.month() - 1) / 3 + 1);
          add(r, period, absl::CivilDay(m), absl::CivilDay(next) - 1,
              absl::CivilDay(next.year(), next.month(), day));
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

}  // namespace pcmd::plans
