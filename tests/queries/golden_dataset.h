// The golden queries' dataset (tests/queries/dataset.ndjson) as test events: objects
// flattened with dots, `ts` parsed into EventRef::ts_ns, other fields kept as typed. A test-only
// loader, deliberately independent of the ingest normalizer, so that the golden answers test
// the query paths (the row evaluator, the columnar engine, the ClickHouse backend) and not
// normalization.
//
// Thread-safety: the functions share nothing; each call uses its own parser unless given one.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace vigia::testing {

// Appends the events of `chunk` (whole dataset lines; blank ones skipped) to `out`.
// InvalidArgument for a line that is not a JSON object with a string `ts`.
Status DecodeGoldenLines(std::string_view chunk, simdjson::dom::parser& parser, EventBatch* out);

// Appends every event of the dataset file at `path` to `out`.
Status LoadGoldenDataset(const std::string& path, EventBatch* out);

}  // namespace vigia::testing
