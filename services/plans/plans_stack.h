// The plans service's logic wired to a real SQLite file in a temporary folder, as
// main.cc wires it, with a clock the caller moves: for tests and benchmarks. Not
// thread-safe to construct; the members are as thread-safe as their classes.
#ifndef PCMD_SERVICES_PLANS_PLANS_STACK_H_
#define PCMD_SERVICES_PLANS_PLANS_STACK_H_

#include <memory>

#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "services/plans/directory.h"
#include "services/plans/plans.h"
#include "services/plans/schema.h"
#include "services/plans/sqlite_directory_store.h"
#include "services/plans/sqlite_figures.h"
#include "services/plans/sqlite_plan_store.h"

namespace pcmd::plans {

struct PlansStack {
  // Aborts when the database cannot be opened (a broken test machine).
  explicit PlansStack(absl::Time now)
      : clock(now),
        db(*storage::SqliteDatabase::Open({.path = dir.File("plans.db")}, PlansMigrations())),
        outbox("plans", clock),
        directory_store(*db, outbox),
        directory(directory_store, clock),
        plan_store(*db, outbox, clock),
        figures(*db),
        units(*db),
        plans(plan_store, directory_store, figures, units, clock) {}

  testing::TempDir dir;
  FakeClock clock;
  std::unique_ptr<storage::SqliteDatabase> db;
  events::Outbox outbox;
  SqliteDirectoryStore directory_store;
  Directory directory;
  SqlitePlanStore plan_store;
  SqliteFigures figures;
  units::SqliteUnitTree units;
  Plans plans;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PLANS_STACK_H_
