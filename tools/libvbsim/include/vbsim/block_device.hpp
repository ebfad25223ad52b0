// BlockDevice: the host side of one simulated disk (/dev/virtblkiosimN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "vbsim/device_types.hpp"
#include "vbsim/stats.hpp"

namespace vbsim {

/// How a write must complete.
enum class WriteMode {
	normal, ///< may sit in the disk's volatile cache until a flush
	fua,    ///< durable before it completes (Force Unit Access)
};

/// One open disk. Abstract so that code using it can run against the real
/// kernel (IoctlDevice) or in memory (FakeDevice) in tests.
///
/// Every method throws std::system_error (see error.hpp) carrying the
/// kernel's errno and what was attempted. The errors the kernel gives, and
/// FakeDevice copies:
///
///  - EINVAL: a zero-length buffer, a buffer that is not a whole number of
///    logical blocks, blocks beyond the end of the disk, a transfer larger
///    than DeviceInfo::max_io_bytes;
///  - EROFS: a write to a read-only disk;
///  - EPERM: write_blocks() or reset_stats() without CAP_SYS_ADMIN (kernel
///    only; the fake has no notion of privilege).
class BlockDevice {
public:
	virtual ~BlockDevice() = default;

	/// The node this handle was opened from, e.g. "/dev/virtblkiosim0",
	/// as used in error messages.
	[[nodiscard]] virtual const std::string& path() const = 0;

	/// Configuration and state of the disk.
	[[nodiscard]] virtual DeviceInfo info() = 0;

	/// Reads out.size() / logical_block_size whole blocks starting at
	/// block @p lba into @p out.
	virtual void read_blocks(std::uint64_t lba, std::span<std::byte> out) = 0;

	/// Writes in.size() / logical_block_size whole blocks starting at
	/// block @p lba from @p in.
	virtual void write_blocks(std::uint64_t lba, std::span<const std::byte> in,
				  WriteMode mode) = 0;

	/// A snapshot of the disk's statistics.
	[[nodiscard]] virtual DeviceStats stats() = 0;

	/// Zeroes the counters (in_flight and memory use are not counters).
	virtual void reset_stats() = 0;

protected:
	BlockDevice() = default;
	BlockDevice(const BlockDevice&) = default;
	BlockDevice& operator=(const BlockDevice&) = default;
};

} // namespace vbsim
