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
    -- vigia derives the browser family from ua at ingest (uap-core rules); the peer gets
    -- the equivalent ingest-time work as a MATERIALIZED column over the same families.
    browser LowCardinality(String) MATERIALIZED multiIf(
        position(ua, 'Googlebot') > 0, 'Googlebot',
        position(ua, 'bingbot') > 0, 'bingbot',
        position(ua, 'YandexBot') > 0, 'YandexBot',
        position(ua, 'Edg/') > 0 OR position(ua, 'Edge/') > 0, 'Edge',
        position(ua, 'OPR/') > 0, 'Opera',
        position(ua, 'SamsungBrowser/') > 0, 'Samsung Internet',
        position(ua, 'Instagram') > 0, 'Instagram',
        position(ua, '; wv)') > 0, 'Chrome Mobile WebView',
        position(ua, 'Chrome/') > 0 AND position(ua, 'Mobile') > 0, 'Chrome Mobile',
        position(ua, 'Chrome/') > 0, 'Chrome',
        position(ua, 'Firefox/') > 0, 'Firefox',
        position(ua, 'Mobile/') > 0 AND position(ua, 'Safari/') > 0, 'Mobile Safari',
        position(ua, 'Safari/') > 0, 'Safari',
        position(ua, 'okhttp/') > 0, 'okhttp',
        position(ua, 'Dart/') > 0, 'Dart',
        position(ua, 'CFNetwork/') > 0, 'CFNetwork',
        position(ua, 'curl/') > 0, 'curl',
        position(ua, 'python-requests/') > 0, 'Python Requests',
        position(ua, 'Apache-HttpClient/') > 0, 'Apache-HttpClient',
        position(ua, 'kube-probe/') > 0, 'kube-probe',
        ua = '', '',
        'Other')
)
ENGINE = MergeTree
PARTITION BY toDate(toDateTime(intDiv(ts, 1000)))
ORDER BY (service, kind, ts)
SETTINGS index_granularity = 8192
