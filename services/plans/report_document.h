// The six-monthly or annual report of a plan as a document in Vietnamese, in Markdown
// or HTML: the Appendix-I-style table of targets (value, target, share, status), the
// hotspot table, the agencies whose reports were late or are missing, and what each
// agency reported. Pure
// functions; thread-safe.
#ifndef PCMD_SERVICES_PLANS_REPORT_DOCUMENT_H_
#define PCMD_SERVICES_PLANS_REPORT_DOCUMENT_H_

#include <map>
#include <string>
#include <vector>

#include "pcmd/plans/v1/plans.pb.h"

namespace pcmd::plans {

struct ReportContent {
  v1::Plan plan;
  // "2024-H1" or "2024".
  std::string period;
  v1::PlanProgress progress;
  // The plan's hotspots as the registry holds them.
  std::vector<v1::Hotspot> hotspots;
  // Obligations of the period (and earlier ones of the plan) submitted late or still
  // missing on the report's date.
  std::vector<v1::ReportObligation> late_or_missing;
  // The agencies' reports for the period, in the order submitted.
  std::vector<v1::Report> reports;
  // Display names of the units and agencies named above, by code; a code without
  // one is shown as it is.
  std::map<std::string, std::string> names;
};

// "Báo cáo kết quả thực hiện … 6 tháng đầu năm 2024".
std::string ReportTitle(const v1::Plan& plan, const std::string& period);

std::string RenderMarkdown(const ReportContent& content);
// A whole HTML document; every text from the plan is escaped.
std::string RenderHtml(const ReportContent& content);

// "Đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm", "Chưa có số liệu".
std::string StatusInVietnamese(v1::ProgressStatus status);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_REPORT_DOCUMENT_H_
