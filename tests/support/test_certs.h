// TestCerts: certificates made by the openssl CLI for the TLS integration tests (HTTPS in
// tls_it, syslog over TLS in syslog_tls_it): a test CA, leaves it signed (valid for
// localhost/127.0.0.1, expired, for another host, a client certificate) and a leaf of a CA
// nobody trusts. Made once per test suite in a temporary directory.
//
// Thread-safety: construct once, then read-only.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/server_process.h"

namespace vigia::testing {

struct ShellResult {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command; its stdout and exit code.
inline ShellResult RunSh(const std::string& cmd) {
  ShellResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class TestCerts {
 public:
  TestCerts() {
    d_ = dir_.path();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    for (const char* ca : {"ca", "other-ca"}) {
      std::string c = std::string("openssl req -x509") + ec + " -keyout " + d_ + "/" + ca +
                      ".key -out " + d_ + "/" + ca + ".pem -days 30 -subj /CN=vigia-test-" + ca +
                      " >/dev/null 2>&1";
      ok_ = ok_ && std::system(c.c_str()) == 0;
    }
    Leaf("valid", 30, "localhost", "DNS:localhost,IP:127.0.0.1", "ca");
    // `x509 -req` takes a negative day count: a certificate that expired yesterday.
    Leaf("expired", -1, "localhost", "DNS:localhost,IP:127.0.0.1", "ca");
    Leaf("wronghost", 30, "wrong.example", "DNS:wrong.example", "ca");
    Leaf("untrusted", 30, "localhost", "DNS:localhost,IP:127.0.0.1", "other-ca");
    // A sender's certificate (mutual TLS), and one from the CA nobody trusts.
    Leaf("client", 30, "sender.example", "DNS:sender.example", "ca");
    Leaf("other-client", 30, "sender.example", "DNS:sender.example", "other-ca");
  }
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  bool ok() const { return ok_; }
  std::string Pem(const std::string& name) const { return d_ + "/" + name + ".pem"; }
  std::string Key(const std::string& name) const { return d_ + "/" + name + ".key"; }
  std::string Ca() const { return Pem("ca"); }
  // The SHA-256 fingerprint line of a certificate file.
  std::string Fingerprint(const std::string& name) const {
    return RunSh("openssl x509 -noout -fingerprint -sha256 -in " + Pem(name)).out;
  }

 private:
  void Leaf(const std::string& name, int days, const std::string& cn, const std::string& san,
            const std::string& ca) {
    std::string c =
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " +
        Key(name) + " -out " + d_ + "/" + name + ".csr -subj /CN=" + cn +
        " -addext subjectAltName=" + san + " >/dev/null 2>&1 && openssl x509 -req -in " + d_ + "/" +
        name + ".csr -CA " + Pem(ca) + " -CAkey " + Key(ca) + " -CAcreateserial -out " + Pem(name) +
        " -days " + std::to_string(days) + " -copy_extensions copyall >/dev/null 2>&1";
    ok_ = ok_ && std::system(c.c_str()) == 0;
  }

  TempDir dir_;
  std::string d_;
  bool ok_ = true;
};

}  // namespace vigia::testing
