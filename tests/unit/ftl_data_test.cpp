// Data integrity through FtlModel: a tiny page store stands in for the
// kernel, applying the model's answers and GC's page operations in the
// order the runner promises (operations emitted during handle() first,
// then that request's answer), and every read must return what was last
// written, sector by sector.
#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "ftl_harness.hpp"
#include "vbsim/ftl.hpp"

namespace vbsim::ftl {
namespace {

using namespace std::chrono_literals;
using model::kNoPage;

constexpr std::uint32_t kSectorsPerPage = 8;

/// A page's contents at sector granularity: one tag per 512-byte sector
/// (0 = zeros). Tags are unique per written sector, so a misplaced page,
/// a lost merge or a stale copy shows as a wrong tag.
using Page = std::array<std::uint64_t, kSectorsPerPage>;

/// The kernel's physical store, as far as the model can observe it.
class PageStore final : public model::PageOps {
public:
	explicit PageStore(std::uint64_t pages) : pages_(pages, Page{}) {}

	void copy(std::uint64_t src, std::uint64_t dst) override { at(dst) = at(src); }
	void trim(std::uint64_t ppn) override { at(ppn) = Page{}; }

	/// The contents of @p ppn, zeros for kNoPage.
	[[nodiscard]] Page read(std::uint64_t ppn)
	{
		return ppn == kNoPage ? Page{} : at(ppn);
	}
	Page& at(std::uint64_t ppn)
	{
		EXPECT_LT(ppn, pages_.size()) << "page beyond the store";
		return pages_.at(ppn);
	}

private:
	std::vector<Page> pages_;
};

/// A request the way the runner builds it from sectors.
model::Request make_request(model::Op op, std::uint64_t sector, std::uint32_t nr_sectors)
{
	model::Request r;
	r.op = op;
	r.sector = sector;
	r.nr_sectors = nr_sectors;
	r.sectors_per_page = kSectorsPerPage;
	r.first_page = sector / kSectorsPerPage;
	r.nr_pages = nr_sectors == 0
			     ? 0
			     : static_cast<std::uint32_t>((sector + nr_sectors - 1) / kSectorsPerPage - r.first_page + 1);
	return r;
}

/// Drives an FtlModel and the store like the runner and the kernel, and
/// keeps the expected contents of every logical sector.
class Harness {
public:
	Harness(const FtlConfig& config, std::uint64_t logical_pages, std::uint64_t store_pages)
		: model_(config), store_(store_pages), expect_(logical_pages * kSectorsPerPage, 0),
		  known_(logical_pages * kSectorsPerPage, true)
	{
		model_.start({logical_pages, store_pages, kSectorsPerPage, 257});
	}

	/// Writes @p nr sectors from @p sector with fresh tags (zeros for
	/// write_zeroes).
	void write(std::uint64_t sector, std::uint32_t nr, bool zeroes)
	{
		model::Request r = make_request(zeroes ? model::Op::write_zeroes : model::Op::write, sector, nr);
		std::vector<model::PageMap> maps(r.nr_pages);
		model::Reply reply;
		reply.maps = maps;
		model_.handle(r, now_, reply, store_);
		ASSERT_EQ(reply.status, 0);
		ASSERT_GE(reply.delay.count(), 0);
		// The answer commits after GC's operations: build each new page
		// from its source (partial) or zeros, then the covered sectors.
		for (std::uint32_t i = 0; i < r.nr_pages; ++i) {
			ASSERT_NE(maps[i].ppn, kNoPage);
			Page page = r.partial(i) ? store_.read(maps[i].src_ppn) : Page{};
			const std::uint64_t base = (r.first_page + i) * kSectorsPerPage;
			for (std::uint32_t s = 0; s < kSectorsPerPage; ++s) {
				const std::uint64_t sec = base + s;
				if (sec < sector || sec >= sector + nr)
					continue;
				page[s] = zeroes ? 0 : ++tag_;
				expect_[sec] = page[s];
				known_[sec] = true;
			}
			store_.at(maps[i].ppn) = page;
		}
		now_ += reply.delay / 4; // a few requests overlap
	}

	/// Discards: whole pages read as zeros afterwards; the sectors of a
	/// partly covered page are left to the drive (not checked until
	/// written again).
	void discard(std::uint64_t sector, std::uint32_t nr)
	{
		const model::Request r = make_request(model::Op::discard, sector, nr);
		model::Reply reply;
		model_.handle(r, now_, reply, store_);
		ASSERT_EQ(reply.status, 0);
		for (std::uint32_t i = 0; i < r.nr_pages; ++i) {
			const std::uint64_t base = (r.first_page + i) * kSectorsPerPage;
			for (std::uint32_t s = 0; s < kSectorsPerPage; ++s) {
				const std::uint64_t sec = base + s;
				if (sec < sector || sec >= sector + nr)
					continue;
				expect_[sec] = 0;
				known_[sec] = !r.partial(i);
			}
		}
	}

