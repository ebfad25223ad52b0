#include "vbsim/fake_device.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "vbsim/device_name.hpp"
#include "vbsim/error.hpp"

#include "messages.hpp"

namespace vbsim {


std::optional<DeviceConfig> FakeDevice::resolve(const DeviceConfig& config, const FakeLimits& limits)
{
	DeviceConfig c = config;
	if (c.capacity_bytes == 0)
		c.capacity_bytes = limits.default_capacity_bytes;
	if (c.logical_block_size == 0)
		c.logical_block_size = limits.default_logical_block_size;
	if (c.physical_block_size == 0)
		c.physical_block_size = c.logical_block_size;
	if (c.nr_hw_queues == 0)
		c.nr_hw_queues = std::min(limits.default_nr_hw_queues, limits.nr_cpus);
	if (c.queue_depth == 0)
		c.queue_depth = limits.default_queue_depth;

	if (config_problem(c) || c.nr_hw_queues > limits.nr_cpus)
		return std::nullopt;
	return c;
}

FakeDevice::FakeDevice(std::uint32_t index, const DeviceConfig& config, const FakeLimits& limits)
	: path_(device_path(index))
{
	const auto resolved = resolve(config, limits);
	if (!resolved)
		throw_error(EINVAL, fmt::format("creating virtblkiosim{}", index));

	info_ = DeviceInfo{
		.abi_version = k_abi_version,
		.index = index,
		.live = true,
		.features = limits.features,
		.config = *resolved,
		.max_io_bytes = limits.max_io_bytes,
		.pages_in_use = 0,
	};
	stats_.since = std::chrono::steady_clock::now();
}

DeviceInfo FakeDevice::info()
{
	DeviceInfo info = info_;
	info.pages_in_use = store_.pages_in_use();
	return info;
}

void FakeDevice::check_transfer(std::uint64_t lba, std::size_t bytes, const std::string& what) const
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = bytes / lbs;
	const std::uint64_t blocks = info_.block_count();
	const bool valid = bytes != 0 && bytes % lbs == 0 && bytes <= info_.max_io_bytes &&
			   lba < blocks && count <= blocks - lba;
	if (!valid)
		throw_error(EINVAL, what);
}

void FakeDevice::read_blocks(std::uint64_t lba, std::span<std::byte> out)
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = out.size() / lbs;
	check_transfer(lba, out.size(), detail::transfer_what("reading", count, lba, path_));

	store_.read(lba * lbs, out);
	OpStats& s = stats_.op(Op::read);
	s.requests++;
	s.ioctl_requests++;
	s.bytes += out.size();
}

void FakeDevice::write_blocks(std::uint64_t lba, std::span<const std::byte> in, WriteMode mode)
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = in.size() / lbs;
	const std::string what = detail::transfer_what("writing", count, lba, path_);
	check_transfer(lba, in.size(), what);
	if (info_.config.read_only)
		throw_error(EROFS, what);

	store_.write(lba * lbs, in);
	if (mode == WriteMode::fua)
		fua_writes_++;
	OpStats& s = stats_.op(Op::write);
	s.requests++;
	s.ioctl_requests++;
	s.bytes += in.size();
}

DeviceStats FakeDevice::stats()
{
	DeviceStats s = stats_;
	s.pages_in_use = store_.pages_in_use();
	s.bytes_in_use = s.pages_in_use * SparseStore::k_page_size;
	return s;
}

void FakeDevice::reset_stats()
{
	stats_.ops = {};
	stats_.since = std::chrono::steady_clock::now();
}

} // namespace vbsim
