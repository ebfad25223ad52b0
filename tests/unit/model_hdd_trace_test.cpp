// TraceModel's file and replaying a trace (HddModel's own tests are
// model_hdd_test.cpp).
#include <cerrno>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "cli_harness.hpp"
#include "test_bytes.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/model_runner.hpp"
#include "vbsim/models.hpp"
#include "vbsim/trace_replay.hpp"

namespace vbsim::model {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(TraceFormat, records_round_trip_and_bad_lines_are_named)
{
	const TraceRecord r{.time_ns = 12, .op = Op::write_zeroes, .sector = 9, .sectors = 3, .fua = true,
			    .latency_ns = 77, .status = -5};
	EXPECT_EQ(format_trace_record(r), "12,write_zeroes,9,3,1,77,-5");
	std::istringstream in("# comment\n" + std::string(kTraceHeader) + "\n" + format_trace_record(r) + "\n");
	EXPECT_EQ(read_trace(in), std::vector<TraceRecord>{r});

	std::istringstream no_header("1,read,0,8,0,0,0\n");
	EXPECT_THROW((void)read_trace(no_header), std::invalid_argument);
	std::istringstream bad_op(std::string(kTraceHeader) + "\n1,erase,0,8,0,0,0\n");
	try {
		(void)read_trace(bad_op);
		FAIL();
	} catch (const std::invalid_argument& e) {
		EXPECT_STREQ(e.what(), "trace line 2: unknown operation 'erase'");
	}
	std::istringstream short_line(std::string(kTraceHeader) + "\n1,read,0\n");
	EXPECT_THROW((void)read_trace(short_line), std::invalid_argument);
}

/// A replay target that records what it is asked.
class RecordingTarget final : public ReplayTarget {
public:
	int read(std::uint64_t o, std::uint64_t l) override { return note(Op::read, o, l); }
	int write(std::uint64_t o, std::uint64_t l, bool) override { return note(Op::write, o, l); }
	int flush() override { return note(Op::flush, 0, 0); }
	int discard(std::uint64_t o, std::uint64_t l) override { return note(Op::discard, o, l); }
	int write_zeroes(std::uint64_t o, std::uint64_t l) override { return note(Op::write_zeroes, o, l); }

	struct Io {
		Op op;
		std::uint64_t offset;
		std::uint64_t length;
		friend bool operator==(const Io&, const Io&) = default;
	};
	std::vector<Io> ios;

private:
	int note(Op op, std::uint64_t o, std::uint64_t l)
	{
		ios.push_back({op, o, l});
		return 0;
	}
};

TEST(TraceModel, records_every_request_and_replay_reissues_them)
{
	test::TempDir dir;
	const std::string file = dir.file("trace.csv");
	FakeModelKernel kernel;
	kernel.add_disk(0, 64, 64);
	{
		TraceModel model(std::make_unique<HddModel>(HddConfig{}), file);
		ModelRunner runner(kernel, 0, model, {.poll = 20ms});
		runner.start();
		EXPECT_EQ(kernel.write(0, 3, test::filled(5 * 512, 1), true).status, 0);
		EXPECT_EQ(kernel.read(0, 400, 16).status, 0);
		EXPECT_EQ(kernel.wait(kernel.submit(0, Op::flush, 0, 0)).status, 0);
		EXPECT_EQ(kernel.wait(kernel.submit(0, Op::discard, 16, 8)).status, 0);
		EXPECT_EQ(kernel.wait(kernel.submit(0, Op::write_zeroes, 32, 8)).status, 0);
		runner.stop();
		runner.join();
		EXPECT_EQ(model.stats()["trace"]["records"], 5);
		EXPECT_EQ(model.stats()["media_ops"], 3); // the hdd's own statistics pass through
	}
	std::ifstream in(file);
	const std::vector<TraceRecord> records = read_trace(in);
	ASSERT_EQ(records.size(), 5U);
	EXPECT_EQ(records[0].op, Op::write);
	EXPECT_EQ(records[0].sector, 3U);
	EXPECT_EQ(records[0].sectors, 5U);
	EXPECT_TRUE(records[0].fua);
	EXPECT_GT(records[0].latency_ns, 0U); // the hdd model's service time
	EXPECT_EQ(records[1].op, Op::read);
	EXPECT_EQ(records[2].op, Op::flush);
	EXPECT_EQ(records[3].op, Op::discard);
	EXPECT_EQ(records[4].op, Op::write_zeroes);
	for (std::size_t i = 1; i < records.size(); i++)
		EXPECT_GE(records[i].time_ns, records[i - 1].time_ns);

	RecordingTarget target;
	const ReplaySummary s = replay(records, target, ReplayOptions{.as_fast_as_possible = true});
	const std::vector<RecordingTarget::Io> expect = {
		{Op::write, 3 * 512, 5 * 512}, {Op::read, 400 * 512, 16 * 512}, {Op::flush, 0, 0},
		{Op::discard, 16 * 512, 8 * 512}, {Op::write_zeroes, 32 * 512, 8 * 512}};
	EXPECT_EQ(target.ios, expect);
	EXPECT_EQ(s.total_ios(), 5U);
	EXPECT_EQ(s.status_mismatches, 0U);
}

TEST(TraceReplay, keeps_the_recorded_pace_scaled_by_speed)
{
	const std::vector<TraceRecord> records = {
		{.time_ns = 0, .op = Op::flush}, {.time_ns = 60'000'000, .op = Op::flush}};
	RecordingTarget target;
	ReplaySummary s = replay(records, target, ReplayOptions{.speed = 1.0});
	EXPECT_GE(s.elapsed, 60ms);
	s = replay(records, target, ReplayOptions{.speed = 3.0});
	EXPECT_GE(s.elapsed, 20ms);
	EXPECT_LT(s.elapsed, 60ms);
	EXPECT_THROW(replay(records, target, ReplayOptions{.speed = 0}), std::invalid_argument);
}

TEST(TraceReplay, against_a_file_writes_and_reads_its_ranges)
{
	test::TempDir dir;
	const std::string path = dir.file("disk.img");
	{
		std::ofstream f(path, std::ios::binary);
		f << std::string(64 * 1024, '\0');
	}
	const std::vector<TraceRecord> records = {
		{.op = Op::write, .sector = 8, .sectors = 8},
		{.op = Op::read, .sector = 8, .sectors = 8},
		{.op = Op::read, .sector = 1000, .sectors = 8, .status = -EIO}, // past the end, as recorded
	};
	FileReplayTarget target(path, false);
	const ReplaySummary s = replay(records, target, ReplayOptions{.as_fast_as_possible = true});
	EXPECT_EQ(s.errors[static_cast<int>(Op::read)], 1U);
	EXPECT_EQ(s.status_mismatches, 0U);
	std::ifstream f(path, std::ios::binary);
	std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	std::uint64_t first = 0;
	std::memcpy(&first, data.data() + 4096, 8);
	EXPECT_EQ(first, 4096U); // the pattern names the offset
	EXPECT_EQ(data.size(), 64U * 1024);
}

} // namespace
} // namespace vbsim::model
