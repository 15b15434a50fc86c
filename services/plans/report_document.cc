#include "services/plans/report_document.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace pcmd::plans {
namespace {

// A number the Vietnamese way: "2.460", "12,5".
std::string Number(double v) {
  const bool whole = std::abs(v - std::round(v)) < 1e-9;
  std::string s = whole ? absl::StrFormat("%.0f", v) : absl::StrFormat("%.1f", v);
  std::string intpart = s, frac;
  if (const size_t dot = s.find('.'); dot != std::string::npos) {
    intpart = s.substr(0, dot);
    frac = s.substr(dot + 1);
  }
  const bool negative = !intpart.empty() && intpart[0] == '-';
  if (negative) intpart.erase(0, 1);
  std::string grouped;
  for (size_t i = 0; i < intpart.size(); ++i) {
    if (i > 0 && (intpart.size() - i) % 3 == 0) grouped.push_back('.');
    grouped.push_back(intpart[i]);
  }
  return absl::StrCat(negative ? "-" : "", grouped, frac.empty() ? "" : ",", frac);
}

std::string ValueText(const v1::TargetProgress& t) {
  if (t.status() == v1::PROGRESS_STATUS_NO_DATA) return "—";
  switch (t.kind()) {
    case v1::TARGET_KIND_PERCENT:
      return absl::StrCat(
          Number(t.value()), "%",
          t.source() == v1::TARGET_SOURCE_COMPUTED
              ? absl::StrCat(" (", Number(t.numerator()), "/", Number(t.denominator()), ")")
              : "");
    case v1::TARGET_KIND_GROWTH:
      return absl::StrCat(t.value() >= 0 ? "+" : "", Number(t.value()), "%");
    case v1::TARGET_KIND_FREQUENCY:
      return absl::StrCat(Number(t.value()), "/", Number(t.denominator()), " kỳ");
    case v1::TARGET_KIND_MILESTONE:
      return t.value() >= 1 ? "Hoàn thành" : "Chưa hoàn thành";
    default:
      return Number(t.value());
  }
}

std::string TargetText(const v1::TargetProgress& t) {
  switch (t.kind()) {
    case v1::TARGET_KIND_PERCENT:
      return absl::StrCat(Number(t.target_value()), "%");
    case v1::TARGET_KIND_GROWTH:
      return t.target_max() > 0
                 ? absl::StrCat("+", Number(t.target_value()), "–", Number(t.target_max()), "%")
                 : absl::StrCat("+", Number(t.target_value()), "%");
    case v1::TARGET_KIND_FREQUENCY:
      return "Mọi kỳ";
    case v1::TARGET_KIND_MILESTONE:
      return "Hoàn thành";
    default:
      return Number(t.target_value());
  }
}

std::string ShareText(const v1::TargetProgress& t) {
  if (t.status() == v1::PROGRESS_STATUS_NO_DATA) return "—";
  return absl::StrCat(Number(std::round(t.share_achieved() * 1000) / 10), "%");
}

std::string PeriodPhrase(const std::string& period) {
  if (period.size() == 7 && period.substr(4) == "-H1") {
    return absl::StrCat("6 tháng đầu năm ", period.substr(0, 4));
  }
  if (period.size() == 7 && period.substr(4) == "-H2") {
    return absl::StrCat("6 tháng cuối năm ", period.substr(0, 4));
  }
  return absl::StrCat("năm ", period);
}

std::string HotspotState(v1::HotspotState s) {
  switch (s) {
    case v1::HOTSPOT_STATE_ACTIVE:
      return "Đang hoạt động";
    case v1::HOTSPOT_STATE_TARGETED:
      return "Đang triệt xóa";
    case v1::HOTSPOT_STATE_ELIMINATED:
      return "Đã triệt xóa";
    case v1::HOTSPOT_STATE_HANDED_OVER:
      return "Đã bàn giao địa phương";
    case v1::HOTSPOT_STATE_RELAPSED:
      return "Tái hoạt động";
    default:
      return "—";
  }
}

std::string HotspotLevel(v1::HotspotLevel l) {
  switch (l) {
    case v1::HOTSPOT_LEVEL_COMPLEX:
      return "Phức tạp";
    case v1::HOTSPOT_LEVEL_ACTIVE:
      return "Có hoạt động";
    case v1::HOTSPOT_LEVEL_LOW:
      return "Ít hoạt động";
    case v1::HOTSPOT_LEVEL_INACTIVE:
      return "Không hoạt động";
    default:
      return "—";
  }
}

std::string ObligationText(const v1::ReportObligation& o) {
  return o.state() == v1::OBLIGATION_STATE_OVERDUE ? "Chưa gửi (quá hạn)" : "Gửi muộn";
}

// Markdown table cells: no line breaks, no unescaped pipes.
std::string Cell(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"|", "\\|"}, {"\r", " "}, {"\n", " "}});
}

