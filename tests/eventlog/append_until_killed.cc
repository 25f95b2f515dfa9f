// Appends to an embedded log from several threads until killed, printing each
// acknowledged record as "partition offset key value" on stdout, after Append
// returned. crash_test.cc kills it with SIGKILL and checks every printed
// record is in the log.
#include <stdio.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: append_until_killed DIR ROUND\n");
    return 2;
  }
  auto log = vanguard::eventlog::OpenEmbeddedLog({.path = argv[1], .partitions = 4});
  if (!log.ok()) {
    fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  std::mutex out;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        std::vector<vanguard::eventlog::Record> batch;
        for (int j = 0; j <= i % 3; ++j) {
          batch.push_back(vanguard::eventlog::testing::RawRecord(
              absl::StrCat("writer-", t), absl::StrCat("round", argv[2], "-", t, "-", i, "-", j)));
        }
        auto positions = (*log)->Append(batch, absl::InfiniteFuture());
        if (!positions.ok()) {
          fprintf(stderr, "%s\n", positions.status().ToString().c_str());
          std::exit(1);
        }
        std::lock_guard<std::mutex> lock(out);
        for (size_t k = 0; k < batch.size(); ++k) {
          printf("%d %lld %s %s\n", (*positions)[k].partition,
                 static_cast<long long>((*positions)[k].offset), batch[k].key.c_str(),
                 batch[k].value.c_str());
        }
        fflush(stdout);
      }
    });
  }
  for (auto& w : writers) w.join();
}
