// Figures (progress.h) read from the plans database: the counters, the directory, the
// hotspot registry and the agencies' reports. Thread-safe.
#ifndef PCMD_SERVICES_PLANS_SQLITE_FIGURES_H_
#define PCMD_SERVICES_PLANS_SQLITE_FIGURES_H_

#include "common/storage/sqlite_database.h"
#include "services/plans/progress.h"

namespace pcmd::plans {

class SqliteFigures : public Figures {
 public:
  // `db` is not owned and must outlive this object.
  explicit SqliteFigures(storage::SqliteDatabase& db) : db_(db) {}

  absl::StatusOr<double> Value(const v1::Plan& plan, const v1::Measure& measure,
                               absl::string_view unit, absl::string_view from,
                               absl::string_view to) override;
  absl::StatusOr<std::vector<std::string>> ActiveDays(const v1::Measure& measure,
                                                      absl::string_view unit,
                                                      absl::string_view from,
                                                      absl::string_view to) override;
  absl::StatusOr<std::optional<double>> Reported(const v1::Plan& plan, const v1::Target& target,
                                                 absl::string_view as_of) override;
  absl::StatusOr<std::vector<v1::TargetRecord>> Records(const v1::Plan& plan,
                                                        const v1::Measure& measure,
                                                        absl::string_view unit,
                                                        absl::string_view from,
                                                        absl::string_view to, int64_t after,
                                                        int limit, int64_t& next) override;
  absl::StatusOr<std::vector<v1::Unit>> Children(absl::string_view unit, absl::string_view from,
                                                 absl::string_view to) override;

 private:
  storage::SqliteDatabase& db_;
};

// Inside a transaction: `unit` and every unit under it in the directory; with
// `level` set, only the units of that level valid at some time in [from, to].
absl::StatusOr<std::vector<std::string>> SubtreeUnits(storage::Transaction& tx,
                                                      absl::string_view unit, int level = 0,
                                                      absl::string_view from = "",
                                                      absl::string_view to = "");

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SQLITE_FIGURES_H_
