#include "services/plans/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids/calendar.h"
#include "google/protobuf/descriptor.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/events/v1/plans_events.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "pcmd/inspections/v1/inspections.pb.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::plans {
namespace {

using google::protobuf::EnumDescriptor;

// The enum value's name ("CATEGORY_ESTABLISHMENT"), or its number for a value this
// build does not know (a newer producer).
std::string Name(const EnumDescriptor* e, int value) {
  const google::protobuf::EnumValueDescriptor* v = e->FindValueByNumber(value);
  return v != nullptr ? v->name() : absl::StrCat(value);
}

std::string Bool(bool b) { return b ? "true" : "false"; }

// For events that carry no date of their own: the Vietnamese day they happened.
std::string OccurDay(const events::v1::EventEnvelope& e) {
  return IsoDate(VietnamDay(absl::FromUnixSeconds(e.occur_time().seconds())));
}

Fact Make(std::string metric, std::string record, std::string unit, std::string day,
          std::vector<std::pair<std::string, std::string>> attributes = {}, double amount = 1) {
  Fact f;
  f.metric = std::move(metric);
  f.record = std::move(record);
  f.unit_code = std::move(unit);
  f.day = std::move(day);
  f.amount = amount;
  std::sort(attributes.begin(), attributes.end());
  f.attributes = std::move(attributes);
  return f;
}

template <typename T>
absl::StatusOr<T> Unpack(const events::v1::EventEnvelope& e) {
  T payload;
  if (!e.payload().UnpackTo(&payload)) {
    return absl::InvalidArgumentError(absl::StrCat("payload is not ", e.event_type()));
  }
  return payload;
}

}  // namespace

const std::vector<MetricSpec>& Metrics() {
  static const auto* metrics = new std::vector<MetricSpec>{
      {"tips.received",
       "tips received (tố giác, tin báo, khiếu nại)",
       "intake TipReceived",
       {"category", "legal_kind", "channel"}},
      {"tips.resolved",
       "tips settled",
       "intake TipResolved",
       {"on_time", "outcome", "category", "legal_kind"}},
      {"tips.overdue",
       "tips whose legal deadline passed unsettled",
       "intake TipOverdue (legal)",
       {"category"}},
      {"establishments.registered",
       "risky businesses registered",
       "inspections EstablishmentRegistered",
       {"business_type"}},
      {"inspections.completed",
       "inspections carried out",
       "inspections InspectionCompleted",
       {"kind", "business_type", "complex"}},
      {"inspections.establishments_inspected",
       "businesses inspected (each once per calendar year)",
       "inspections InspectionCompleted",
       {"business_type", "complex"}},
      {"inspections.people_informed",
       "business owners and workers informed on the law during inspections",
       "inspections InspectionCompleted",
       {"role"}},
      {"inspections.violations",
       "violations recorded",
       "inspections ViolationRecorded",
       {"severity"}},
      {"inspections.sanctions", "sanctions issued", "inspections SanctionIssued", {"kind"}},
      {"inspections.crimes_suspected",
       "inspections that found signs of a crime",
       "inspections CrimeSuspected",
       {}},
      {"referrals.outreach_contacts",
       "outreach contacts (lượt tiếp cận, tư vấn)",
       "referrals OutreachContactRecorded",
       {"channel"}},
      {"referrals.clients_registered",
       "clients registered",
       "referrals ClientRegistered",
       {"minor", "trafficking_victim"}},
      {"referrals.clients_in_need",
       "clients assessed with at least one eligible need (each once per year)",
       "referrals NeedsAssessed",
       {}},
      {"referrals.clients_served",
       "clients who received at least one service session (each once per year)",
       "referrals ServiceDelivered",
       {"service_type"}},
      {"referrals.sent", "referrals sent to providers", "referrals ReferralSent", {"service_type"}},
      {"referrals.sessions_delivered",
       "service sessions delivered",
       "referrals ServiceDelivered",
       {"service_type"}},
      {"referrals.completed", "referrals completed", "referrals ReferralCompleted", {"outcome"}},
      {"activities.sessions",
       "communication sessions, trainings and press items",
       "plans RecordActivity",
       {"kind"}},
      {"activities.people_reached",
       "people reached by communication and training",
       "plans RecordActivity",
       {"kind", "audience"}},
      {"hotspots.eliminated",
       "the plan's hotspots to eliminate that were eliminated",
       "plans hotspot registry",
       {},
       MetricSource::kHotspots},
      {"hotspots.kept_clean",
       "the plan's eliminated hotspots that did not relapse",
       "plans hotspot registry",
       {},
       MetricSource::kHotspots},
      {"hotspots.relapsed",
       "hotspots touched by a tip or violation after elimination",
       "plans HotspotRelapsed",
       {}},
      {"units.communes",
       "communes of the area valid on the date",
       "plans directory",
       {},
       MetricSource::kUnits},
      {"units.districts",
       "districts of the area valid on the date",
       "plans directory",
       {},
       MetricSource::kUnits},
  };
  return *metrics;
}

