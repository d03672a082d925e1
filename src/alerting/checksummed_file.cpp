#include "alerting/checksummed_file.h"

#include <cinttypes>
#include <cstdio>

#include "alerting/alerting_names.h"
#include "common/crc32c.h"

namespace vigia {

Status WriteChecksummedFile(Env* env, const std::string& path, std::string_view body) {
  char header[64];
  std::snprintf(header, sizeof header, " %08x %zu\n", crc32c::Value(body), body.size());
  std::string data = std::string(alerting_names::kChecksummedMagic) + header;
  data.append(body);
  return WriteFileAtomic(env, path, data);
}

Result<std::string> ReadChecksummedFile(Env* env, const std::string& path) {
  if (!env->FileExists(path)) return Status::NotFound(path);
  VIGIA_ASSIGN_OR_RETURN(std::string data, env->ReadFileToString(path));
  size_t nl = data.find('\n');
  const std::string magic(alerting_names::kChecksummedMagic);
  unsigned crc = 0;
  size_t len = 0;
  if (nl == std::string::npos || data.compare(0, magic.size(), magic) != 0 ||
      std::sscanf(data.c_str() + magic.size(), " %8x %zu", &crc, &len) != 2) {
    return Status::Corruption(path + ": not a vigia alerting file (bad header)");
  }
  std::string body = data.substr(nl + 1);
  if (body.size() != len || crc32c::Value(body) != crc) {
    return Status::Corruption(path + ": checksum mismatch (torn or damaged file)");
  }
  return body;
}

}  // namespace vigia
