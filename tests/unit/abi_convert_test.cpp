// libvbsim's private conversions between the ABI structures and its value
// types: every field lands where it belongs, sizes are set, nothing else
// is left non-zero.
#include <gtest/gtest.h>

#include "abi.hpp"

namespace vbsim {
namespace {

TEST(AbiConvert, make_abi_zeroes_everything_but_the_size)
{
	const auto raw = detail::make_abi<struct vbs_stats>();
	EXPECT_EQ(raw.size, sizeof(struct vbs_stats));
	const auto* bytes = reinterpret_cast<const unsigned char*>(&raw);
	for (std::size_t i = sizeof(raw.size); i < sizeof(raw); i++)
		ASSERT_EQ(bytes[i], 0) << "byte " << i;
}

TEST(AbiConvert, config_round_trips_with_each_flag_on_its_bit)
{
	const DeviceConfig config{
		.capacity_bytes = 1ULL << 30,
		.logical_block_size = 4096,
		.physical_block_size = 8192,
		.nr_hw_queues = 3,
		.queue_depth = 64,
		.max_partitions = 15,
		.nr_poll_queues = 2,
		.discard = true,
		.write_zeroes = false,
		.write_cache = true,
		.read_only = false,
		.rotational = true,
	};
	const struct vbs_dev_config raw = detail::to_abi(config);
	EXPECT_EQ(raw.size, sizeof(struct vbs_dev_config));
	EXPECT_EQ(raw.flags, VBS_CFG_DISCARD | VBS_CFG_WRITE_CACHE | VBS_CFG_ROTATIONAL);
	EXPECT_EQ(raw.capacity, 1ULL << 30);
	EXPECT_EQ(raw.nr_hw_queues, 3U);
	EXPECT_EQ(raw.nr_poll_queues, 2U);
	for (auto r : raw.reserved)
		EXPECT_EQ(r, 0U);
	EXPECT_EQ(detail::from_abi(raw), config);

	const DeviceConfig all{.read_only = true};
	EXPECT_EQ(detail::to_abi(all).flags, VBS_CFG_READ_ONLY);
	EXPECT_EQ(detail::from_abi(detail::to_abi(all)), all);
}

TEST(AbiConvert, info_reads_state_features_and_counts)
{
	auto raw = detail::make_abi<struct vbs_info>();
	raw.abi_version = 1;
	raw.index = 7;
	raw.state = VBS_STATE_LIVE;
	raw.features = VBS_FEAT_BLOCK_IO | VBS_FEAT_SIM;
	raw.config.capacity = 1 << 20;
	raw.config.logical_block_size = 512;
	raw.max_io_bytes = 1 << 20;
	raw.pages_in_use = 12;
	const DeviceInfo info = detail::from_abi(raw);
	EXPECT_EQ(info.index, 7U);
	EXPECT_TRUE(info.live);
	EXPECT_TRUE(info.features.has(Feature::sim));
	EXPECT_FALSE(info.features.has(Feature::stats));
	EXPECT_EQ(info.block_count(), 2048U);
	EXPECT_EQ(info.max_io_bytes, 1U << 20);
	EXPECT_EQ(info.pages_in_use, 12U);
}

TEST(AbiConvert, stats_take_each_operations_slots)
{
	auto raw = detail::make_abi<struct vbs_stats>();
	raw.ops[VBS_OP_WRITE] = {.requests = 5, .bytes = 20480, .errors = 1, .ioctl_requests = 2};
	raw.faults[VBS_OP_WRITE] = 1;
	raw.lat_sum_ns[VBS_OP_WRITE] = 5000;
	raw.lat_hist[VBS_OP_WRITE][1] = 5;
	raw.in_flight = 3;
	raw.peak_in_flight = 9;
	raw.pages_in_use = 5;
	raw.cache_pages = 2;
	raw.bytes_in_use = 5 * 4096;
	raw.since_ns = 123456789;
	const DeviceStats stats = detail::from_abi(raw);
	const OpStats& w = stats.op(Op::write);
	EXPECT_EQ(w.requests, 5U);
	EXPECT_EQ(w.bytes, 20480U);
	EXPECT_EQ(w.errors, 1U);
	EXPECT_EQ(w.ioctl_requests, 2U);
	EXPECT_EQ(w.faults, 1U);
	EXPECT_EQ(w.latency_histogram[1], 5U);
	EXPECT_EQ(w.mean_latency(), std::chrono::nanoseconds(1000));
	EXPECT_EQ(stats.op(Op::read), OpStats{});
	EXPECT_EQ(stats.in_flight, 3U);
	EXPECT_EQ(stats.peak_in_flight, 9U);
	EXPECT_EQ(stats.cache_pages, 2U);
	EXPECT_EQ(stats.bytes_in_use, 5U * 4096);
	EXPECT_EQ(stats.since.time_since_epoch(), std::chrono::nanoseconds(123456789));
}

TEST(AbiConvert, features_report_counts)
{
	auto raw = detail::make_abi<struct vbs_features>();
	raw.abi_version = 1;
	raw.features = 0x3ff;
	raw.max_devices = 1024;
	raw.nr_devices = 2;
	const ModuleFeatures f = detail::from_abi(raw);
	EXPECT_EQ(f, (ModuleFeatures{.abi_version = 1, .features = FeatureSet{0x3ff}, .max_devices = 1024, .nr_devices = 2}));
}

} // namespace
} // namespace vbsim
