// FingerprintDeriver: the `fingerprint` field of error events at ingest (fingerprint.h has
// the rules), as a FieldDeriver (ingest/normalize/field_deriver.h). An error event is one of
// kind=error or one carrying error.type or error.stack (a log line with an exception
// attached). A `fingerprint` the client sent wins (AddIfAbsent). The field is a column with
// a value bloom filter (store/format/part_writer.cpp, BloomKindFor), so `fingerprint:X`
// skips every block that cannot hold the group.
//
// The server's ingest module appends it to the pipeline's deriver list; it is not in
// BuiltinFieldDerivers() because src/errors sits above src/ingest/normalize.
//
// Thread-safety: stateless; thread-safe.
#pragma once

#include "ingest/normalize/field_deriver.h"

namespace vigia::errors {

class FingerprintDeriver final : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& event) const override;
  DeriverSlots Slots() const override;
};

}  // namespace vigia::errors
