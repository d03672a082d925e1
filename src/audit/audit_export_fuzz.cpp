// libFuzzer target: any bytes as an audit export (NDJSON or CSV) handed to `vigia audit
// verify --export FILE`. An auditor's file is untrusted input: the verifier must never
// crash, loop or read out of bounds, whatever the file holds — it answers with a report or
// an InvalidArgument.
#include <cstddef>
#include <cstdint>
#include <string>

#include "audit/audit_log.h"
#include "audit/export_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy so that ASan sees reads past the end.
  std::string text(reinterpret_cast<const char*>(data), size);
  vigia::audit::VerifyOptions o;
  (void)vigia::audit::VerifyAuditExport(text, o);
  // The CSV reader also on text that does not start with its header.
  (void)vigia::audit::VerifyAuditExportCsv(text, o);
  return 0;
}
