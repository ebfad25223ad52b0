// Shared helpers of the FTL tests: a map-consistency checker, a page sink
// that only counts, and a workload clock.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vbsim/ftl.hpp"

namespace vbsim::ftl::test {

/// A sink for engine-level tests that do not follow the data: counts the
/// operations GC emitted and checks that each names a page in range.
class CountingSink final : public FtlPageSink {
public:
	explicit CountingSink(std::uint64_t physical_pages) : physical_pages_(physical_pages) {}
	void copy(std::uint64_t src, std::uint64_t dst) override
	{
		EXPECT_LT(src, physical_pages_);
		EXPECT_LT(dst, physical_pages_);
		++copies;
	}
	void trim(std::uint64_t ppn) override
	{
		EXPECT_LT(ppn, physical_pages_);
		++trims;
	}
	std::uint64_t copies = 0;
	std::uint64_t trims = 0;

private:
	std::uint64_t physical_pages_;
};

/// Checks every invariant of the engine's maps, from its public view
/// only, so the checker does not share the engine's bookkeeping:
///
///  * every mapped logical page maps to a physical page in range, no two
///    to the same one, and that page's reverse entry names it back;
///  * every reverse entry names a logical page that maps to it;
///  * a mapped page lies in a programmed part of a non-free block;
///  * each block's valid count is the number of pages mapped into it;
///    pages past its write pointer (free pages) are unowned;
///  * free blocks have nothing written; each LUN has at most one open
///    block, and its free count is the number of its free blocks.
///
/// Returns the first violation found, or success.
inline ::testing::AssertionResult map_consistent(const Ftl& ftl)
{
	const FtlLayout& l = ftl.layout();
	const std::uint32_t np = l.pages_per_block;
	std::vector<std::uint32_t> valid(l.blocks(), 0);
	std::vector<bool> used(l.physical_pages, false);

	for (std::uint64_t lpn = 0; lpn < l.logical_pages; ++lpn) {
		const std::uint64_t ppn = ftl.lookup(lpn);
		if (ppn == kNoPage)
			continue;
		if (ppn >= l.physical_pages)
			return ::testing::AssertionFailure() << "lpn " << lpn << " maps to ppn " << ppn
							     << " beyond " << l.physical_pages;
		if (used[ppn])
			return ::testing::AssertionFailure() << "ppn " << ppn << " is mapped twice";
		used[ppn] = true;
		if (ftl.owner(ppn) != lpn)
			return ::testing::AssertionFailure() << "lpn " << lpn << " -> ppn " << ppn
							     << " but reverse map says " << ftl.owner(ppn);
		const FtlBlockInfo b = ftl.block(ppn / np);
		if (b.state == FtlBlockInfo::State::free || ppn % np >= b.written)
			return ::testing::AssertionFailure() << "lpn " << lpn << " maps to unwritten ppn " << ppn;
		++valid[ppn / np];
	}
	for (std::uint64_t ppn = 0; ppn < l.physical_pages; ++ppn) {
		const std::uint64_t lpn = ftl.owner(ppn);
		if (lpn != kNoPage && (lpn >= l.logical_pages || ftl.lookup(lpn) != ppn))
			return ::testing::AssertionFailure() << "ppn " << ppn << " claims lpn " << lpn
							     << " which does not map back";
	}
	for (std::uint32_t lun = 0; lun < l.luns(); ++lun) {
		std::uint64_t free = 0;
		std::uint64_t open = 0;
		for (std::uint64_t b = std::uint64_t{lun} * l.blocks_per_lun; b < (lun + 1ULL) * l.blocks_per_lun;
		     ++b) {
			const FtlBlockInfo info = ftl.block(b);
			if (info.valid != valid[b])
				return ::testing::AssertionFailure() << "block " << b << " counts " << info.valid
								     << " valid pages, the map has " << valid[b];
			if (info.written > np)
				return ::testing::AssertionFailure() << "block " << b << " wrote " << info.written;
			for (std::uint32_t p = info.written; p < np; ++p)
				if (ftl.owner(b * np + p) != kNoPage)
					return ::testing::AssertionFailure()
					       << "free page " << b * np + p << " of block " << b << " is owned";
			if (info.state == FtlBlockInfo::State::free) {
				++free;
				if (info.written != 0)
					return ::testing::AssertionFailure() << "free block " << b << " has "
									     << info.written << " pages written";
			} else if (info.state == FtlBlockInfo::State::open) {
				++open;
			} else if (info.written != np) {
				return ::testing::AssertionFailure() << "full block " << b << " has only "
								     << info.written << " pages written";
			}
		}
		if (open > (ftl.config().gc_separate ? 2U : 1U))
			return ::testing::AssertionFailure() << "LUN " << lun << " has " << open << " open blocks";
		if (free != ftl.free_blocks(lun))
			return ::testing::AssertionFailure() << "LUN " << lun << " lists " << ftl.free_blocks(lun)
							     << " free blocks, " << free << " are free";
	}
	return ::testing::AssertionSuccess();
}

} // namespace vbsim::ftl::test
