#include "event/field_picker.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace vigia {
namespace {

// Against EventBatch::Find for every name: random events with names in any order, repeated
// names (the first counts), names of the same length as wanted ones, names of 31 characters
// and longer (they share the picker's last length bucket).
template <size_t N>
void ExpectPicksWhatFindFinds(const FieldPicker<N>& picker, std::array<std::string_view, N> names,
                              std::span<const std::string_view> pool, uint64_t seed) {
  std::mt19937_64 rng(seed);
  EventBatch batch;
  for (int i = 0; i < 3000; ++i) {
    batch.BeginEvent(i);
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) {
      batch.AddField(pool[rng() % pool.size()], Value::Int(static_cast<int64_t>(rng() % 1000)));
    }
  }
  typename FieldPicker<N>::Values got;
  for (const auto& e : batch.events()) {
    picker.Pick(batch, e, &got);
    for (size_t i = 0; i < N; ++i) ASSERT_EQ(got[i], batch.Find(e, names[i])) << names[i];
  }
}

TEST(FieldPickerTest, PicksWhatFindFinds) {
  static constexpr std::array<std::string_view, 6> kWanted = {
      "kind",
      "ip",
      "os",
      "status",
      "a_name_of_exactly_thirty_one_ch",
      "a_much_longer_name_well_past_the_last_length_bucket"};
  static constexpr FieldPicker<6> kPicker(kWanted);
  static constexpr std::string_view kPool[] = {
      "kind",
      "ip",
      "os",
      "status",
      "a_name_of_exactly_thirty_one_ch",
      "a_much_longer_name_well_past_the_last_length_bucket",
      "kine",
      "io",
      "method",
      "a_name_of_exactly_thirty_one_xx",
      "a_much_longer_name_well_past_the_last_length_bucketz",
      "",
      "k",
      "msg"};
  ExpectPicksWhatFindFinds(kPicker, kWanted, kPool, 1);
}

TEST(FieldPickerTest, ThirtyTwoNames) {
  static std::string storage[40];
  std::array<std::string_view, 32> wanted;
  std::string_view pool[40];
  for (int i = 0; i < 40; ++i) {
    storage[i] = "f" + std::string(static_cast<size_t>(i % 7), 'x') + std::to_string(i);
    pool[i] = storage[i];
    if (i < 32) wanted[static_cast<size_t>(i)] = storage[i];
  }
  const FieldPicker<32> picker(wanted);
  ExpectPicksWhatFindFinds(picker, wanted, pool, 2);
}

}  // namespace
}  // namespace vigia
