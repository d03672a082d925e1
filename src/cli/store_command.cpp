// `vigia store check --data DIR`: verifies every checksum of every part in a data directory
// (and decodes every chunk) without starting the server, and prints a report. Exit code 0
// when clean, 1 when a part is corrupt, 2 when the directory cannot be read.
// `vigia store stats --data DIR`: per-partition parts/rows/bytes and per-column bytes, from
// part metadata only (fast, read-only, safe beside a running server). Exit code 0, 1 when a
// part could not be opened (listed), 2 when the directory cannot be read.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "common/env.h"
#include "store/format/store_check.h"
#include "store/store_usage.h"

namespace vigia::cli {

void RegisterStoreCommand(CLI::App& app, int* exit_code) {
  CLI::App* store = app.add_subcommand("store", "Inspect the embedded store");
  store->require_subcommand(1);
  CLI::App* check = store->add_subcommand("check", "Verify every part's checksums");
  auto data_dir = std::make_shared<std::string>("./data");
  check->add_option("--data", *data_dir, "Data directory")->capture_default_str();
  check->callback([exit_code, data_dir] {
    if (!Env::Default()->FileExists(*data_dir)) {
      std::fprintf(stderr, "vigia store check: no data directory %s\n", data_dir->c_str());
      *exit_code = 2;
      return;
    }
    Result<StoreCheckReport> report = CheckStore(Env::Default(), *data_dir);
    if (!report.ok()) {
      std::fprintf(stderr, "vigia store check: %s\n", report.status().ToString().c_str());
      *exit_code = 2;
      return;
    }
    std::fputs(report->ToText().c_str(), stdout);
    *exit_code = report->ok() ? 0 : 1;
  });

  CLI::App* stats = store->add_subcommand("stats", "Bytes per partition and per column");
  auto stats_dir = std::make_shared<std::string>("./data");
  stats->add_option("--data", *stats_dir, "Data directory")->capture_default_str();
  stats->callback([exit_code, stats_dir] {
    if (!Env::Default()->FileExists(*stats_dir)) {
      std::fprintf(stderr, "vigia store stats: no data directory %s\n", stats_dir->c_str());
      *exit_code = 2;
      return;
    }
    Result<StoreUsage> usage = CollectStoreUsage(Env::Default(), *stats_dir);
    if (!usage.ok()) {
      std::fprintf(stderr, "vigia store stats: %s\n", usage.status().ToString().c_str());
      *exit_code = 2;
      return;
    }
    std::fputs(usage->ToText().c_str(), stdout);
    *exit_code = usage->unreadable.empty() ? 0 : 1;
  });
}

}  // namespace vigia::cli
