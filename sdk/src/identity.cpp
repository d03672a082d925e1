#include "identity.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "json_out.h"
#include "tsc_clock.h"

namespace vigia::sdk::internal {

std::string anonymous_machine_id() {
  char hostname[256] = {};
  gethostname(hostname, sizeof hostname - 1);
  std::string machine;
  for (const char* p : {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
    std::ifstream in(p);
    if (in && std::getline(in, machine) && !machine.empty()) break;
  }
  // FNV-1a 64: not secret, only stable and anonymous (the inputs are not recoverable from a
  // 64-bit digest of a salted string in practice for log-correlation purposes).
  std::string input = std::string("vigia-machine:") + hostname + ":" + machine;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : input) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Identity make_identity(const Config& cfg) {
  Identity id;
  id.service = cfg.service;
  id.env = cfg.env;
  id.version = cfg.version;
  id.host = cfg.host.empty() ? anonymous_machine_id() : cfg.host;
  utsname u{};
  if (uname(&u) == 0) {
    id.os = std::string(u.sysname) + " " + u.release;
    id.arch = u.machine;
  }
  id.pid = getpid();
  id.start_ns = realtime_ns();
  std::string& m = id.json_members;
  m.append("\"service\":");
  json_append_string(m, id.service);
  m.append(",\"env\":");
  json_append_string(m, id.env);
  m.append(",\"host\":");
  json_append_string(m, id.host);
  m.append(",\"version\":");
  json_append_string(m, id.version);
  std::string& o = id.json_object;
  o = "{" + m + ",\"os\":";
  json_append_string(o, id.os);
  o.append(",\"arch\":");
  json_append_string(o, id.arch);
  o.append(",\"pid\":");
  json_append_int(o, id.pid);
  o.append(",\"start_ns\":");
  json_append_int(o, id.start_ns);
  o.append("}");
  return id;
}

}  // namespace vigia::sdk::internal