	/// Reads @p nr sectors from @p sector and compares them.
	void read(std::uint64_t sector, std::uint32_t nr)
	{
		const model::Request r = make_request(model::Op::read, sector, nr);
		std::vector<model::PageMap> maps(r.nr_pages);
		model::Reply reply;
		reply.maps = maps;
		model_.handle(r, now_, reply, store_);
		ASSERT_EQ(reply.status, 0);
		for (std::uint32_t i = 0; i < r.nr_pages; ++i) {
			const Page page = store_.read(maps[i].ppn);
			const std::uint64_t base = (r.first_page + i) * kSectorsPerPage;
			for (std::uint32_t s = 0; s < kSectorsPerPage; ++s) {
				const std::uint64_t sec = base + s;
				if (sec < sector || sec >= sector + nr || !known_[sec])
					continue;
				ASSERT_EQ(page[s], expect_[sec]) << "sector " << sec << " (page " << r.first_page + i
								 << " at ppn " << maps[i].ppn << ")";
			}
		}
	}

	[[nodiscard]] const Ftl& engine() const { return *model_.engine(); }
	[[nodiscard]] std::uint64_t sectors() const { return expect_.size(); }

private:
	FtlModel model_;
	PageStore store_;
	std::vector<std::uint64_t> expect_;
	std::vector<bool> known_;
	std::uint64_t tag_ = 0;
	std::chrono::nanoseconds now_{0};
};

/// Random sector-granular writes (partial pages at both ends), zeroing,
/// discards and reads, large enough to run GC inside multi-page requests.
void random_data_workload(const FtlConfig& config, std::uint64_t seed)
{
	const std::uint64_t logical = 768;
	Harness h(config, logical, 1280);
	std::mt19937_64 rng(seed);
	auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
	for (int op = 0; op < 4000; ++op) {
		const std::uint64_t sector = pick(h.sectors());
		const auto len = static_cast<std::uint32_t>(
			std::min<std::uint64_t>(1 + pick(pick(8) == 0 ? 512 : 40), h.sectors() - sector));
		const std::uint64_t kind = pick(20);
		if (kind < 12)
			h.write(sector, len, false);
		else if (kind < 13)
			h.write(sector, len, true);
		else if (kind < 15)
			h.discard(sector, len);
		else
			h.read(sector, len);
		if (::testing::Test::HasFatalFailure())
			return;
	}
	for (std::uint64_t s = 0; s < h.sectors(); s += 256)
		h.read(s, 256);
	EXPECT_GT(h.engine().stats().gc_victims, 20U) << "the workload must exercise GC";
	EXPECT_TRUE(test::map_consistent(h.engine()));
}

TEST(FtlData, reads_return_what_was_written_through_gc)
{
	for (const bool separate : {true, false})
		for (const GcPolicy gc : {GcPolicy::greedy, GcPolicy::cost_benefit})
			for (std::uint64_t seed = 1; seed <= 2; ++seed) {
				FtlConfig c;
				c.channels = 2;
				c.luns_per_channel = 2;
				c.pages_per_block = 16;
				c.gc = gc;
				c.gc_separate = separate;
				c.gc_low = 2;
				c.gc_high = 3;
				SCOPED_TRACE(::testing::Message() << gc_policy_name(gc) << (separate ? " separate" : " shared")
								  << " seed " << seed);
				random_data_workload(c, seed);
			}
}

TEST(FtlData, unwritten_and_discarded_pages_read_as_zeros)
{
	FtlConfig c;
	c.channels = 1;
	c.luns_per_channel = 1;
	c.pages_per_block = 8;
	Harness h(c, 64, 128);
	h.read(0, 64 * 8);
	h.write(8, 24, false); // pages 1..3
	h.read(0, 64 * 8);
	h.discard(8, 16); // pages 1..2 whole
	EXPECT_EQ(h.engine().lookup(1), kNoPage);
	EXPECT_EQ(h.engine().lookup(2), kNoPage);
	EXPECT_NE(h.engine().lookup(3), kNoPage);
	h.read(0, 64 * 8);
	h.discard(28, 2); // inside page 3: not unmapped
	EXPECT_NE(h.engine().lookup(3), kNoPage);
}

} // namespace
} // namespace vbsim::ftl
