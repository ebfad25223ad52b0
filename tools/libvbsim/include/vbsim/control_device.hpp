// ControlDevice: the module's control node (/dev/virtblkiosim-control).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vbsim/device_types.hpp"

namespace vbsim {

/// Adds, removes and lists disks, and tells what the module supports.
/// Abstract so that code using it runs against the kernel (IoctlControl) or
/// in memory (FakeModule) in tests.
///
/// Every method throws std::system_error (see error.hpp). The errors:
///
///  - add(): EINVAL for a configuration out of range or an index beyond
///    ModuleFeatures::max_devices, EEXIST when the index is taken, ENOSPC
///    when max_devices disks exist, EPERM without CAP_SYS_ADMIN;
///  - remove(): ENODEV when no such disk exists, EBUSY while the disk is
///    open, EPERM without CAP_SYS_ADMIN.
class ControlDevice {
public:
	virtual ~ControlDevice() = default;

	/// ABI version, features and disk counts of the module.
	[[nodiscard]] virtual ModuleFeatures features() = 0;

	/// Creates a disk shaped by @p config, at @p index or (nullopt) at
	/// the lowest free index. Returns the new disk's index.
	virtual std::uint32_t add(const DeviceConfig& config,
				  std::optional<std::uint32_t> index) = 0;

	/// Removes disk @p index.
	virtual void remove(std::uint32_t index) = 0;

	/// Indices of the disks that exist, in increasing order.
	[[nodiscard]] virtual std::vector<std::uint32_t> list() = 0;

protected:
	ControlDevice() = default;
	ControlDevice(const ControlDevice&) = default;
	ControlDevice& operator=(const ControlDevice&) = default;
};

} // namespace vbsim
