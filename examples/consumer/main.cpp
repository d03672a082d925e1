// Example consumer of the installed SDK: logs a few events of each kind to the file given as
// argv[1] (and to a vigia server when VIGIA_ENDPOINT is set), then exits cleanly.
#include <vigia/sdk.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: consumer OUT.ndjson\n");
    return 2;
  }
  vigia::sdk::Config cfg = vigia::sdk::Config::from_env();
  cfg.service = "consumer-example";
  cfg.file_path = argv[1];
  auto logger = vigia::sdk::Logger::create(cfg);
  if (!logger.ok()) {
    std::fprintf(stderr, "vigia: %s\n", logger.status().message().c_str());
    return 1;
  }
  auto& log = **logger;
  {
    vigia::sdk::ContextScope scope({{"request_id", "consumer-1"}, {"user_id", "u-9"}});
    log.info("hello from consumer", {{"answer", 42}, {"pi", 3.14}, {"who", "world"}});
    vigia::sdk::AuditEvent ev;
    ev.action = "example.run";
    ev.entity = "example";
    ev.entity_id = "1";
    log.audit(ev);
  }
  log.metrics().counter("runs").add();
  log.shutdown();
  std::printf("ok events=%llu\n", static_cast<unsigned long long>(log.events_written()));
  return 0;
}
