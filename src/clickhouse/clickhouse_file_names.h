// On-disk names of the ClickHouse backend's outbox (storage.backend = "clickhouse",
// clickhouse_outbox.h), listed in store/format/file_names.h:
//
//   <data_dir>/clickhouse/                 the outbox of a node storing in ClickHouse
//   <data_dir>/clickhouse/wal/<seq>.wal    acknowledged events not yet (known to be) in
//                                          ClickHouse: WAL segments in the store's format
//                                          (store/wal/wal_format.h), released once shipped
//   <data_dir>/clickhouse/outbox.state     "vigia-outbox 1 <seq_base> <shipped_record>": this
//                                          node's row-seq base and the last record ClickHouse
//                                          has (written atomically through outbox.state.tmp)
//
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace vigia::clickhouse::file_names {

inline constexpr std::string_view kOutboxDir = "clickhouse";
inline constexpr std::string_view kOutboxWalDir = "wal";
inline constexpr std::string_view kOutboxState = "outbox.state";
inline constexpr std::string_view kOutboxStateTmp = "outbox.state.tmp";

}  // namespace vigia::clickhouse::file_names
