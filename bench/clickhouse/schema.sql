-- The ClickHouse 18.16 peer's table for the vigia benchmark: one column per field that
-- vigia-gen's canonical NDJSON holds, loaded unchanged with INSERT ... FORMAT JSONEachRow
-- (input_format_skip_unknown_fields stays 0, so a field without a column fails the load
-- instead of being dropped silently). Choices are explained in README.md.
CREATE TABLE events
(
    ts UInt64,                                  -- ms since the epoch (18.16 has no DateTime64)
    kind LowCardinality(String),
    level LowCardinality(String),
    service LowCardinality(String),
    env LowCardinality(String),
    host LowCardinality(String),
    logger LowCardinality(String),
    request_id String,
    user_id String,
    store_id LowCardinality(String),
    msg String,
    method LowCardinality(String),
    route LowCardinality(String),
    path String,
    status UInt16,
    duration_ms Float64,
    ip String,
    ua LowCardinality(String),
    bytes_out UInt32,
    action LowCardinality(String),
    actor String,
    entity LowCardinality(String),
    entity_id String,
    outcome LowCardinality(String),
    sensitive UInt8,
    `error.type` LowCardinality(String),
    `error.message` String,
    `error.code` LowCardinality(String),
    `error.file` LowCardinality(String),
    `error.line` UInt32,
    `error.function` LowCardinality(String),
    `error.stack` String,
    `meta.email` String,
    `meta.reason` LowCardinality(String),
    `meta.prefix` LowCardinality(String),
    `meta.saleId` String,
    `meta.items` UInt32,
    `meta.amount` String,
    `meta.cashId` String,
    `meta.total` String,
    `meta.table` LowCardinality(String),
    `meta.threshold_ms` UInt32,
    `meta.job` LowCardinality(String),
    -- What vigia derives from ua at ingest (uap-core rules), as vigia derives it: vigia-gen
    -- --derived-out writes these values into the peer's copy of the data (README.md).
    browser LowCardinality(String),
    browser_version LowCardinality(String),
    os LowCardinality(String),
    os_version LowCardinality(String),
    device LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toDate(toDateTime(intDiv(ts, 1000)))
ORDER BY (service, kind, ts)
SETTINGS index_granularity = 8192
