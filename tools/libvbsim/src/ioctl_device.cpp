#include "vbsim/ioctl_device.hpp"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <vector>

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

std::uint32_t IoctlDevice::blocks_in(std::size_t bytes, std::string_view verb,
				     std::uint64_t lba) const
{
	// Only whole blocks, and a count that fits the ABI's __u32; the
	// kernel checks everything else (a count of 0 included).
	const std::uint64_t count = bytes / logical_block_size_;
	if (bytes % logical_block_size_ != 0 || count > std::numeric_limits<std::uint32_t>::max())
		throw_error(EINVAL, detail::transfer_what(verb, count, lba, path_));
	return static_cast<std::uint32_t>(count);
}

void IoctlDevice::read_blocks(std::uint64_t lba, std::span<std::byte> out)
{
	auto io = detail::make_abi<struct vbs_block_io>();
	io.lba = lba;
	io.count = blocks_in(out.size(), "reading", lba);
	io.buf = user_address(out.data());
	detail::checked_ioctl(fd_, VBS_IOC_READ, &io,
			      [&] { return detail::transfer_what("reading", io.count, lba, path_); });
}

void IoctlDevice::write_blocks(std::uint64_t lba, std::span<const std::byte> in, WriteMode mode)
{
	auto io = detail::make_abi<struct vbs_block_io>();
	io.flags = mode == WriteMode::fua ? VBS_IO_FUA : 0;
	io.lba = lba;
	io.count = blocks_in(in.size(), "writing", lba);
	io.buf = user_address(in.data());
	detail::checked_ioctl(fd_, VBS_IOC_WRITE, &io,
			      [&] { return detail::transfer_what("writing", io.count, lba, path_); });
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

SimParams IoctlDevice::get_sim()
{
	auto raw = detail::make_abi<struct vbs_sim_params>();
	detail::checked_ioctl(fd_, VBS_IOC_GET_SIM, &raw,
			      [&] { return detail::device_what("reading the simulation settings", path_); });
	return detail::from_abi(raw);
}

void IoctlDevice::set_sim(const SimParams& params)
{
	auto raw = detail::to_abi(params);
	detail::checked_ioctl(fd_, VBS_IOC_SET_SIM, &raw,
			      [&] { return detail::device_what("changing the simulation settings", path_); });
}

std::uint32_t IoctlDevice::add_fault(const FaultRule& rule)
{
	auto raw = detail::to_abi(rule);
	detail::checked_ioctl(fd_, VBS_IOC_FAULT_ADD, &raw,
			      [&] { return detail::device_what("adding a fault rule", path_); });
	return raw.id;
}

std::vector<FaultRule> IoctlDevice::list_faults()
{
	const auto what = [&] { return detail::device_what("listing the fault rules", path_); };
	// Ask for the count, then for the rules; retry if rules were added
	// in between.
	for (;;) {
		auto list = detail::make_abi<struct vbs_fault_list>();
		list.rule_size = sizeof(struct vbs_fault_rule);
		detail::checked_ioctl(fd_, VBS_IOC_FAULT_LIST, &list, what);
		std::vector<struct vbs_fault_rule> raw(list.count);
		list.capacity = list.count;
		list.rules = user_address(raw.data());
		detail::checked_ioctl(fd_, VBS_IOC_FAULT_LIST, &list, what);
		if (list.count > list.capacity)
			continue;
		std::vector<FaultRule> rules;
		rules.reserve(list.count);
		for (std::uint32_t i = 0; i < list.count; i++)
			rules.push_back(detail::from_abi(raw[i]));
		return rules;
	}
}

void IoctlDevice::clear_faults(std::optional<std::uint32_t> id)
{
	const std::string what = detail::clear_faults_what(id, path_);
	// 0 is VBS_FAULT_ID_ALL to the kernel, and no rule's id.
	if (id && *id == VBS_FAULT_ID_ALL)
		throw_error(ENOENT, what);
	std::uint32_t arg = id.value_or(VBS_FAULT_ID_ALL);
	detail::checked_ioctl(fd_, VBS_IOC_FAULT_CLEAR, &arg, [&]() -> const std::string& { return what; });
}

PowercutResult IoctlDevice::powercut(const PowercutOptions& options)
{
	auto raw = detail::to_abi(options);
	detail::checked_ioctl(fd_, VBS_IOC_POWERCUT, &raw,
			      [&] { return detail::device_what("cutting the power", path_); });
	return detail::powercut_result(raw);
}

} // namespace vbsim
