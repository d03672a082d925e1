// pharmacy_traffic: drives examples/pharmacy with a realistic mix (logins, sales, cash
// closes, health probes from several client IPs) plus incidents: a login brute force from one
// IP, a 5xx spike on /sales/{id}/pay and a slow /cash/close.
//
// Usage: pharmacy_traffic [--target http://127.0.0.1:8088] [--seconds 20]
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  std::string target = "http://127.0.0.1:8088";
  int seconds = 20;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--target") == 0) target = argv[i + 1];
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
  }
  httplib::Client cli(target);
  cli.set_read_timeout(5, 0);
  std::mt19937 rng(7);
  const char* uas[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "okhttp/4.12.0"};
  auto headers = [&](const std::string& ip, const char* incident = nullptr) {
    httplib::Headers h{{"X-Forwarded-For", ip}, {"User-Agent", uas[rng() % 4]}};
    if (incident) h.emplace("X-Incident", incident);
    return h;
  };
  auto ip = [&] { return "203.0.113." + std::to_string(1 + rng() % 40); };
  auto start = std::chrono::steady_clock::now();
  int sent = 0, failed = 0;
  auto count = [&](const httplib::Result& r) {
    ++sent;
    if (!r || r->status >= 500) ++failed;
  };
  for (int tick = 0;; ++tick) {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t >= seconds) break;
    double phase = t / seconds;
    int r = static_cast<int>(rng() % 100);
    if (r < 15) {
      bool ok = rng() % 10 != 0;
      count(cli.Post(
          "/auth/login", headers(ip()),
          std::string("{\"user\":\"ana\",\"password\":\"") + (ok ? "s3cret" : "guess") + "\"}",
          "application/json"));
    } else if (r < 75) {
      // 5xx spike in the middle of the run.
      const char* inc = phase > 0.45 && phase < 0.55 && rng() % 2 ? "5xx" : nullptr;
      count(cli.Post(("/sales/" + std::to_string(1000 + rng() % 500) + "/pay").c_str(),
                     headers(ip(), inc), "{}", "application/json"));
    } else if (r < 80) {
      const char* inc = phase > 0.7 && phase < 0.8 ? "slow" : nullptr;
      count(cli.Post("/cash/close", headers(ip(), inc), "{}", "application/json"));
    } else {
      count(cli.Get("/health/ready", headers("10.0.0.2")));
    }
    // Brute force: a burst of failed logins from one IP at 30% of the run.
    if (phase > 0.3 && phase < 0.33) {
      for (int k = 0; k < 5; ++k)
        count(cli.Post("/auth/login", headers("198.51.100.66"),
                       "{\"user\":\"admin\",\"password\":\"admin" + std::to_string(k) + "\"}",
                       "application/json"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 10));
  }
  std::printf("pharmacy_traffic: %d requests, %d failed (5xx or no answer)\n", sent, failed);
  return 0;
}
