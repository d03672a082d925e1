#include "server/module_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "common/build_info.h"
#include "common/heap_tuning.h"
#include "common/metric_registry.h"
#include "server/server_collectors.h"

namespace vigia {

namespace {

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double open_fds = 0;
};

// From /proc (Linux); zeros where it cannot be read.
ProcessSample SampleProcess() {
  ProcessSample s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  if (FILE* f = std::fopen("/proc/self/stat", "r")) {
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // Fields after the command name, which is in parentheses and may hold spaces.
    const char* p = std::strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    if (p != nullptr &&
        std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) ==
            2 &&
        ticks > 0) {
      s.cpu_seconds = static_cast<double>(utime + stime) / ticks;
    }
  }
  s.resident_bytes = static_cast<double>(ResidentMemoryBytes());
  if (DIR* d = opendir("/proc/self/fd")) {
    int count = 0;
    while (const dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++count;
    }
    closedir(d);
    s.open_fds = count - 1;  // not the directory stream itself
  }
  return s;
}

}  // namespace

Status MetricsModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  MetricRegistry* m = ctx->metrics;
  const double start_time =
      static_cast<double>(std::time(nullptr)) - static_cast<double>(ctx->UptimeSec());
  m->GetGauge("vigia_build_info", "Always 1; the labels name the running build.",
              {"version", "commit", "build_type"},
              {BuildInfo().version, BuildInfo().commit, BuildInfo().build_type})
      ->Set(1);
  m->GetGauge("process_start_time_seconds", "Start time of the process since the Unix epoch.")
      ->Set(start_time);
  m->AddCollector([m] {
    const ProcessSample s = SampleProcess();
    m->GetSampledCounter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.")
        ->Set(s.cpu_seconds);
    m->GetGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
        ->Set(s.resident_bytes);
    m->GetGauge("process_open_fds", "Open file descriptors.")->Set(s.open_fds);
  });
  if (ctx->store != nullptr) AddServerCollectors(ctx);
  return Status::Ok();
}

void MetricsModule::RegisterRoutes(Router* router) {
  const MetricRegistry* m = ctx_->metrics;
  router->Add("GET", "/metrics", Access::kAdmin, [m](HttpRequest&, HttpResponse* resp) {
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = m->Exposition();
  });
}

}  // namespace vigia
