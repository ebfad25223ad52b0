// The FTL engine's maps stay consistent through random workloads of
// writes, partial writes, trims and reads that keep GC busy, and GC never
// destroys what the request in flight still needs.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <string>

#include "ftl_harness.hpp"
#include "vbsim/ftl.hpp"

namespace vbsim::ftl {
namespace {

using namespace std::chrono_literals;

/// One configuration the random workload runs under.
struct MapCase {
	GcPolicy gc;
	bool separate;
	std::uint32_t channels;
	std::uint32_t luns;
};

/// Runs @p ops random operations on a small device under @p mc with
/// @p seed and checks the maps after every one of them.
void random_workload(const MapCase& mc, std::uint64_t seed, int ops)
{
	FtlConfig c;
	c.channels = mc.channels;
	c.luns_per_channel = mc.luns;
	c.pages_per_block = 16;
	c.gc = mc.gc;
	c.gc_separate = mc.separate;
	c.gc_low = 2;
	c.gc_high = 3;
	// 25% spare beyond what GC reserves, so GC works hard but can work.
	const std::uint64_t logical = 1024;
	const std::uint64_t physical =
		logical + logical / 4 + std::uint64_t{c.channels} * c.luns_per_channel * 4 * c.pages_per_block;
	Ftl ftl(c, logical, physical + 5); // a few store pages the FTL leaves unused
	ASSERT_LE(ftl.layout().physical_pages, physical + 5);
	test::CountingSink sink(ftl.layout().physical_pages);
	std::mt19937_64 rng(seed);
	auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
	std::chrono::nanoseconds now{0};

	for (int op = 0; op < ops; ++op) {
		ftl.begin_request();
		// Mostly to a hot quarter, so blocks empty at different rates.
		const std::uint64_t span = pick(4) == 0 ? logical : logical / 4;
		const std::uint64_t first = pick(span);
		const std::uint64_t n = std::min<std::uint64_t>(1 + pick(12), logical - first);
		const std::uint64_t kind = pick(10);
		if (kind < 7) {
			// A write whose first and last pages may be partial.
			const bool head = pick(3) == 0;
			const bool tail = pick(3) == 0;
			for (std::uint64_t i = 0; i < n; ++i) {
				const bool partial = (i == 0 && head) || (i == n - 1 && tail);
				const std::uint64_t old = ftl.lookup(first + i);
				const auto w = ftl.write(first + i, partial, now, sink);
				ASSERT_TRUE(w.has_value()) << "no space at op " << op;
				ASSERT_LT(w->ppn, ftl.layout().physical_pages);
				EXPECT_EQ(ftl.lookup(first + i), w->ppn);
				// The old version may have been moved by GC, but a
				// partial write's source is pinned where it was.
				if (partial)
					EXPECT_EQ(w->src_ppn, old);
				else
					EXPECT_EQ(w->src_ppn, kNoPage);
				EXPECT_GE(w->done, now);
			}
		} else if (kind < 9) {
			for (std::uint64_t i = 0; i < n; ++i) {
				ftl.trim(first + i);
				EXPECT_EQ(ftl.lookup(first + i), kNoPage);
			}
		} else {
			for (std::uint64_t i = 0; i < n; ++i)
				EXPECT_EQ(ftl.read(first + i, now).ppn, ftl.lookup(first + i));
		}
		now += 50us;
		ASSERT_TRUE(test::map_consistent(ftl)) << "after op " << op << " (seed " << seed << ")";
	}
	const FtlStats s = ftl.stats();
	EXPECT_GT(s.gc_victims, 10U) << "the workload must exercise GC";
	EXPECT_EQ(s.no_space, 0U);
	EXPECT_EQ(s.erases, s.gc_victims);
	EXPECT_EQ(sink.copies, s.gc_pages_copied);
	EXPECT_EQ(sink.trims, s.erases * c.pages_per_block);
}

TEST(FtlMap, stays_consistent_under_random_workloads)
{
	const MapCase cases[] = {
		{GcPolicy::greedy, true, 2, 2},
		{GcPolicy::greedy, false, 1, 1},
		{GcPolicy::cost_benefit, true, 2, 1},
		{GcPolicy::cost_benefit, false, 1, 3},
	};
	for (const MapCase& mc : cases)
		for (std::uint64_t seed = 1; seed <= 3; ++seed)
			random_workload(mc, seed, 3000);
}

/// A sink that records the pages GC touched.
class RecordingSink final : public FtlPageSink {
public:
	void copy(std::uint64_t src, std::uint64_t) override { touched.insert(src); }
	void trim(std::uint64_t ppn) override { touched.insert(ppn); }
	std::set<std::uint64_t> touched;
};

// A partial write's old page lies in the block greedy GC wants most, and
// GC runs during that very write: the block must survive this request
// (the kernel still has to merge from it) and go in the next one.
TEST(FtlMap, gc_spares_the_old_page_of_a_partial_write)
{
	FtlConfig c;
	c.channels = 1;
	c.luns_per_channel = 1;
	c.pages_per_block = 4;
	c.gc_separate = false;
	c.gc_low = 1;
	c.gc_high = 8; // reclaim everything reclaimable
	Ftl ftl(c, 24, 32);
	RecordingSink sink;
	auto write = [&](std::uint64_t lpn, bool partial) {
		ftl.begin_request();
		return *ftl.write(lpn, partial, 0ns, sink);
	};

	// Block 0 ends up with lpn 0 valid and three stale pages: the
	// emptiest block. Then fill every other block with valid pages
	// until only one free block is left, so the next write opens it
	// and runs GC.
	for (std::uint64_t lpn = 0; lpn < 4; ++lpn)
		write(lpn, false);
	for (std::uint64_t lpn = 1; lpn < 4; ++lpn)
		write(lpn, false);
	for (std::uint64_t lpn = 4; lpn < 24; ++lpn)
		write(lpn, false);
	write(4, false);
	ASSERT_EQ(ftl.lookup(0), 0U);
	ASSERT_EQ(ftl.stats().gc_invocations, 0U);
	ASSERT_EQ(ftl.free_blocks(0), 1U);

	const Ftl::Write w = write(0, true);
	ASSERT_EQ(ftl.stats().gc_invocations, 1U) << "this write must run GC";
	EXPECT_EQ(w.src_ppn, 0U);
	EXPECT_FALSE(sink.touched.contains(0)) << "GC erased the page the partial write merges from";
	EXPECT_TRUE(test::map_consistent(ftl));

	// Next request: block 0 holds nothing valid now, and goes.
	sink.touched.clear();
	for (std::uint64_t lpn = 5; !sink.touched.contains(0) && lpn < 24; ++lpn)
		write(lpn, false);
	EXPECT_TRUE(sink.touched.contains(0));
	EXPECT_TRUE(test::map_consistent(ftl));
}

} // namespace
} // namespace vbsim::ftl
