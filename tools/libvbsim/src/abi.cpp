#include "abi.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace vbsim::detail {

// The C++ mirrors of the ABI's constants must agree with it.
static_assert(k_abi_version == VBS_ABI_VERSION);
static_assert(static_cast<std::uint64_t>(Feature::block_io) == VBS_FEAT_BLOCK_IO);
static_assert(static_cast<std::uint64_t>(Feature::stats) == VBS_FEAT_STATS);
static_assert(static_cast<std::uint64_t>(Feature::control) == VBS_FEAT_CONTROL);
static_assert(static_cast<std::uint64_t>(Feature::discard) == VBS_FEAT_DISCARD);
static_assert(static_cast<std::uint64_t>(Feature::write_zeroes) == VBS_FEAT_WRITE_ZEROES);
static_assert(static_cast<std::uint64_t>(Feature::write_cache) == VBS_FEAT_WRITE_CACHE);
static_assert(static_cast<std::uint64_t>(Feature::sim) == VBS_FEAT_SIM);
static_assert(static_cast<std::uint64_t>(Feature::faults) == VBS_FEAT_FAULTS);
static_assert(static_cast<std::uint64_t>(Feature::powercut) == VBS_FEAT_POWERCUT);
static_assert(static_cast<std::uint64_t>(Feature::latency_stats) == VBS_FEAT_LATENCY_STATS);
static_assert(static_cast<std::size_t>(Op::read) == VBS_OP_READ);
static_assert(static_cast<std::size_t>(Op::write) == VBS_OP_WRITE);
static_assert(static_cast<std::size_t>(Op::flush) == VBS_OP_FLUSH);
static_assert(static_cast<std::size_t>(Op::discard) == VBS_OP_DISCARD);
static_assert(static_cast<std::size_t>(Op::write_zeroes) == VBS_OP_WRITE_ZEROES);
static_assert(k_op_count <= VBS_OP_NR);
static_assert(k_latency_buckets == VBS_LAT_BUCKETS);

namespace {

/// Sets @p bit in @p flags when @p on.
void put_flag(std::uint32_t& flags, std::uint32_t bit, bool on)
{
	if (on)
		flags |= bit;
}

} // namespace

struct vbs_dev_config to_abi(const DeviceConfig& config)
{
	auto raw = make_abi<struct vbs_dev_config>();
	raw.capacity = config.capacity_bytes;
	raw.logical_block_size = config.logical_block_size;
	raw.physical_block_size = config.physical_block_size;
	raw.nr_hw_queues = config.nr_hw_queues;
	raw.queue_depth = config.queue_depth;
	raw.max_partitions = config.max_partitions;
	put_flag(raw.flags, VBS_CFG_DISCARD, config.discard);
	put_flag(raw.flags, VBS_CFG_WRITE_ZEROES, config.write_zeroes);
	put_flag(raw.flags, VBS_CFG_WRITE_CACHE, config.write_cache);
	put_flag(raw.flags, VBS_CFG_READ_ONLY, config.read_only);
	put_flag(raw.flags, VBS_CFG_ROTATIONAL, config.rotational);
	return raw;
}

DeviceConfig from_abi(const struct vbs_dev_config& raw)
{
	return DeviceConfig{
		.capacity_bytes = raw.capacity,
		.logical_block_size = raw.logical_block_size,
		.physical_block_size = raw.physical_block_size,
		.nr_hw_queues = raw.nr_hw_queues,
		.queue_depth = raw.queue_depth,
		.max_partitions = raw.max_partitions,
		.discard = (raw.flags & VBS_CFG_DISCARD) != 0,
		.write_zeroes = (raw.flags & VBS_CFG_WRITE_ZEROES) != 0,
		.write_cache = (raw.flags & VBS_CFG_WRITE_CACHE) != 0,
		.read_only = (raw.flags & VBS_CFG_READ_ONLY) != 0,
		.rotational = (raw.flags & VBS_CFG_ROTATIONAL) != 0,
	};
}

DeviceInfo from_abi(const struct vbs_info& raw)
{
	return DeviceInfo{
		.abi_version = raw.abi_version,
		.index = raw.index,
		.live = (raw.state & VBS_STATE_LIVE) != 0,
		.features = FeatureSet{raw.features},
		.config = from_abi(raw.config),
		.max_io_bytes = raw.max_io_bytes,
		.pages_in_use = raw.pages_in_use,
	};
}

DeviceStats from_abi(const struct vbs_stats& raw)
{
	DeviceStats stats;
	for (Op op : k_all_ops) {
		const auto i = static_cast<std::size_t>(op);
		const struct vbs_op_stats& r = raw.ops[i];
		OpStats& s = stats.op(op);
		s.requests = r.requests;
		s.bytes = r.bytes;
		s.errors = r.errors;
		s.ioctl_requests = r.ioctl_requests;
		s.faults = raw.faults[i];
		s.latency_sum = std::chrono::nanoseconds(static_cast<std::int64_t>(raw.lat_sum_ns[i]));
		std::copy(std::begin(raw.lat_hist[i]), std::end(raw.lat_hist[i]), s.latency_histogram.begin());
	}
	stats.in_flight = raw.in_flight;
	stats.peak_in_flight = raw.peak_in_flight;
	stats.pages_in_use = raw.pages_in_use;
	stats.cache_pages = raw.cache_pages;
	stats.bytes_in_use = raw.bytes_in_use;
	// since_ns is CLOCK_MONOTONIC, steady_clock's clock on Linux.
	stats.since = std::chrono::steady_clock::time_point(
		std::chrono::duration_cast<std::chrono::steady_clock::duration>(
			std::chrono::nanoseconds(static_cast<std::int64_t>(raw.since_ns))));
	return stats;
}

ModuleFeatures from_abi(const struct vbs_features& raw)
{
	return ModuleFeatures{
		.abi_version = raw.abi_version,
		.features = FeatureSet{raw.features},
		.max_devices = raw.max_devices,
		.nr_devices = raw.nr_devices,
	};
}

} // namespace vbsim::detail
