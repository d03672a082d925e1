#include "clickhouse/clickhouse_writer.h"

#include "clickhouse/clickhouse_row_codec.h"

namespace vigia::clickhouse {

ClickHouseWriter::ClickHouseWriter(ClickHouseClient client, SchemaOptions schema,
                                   uint64_t first_seq)
    : client_(std::move(client)), schema_(std::move(schema)), next_seq_(first_seq) {}

Status ClickHouseWriter::Insert(const EventBatch& batch) {
  if (batch.empty()) return Status::Ok();
  uint64_t first = next_seq_.fetch_add(batch.size());
  ClickHouseRequest req;
  req.sql =
      "INSERT INTO " + schema_.QualifiedTable() + " " + InsertColumnList() + " FORMAT RowBinary";
  EncodeRows(batch, first, &req.body);
  // A Distributed table answers once every shard has its rows, not when they are queued.
  req.settings.emplace_back("insert_distributed_sync", "1");
  return client_.Execute(req).status();
}

}  // namespace vigia::clickhouse
