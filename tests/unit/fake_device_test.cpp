// FakeDevice: one in-memory disk with the kernel's semantics.
#include <algorithm>
#include <cerrno>
#include <functional>
#include <gtest/gtest.h>

#include "error_matchers.hpp"
#include "test_bytes.hpp"
#include "vbsim/fake_device.hpp"

namespace vbsim {
namespace {

using test::throws_errno;

/// A 64-block disk of 4096-byte blocks (256 KiB).
DeviceConfig small_config()
{
	DeviceConfig c;
	c.capacity_bytes = 64 * 4096;
	c.logical_block_size = 4096;
	return c;
}

TEST(FakeDevice, zero_fields_take_the_module_defaults)
{
	FakeLimits limits;
	FakeDevice dev(2, DeviceConfig{}, limits);
	const DeviceInfo info = dev.info();
	EXPECT_EQ(info.index, 2U);
	EXPECT_EQ(dev.path(), "/dev/virtblkiosim2");
	EXPECT_TRUE(info.live);
	EXPECT_EQ(info.abi_version, k_abi_version);
	EXPECT_EQ(info.config.capacity_bytes, limits.default_capacity_bytes);
	EXPECT_EQ(info.config.logical_block_size, limits.default_logical_block_size);
	EXPECT_EQ(info.config.physical_block_size, limits.default_logical_block_size);
	EXPECT_EQ(info.config.nr_hw_queues, limits.default_nr_hw_queues);
	EXPECT_EQ(info.config.queue_depth, limits.default_queue_depth);
	EXPECT_EQ(info.max_io_bytes, limits.max_io_bytes);
	EXPECT_EQ(info.features, limits.features);
}

TEST(FakeDevice, rejects_configurations_out_of_range_with_einval)
{
	for (auto mutate : std::vector<std::function<void(DeviceConfig&)>>{
		     [](DeviceConfig& c) { c.logical_block_size = 1000; },
		     [](DeviceConfig& c) { c.logical_block_size = 8192; },
		     [](DeviceConfig& c) { c.physical_block_size = 2048; },
		     [](DeviceConfig& c) { c.physical_block_size = 131072; },
		     [](DeviceConfig& c) { c.capacity_bytes = 4096 * 3 + 512; },
		     [](DeviceConfig& c) { c.capacity_bytes = (std::uint64_t{1} << 50) + 4096; },
		     [](DeviceConfig& c) { c.queue_depth = 4097; },
		     [](DeviceConfig& c) { c.nr_hw_queues = 65; },
		     [](DeviceConfig& c) { c.max_partitions = 256; },
	     }) {
		DeviceConfig c = small_config();
		mutate(c);
		EXPECT_TRUE(throws_errno([&] { FakeDevice dev(0, c); }, EINVAL,
					 "creating virtblkiosim0: Invalid argument"));
	}
}

/// The default limits with polled I/O among the features.
FakeLimits limits_with_poll()
{
	FakeLimits limits;
	limits.features.bits |= static_cast<std::uint64_t>(Feature::poll);
	return limits;
}

TEST(FakeDevice, poll_queues_are_none_unless_asked_for)
{
	FakeLimits limits = limits_with_poll();
	EXPECT_EQ(FakeDevice(0, small_config(), limits).info().config.nr_poll_queues, 0U);
	DeviceConfig c = small_config();
	c.nr_poll_queues = 3;
	EXPECT_EQ(FakeDevice(0, c, limits).info().config.nr_poll_queues, 3U);
}

TEST(FakeDevice, refuses_more_poll_queues_than_cpus_with_einval)
{
	FakeLimits limits = limits_with_poll();
	limits.nr_cpus = 4;
	DeviceConfig c = small_config();
	c.nr_poll_queues = 4;
	EXPECT_EQ(FakeDevice(0, c, limits).info().config.nr_poll_queues, 4U);
	c.nr_poll_queues = 5;
	EXPECT_TRUE(throws_errno([&] { FakeDevice dev(0, c, limits); }, EINVAL,
				 "creating virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, refuses_poll_queues_without_the_poll_feature_with_einval)
{
	const FakeLimits limits; // features without Feature::poll
	DeviceConfig c = small_config();
	c.nr_poll_queues = 1;
	EXPECT_TRUE(throws_errno([&] { FakeDevice dev(0, c, limits); }, EINVAL,
				 "creating virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, unwritten_blocks_read_as_zeros)
{
	FakeDevice dev(0, small_config());
	auto out = test::filled(2 * 4096, 0xaa);
	dev.read_blocks(10, out);
	EXPECT_EQ(out, test::filled(2 * 4096, 0));
}

TEST(FakeDevice, written_blocks_read_back)
{
	FakeDevice dev(0, small_config());
	const auto data = test::counting(3 * 4096, 7);
	dev.write_blocks(5, data, WriteMode::normal);
	auto out = test::filled(3 * 4096, 0);
	dev.read_blocks(5, out);
	EXPECT_EQ(out, data);
	EXPECT_EQ(dev.info().pages_in_use, 3U);
}

TEST(FakeDevice, last_block_is_reachable_and_the_one_after_is_not)
{
	FakeDevice dev(0, small_config());
	auto block = test::filled(4096, 1);
	dev.write_blocks(63, block, WriteMode::normal);
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(64, block); }, EINVAL,
				 "reading 1 block at LBA 64 of /dev/virtblkiosim0: Invalid argument"));
	auto two = test::filled(2 * 4096, 1);
	EXPECT_TRUE(throws_errno([&] { dev.write_blocks(63, two, WriteMode::normal); }, EINVAL,
				 "writing 2 blocks at LBA 63 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, lba_plus_count_overflow_is_einval_not_a_wrap)
{
	FakeDevice dev(0, small_config());
	auto two = test::filled(2 * 4096, 0);
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(UINT64_MAX, two); }, EINVAL,
				 "reading 2 blocks at LBA 18446744073709551615 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, empty_and_partial_block_buffers_are_einval)
{
	FakeDevice dev(0, small_config());
	std::vector<std::byte> none;
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(0, none); }, EINVAL,
				 "reading 0 blocks at LBA 0 of /dev/virtblkiosim0: Invalid argument"));
	auto partial = test::filled(4096 + 512, 0);
	EXPECT_TRUE(throws_errno([&] { dev.write_blocks(0, partial, WriteMode::normal); }, EINVAL,
				 "writing 1 block at LBA 0 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, a_transfer_above_max_io_bytes_is_einval)
{
	FakeLimits limits;
	limits.max_io_bytes = 8192;
	FakeDevice dev(0, small_config(), limits);
	auto ok = test::filled(8192, 0);
	dev.read_blocks(0, ok);
	auto too_big = test::filled(3 * 4096, 0);
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(0, too_big); }, EINVAL,
				 "reading 3 blocks at LBA 0 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, writes_to_a_read_only_disk_are_erofs_and_change_nothing)
{
	DeviceConfig c = small_config();
	c.read_only = true;
	FakeDevice dev(0, c);
	auto block = test::filled(4096, 0x11);
	EXPECT_TRUE(throws_errno([&] { dev.write_blocks(0, block, WriteMode::normal); }, EROFS,
				 "writing 1 block at LBA 0 of /dev/virtblkiosim0: Read-only file system"));
	dev.read_blocks(0, block);
	EXPECT_EQ(block, test::filled(4096, 0));
	EXPECT_EQ(dev.stats().op(Op::write).requests, 0U);
}

TEST(FakeDevice, range_errors_come_before_read_only_errors)
{
	DeviceConfig c = small_config();
	c.read_only = true;
	FakeDevice dev(0, c);
	auto block = test::filled(4096, 0);
	EXPECT_TRUE(throws_errno([&] { dev.write_blocks(64, block, WriteMode::normal); }, EINVAL,
				 "writing 1 block at LBA 64 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(FakeDevice, small_logical_blocks_address_inside_pages)
{
	DeviceConfig c;
	c.capacity_bytes = 16 * 512;
	c.logical_block_size = 512;
	FakeDevice dev(0, c);
	dev.write_blocks(3, test::filled(512, 3), WriteMode::normal);
	auto out = test::filled(3 * 512, 0xee);
	dev.read_blocks(2, out);
	auto expected = test::filled(3 * 512, 0);
	std::fill(expected.begin() + 512, expected.begin() + 1024, std::byte{3});
	EXPECT_EQ(out, expected);
	EXPECT_EQ(dev.info().pages_in_use, 1U);
}

TEST(FakeDevice, counts_successful_transfers_as_ioctl_requests)
{
	FakeDevice dev(0, small_config());
	auto two = test::filled(2 * 4096, 0);
	dev.write_blocks(0, two, WriteMode::normal);
	dev.read_blocks(0, two);
	dev.read_blocks(2, two);
	EXPECT_THROW(dev.read_blocks(64, two), std::system_error);

	const DeviceStats s = dev.stats();
	EXPECT_EQ(s.op(Op::read), (OpStats{.requests = 2, .bytes = 4 * 4096, .errors = 0, .ioctl_requests = 2}));
	EXPECT_EQ(s.op(Op::write), (OpStats{.requests = 1, .bytes = 2 * 4096, .errors = 0, .ioctl_requests = 1}));
	EXPECT_EQ(s.op(Op::flush), OpStats{});
	EXPECT_EQ(s.pages_in_use, 2U);
	EXPECT_EQ(s.bytes_in_use, 2U * 4096);
	EXPECT_EQ(s.in_flight, 0U);
}

TEST(FakeDevice, reset_zeroes_counters_but_not_memory_use)
{
	FakeDevice dev(0, small_config());
	dev.write_blocks(0, test::filled(4096, 1), WriteMode::normal);
	const auto before = dev.stats();
	dev.reset_stats();
	const auto after = dev.stats();
	EXPECT_EQ(after.op(Op::write), OpStats{});
	EXPECT_EQ(after.pages_in_use, 1U);
	EXPECT_GE(after.since, before.since);
}

TEST(FakeDevice, fua_reaches_the_disk)
{
	FakeDevice dev(0, small_config());
	dev.write_blocks(0, test::filled(4096, 1), WriteMode::fua);
	dev.write_blocks(1, test::filled(4096, 1), WriteMode::normal);
	EXPECT_EQ(dev.fua_writes(), 1U);
}

} // namespace
} // namespace vbsim
