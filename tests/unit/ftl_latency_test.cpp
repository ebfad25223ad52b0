// NAND timing of the FTL: page latencies, striping over channels and
// LUNs, queueing on a busy die, and GC stalls in the write that runs GC.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "ftl_harness.hpp"
#include "vbsim/ftl.hpp"

namespace vbsim::ftl {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

/// A PageOps that drops everything: timing tests do not follow data.
class NullOps final : public model::PageOps {
public:
	void copy(std::uint64_t, std::uint64_t) override {}
	void trim(std::uint64_t) override {}
};

/// A request of whole pages.
model::Request pages(model::Op op, std::uint64_t first, std::uint32_t n)
{
	model::Request r;
	r.op = op;
	r.sector = first * 8;
	r.nr_sectors = n * 8;
	r.first_page = first;
	r.nr_pages = n;
	return r;
}

/// Runs @p r at @p now on @p m and returns the reply's delay.
nanoseconds run(FtlModel& m, const model::Request& r, nanoseconds now)
{
	std::vector<model::PageMap> maps(r.nr_pages);
	model::Reply reply;
	if (r.op != model::Op::flush && r.op != model::Op::discard)
		reply.maps = maps;
	NullOps ops;
	m.handle(r, now, reply, ops);
	EXPECT_EQ(reply.status, 0);
	return reply.delay;
}

FtlConfig two_by_two()
{
	FtlConfig c;
	c.channels = 2;
	c.luns_per_channel = 2;
	c.pages_per_block = 16;
	c.xfer_lat = 10us;
	return c;
}

TEST(FtlLatency, page_operations_take_their_nand_time)
{
	FtlModel m(two_by_two());
	m.start({1024, 2048, 8, 257});
	// Unmapped: no NAND work at all.
	EXPECT_EQ(run(m, pages(model::Op::read, 0, 1), 0ns), 0ns);
	// Idle die: transfer then program; sense then transfer.
	EXPECT_EQ(run(m, pages(model::Op::write, 0, 1), 1s), 10us + 200us);
	EXPECT_EQ(run(m, pages(model::Op::read, 0, 1), 2s), 40us + 10us);
	EXPECT_EQ(run(m, pages(model::Op::flush, 0, 0), 3s), 10us);
	EXPECT_EQ(run(m, pages(model::Op::discard, 0, 1), 4s), 0ns);
}

TEST(FtlLatency, writes_stripe_over_channels_and_luns)
{
	FtlModel m(two_by_two());
	m.start({1024, 2048, 8, 257});
	// Four pages: one per die; the two dies of a channel share its bus,
	// so the second transfer on a channel waits 10us for the first.
	EXPECT_EQ(run(m, pages(model::Op::write, 0, 4), 1s), 20us + 200us);
	// Eight pages: two programs queue on every die.
	EXPECT_EQ(run(m, pages(model::Op::write, 100, 8), 2s), 20us + 400us);
	// Reading them back: every die senses twice, and the four dies'
	// transfers then share two channels.
	const nanoseconds read = run(m, pages(model::Op::read, 100, 8), 3s);
	EXPECT_GE(read, 2 * 40us + 10us);
	EXPECT_LT(read, 8 * (40us + 10us));
}

TEST(FtlLatency, a_busy_die_delays_the_next_request)
{
	FtlModel m(two_by_two());
	m.start({1024, 2048, 8, 257});
	EXPECT_EQ(run(m, pages(model::Op::write, 0, 4), 1s), 20us + 200us);
	// 100us later page 0's die is still programming for another 110us
	// (its data crossed the channel first, at 10us).
	EXPECT_EQ(run(m, pages(model::Op::read, 0, 1), 1s + 100us), 110us + 40us + 10us);
}

// A write that runs GC waits for the copies and the erase before its own
// program: its delay is at least the erase time; the writes around it
// that did not collect are far quicker.
TEST(FtlLatency, a_write_that_runs_gc_waits_for_the_erase)
{
	FtlConfig c;
	c.channels = 1;
	c.luns_per_channel = 1;
	c.pages_per_block = 16;
	FtlModel m(c);
	m.start({512, 640, 8, 257});
	std::uint64_t state = 1;
	nanoseconds now{0};
	int stalls = 0;
	for (int i = 0; i < 4000; ++i) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		const std::uint64_t lpn = (state >> 33) % 512;
		const std::uint64_t erases = m.engine()->stats().erases;
		const nanoseconds delay = run(m, pages(model::Op::write, lpn, 1), now);
		if (m.engine()->stats().erases > erases) {
			EXPECT_GE(delay, c.erase_lat) << "write " << i << " ran GC";
			++stalls;
		} else {
			EXPECT_EQ(delay, c.prog_lat) << "write " << i << " did not";
		}
		now += delay; // one request at a time: the die is idle again
	}
	EXPECT_GT(stalls, 50);
}

TEST(FtlLatency, stats_report_the_counters)
{
	FtlModel m(two_by_two());
	EXPECT_EQ(m.stats()["started"], false);
	m.start({1024, 2048, 8, 257});
	run(m, pages(model::Op::write, 0, 8), 0ns);
	run(m, pages(model::Op::read, 0, 4), 1s);
	run(m, pages(model::Op::discard, 0, 2), 2s);
	const nlohmann::json s = m.stats();
	EXPECT_EQ(s["host_pages_written"], 8);
	EXPECT_EQ(s["host_pages_read"], 4);
	EXPECT_EQ(s["host_pages_trimmed"], 2);
	EXPECT_EQ(s["waf"], 1.0);
	EXPECT_EQ(s["layout"]["channels"], 2);
	EXPECT_EQ(s["layout"]["blocks_per_lun"], 32);
	EXPECT_EQ(s["layout"]["gc"], "greedy");
	EXPECT_EQ(s["erase_count"]["max"], 0);
}

} // namespace
} // namespace vbsim::ftl
