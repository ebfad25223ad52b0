// HddModel's timing, TraceModel's file, and replaying a trace.
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

/// PageOps that must not be used.
class NoPageOps final : public PageOps {
public:
	void copy(std::uint64_t, std::uint64_t) override { ADD_FAILURE() << "copy"; }
	void trim(std::uint64_t) override { ADD_FAILURE() << "trim"; }
};

/// A read of @p sectors sectors at @p sector.
Request read_at(std::uint64_t sector, std::uint32_t sectors = 8)
{
	Request r;
	r.op = Op::read;
	r.sector = sector;
	r.nr_sectors = sectors;
	r.first_page = sector / 8;
	r.nr_pages = static_cast<std::uint32_t>((sector + sectors - 1) / 8 - sector / 8 + 1);
	return r;
}

/// An HDD of 1 GiB (262144 pages) at 7200 rpm.
class HddTest : public ::testing::Test {
protected:
	HddTest() : hdd(HddConfig{}) { hdd.start(Geometry{.logical_pages = 262144, .physical_pages = 262144}); }

	/// Service time of @p r issued at @p now with the disk idle.
	nanoseconds serve(const Request& r, nanoseconds now)
	{
		std::vector<PageMap> maps(r.nr_pages);
		Reply reply;
		reply.maps = maps;
		hdd.handle(r, now, reply, ops);
		EXPECT_EQ(reply.status, 0);
		EXPECT_EQ(maps.front().ppn, r.first_page); // identity mapping
		return reply.delay;
	}

	HddModel hdd;
	NoPageOps ops;
};

TEST_F(HddTest, geometry_follows_rate_and_rpm)
{
	EXPECT_EQ(hdd.revolution(), nanoseconds(8333333));
	// 150 MB/s during one revolution, in whole sectors.
	EXPECT_EQ(hdd.track_bytes(), 1249792U);
	EXPECT_EQ(hdd.tracks(), (1ULL << 30) / 1249792 + 1);
	EXPECT_EQ(hdd.seek_time(0), 0ns);
	EXPECT_EQ(hdd.seek_time(1), 800us);
	EXPECT_EQ(hdd.seek_time(hdd.tracks() - 1), 15ms);
	EXPECT_LT(hdd.seek_time(10), hdd.seek_time(100));
}

TEST_F(HddTest, latency_grows_with_seek_distance)
{
	// Average over many rotational positions so the seek term dominates.
	const auto mean_latency = [&](std::uint64_t distance_sectors) {
		nanoseconds sum{0};
		nanoseconds now{1'000'000'000};
		for (int i = 0; i < 64; i++) {
			(void)serve(read_at(0), now); // head back to track 0
			now += 100ms;
			sum += serve(read_at(distance_sectors), now + nanoseconds(i * 130'171));
			now += 100ms;
		}
		return sum / 64;
	};
	const nanoseconds near = mean_latency(800);            // same track
	const nanoseconds mid = mean_latency(8 * 20000);       // a few tracks
	const nanoseconds far = mean_latency(2'000'000 - 8);   // most of the disk
	EXPECT_LT(near, mid);
	EXPECT_LT(mid, far);
}

TEST_F(HddTest, an_idle_request_takes_at_most_seek_plus_one_rotation_plus_transfer)
{
	nanoseconds now{5'000'000'000};
	const nanoseconds transfer(static_cast<std::int64_t>(4096 / 150e6 * 1e9));
	for (std::uint64_t sector : {0ULL, 4096ULL, 1'000'000ULL, 2'097'144ULL, 77ULL}) {
		const nanoseconds d = serve(read_at(sector), now);
		EXPECT_GE(d, transfer) << sector;
		EXPECT_LE(d, 15ms + hdd.revolution() + transfer + 1us) << sector;
		now += 1s;
	}
}

TEST_F(HddTest, requests_on_one_spindle_queue_behind_each_other)
{
	const nanoseconds now{7'000'000'000};
	const nanoseconds first = serve(read_at(0), now);
	const nanoseconds second = serve(read_at(2'000'000), now); // issued at the same time
	EXPECT_GE(second, first + 800us);
	// A flush waits for both; a discard does not.
	Request flush;
	flush.op = Op::flush;
	Reply reply;
	hdd.handle(flush, now, reply, ops);
	EXPECT_EQ(reply.delay, second);
	EXPECT_EQ(hdd.stats()["media_ops"], 2);
}

TEST(HddConfigTest, problems_are_named)
{
	EXPECT_EQ(hdd_config_problem(HddConfig{}), "");
	EXPECT_NE(hdd_config_problem(HddConfig{.rpm = 10}), "");
	EXPECT_NE(hdd_config_problem(HddConfig{.seek_full = 1ms, .seek_track = 2ms}), "");
	EXPECT_NE(hdd_config_problem(HddConfig{.transfer_rate = 0}), "");
	EXPECT_THROW(HddModel(HddConfig{.rpm = 0}), std::invalid_argument);
}

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
