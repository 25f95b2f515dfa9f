#include "libs/views/figures.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace vanguard::views {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

v1::Tally Amounts(int64_t count, int64_t by_source) {
  v1::Tally t;
  AddCount(t, 3, count);
  v1::SourceAmount* s = t.add_funds_by_source();
  s->set_source_organisation_id("county");
  s->set_amount_fen(by_source);
  return t;
}

// A log written by something other than the writer may hold amounts that no
// decision allows. Sums past int64 wrap instead of being undefined, and the
// same events in another order still give the same tally.
TEST(FiguresTest, SumsPastTheLimitsWrapAndStayIndependentOfOrder) {
  v1::Tally forward;
  AddTally(forward, Amounts(kMax, kMax));
  AddTally(forward, Amounts(kMax, kMax));
  AddTally(forward, Amounts(5, 5), -1);

  v1::Tally backward;
  AddTally(backward, Amounts(5, 5), -1);
  AddTally(backward, Amounts(kMax, kMax));
  AddTally(backward, Amounts(kMax, kMax));

  EXPECT_EQ(forward.SerializeAsString(), backward.SerializeAsString());
  EXPECT_EQ(Count(forward, 3), -7);  // 2 * max - 5, modulo 2^64
  ASSERT_EQ(forward.funds_by_source_size(), 1);
  EXPECT_EQ(forward.funds_by_source(0).amount_fen(), -7);

  TallyValue value;
  value.Add(Amounts(kMin, kMin), -1);  // -min does not fit: wraps to min
  EXPECT_EQ(Count(value.ToProto(), 3), kMin);
  value.Add(Amounts(kMin, kMin), -1);
  EXPECT_TRUE(IsEmpty(value.ToProto()));
}

TEST(FiguresTest, WrappingArithmeticMatchesOrdinaryArithmeticInRange) {
  EXPECT_EQ(WrappingAdd(40, 2), 42);
  EXPECT_EQ(WrappingAdd(-40, 2), -38);
  EXPECT_EQ(WrappingSigned(-1, 7), -7);
  EXPECT_EQ(WrappingSigned(1, -7), -7);
  EXPECT_EQ(WrappingAdd(kMax, 1), kMin);
}

}  // namespace
}  // namespace vanguard::views
