// The real thing: handles that talk to the kernel module through ioctl().
//
// These classes are the only code of the project that knows ioctl numbers
// and the ABI structures; everything they return is a device_types.hpp or
// stats.hpp value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vbsim/block_device.hpp"
#include "vbsim/control_device.hpp"
#include "vbsim/device_name.hpp"
#include "vbsim/device_provider.hpp"
#include "vbsim/unique_fd.hpp"

namespace vbsim {

/// An open /dev/virtblkiosimN.
class IoctlDevice final : public BlockDevice {
public:
	/// Opens @p path, read-only or read-write, and reads its info once to
	/// learn the logical block size. A read-write open that the disk
	/// (read-only) or the node's mode refuses falls back to read-only, so
	/// that a write fails the way the kernel says (EROFS, EPERM) rather
	/// than at open.
	///
	/// Throws std::system_error: "opening <path>" (ENOENT, EACCES, ...)
	/// or "reading info of <path>" (ENOTTY: not a virtblkiosim disk).
	IoctlDevice(std::string path, Access access);

	[[nodiscard]] const std::string& path() const override { return path_; }
	[[nodiscard]] DeviceInfo info() override;
	void read_blocks(std::uint64_t lba, std::span<std::byte> out) override;
	void write_blocks(std::uint64_t lba, std::span<const std::byte> in,
			  WriteMode mode) override;
	[[nodiscard]] DeviceStats stats() override;
	void reset_stats() override;
	[[nodiscard]] SimParams get_sim() override;
	void set_sim(const SimParams& params) override;
	std::uint32_t add_fault(const FaultRule& rule) override;
	[[nodiscard]] std::vector<FaultRule> list_faults() override;
	void clear_faults(std::optional<std::uint32_t> id) override;
	PowercutResult powercut(const PowercutOptions& options) override;

private:
	/// Blocks in a buffer of @p bytes; EINVAL for a partial block or a
	/// count beyond the ABI's 32 bits, the message naming the transfer
	/// (@p verb, at @p lba). Messages are built only on failure: this is
	/// the per-I/O path.
	[[nodiscard]] std::uint32_t blocks_in(std::size_t bytes, std::string_view verb,
					      std::uint64_t lba) const;

	std::string path_;
	UniqueFd fd_;
	std::uint32_t logical_block_size_ = 0;
};

/// An open /dev/virtblkiosim-control.
class IoctlControl final : public ControlDevice {
public:
	/// Opens the control node at @p path, read-write if the node's mode
	/// allows, else read-only (the kernel then answers add and remove
	/// with EPERM). Throws std::system_error.
	explicit IoctlControl(std::string path = std::string(k_control_path));

	[[nodiscard]] ModuleFeatures features() override;
	std::uint32_t add(const DeviceConfig& config, std::optional<std::uint32_t> index) override;
	void remove(std::uint32_t index) override;
	[[nodiscard]] std::vector<std::uint32_t> list() override;

private:
	std::string path_;
	UniqueFd fd_;
};

/// Opens IoctlDevice and IoctlControl handles on the running kernel.
class KernelProvider final : public DeviceProvider {
public:
	[[nodiscard]] std::unique_ptr<BlockDevice> open_device(std::string_view name,
							       Access access) override;
	[[nodiscard]] std::unique_ptr<ControlDevice> open_control() override;
};

} // namespace vbsim
