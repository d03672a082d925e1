#include "clickhouse/clickhouse_ship_window.h"

#include <cassert>

namespace vigia::clickhouse {

void ShipWindow::Begin(uint64_t first, uint64_t last) {
  assert(first > watermark_ && first <= last);
  assert(ranges_.empty() || first > ranges_.back().last);
  ranges_.push_back(Range{first, last, false});
}

uint64_t ShipWindow::Complete(uint64_t first) {
  for (Range& r : ranges_) {
    if (r.first == first) {
      assert(!r.done);
      r.done = true;
      break;
    }
  }
  while (!ranges_.empty() && ranges_.front().done) {
    watermark_ = ranges_.front().last;
    ranges_.pop_front();
  }
  return watermark_;
}

}  // namespace vigia::clickhouse
