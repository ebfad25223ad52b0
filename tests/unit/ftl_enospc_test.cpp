// The ftl model when the flash runs out of room: a write it answers with
// -ENOSPC moves no data, so it must not move any logical page either.
// Driven through ModelRunner and FakeModelKernel, which keeps the bytes,
// so a page remapped to a physical page the kernel never filled reads
// back as zeros and fails the comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "test_bytes.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/ftl.hpp"
#include "vbsim/model_runner.hpp"

namespace vbsim::ftl {
namespace {

using namespace std::chrono_literals;
using model::FakeModelKernel;

constexpr std::uint64_t kLogicalPages = 64;
constexpr std::uint32_t kSectorsPerPage = 8;
constexpr std::uint64_t kSectors = kLogicalPages * kSectorsPerPage;

/// The tightest layout the planner accepts: one LUN, shared GC stream,
/// gc-low 1, so two spare blocks. Large rewrites pin the blocks they
/// write to, GC soon finds no victim, and writes fail with -ENOSPC.
FtlConfig tight_config()
{
	FtlConfig c;
	c.channels = 1;
	c.luns_per_channel = 1;
	c.pages_per_block = 4;
	c.gc_separate = false;
	c.gc_low = 1;
	c.gc_high = 1;
	c.read_lat = 0ns;
	c.prog_lat = 0ns;
	c.erase_lat = 0ns;
	c.flush_lat = 0ns;
	return c;
}

/// An ftl model on disk 0 of a fake kernel, with a shadow of what the
/// host has written and seen succeed.
class FullDisk : public ::testing::Test {
protected:
	FullDisk()
	{
		kernel_.add_disk(0, kLogicalPages, kLogicalPages + 2 * 4);
		runner_.emplace(kernel_, 0, model_, model::RunnerOptions{.poll = 20ms});
		runner_->start();
	}
	~FullDisk() override
	{
		runner_->stop();
		runner_->join();
	}
	FullDisk(const FullDisk&) = delete;
	FullDisk& operator=(const FullDisk&) = delete;

	/// Writes @p nr sectors from @p sector, each byte tagged with the
	/// write's number; the shadow follows only if the write succeeded.
	/// Returns the status.
	int write(std::uint64_t sector, std::uint32_t nr)
	{
		const auto data = test::filled(std::size_t{nr} * 512, static_cast<std::uint8_t>(++writes_));
		const int status = kernel_.write(0, sector, data).status;
		if (status == 0)
			std::copy(data.begin(), data.end(),
				  shadow_.begin() + static_cast<std::ptrdiff_t>(sector * 512));
		return status;
	}

	/// Writes random ranges (partial pages at both ends) until @p failures
	/// of them failed; false if that never happened.
	bool fill_until_failures(unsigned failures)
	{
		std::mt19937_64 rng(7);
		unsigned failed = 0;
		for (int i = 0; i < 2000 && failed < failures; i++) {
			const std::uint64_t sector = rng() % kSectors;
			const auto nr = static_cast<std::uint32_t>(1 + rng() % (kSectors - sector));
			const int status = write(sector, nr);
			EXPECT_TRUE(status == 0 || status == -ENOSPC) << "status " << status;
			failed += status == -ENOSPC;
		}
		return failed == failures;
	}

	/// Reads the whole disk and compares it with the shadow.
	void expect_disk_unchanged()
	{
		const model::HostResult all = kernel_.read(0, 0, kSectors);
		ASSERT_EQ(all.status, 0);
		for (std::uint64_t s = 0; s < kSectors; s++)
			ASSERT_TRUE(std::equal(all.data.begin() + static_cast<std::ptrdiff_t>(s * 512),
					       all.data.begin() + static_cast<std::ptrdiff_t>((s + 1) * 512),
					       shadow_.begin() + static_cast<std::ptrdiff_t>(s * 512)))
				<< "sector " << s << " reads byte " << static_cast<int>(all.data[s * 512])
				<< ", the last successful write left " << static_cast<int>(shadow_[s * 512]);
	}

	FakeModelKernel kernel_;
	FtlModel model_{tight_config()};
	std::optional<model::ModelRunner> runner_;
	std::vector<std::byte> shadow_ = std::vector<std::byte>(kSectors * 512, std::byte{0});
	unsigned writes_ = 0;
};

TEST_F(FullDisk, failed_writes_leave_every_written_block_readable)
{
	ASSERT_TRUE(fill_until_failures(20)) << "the workload must run the FTL out of room";
	expect_disk_unchanged();
	EXPECT_GT(model_.stats()["no_space"].get<std::uint64_t>(), 0U);
}

TEST_F(FullDisk, failed_partial_page_write_keeps_the_rest_of_the_page)
{
	// Every page holds data; then writes that start at sector 3 of a page
	// and end at sector 2 of another (partial at both ends), until one
	// fails. The pages it spans must read as before it, the sectors
	// outside the request included.
	ASSERT_EQ(write(0, kSectors), 0);
	std::mt19937_64 rng(11);
	for (int i = 0; i < 2000; i++) {
		const std::uint64_t first_page = rng() % (kLogicalPages - 1);
		const std::uint64_t pages = 2 + rng() % (kLogicalPages - first_page - 1);
		const std::uint64_t first = first_page * kSectorsPerPage;
		const auto span = static_cast<std::uint32_t>(pages * kSectorsPerPage);
		const model::HostResult before = kernel_.read(0, first, span);
		ASSERT_EQ(before.status, 0);
		if (write(first + 3, span - kSectorsPerPage) == 0)
			continue;
		const model::HostResult after = kernel_.read(0, first, span);
		ASSERT_EQ(after.status, 0);
		for (std::uint32_t s = 0; s < span; s++)
			ASSERT_EQ(after.data[std::size_t{s} * 512], before.data[std::size_t{s} * 512])
				<< "sector " << first + s << " of the failed write from sector "
				<< first + 3;
		EXPECT_EQ(after.data, before.data);
		return;
	}
	FAIL() << "the workload must run the FTL out of room";
}

} // namespace
} // namespace vbsim::ftl
