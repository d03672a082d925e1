// RecordWriter: spells a generated Record as one NDJSON line, either in vigia's canonical
// form or the way one of the seed applications writes it (the alias table of docs/architecture.md).
//
// Canonical: `ts` as integer milliseconds since the epoch, canonical field names, nested
// data as flat dotted keys ("error.type", "meta.saleId") — the form vigia stores and the
// one the ClickHouse peer loads unchanged (JSONEachRow maps each key to a column).
// Seed spellings use only the aliases of docs/architecture.md for canonical fields (plus `kind`,
// kept so that a spelled dataset normalizes to the same events as the canonical one); the
// seed's own names are used for dynamic fields (e.g. seed 004's `storeId`):
//   seed000 — FastAPI StructuredFormatter: timestamp (isoformat, +00:00), level in upper
//             case, message, endpoint "METHOD /route", status_code, client_ip, user_agent,
//             exception{type,message,traceback[lines]}, audit fields inside extra_fields.
//   seed001 — desktop MongoDB handler: timestamp, nivel, mensagem, maquina_id, app_version,
//             usuario_id, acao/entidade/entidade_id, erro{tipo,mensagem,stacktrace,arquivo,
//             linha,funcao}, remote_addr, response_time_ms.
//   seed004 — pharmacy logger: ts (ISO ms Z), requestId, userId, storeId, route "METHOD
//             /route", statusCode, durationMs, clientIp, userAgent, meta{...}, err{...}.
//
// Thread-safety: externally synchronized (caches the formatted current second).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gen/record.h"

namespace vigia::bench {

enum class Spelling : uint8_t { kCanonical, kSeed000, kSeed001, kSeed004 };

// "canonical", "seed000", "seed001", "seed004"; nullopt for anything else.
std::optional<Spelling> ParseSpelling(std::string_view name);

class RecordWriter {
 public:
  explicit RecordWriter(Spelling spelling) : spelling_(spelling) {}

  // Appends `r` as one JSON object followed by '\n'.
  void Append(const Record& r, std::string* out);

 private:
  void AppendCanonical(const Record& r, std::string* out);
  void AppendSeed(const Record& r, std::string* out);
  // Appends the quoted ISO 8601 time of ts_ms in this spelling's format.
  void AppendIsoTime(int64_t ts_ms, std::string* out);

  Spelling spelling_;
  int64_t cached_second_ = INT64_MIN;
  std::string cached_prefix_;  // "2026-11-22T10:01:02"
};

}  // namespace vigia::bench
