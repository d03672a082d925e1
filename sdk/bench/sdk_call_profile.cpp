// The benchmark's log call (message + int, double, string fields, empty context) behind one
// non-inlined function, for an instruction-level profile that does not depend on the machine's
// noise or timers (perf has no hardware counters on the project's VM):
//
//   valgrind --tool=callgrind --toggle-collect='log_one*' $BUILD/sdk/bench/sdk_call_profile [calls]
//   callgrind_annotate --inclusive=yes callgrind.out.<pid>
//
// Instructions per call = the Ir collected inside log_one / calls. The calls come in bursts
// of 2,000 with a flush between them, as in sdk_bench, so the ring never fills.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "vigia/logger.h"

[[gnu::noinline]] void log_one(vigia::sdk::Logger& log, int64_t i) {
  log.info("payment_confirmed", {{"sale_id", i}, {"amount", 123.45}, {"method", "credit_card"}});
}

int main(int argc, char** argv) {
  const long calls = argc > 1 ? std::atol(argv[1]) : 100000;
  vigia::sdk::Config c;
  c.service = "bench";
  c.metrics_interval = std::chrono::milliseconds(0);
  auto created = vigia::sdk::Logger::create(c);
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().message().c_str());
    return 1;
  }
  std::unique_ptr<vigia::sdk::Logger> log = std::move(created.value());
  log->info("warm-up");  // claims this thread's ring outside the profile's calls
  for (long i = 0; i < calls; ++i) {
    log_one(*log, i);
    if (i % 2000 == 1999) (void)log->flush(std::chrono::milliseconds(2000));
  }
  (void)log->flush(std::chrono::milliseconds(2000));
  std::printf("calls %ld dropped %llu\n", calls,
              static_cast<unsigned long long>(log->drops().total()));
  return 0;
}
