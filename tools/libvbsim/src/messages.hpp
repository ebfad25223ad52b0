// Private: the "what was attempted" half of every error message, shared by
// the kernel-backed and the fake implementations so that both say the
// same thing.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <string_view>

namespace vbsim::detail {

/// "reading 8 blocks at LBA 100 of /dev/virtblkiosim0"
inline std::string transfer_what(std::string_view verb, std::uint64_t count, std::uint64_t lba,
				 std::string_view path)
{
	return fmt::format("{} {} {} at LBA {} of {}", verb, count, count == 1 ? "block" : "blocks", lba,
			   path);
}

/// "adding virtblkiosim3" or "adding a disk"
inline std::string add_what(std::optional<std::uint32_t> index)
{
	return index ? fmt::format("adding virtblkiosim{}", *index) : std::string("adding a disk");
}

/// "removing virtblkiosim3"
inline std::string remove_what(std::uint32_t index)
{
	return fmt::format("removing virtblkiosim{}", index);
}

/// "<verb> of /dev/virtblkiosim0": "reading the simulation settings of ..."
inline std::string device_what(std::string_view verb, std::string_view path)
{
	return fmt::format("{} of {}", verb, path);
}

/// "clearing fault rule 3 of /dev/virtblkiosim0" or "clearing the fault
/// rules of ..."
inline std::string clear_faults_what(std::optional<std::uint32_t> id, std::string_view path)
{
	return id ? fmt::format("clearing fault rule {} of {}", *id, path)
		  : fmt::format("clearing the fault rules of {}", path);
}

inline constexpr std::string_view k_list_what = "listing the disks";
inline constexpr std::string_view k_features_what = "reading the module's features";

} // namespace vbsim::detail
