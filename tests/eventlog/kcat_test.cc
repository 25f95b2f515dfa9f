// Another Kafka client sees what Vanguard writes: kcat lists the topic of
// `vanguard dev-kafka` and reads an event Vanguard appended, and protoc
// decodes it with the published contract.
#include <signal.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/testing.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

using ::testing::HasSubstr;
using vanguard::testing::RunShell;
using vanguard::testing::Subprocess;

TEST(KcatTest, ReadsAndDecodesAnEventVanguardAppendedToDevKafka) {
  Subprocess broker({VANGUARD_BINARY, "dev-kafka", "--brokers=3", "--partitions=12"});
  std::string bootstrap = broker.ReadLine();
  ASSERT_THAT(bootstrap, HasSubstr("127.0.0.1:"));

  auto log = eventlog::OpenKafkaLog({.brokers = bootstrap, .partitions = 12},
                                    absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<eventlog::SealedRecord> chain = eventlog::testing::SampleChain("org-tree", 1);
  auto positions = (*log)->Append({&chain[0].record, 1}, absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(positions.ok()) << positions.status();
  int32_t partition = positions->front().partition;

  int code = 0;
  std::string listing = RunShell(absl::StrCat("kcat -L -b ", bootstrap, " -m 10"), &code);
  ASSERT_EQ(code, 0) << listing;
  EXPECT_THAT(listing, HasSubstr("topic \"vanguard.events.v1\" with 12 partitions"));
  EXPECT_THAT(listing, HasSubstr("3 brokers"));

  std::string read = absl::StrCat("kcat -C -q -b ", bootstrap, " -t vanguard.events.v1 -p ",
                                  partition, " -o ", positions->front().offset, " -c 1 -e");
  std::string headers = RunShell(read + " -f '%k|%h'", &code);
  ASSERT_EQ(code, 0) << headers;
  EXPECT_THAT(headers, HasSubstr("org-tree|"));
  EXPECT_THAT(headers, HasSubstr("ce_specversion=1.0"));
  EXPECT_THAT(headers, HasSubstr("ce_type=vanguard.v1.OrganisationRegistered"));
  EXPECT_THAT(headers, HasSubstr("content-type=application/protobuf"));

  std::string value = RunShell(read + " -f '%s'", &code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(value, chain[0].record.value) << "kcat must see the stored bytes exactly";

  eventlog::testing::ScopedTempDir dir;
  v1::Sealed sealed;
  ASSERT_TRUE(sealed.ParseFromString(value));
  std::ofstream(dir.path() + "/envelope.bin", std::ios::binary) << sealed.envelope();
  std::ofstream(dir.path() + "/record.bin", std::ios::binary) << value;
  std::string protoc =
      absl::StrCat("protoc -I ", VANGUARD_PROTO_ROOT, " vanguard/v1/envelope.proto");

  std::string envelope = RunShell(
      absl::StrCat(protoc, " --decode=vanguard.v1.Envelope < ", dir.path(), "/envelope.bin"),
      &code);
  ASSERT_EQ(code, 0) << envelope;
  EXPECT_THAT(envelope,
              HasSubstr(absl::StrCat("event_id: \"", chain[0].record.cloud_event.id, "\"")));
  EXPECT_THAT(envelope, HasSubstr("aggregate_type: AGGREGATE_TYPE_ORG_TREE"));
  EXPECT_THAT(envelope, HasSubstr("organisation_registered {"));
  EXPECT_THAT(envelope, HasSubstr("sector: SECTOR_VILLAGE"));

  std::string record = RunShell(
      absl::StrCat(protoc, " --decode=vanguard.v1.SealedView < ", dir.path(), "/record.bin"),
      &code);
  ASSERT_EQ(code, 0) << record;
  EXPECT_THAT(record, HasSubstr("envelope {"));
  EXPECT_THAT(record, HasSubstr("aggregate_version: 1"));

  log->reset();
  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(), 0);
}

}  // namespace
}  // namespace vanguard
