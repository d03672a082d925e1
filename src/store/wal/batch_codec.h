// Batch codec: the compact binary form of an EventBatch, used as the WAL record payload.
//
// Layout (version 1; all varints are LEB128, signed values zigzag-encoded):
//
//   u8     version = 1
//   u32le  names_offset        byte offset of the name table from the start
//   varint num_events
//   varint total_fields
//   per event:
//     varint zigzag(ts_ns - previous event's ts_ns)      (the first is relative to 0)
//     varint num_fields
//     per field:
//       varint (name_index << 3) | tag
//       tag 0 null | 1 false | 2 true | 3 int: varint zigzag | 4 float: 8 bytes LE |
//           5 string: varint length, bytes
//   at names_offset:
//     varint num_names, then per name: varint length, bytes
//
// Field names are stored once per batch: a batch of 1,000 events has ~20 distinct names.
// The name table sits at the end so the encoder writes the body in one pass.
//
// Decode() copies the payload into the batch's arena once and points every string (names
// and values) into that copy: one memcpy instead of one per string.
//
// Decode() accepts any bytes: malformed input yields Corruption, never a crash or an
// out-of-bounds read.
//
// Thread-safety: free functions, thread-safe (the encoder keeps per-thread scratch).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/event.h"

namespace vigia::batch_codec {

inline constexpr uint8_t kVersion = 1;

// Appends the encoding of `batch` to `*out`.
void Encode(const EventBatch& batch, std::string* out);

// Encodes `batch` into a per-thread buffer and returns a view of it, valid until the next
// EncodeToScratch/Encode call on the same thread. The hot path: no allocation once warm.
std::string_view EncodeToScratch(const EventBatch& batch);
// The same for a selection of the batch's events (in the given order), encoded as a batch of
// those events only: the audit ledger's batch records (audit/ledger_record.h).
std::string_view EncodeToScratch(const EventBatch& batch,
                                 std::span<const EventBatch::EventRef> events);

// A batch's encoding and where each of its events starts (its timestamp delta), by byte
// offset from the start: what CutEvents needs to take events out without decoding.
struct EncodedEvents {
  std::string_view bytes;
  std::span<const uint32_t> event_offsets;
};

// EncodeToScratch(batch) and its events' offsets, both valid until the next
// EncodeToScratch/Encode call on the same thread. The offsets cost one store per event.
EncodedEvents EncodeToScratchWithOffsets(const EventBatch& batch);

// Appends to *out the encoding of a batch of the events `picks` (positions in `src`,
// strictly ascending) of `src`, cut from its bytes without decoding the events: each picked
// event's bytes as they are but its timestamp delta (now from the previous picked event), and
// `src`'s name table as it is — the names of the events left out included (Decode does not
// need every name to be used). Decodes to exactly the picked events, in order; *offsets
// (optional) gets their offsets in the output, so the output can be cut again. The audit
// ledger's records of a mixed batch's audit events (audit/ledger_record.h): a memcpy per
// event where encoding them again walks every field.
// REQUIRES: src from EncodeToScratchWithOffsets or CutEvents (trusted bytes; a malformed
// one yields Corruption, never an out-of-bounds read); picks non-empty.
Status CutEvents(const EncodedEvents& src, std::span<const uint32_t> picks, std::string* out,
                 std::vector<uint32_t>* offsets = nullptr);

// The number of events the header of `encoded` announces; nullopt when the header does not
// parse or its name table offset is out of range (a cheap check, not a decode).
std::optional<uint64_t> EventCount(std::string_view encoded);

// Decodes `data` into `*out`.
// REQUIRES: out is a freshly constructed (empty) batch.
Status Decode(std::string_view data, EventBatch* out);

}  // namespace vigia::batch_codec
