// FieldPicker: finds several named fields of an event in one pass over its fields — what an
// observer that reads the same handful of names from every event of every batch needs
// (traffic statistics, RED metrics). N calls of EventBatch::Find scan the fields N times; the
// picker looks at each field once, compares its name only with the wanted names of the same
// length (a bit mask per length, compared without a memcmp call), and takes each name at its first occurrence, as Find does.
//
// Thread-safety: immutable after construction; Pick is safe from many threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/same_bytes.h"
#include "event/event.h"

namespace vigia {

template <size_t N>
class FieldPicker {
  static_assert(N >= 1 && N <= 32, "one bit per name");

 public:
  using Values = std::array<const Value*, N>;

  // REQUIRES: the names are distinct.
  constexpr explicit FieldPicker(std::array<std::string_view, N> names) : names_(names) {
    for (size_t i = 0; i < N; ++i) by_length_[Bucket(names_[i].size())] |= uint32_t{1} << i;
  }

  // out[i] = the value of the first field of `e` named names[i], or nullptr.
  void Pick(const EventBatch& batch, const EventBatch::EventRef& e, Values* out) const {
    out->fill(nullptr);
    uint32_t missing = (N == 32) ? ~uint32_t{0} : (uint32_t{1} << N) - 1;
    for (const Field& f : batch.fields(e)) {
      for (uint32_t m = by_length_[Bucket(f.name.size())] & missing; m != 0; m &= m - 1) {
        const int i = __builtin_ctz(m);
        if (SameBytes(f.name, names_[static_cast<size_t>(i)])) {
          (*out)[static_cast<size_t>(i)] = &f.value;
          missing &= ~(uint32_t{1} << i);
          break;  // names are distinct: no other can match
        }
      }
      if (missing == 0) return;
    }
  }

 private:
  static constexpr size_t kBuckets = 32;
  static constexpr size_t Bucket(size_t length) {
    return length < kBuckets ? length : kBuckets - 1;
  }

  std::array<std::string_view, N> names_;
  std::array<uint32_t, kBuckets> by_length_{};
};

}  // namespace vigia
