// Turns the projector's tallies into the figures a level reads
// (vanguard.v1.LevelFigures), and ranks organisations by one of them.
//
//   v1::LevelFigures f = LevelFiguresOf(reader, OrganisationNode("township"), &township,
//                                       {.campaign = "", .period = "2010-Q3"}, as_of);
#pragma once

#include <cstdint>
#include <string>

#include "libs/views/view_store.h"
#include "vanguard/v1/view_records.pb.h"
#include "vanguard/v1/view_service.pb.h"

namespace vanguard::query {

struct BucketChoice {
  std::string campaign;
  std::string period;
};

// The figures of `node` in the bucket; `organisation` (when the node is one)
// is left out of its own structure counts. `as_of` is yyyymmdd: open pledges
// due before it are overdue.
v1::LevelFigures LevelFiguresOf(const views::ViewReader& reader, const std::string& node,
                                const v1::OrganisationRecord* organisation,
                                const BucketChoice& bucket, int32_t as_of);

// The value of one figure, for ranking.
int64_t FigureValue(const v1::LevelFigures& figures, v1::Figure figure);

}  // namespace vanguard::query