const MetricSpec* FindMetric(absl::string_view name) {
  for (const MetricSpec& m : Metrics()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

absl::StatusOr<std::vector<Fact>> FactsOfEvent(const events::v1::EventEnvelope& e) {
  namespace ev = events::v1;
  const std::string& type = e.event_type();
  std::vector<Fact> out;
  if (type == "pcmd.events.v1.TipReceived") {
    auto p = Unpack<ev::TipReceived>(e);
    if (!p.ok()) return p.status();
    out.push_back(Make("tips.received", p->tip(), p->unit_code(), p->receive_date(),
                       {{"category", Name(intake::v1::Category_descriptor(), p->category())},
                        {"legal_kind", Name(intake::v1::LegalKind_descriptor(), p->legal_kind())},
                        {"channel", Name(intake::v1::Channel_descriptor(), p->channel())}}));
  } else if (type == "pcmd.events.v1.TipResolved") {
    auto p = Unpack<ev::TipResolved>(e);
    if (!p.ok()) return p.status();
    out.push_back(
        Make("tips.resolved", p->tip(), p->unit_code(), p->resolve_date(),
             {{"on_time", Bool(p->on_time())},
              {"outcome", Name(intake::v1::Outcome_descriptor(), p->outcome())},
              {"category", Name(intake::v1::Category_descriptor(), p->category())},
              {"legal_kind", Name(intake::v1::LegalKind_descriptor(), p->legal_kind())}}));
  } else if (type == "pcmd.events.v1.TipOverdue") {
    auto p = Unpack<ev::TipOverdue>(e);
    if (!p.ok()) return p.status();
    if (p->clock() == "legal") {
      out.push_back(Make("tips.overdue", p->tip(), p->unit_code(), p->overdue_date(),
                         {{"category", Name(intake::v1::Category_descriptor(), p->category())}}));
    }
  } else if (type == "pcmd.events.v1.EstablishmentRegistered") {
    auto p = Unpack<ev::EstablishmentRegistered>(e);
    if (!p.ok()) return p.status();
    // The event carries no date: the day it happened is the day it was published.
    const std::string day = OccurDay(e);
    out.push_back(Make(
        "establishments.registered", p->establishment(), p->unit_code(), day,
        {{"business_type", Name(inspections::v1::BusinessType_descriptor(), p->business_type())}}));
  } else if (type == "pcmd.events.v1.InspectionCompleted") {
    auto p = Unpack<ev::InspectionCompleted>(e);
    if (!p.ok()) return p.status();
    const std::string bt = Name(inspections::v1::BusinessType_descriptor(), p->business_type());
    out.push_back(Make("inspections.completed", p->inspection(), p->unit_code(),
                       p->inspection_date(),
                       {{"kind", Name(inspections::v1::InspectionKind_descriptor(), p->kind())},
                        {"business_type", bt},
                        {"complex", Bool(p->complex())}}));
    if (!p->establishment().empty()) {
      Fact f = Make("inspections.establishments_inspected", p->inspection(), p->unit_code(),
                    p->inspection_date(), {{"business_type", bt}, {"complex", Bool(p->complex())}});
      f.distinct_key = p->establishment();
      out.push_back(std::move(f));
    }
    if (p->owners_informed() > 0) {
      out.push_back(Make("inspections.people_informed", p->inspection(), p->unit_code(),
                         p->inspection_date(), {{"role", "owner"}}, p->owners_informed()));
    }
    if (p->workers_informed() > 0) {
      out.push_back(Make("inspections.people_informed", p->inspection(), p->unit_code(),
                         p->inspection_date(), {{"role", "worker"}}, p->workers_informed()));
    }
  } else if (type == "pcmd.events.v1.ViolationRecorded") {
    auto p = Unpack<ev::ViolationRecorded>(e);
    if (!p.ok()) return p.status();
    out.push_back(
        Make("inspections.violations", p->inspection(), p->unit_code(), p->inspection_date(),
             {{"severity", Name(inspections::v1::Severity_descriptor(), p->severity())}}));
  } else if (type == "pcmd.events.v1.SanctionIssued") {
    auto p = Unpack<ev::SanctionIssued>(e);
    if (!p.ok()) return p.status();
    out.push_back(Make("inspections.sanctions", p->inspection(), p->unit_code(),
                       p->inspection_date(),
                       {{"kind", Name(inspections::v1::SanctionKind_descriptor(), p->kind())}}));
  } else if (type == "pcmd.events.v1.CrimeSuspected") {
    auto p = Unpack<ev::CrimeSuspected>(e);
    if (!p.ok()) return p.status();
    out.push_back(Make("inspections.crimes_suspected", p->inspection(), p->unit_code(),
                       p->inspection_date()));
  } else if (type == "pcmd.events.v1.OutreachContactRecorded") {
    auto p = Unpack<ev::OutreachContactRecorded>(e);
    if (!p.ok()) return p.status();
    out.push_back(
        Make("referrals.outreach_contacts", p->contact(), p->unit_code(), p->contact_date(),
             {{"channel", Name(referrals::v1::ContactChannel_descriptor(), p->channel())}}));
  } else if (type == "pcmd.events.v1.ClientRegistered") {
    auto p = Unpack<ev::ClientRegistered>(e);
    if (!p.ok()) return p.status();
    const std::string day = OccurDay(e);
    out.push_back(
        Make("referrals.clients_registered", p->client(), p->unit_code(), day,
             {{"minor", Bool(p->minor())}, {"trafficking_victim", Bool(p->trafficking_victim())}}));
  } else if (type == "pcmd.events.v1.NeedsAssessed") {
    auto p = Unpack<ev::NeedsAssessed>(e);
    if (!p.ok()) return p.status();
    if (p->eligible_size() > 0) {
      Fact f = Make("referrals.clients_in_need", p->client(), p->unit_code(), p->assessed_date());
      f.distinct_key = p->client();
      out.push_back(std::move(f));
    }
  } else if (type == "pcmd.events.v1.ServiceDelivered") {
    auto p = Unpack<ev::ServiceDelivered>(e);
    if (!p.ok()) return p.status();
    const std::string st = Name(referrals::v1::ServiceType_descriptor(), p->service_type());
    out.push_back(Make("referrals.sessions_delivered", p->referral(), p->unit_code(),
                       p->delivery_date(), {{"service_type", st}}));
    // Served at all this year, whatever the service: the filter-free figure counts a
    // client once; with a service_type filter, once per service (its own key).
    Fact served = Make("referrals.clients_served", p->client(), p->unit_code(), p->delivery_date());
    served.distinct_key = p->client();
    out.push_back(std::move(served));
    Fact by_type = Make("referrals.clients_served_by_type", p->client(), p->unit_code(),
                        p->delivery_date(), {{"service_type", st}});
    by_type.distinct_key = absl::StrCat(p->client(), "#", st);
    out.push_back(std::move(by_type));
  } else if (type == "pcmd.events.v1.ReferralSent") {
    auto p = Unpack<ev::ReferralSent>(e);
    if (!p.ok()) return p.status();
    const std::string day = OccurDay(e);
    out.push_back(
        Make("referrals.sent", p->referral(), p->unit_code(), day,
             {{"service_type", Name(referrals::v1::ServiceType_descriptor(), p->service_type())}}));
  } else if (type == "pcmd.events.v1.ReferralCompleted") {
    auto p = Unpack<ev::ReferralCompleted>(e);
    if (!p.ok()) return p.status();
    const std::string day = OccurDay(e);
    out.push_back(Make("referrals.completed", p->referral(), p->unit_code(), day,
                       {{"outcome", Name(referrals::v1::Outcome_descriptor(), p->outcome())}}));
  }
  return out;
}

std::vector<Fact> FactsOfActivity(const v1::Activity& a) {
  std::vector<Fact> out;
  const std::string kind = Name(v1::ActivityKind_descriptor(), a.kind());
  out.push_back(Make("activities.sessions", a.name(), a.unit_code(), a.date(), {{"kind", kind}}));
  for (const v1::AudienceCount& c : a.audiences()) {
    if (c.people() <= 0) continue;
    out.push_back(Make(
        "activities.people_reached", a.name(), a.unit_code(), a.date(),
        {{"audience", Name(v1::Audience_descriptor(), c.audience())}, {"kind", kind}}, c.people()));
  }
  return out;
}

std::vector<std::string> DimsOf(const Fact& f) {
  std::vector<std::string> dims = {""};
  const auto& a = f.attributes;
  for (size_t i = 0; i < a.size(); ++i) {
    dims.push_back(absl::StrCat(a[i].first, "=", a[i].second));
    for (size_t j = i + 1; j < a.size(); ++j) {
      dims.push_back(absl::StrCat(a[i].first, "=", a[i].second, "&", a[j].first, "=", a[j].second));
    }
  }
  return dims;
}

std::string DimOfFilters(const google::protobuf::RepeatedPtrField<std::string>& filters) {
  std::vector<std::string> sorted(filters.begin(), filters.end());
  std::sort(sorted.begin(), sorted.end());
  return absl::StrJoin(sorted, "&");
}

std::string AttributeText(const Fact& f) {
  std::string out = "&";
  for (const auto& [k, v] : f.attributes) absl::StrAppend(&out, k, "=", v, "&");
  return out;
}

}  // namespace pcmd::plans
