// Naming the disks: "0", "virtblkiosim0" and "/dev/virtblkiosim0" all
// mean the same disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vbsim {

/// Path of the control node.
inline constexpr std::string_view k_control_path = "/dev/virtblkiosim-control";

/// Path of disk @p index: "/dev/virtblkiosim<index>".
[[nodiscard]] std::string device_path(std::uint32_t index);

/// A disk as the user named it.
struct DeviceName {
	/// The node to open.
	std::string path;
	/// The disk's index when the name says it (always, except for a
	/// path that is not /dev/virtblkiosimN, e.g. a udev symlink).
	std::optional<std::uint32_t> index;

	friend bool operator==(const DeviceName&, const DeviceName&) = default;
};

/// Understands the three spellings of a disk:
///
///  - an index, "3";
///  - a name, "virtblkiosim3";
///  - a path (anything containing '/'), "/dev/virtblkiosim3" or a symlink.
///
/// Throws std::invalid_argument with a message that shows the spellings
/// for anything else (empty text, "sda", an index of 2^32 or more).
[[nodiscard]] DeviceName parse_device_name(std::string_view text);

} // namespace vbsim
