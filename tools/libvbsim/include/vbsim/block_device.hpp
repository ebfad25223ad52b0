// BlockDevice: the host side of one simulated disk (/dev/virtblkiosimN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vbsim/device_types.hpp"
#include "vbsim/sim_types.hpp"
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
///  - EINVAL also: simulation settings, a fault rule or power cut options
///    out of the ranges sim_types.hpp documents (a fault range outside
///    the disk included);
///  - ENOSPC: add_fault() on a disk that has k_fault_max_rules rules;
///  - ENOENT: clear_faults() of an id the disk does not have;
///  - EPERM: write_blocks(), reset_stats(), set_sim(), add_fault(),
///    clear_faults() or powercut() without CAP_SYS_ADMIN (kernel only;
///    the fake has no notion of privilege).
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

	/// The simulation settings in force.
	[[nodiscard]] virtual SimParams get_sim() = 0;

	/// Replaces every simulation setting with @p params (nothing changes
	/// if one is out of range) and restarts the random generator.
	virtual void set_sim(const SimParams& params) = 0;

	/// Adds @p rule at the end of the disk's rules; returns its id.
	virtual std::uint32_t add_fault(const FaultRule& rule) = 0;

	/// The disk's rules in the order they are tried, with their counters.
	[[nodiscard]] virtual std::vector<FaultRule> list_faults() = 0;

	/// Removes rule @p id, or every rule when @p id is nullopt. An id of
	/// 0 is no rule's id: ENOENT.
	virtual void clear_faults(std::optional<std::uint32_t> id) = 0;

	/// Simulates a power cut: writes not yet durable are dropped (or a
	/// random subset kept, as @p options say).
	virtual PowercutResult powercut(const PowercutOptions& options) = 0;

protected:
	BlockDevice() = default;
	BlockDevice(const BlockDevice&) = default;
	BlockDevice& operator=(const BlockDevice&) = default;
};

} // namespace vbsim
