#include <cerrno>
#include <cstdint>

#include "vbsim/ioctl_device.hpp"

#include "abi.hpp"
#include "ioctl.hpp"
#include "messages.hpp"

namespace vbsim {

IoctlControl::IoctlControl(std::string path)
	: path_(std::move(path)), fd_(detail::open_node(path_, Access::read_write))
{
}

ModuleFeatures IoctlControl::features()
{
	auto raw = detail::make_abi<struct vbs_features>();
	detail::checked_ioctl(fd_, VBS_CTL_GET_FEATURES, &raw,
			      [] { return std::string(detail::k_features_what); });
	return detail::from_abi(raw);
}

std::uint32_t IoctlControl::add(const DeviceConfig& config, std::optional<std::uint32_t> index)
{
	auto raw = detail::make_abi<struct vbs_ctl_add>();
	raw.index = index.value_or(VBS_INDEX_ANY);
	raw.config = detail::to_abi(config);
	detail::checked_ioctl(fd_, VBS_CTL_ADD, &raw, [&] { return detail::add_what(index); });
	return raw.index;
}

void IoctlControl::remove(std::uint32_t index)
{
	__u32 arg = index;
	detail::checked_ioctl(fd_, VBS_CTL_REMOVE, &arg, [&] { return detail::remove_what(index); });
}

std::vector<std::uint32_t> IoctlControl::list()
{
	// Ask for the count, then for that many indices. Disks added in
	// between make the kernel report a larger count: ask again.
	std::vector<std::uint32_t> indices;
	for (;;) {
		auto raw = detail::make_abi<struct vbs_ctl_list>();
		raw.capacity = static_cast<__u32>(indices.size());
		raw.indices = static_cast<__u64>(reinterpret_cast<std::uintptr_t>(indices.data()));
		detail::checked_ioctl(fd_, VBS_CTL_LIST, &raw,
				      [] { return std::string(detail::k_list_what); });
		if (raw.count <= indices.size()) {
			indices.resize(raw.count);
			return indices;
		}
		indices.resize(raw.count);
	}
}

std::unique_ptr<BlockDevice> KernelProvider::open_device(std::string_view name, Access access)
{
	return std::make_unique<IoctlDevice>(parse_device_name(name).path, access);
}

std::unique_ptr<ControlDevice> KernelProvider::open_control()
{
	return std::make_unique<IoctlControl>();
}

} // namespace vbsim
