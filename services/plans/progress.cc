#include "services/plans/progress.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "services/plans/metrics.h"

namespace pcmd::plans {
namespace {

const v1::Target* FindIn(const google::protobuf::RepeatedPtrField<v1::Target>& targets,
                         absl::string_view id) {
  for (const v1::Target& t : targets) {
    if (t.id() == id) return &t;
    if (const v1::Target* sub = FindIn(t.sub_targets(), id)) return sub;
  }
  return nullptr;
}

std::string IntervalKey(absl::string_view day, v1::Interval interval) {
  const std::optional<absl::CivilDay> d = ParseIsoDate(day);
  if (!d.has_value()) return std::string(day);
  switch (interval) {
    case v1::INTERVAL_WEEKLY: {
      // Weeks counted from Monday.
      const absl::CivilDay monday =
          *d -
          ((static_cast<int>(absl::GetWeekday(*d)) - static_cast<int>(absl::Weekday::monday) + 7) %
           7);
      return absl::FormatCivilTime(monday);
    }
    case v1::INTERVAL_QUARTERLY:
      return absl::StrCat(d->year(), "-Q", (d->month() - 1) / 3 + 1);
    default:
      return absl::StrFormat("%04d-%02d", d->year(), d->month());
  }
}

// The intervals that started between start and as_of.
int IntervalsElapsed(absl::string_view start, absl::string_view as_of, v1::Interval interval) {
  const std::optional<absl::CivilDay> a = ParseIsoDate(start);
  const std::optional<absl::CivilDay> b = ParseIsoDate(as_of);
  if (!a.has_value() || !b.has_value() || *b < *a) return 0;
  std::set<std::string> keys;
  for (absl::CivilDay d = *a; d <= *b; ++d)
    keys.insert(IntervalKey(absl::FormatCivilTime(d), interval));
  return static_cast<int>(keys.size());
}

v1::ProgressStatus CountStatus(double share, double elapsed) {
  if (share >= 1) return v1::PROGRESS_STATUS_MET;
  if (share >= elapsed) return v1::PROGRESS_STATUS_ON_TRACK;
  if (share >= 0.8 * elapsed) return v1::PROGRESS_STATUS_AT_RISK;
  return v1::PROGRESS_STATUS_BEHIND;
}

v1::ProgressStatus RateStatus(double value, double target, bool ended) {
  if (value >= target) return ended ? v1::PROGRESS_STATUS_MET : v1::PROGRESS_STATUS_ON_TRACK;
  if (value >= target - std::abs(target) * 0.1) return v1::PROGRESS_STATUS_AT_RISK;
  return v1::PROGRESS_STATUS_BEHIND;
}

struct Window {
  std::string start, end, as_of;
  double elapsed = 0;
};

absl::StatusOr<v1::TargetProgress> Evaluate(const v1::Plan& plan, const v1::Target& t,
                                            const Window& w, absl::string_view unit, bool breakdown,
                                            Figures& figures);

absl::Status FillComputed(const v1::Plan& plan, const v1::Target& t, const Window& w,
                          absl::string_view unit, Figures& figures, v1::TargetProgress& p) {
  const v1::Measure& num = t.numerator();
  const std::string num_unit =
      num.unit_code().empty() || unit != plan.unit_code() ? std::string(unit) : num.unit_code();
  switch (t.kind()) {
    case v1::TARGET_KIND_PERCENT: {
      PCMD_ASSIGN_OR_RETURN(double n, figures.Value(plan, num, num_unit, w.start, w.as_of));
      const v1::Measure& den = t.denominator();
      const std::string den_unit =
          den.unit_code().empty() || unit != plan.unit_code() ? std::string(unit) : den.unit_code();
      PCMD_ASSIGN_OR_RETURN(double d, figures.Value(plan, den, den_unit, w.start, w.as_of));
      p.set_numerator(n);
      p.set_denominator(d);
      p.set_method(absl::StrCat(DescribeMeasure(num, num_unit, w.start, w.as_of), " ÷ ",
                                DescribeMeasure(den, den_unit, w.start, w.as_of), " × 100"));
      if (d <= 0) {
        p.set_status(v1::PROGRESS_STATUS_NO_DATA);
        return absl::OkStatus();
      }
      p.set_value(100.0 * n / d);
      p.set_share_achieved(t.target_value() > 0 ? p.value() / t.target_value() : 1);
      p.set_status(RateStatus(p.value(), t.target_value(), w.elapsed >= 1));
      return absl::OkStatus();
    }
    case v1::TARGET_KIND_GROWTH: {
      PCMD_ASSIGN_OR_RETURN(double now, figures.Value(plan, num, num_unit, w.start, w.as_of));
      const std::string prev_start = YearBefore(w.start), prev_end = YearBefore(w.as_of);
      PCMD_ASSIGN_OR_RETURN(double before,
                            figures.Value(plan, num, num_unit, prev_start, prev_end));
      p.set_numerator(now);
      p.set_previous_value(before);
      p.set_method(absl::StrCat("growth of ", DescribeMeasure(num, num_unit, w.start, w.as_of),
                                " over the same days a year earlier (", prev_start, " to ",
                                prev_end, "), in percent"));
      if (before <= 0) {
        p.set_status(v1::PROGRESS_STATUS_NO_DATA);
        return absl::OkStatus();
      }
      p.set_value(100.0 * (now - before) / before);
      p.set_share_achieved(t.target_value() != 0 ? p.value() / t.target_value() : 1);
      p.set_status(RateStatus(p.value(), t.target_value(), w.elapsed >= 1));
      return absl::OkStatus();
    }
    case v1::TARGET_KIND_FREQUENCY: {
      PCMD_ASSIGN_OR_RETURN(std::vector<std::string> days,
                            figures.ActiveDays(num, num_unit, w.start, w.as_of));
      const v1::Interval interval =
          t.interval() == v1::INTERVAL_UNSPECIFIED ? v1::INTERVAL_MONTHLY : t.interval();
      std::set<std::string> covered;
      for (const std::string& d : days) covered.insert(IntervalKey(d, interval));
      const int elapsed = IntervalsElapsed(w.start, w.as_of, interval);
      p.set_value(static_cast<double>(covered.size()));
      p.set_denominator(elapsed);
      p.set_method(absl::StrCat(
          "intervals (", v1::Interval_Name(interval), ") with at least one of ",
          DescribeMeasure(num, num_unit, w.start, w.as_of), ", of the ", elapsed, " elapsed"));
      p.set_share_achieved(elapsed > 0 ? p.value() / elapsed : 1);
      const int missed = elapsed - static_cast<int>(covered.size());
      p.set_status(missed <= 0
                       ? (w.elapsed >= 1 ? v1::PROGRESS_STATUS_MET : v1::PROGRESS_STATUS_ON_TRACK)
                   : missed == 1 ? v1::PROGRESS_STATUS_AT_RISK
                                 : v1::PROGRESS_STATUS_BEHIND);
      return absl::OkStatus();
    }
    default: {  // COUNT (and a computed MILESTONE counts as done at ≥ 1).
      PCMD_ASSIGN_OR_RETURN(double v, figures.Value(plan, num, num_unit, w.start, w.as_of));
      p.set_value(v);
      p.set_method(DescribeMeasure(num, num_unit, w.start, w.as_of));
      if (t.kind() == v1::TARGET_KIND_MILESTONE) {
        p.set_share_achieved(v >= 1 ? 1 : 0);
        p.set_status(v >= 1 ? v1::PROGRESS_STATUS_MET
                     : (t.due_date().empty() || w.as_of <= t.due_date())
                         ? v1::PROGRESS_STATUS_ON_TRACK
                         : v1::PROGRESS_STATUS_BEHIND);
        return absl::OkStatus();
      }
      p.set_share_achieved(t.target_value() > 0 ? v / t.target_value() : 1);
      p.set_status(CountStatus(p.share_achieved(), w.elapsed));
      return absl::OkStatus();
    }
  }
}

absl::StatusOr<v1::TargetProgress> Evaluate(const v1::Plan& plan, const v1::Target& t,
                                            const Window& w, absl::string_view unit, bool breakdown,
                                            Figures& figures) {
  v1::TargetProgress p;
  p.set_target_id(t.id());
  p.set_title(t.title());
  p.set_kind(t.kind());
  p.set_source(t.source());
  p.set_target_value(t.target_value());
  p.set_target_max(t.target_max());
  p.set_lead(t.lead());
  if (t.source() == v1::TARGET_SOURCE_COMPUTED) {
    PCMD_RETURN_IF_ERROR(FillComputed(plan, t, w, unit, figures, p));
    if (breakdown) {
      PCMD_ASSIGN_OR_RETURN(std::vector<v1::Unit> children,
                            figures.Children(unit, w.start, w.as_of));
      for (const v1::Unit& child : children) {
        v1::TargetProgress sub;
        PCMD_RETURN_IF_ERROR(FillComputed(plan, t, w, child.code(), figures, sub));
        v1::UnitFigure* f = p.add_breakdown();
        f->set_unit_code(child.code());
        f->set_display_name(child.display_name());
        f->set_value(sub.value());
        f->set_numerator(sub.numerator());
        f->set_denominator(sub.denominator());
      }
    }
  } else if (t.source() == v1::TARGET_SOURCE_REPORTED) {
    PCMD_ASSIGN_OR_RETURN(std::optional<double> reported, figures.Reported(plan, t, w.as_of));
    p.set_method(absl::StrCat("reported by the lead agencies (", t.lead(),
                              ") in their latest reports up to ", w.as_of));
    if (!reported.has_value()) {
      p.set_status(v1::PROGRESS_STATUS_NO_DATA);
    } else {
      p.set_value(*reported);
      switch (t.kind()) {
        case v1::TARGET_KIND_PERCENT:
        case v1::TARGET_KIND_GROWTH:
          p.set_share_achieved(t.target_value() != 0 ? *reported / t.target_value() : 1);
          p.set_status(RateStatus(*reported, t.target_value(), w.elapsed >= 1));
          break;
        case v1::TARGET_KIND_MILESTONE:
          p.set_share_achieved(*reported >= 1 ? 1 : 0);
          p.set_status(*reported >= 1 ? v1::PROGRESS_STATUS_MET
                       : (t.due_date().empty() || w.as_of <= t.due_date())
                           ? v1::PROGRESS_STATUS_ON_TRACK
                           : v1::PROGRESS_STATUS_BEHIND);
          break;
        default:
          p.set_share_achieved(t.target_value() > 0 ? *reported / t.target_value() : 1);
          p.set_status(CountStatus(p.share_achieved(), w.elapsed));
      }
    }
  }
  for (const v1::Target& sub : t.sub_targets()) {
    PCMD_ASSIGN_OR_RETURN(*p.add_sub_targets(), Evaluate(plan, sub, w, unit, breakdown, figures));
  }
  return p;
}

}  // namespace

const v1::Target* FindTarget(const v1::Plan& plan, absl::string_view id) {
  return FindIn(plan.targets(), id);
}

double ElapsedShare(absl::string_view start, absl::string_view end, absl::string_view as_of) {
  const std::optional<absl::CivilDay> a = ParseIsoDate(start), b = ParseIsoDate(end),
                                      now = ParseIsoDate(as_of);
  if (!a.has_value() || !b.has_value() || !now.has_value() || *b < *a) return 1;
  if (*now < *a) return 0;
  const double total = static_cast<double>(*b - *a + 1);
  return std::min(1.0, static_cast<double>(*now - *a + 1) / total);
}

std::string YearBefore(absl::string_view day) {
  const std::optional<absl::CivilDay> d = ParseIsoDate(day);
  if (!d.has_value()) return std::string(day);
  int dd = d->day();
  if (d->month() == 2 && dd == 29) dd = 28;
  return absl::FormatCivilTime(absl::CivilDay(d->year() - 1, d->month(), dd));
}

std::string DescribeMeasure(const v1::Measure& m, absl::string_view unit, absl::string_view from,
                            absl::string_view to) {
  const MetricSpec* spec = FindMetric(m.metric());
  std::string out = absl::StrCat(m.metric(), " (", spec != nullptr ? spec->description : "?", ")");
  if (m.filters_size() > 0) absl::StrAppend(&out, " where ", absl::StrJoin(m.filters(), " and "));
  if (m.aggregate() == v1::AGGREGATE_COMMUNES_WITH_ANY) {
    out = absl::StrCat("communes with at least one of ", out);
  } else if (m.aggregate() == v1::AGGREGATE_DISTRICTS_WITH_ANY) {
    out = absl::StrCat("districts with at least one of ", out);
  }
  absl::StrAppend(&out, ", in unit ", unit, " and the units under it");
  if (spec != nullptr && spec->kind != MetricSource::kCounters) {
    absl::StrAppend(&out, ", on ", to);
  } else if (m.cumulative()) {
    absl::StrAppend(&out, ", all recorded up to ", to);
  } else {
    absl::StrAppend(&out, ", ", from, " to ", to);
  }
  return out;
}

absl::StatusOr<v1::PlanProgress> ComputeProgress(const v1::Plan& plan, absl::string_view as_of,
                                                 absl::string_view unit, bool breakdown,
                                                 Figures& figures) {
  Window w;
  w.start = plan.period_start();
  w.end = plan.period_end();
  w.as_of = std::string(as_of);
  if (w.as_of > w.end) w.as_of = w.end;
  w.elapsed = ElapsedShare(w.start, w.end, w.as_of);
  const std::string area = unit.empty() ? plan.unit_code() : std::string(unit);

  v1::PlanProgress progress;
  progress.set_plan(plan.name());
  progress.set_title(plan.title());
  progress.set_unit_code(area);
  progress.set_as_of_date(w.as_of);
  progress.set_period_start(w.start);
  progress.set_period_end(w.end);
  progress.set_elapsed_share(w.elapsed);
  for (const v1::Target& t : plan.targets()) {
    PCMD_ASSIGN_OR_RETURN(*progress.add_targets(), Evaluate(plan, t, w, area, breakdown, figures));
  }
  return progress;
}

}  // namespace pcmd::plans
