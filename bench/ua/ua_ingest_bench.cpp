// ua_ingest_bench: what deriving browser/os/device from ua costs vigia's ingest path. Runs
// the real Normalizer over an NDJSON file (vigia-gen output) without and with the
// UaFieldDeriver, alternating, and prints events per CPU second (thread CPU time) for each
// and the ratio; then the wall time of one uncached UA parse over the file's distinct UAs.
//
//   vigia-gen --events 1000000 --out /tmp/e.ndjson
//   ua_ingest_bench /tmp/e.ndjson [regexes.yaml] [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/normalize/normalizer.h"
#include "ingest/normalize/ua_field_deriver.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of this thread: on a shared machine wall time mostly measures the neighbours.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Normalizes every line once; returns events per CPU second.
double Run(const std::vector<std::string_view>& lines, const vigia::FieldDeriver* ua) {
  vigia::NormalizerOptions o;
  if (ua != nullptr) o.derivers.push_back(ua);
  vigia::Normalizer n(o);
  vigia::EventBatch batch;
  const double t0 = ThreadCpuSeconds();
  size_t in_batch = 0;
  for (std::string_view line : lines) {
    if (!n.Normalize(line, 0, &batch).ok()) std::abort();
    if (++in_batch == 20000) {  // vigia-load's batch size: bounded memory, like ingest
      batch = vigia::EventBatch();
      in_batch = 0;
    }
  }
  return static_cast<double>(lines.size()) / (ThreadCpuSeconds() - t0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ua_ingest_bench EVENTS.ndjson [regexes.yaml] [rounds]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) lines.emplace_back(text.data() + pos, end - pos);
    pos = end + 1;
  }
  std::string rules = vigia::UaFieldDeriver::ResolveRegexesPath(argc > 2 ? argv[2] : "");
  auto t_load = std::chrono::steady_clock::now();
  auto deriver = vigia::UaFieldDeriver::LoadFile(rules);
  if (!deriver.ok()) {
    std::fprintf(stderr, "%s\n", deriver.status().ToString().c_str());
    return 1;
  }
  std::printf("rules %s loaded in %.2f s\n", rules.c_str(), Seconds(t_load));
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  std::vector<double> without, with;
  for (int r = 0; r < rounds; ++r) {
    without.push_back(Run(lines, nullptr));
    with.push_back(Run(lines, deriver.value().get()));
  }
  std::sort(without.begin(), without.end());
  std::sort(with.begin(), with.end());
  const double a = without[without.size() / 2], b = with[with.size() / 2];
  std::printf(
      "%zu events, median of %d rounds: normalize %.0f events/CPU-s, with UA fields "
      "%.0f events/CPU-s (%.1f%% of it)\n",
      lines.size(), rounds, a, b, 100.0 * b / a);

  std::set<std::string> distinct;
  for (std::string_view line : lines) {
    size_t k = line.find("\"ua\":\"");
    if (k == std::string_view::npos) continue;
    size_t end = line.find('"', k + 6);
    distinct.emplace(line.substr(k + 6, end - k - 6));
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string& ua : distinct) (void)deriver.value()->Derive(ua);
  std::printf("%zu distinct UAs: %.0f us per uncached parse\n", distinct.size(),
              distinct.empty() ? 0.0 : Seconds(t0) * 1e6 / static_cast<double>(distinct.size()));
  return 0;
}
