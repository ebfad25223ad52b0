// Splitting a long read or write into transfers the disk accepts.
#pragma once

#include <cstdint>

#include "vbsim/device_types.hpp"

namespace vbsim::cli {

/// Most bytes vbsim moves per ioctl, whatever the disk allows: bounds the
/// buffer it allocates.
inline constexpr std::uint64_t k_max_chunk_bytes = std::uint64_t{4} << 20;

/// Blocks per transfer on the disk @p info describes: as many as fit both
/// its max_io_bytes and k_max_chunk_bytes, and at least one.
[[nodiscard]] inline std::uint64_t blocks_per_transfer(const DeviceInfo& info)
{
	const std::uint64_t lbs = info.config.logical_block_size;
	const std::uint64_t limit = info.max_io_bytes < k_max_chunk_bytes ? info.max_io_bytes : k_max_chunk_bytes;
	const std::uint64_t blocks = lbs == 0 ? 1 : limit / lbs;
	return blocks == 0 ? 1 : blocks;
}

} // namespace vbsim::cli