// The display name of a unit or agency code, or the code.
std::string NameOf(const ReportContent& c, const std::string& code) {
  auto it = c.names.find(code);
  return it == c.names.end() || it->second.empty() ? code : it->second;
}

std::string Html(absl::string_view s) {
  return absl::StrReplaceAll(
      s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

// The rows of the target table, sub-targets after their parent.
struct TargetRow {
  std::string id, title, target, value, share, status, lead;
};

void Rows(const google::protobuf::RepeatedPtrField<v1::TargetProgress>& targets,
          std::vector<TargetRow>& out) {
  for (const v1::TargetProgress& t : targets) {
    out.push_back({t.target_id(), t.title(), TargetText(t), ValueText(t), ShareText(t),
                   StatusInVietnamese(t.status()), t.lead()});
    Rows(t.sub_targets(), out);
  }
}

}  // namespace

std::string StatusInVietnamese(v1::ProgressStatus status) {
  switch (status) {
    case v1::PROGRESS_STATUS_MET:
      return "Đạt";
    case v1::PROGRESS_STATUS_ON_TRACK:
      return "Đúng tiến độ";
    case v1::PROGRESS_STATUS_AT_RISK:
      return "Có nguy cơ chậm";
    case v1::PROGRESS_STATUS_BEHIND:
      return "Chậm";
    default:
      return "Chưa có số liệu";
  }
}

std::string ReportTitle(const v1::Plan& plan, const std::string& period) {
  return absl::StrCat("Báo cáo kết quả thực hiện ", plan.title(), " — ", PeriodPhrase(period));
}

std::string RenderMarkdown(const ReportContent& c) {
  std::string out = absl::StrCat("# ", ReportTitle(c.plan, c.period), "\n\n");
  absl::StrAppend(&out, "Kế hoạch: ", c.plan.number().empty() ? c.plan.code() : c.plan.number(),
                  " — ", c.plan.issuer(), "\n\n");
  absl::StrAppend(&out, "Số liệu tính đến ngày ", c.progress.as_of_date(), " (kỳ kế hoạch ",
                  c.progress.period_start(), " – ", c.progress.period_end(), ", đã qua ",
                  Number(std::round(c.progress.elapsed_share() * 1000) / 10), "% thời gian).\n\n");
  absl::StrAppend(&out, "## I. Kết quả thực hiện các chỉ tiêu\n\n");
  absl::StrAppend(&out,
                  "| STT | Chỉ tiêu | Chỉ tiêu kế hoạch | Kết quả | Tỷ lệ đạt | Đánh giá | "
                  "Cơ quan chủ trì |\n|---|---|---|---|---|---|---|\n");
  std::vector<TargetRow> rows;
  Rows(c.progress.targets(), rows);
  for (const TargetRow& r : rows) {
    absl::StrAppend(&out, "| ", Cell(r.id), " | ", Cell(r.title), " | ", r.target, " | ", r.value,
                    " | ", r.share, " | ", r.status, " | ", Cell(r.lead), " |\n");
  }
  absl::StrAppend(&out, "\n## II. Điểm phức tạp về tệ nạn mại dâm\n\n");
  if (c.hotspots.empty()) {
    absl::StrAppend(&out, "Kế hoạch không có danh sách điểm phức tạp.\n");
  } else {
    absl::StrAppend(&out,
                    "| STT | Tên điểm | Địa bàn | Mức độ | Tình trạng | Ghi chú |\n"
                    "|---|---|---|---|---|---|\n");
    int i = 0;
    for (const v1::Hotspot& h : c.hotspots) {
      std::string note = h.note();
      if (h.state() == v1::HOTSPOT_STATE_RELAPSED) {
        note = absl::StrCat("Tái hoạt động ngày ", h.relapse_date(), " (", h.relapse_record(), ")");
      } else if (!h.eliminated_date().empty()) {
        note = absl::StrCat("Triệt xóa ngày ", h.eliminated_date());
      }
      absl::StrAppend(&out, "| ", ++i, " | ", Cell(h.display_name()), " | ",
                      Cell(NameOf(c, h.unit_code())), " | ", HotspotLevel(h.level()), " | ",
                      HotspotState(h.state()), " | ", Cell(note), " |\n");
    }
  }
  absl::StrAppend(&out, "\n## III. Tình hình gửi báo cáo của các cơ quan, đơn vị\n\n");
  if (c.late_or_missing.empty()) {
    absl::StrAppend(&out, "Tất cả các cơ quan, đơn vị đã gửi báo cáo đúng hạn.\n");
  } else {
    absl::StrAppend(&out, "| Cơ quan | Kỳ báo cáo | Hạn gửi | Tình trạng |\n|---|---|---|---|\n");
    for (const v1::ReportObligation& o : c.late_or_missing) {
      absl::StrAppend(&out, "| ", Cell(NameOf(c, o.agency_code())), " | ", o.period(), " | ",
                      o.due_date(), " | ", ObligationText(o), " |\n");
    }
  }
  absl::StrAppend(&out, "\n## IV. Báo cáo của các cơ quan, đơn vị\n\n");
  if (c.reports.empty()) absl::StrAppend(&out, "Chưa có cơ quan, đơn vị nào gửi báo cáo kỳ này.\n");
  for (const v1::Report& r : c.reports) {
    absl::StrAppend(&out, "### ", Cell(NameOf(c, r.agency_code())), " (gửi ngày ", r.submit_date(),
                    r.late() ? ", quá hạn" : "", ")\n\n");
    for (absl::string_view line : absl::StrSplit(r.narrative(), '\n')) {
      absl::StrAppend(&out, "> ", line, "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "\n## Cách tính\n\n");
  std::vector<const v1::TargetProgress*> all;
  std::function<void(const google::protobuf::RepeatedPtrField<v1::TargetProgress>&)> walk =
      [&](const auto& ts) {
        for (const v1::TargetProgress& t : ts) {
          all.push_back(&t);
          walk(t.sub_targets());
        }
      };
  walk(c.progress.targets());
  for (const v1::TargetProgress* t : all) {
    absl::StrAppend(&out, "- ", t->target_id(), ": ", Cell(t->method()), "\n");
  }
  return out;
}

std::string RenderHtml(const ReportContent& c) {
  const std::string title = ReportTitle(c.plan, c.period);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>", Html(title),
      "</title>\n<style>table{border-collapse:collapse}td,th{border:1px solid #888;"
      "padding:4px}</style>\n</head>\n<body>\n<h1>",
      Html(title), "</h1>\n");
  absl::StrAppend(&out, "<p>Số liệu tính đến ngày ", Html(c.progress.as_of_date()),
                  " (kỳ kế hoạch ", Html(c.progress.period_start()), " – ",
                  Html(c.progress.period_end()), ").</p>\n");
  absl::StrAppend(&out,
                  "<h2>I. Kết quả thực hiện các chỉ tiêu</h2>\n<table>\n<tr><th>STT</th>"
                  "<th>Chỉ tiêu</th><th>Chỉ tiêu kế hoạch</th><th>Kết quả</th><th>Tỷ lệ đạt</th>"
                  "<th>Đánh giá</th><th>Cơ quan chủ trì</th></tr>\n");
  std::vector<TargetRow> rows;
  Rows(c.progress.targets(), rows);
  for (const TargetRow& r : rows) {
    absl::StrAppend(&out, "<tr><td>", Html(r.id), "</td><td>", Html(r.title), "</td><td>",
                    Html(r.target), "</td><td>", Html(r.value), "</td><td>", Html(r.share),
                    "</td><td>", Html(r.status), "</td><td>", Html(r.lead), "</td></tr>\n");
  }
  absl::StrAppend(&out,
                  "</table>\n<h2>II. Điểm phức tạp về tệ nạn mại dâm</h2>\n<table>\n"
                  "<tr><th>STT</th><th>Tên điểm</th><th>Địa bàn</th><th>Mức độ</th>"
                  "<th>Tình trạng</th></tr>\n");
  int i = 0;
  for (const v1::Hotspot& h : c.hotspots) {
    absl::StrAppend(&out, "<tr><td>", ++i, "</td><td>", Html(h.display_name()), "</td><td>",
                    Html(NameOf(c, h.unit_code())), "</td><td>", Html(HotspotLevel(h.level())),
                    "</td><td>", Html(HotspotState(h.state())), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n<h2>III. Tình hình gửi báo cáo của các cơ quan, đơn vị</h2>\n");
  if (c.late_or_missing.empty()) {
    absl::StrAppend(&out, "<p>Tất cả các cơ quan, đơn vị đã gửi báo cáo đúng hạn.</p>\n");
  } else {
    absl::StrAppend(&out,
                    "<table>\n<tr><th>Cơ quan</th><th>Kỳ báo cáo</th><th>Hạn gửi</th>"
                    "<th>Tình trạng</th></tr>\n");
    for (const v1::ReportObligation& o : c.late_or_missing) {
      absl::StrAppend(&out, "<tr><td>", Html(NameOf(c, o.agency_code())), "</td><td>",
                      Html(o.period()), "</td><td>", Html(o.due_date()), "</td><td>",
                      Html(ObligationText(o)), "</td></tr>\n");
    }
    absl::StrAppend(&out, "</table>\n");
  }
  absl::StrAppend(&out, "<h2>IV. Báo cáo của các cơ quan, đơn vị</h2>\n");
  if (c.reports.empty()) {
    absl::StrAppend(&out, "<p>Chưa có cơ quan, đơn vị nào gửi báo cáo kỳ này.</p>\n");
  }
  for (const v1::Report& r : c.reports) {
    absl::StrAppend(&out, "<h3>", Html(NameOf(c, r.agency_code())), " (gửi ngày ",
                    Html(r.submit_date()), r.late() ? ", quá hạn" : "", ")</h3>\n<p>",
                    absl::StrReplaceAll(Html(r.narrative()), {{"\n", "<br>\n"}}), "</p>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace pcmd::plans
