#include "vbsim/ioctl_device.hpp"

#include <cerrno>
#include <cstdint>
#include <limits>

#include "abi.hpp"
#include "ioctl.hpp"
#include "messages.hpp"

namespace vbsim {

namespace {

/// The ABI carries user addresses as __u64.
std::uint64_t user_address(const void* p)
{
	return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

} // namespace

IoctlDevice::IoctlDevice(std::string path, Access access)
	: path_(std::move(path)), fd_(detail::open_node(path_, access))
{
	logical_block_size_ = info().config.logical_block_size;
	if (logical_block_size_ == 0)
		throw_error(EPROTO, "reading info of " + path_);
}

DeviceInfo IoctlDevice::info()
{
	auto raw = detail::make_abi<struct vbs_info>();
	detail::checked_ioctl(fd_, VBS_IOC_GET_INFO, &raw, [&] { return "reading info of " + path_; });
	return detail::from_abi(raw);
}

std::uint32_t IoctlDevice::blocks_in(std::size_t bytes, const std::string& what) const
{
	// Only whole blocks, and a count that fits the ABI's __u32; the
	// kernel checks everything else (a count of 0 included).
	const std::uint64_t count = bytes / logical_block_size_;
	if (bytes % logical_block_size_ != 0 || count > std::numeric_limits<std::uint32_t>::max())
		throw_error(EINVAL, what);
	return static_cast<std::uint32_t>(count);
}

void IoctlDevice::read_blocks(std::uint64_t lba, std::span<std::byte> out)
{
	const std::string what =
		detail::transfer_what("reading", out.size() / logical_block_size_, lba, path_);
	auto io = detail::make_abi<struct vbs_block_io>();
	io.lba = lba;
	io.count = blocks_in(out.size(), what);
	io.buf = user_address(out.data());
	detail::checked_ioctl(fd_, VBS_IOC_READ, &io, [&] { return what; });
}

void IoctlDevice::write_blocks(std::uint64_t lba, std::span<const std::byte> in, WriteMode mode)
{
	const std::string what =
		detail::transfer_what("writing", in.size() / logical_block_size_, lba, path_);
	auto io = detail::make_abi<struct vbs_block_io>();
	io.flags = mode == WriteMode::fua ? VBS_IO_FUA : 0;
	io.lba = lba;
	io.count = blocks_in(in.size(), what);
	io.buf = user_address(in.data());
	detail::checked_ioctl(fd_, VBS_IOC_WRITE, &io, [&] { return what; });
}

DeviceStats IoctlDevice::stats()
{
	auto raw = detail::make_abi<struct vbs_stats>();
	detail::checked_ioctl(fd_, VBS_IOC_GET_STATS, &raw,
			      [&] { return "reading statistics of " + path_; });
	return detail::from_abi(raw);
}

void IoctlDevice::reset_stats()
{
	detail::checked_ioctl(fd_, VBS_IOC_RESET_STATS, nullptr,
			      [&] { return "resetting statistics of " + path_; });
}

} // namespace vbsim
