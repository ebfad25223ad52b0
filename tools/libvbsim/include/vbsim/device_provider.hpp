// DeviceProvider: where BlockDevice and ControlDevice handles come from.
#pragma once

#include <memory>
#include <string_view>

#include "vbsim/block_device.hpp"
#include "vbsim/control_device.hpp"

namespace vbsim {

/// What a disk handle will be used for.
enum class Access {
	read_only,  ///< info, read, stats
	read_write, ///< also write and reset statistics
};

/// Opens disks and the control node. Code that takes a DeviceProvider&
/// works unchanged on the kernel (KernelProvider) and on an in-memory
/// module in tests (FakeModule).
class DeviceProvider {
public:
	virtual ~DeviceProvider() = default;

	/// Opens the disk @p name ("0", "virtblkiosim0" or a path; see
	/// parse_device_name()). Throws std::invalid_argument for a name that
	/// is none of these, std::system_error when the disk cannot be opened.
	[[nodiscard]] virtual std::unique_ptr<BlockDevice> open_device(std::string_view name,
								       Access access) = 0;

	/// Opens the control node. Throws std::system_error on failure.
	[[nodiscard]] virtual std::unique_ptr<ControlDevice> open_control() = 0;

protected:
	DeviceProvider() = default;
	DeviceProvider(const DeviceProvider&) = default;
	DeviceProvider& operator=(const DeviceProvider&) = default;
};

} // namespace vbsim
