// In-memory stand-ins for the kernel module, for tests and for running the
// CLI without a kernel.
//
// FakeDevice is one disk with the kernel's semantics (capacity and LBA
// checks, read-only, zeros for unwritten blocks, the kernel's errnos);
// FakeModule is the module around it (the control node: add, remove, list,
// features; opening disks by name).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "vbsim/block_device.hpp"
#include "vbsim/control_device.hpp"
#include "vbsim/device_provider.hpp"
#include "vbsim/device_types.hpp"
#include "vbsim/sparse_store.hpp"

namespace vbsim {

/// The module parameters and limits a FakeModule (and its disks) obey.
struct FakeLimits {
	/// Resolved for DeviceConfig fields that are 0.
	std::uint64_t default_capacity_bytes = std::uint64_t{1} << 30;
	std::uint32_t default_logical_block_size = 512;
	std::uint32_t default_nr_hw_queues = 1;
	std::uint32_t default_queue_depth = 128;
	/// nr_hw_queues and nr_poll_queues may not exceed this (the kernel's
	/// nr_cpu_ids).
	std::uint32_t nr_cpus = 64;
	/// Largest single read_blocks() / write_blocks() transfer.
	std::uint64_t max_io_bytes = std::uint64_t{1} << 20;
	/// Most disks at once; indices are 0..max_devices - 1.
	std::uint32_t max_devices = 1024;
	/// What the module claims to support.
	FeatureSet features{0x3f};
};

/// One in-memory disk with the semantics of a kernel disk.
///
/// Checks, in this order, and the errno they fail with:
///  1. buffer empty or not a whole number of blocks, blocks beyond the
///     end of the disk (computed without overflow), more than
///     FakeLimits::max_io_bytes: EINVAL;
///  2. a write to a read-only disk: EROFS.
/// Successful transfers count as ioctl requests in stats().
///
/// The simulation engine is modelled as far as a test can see it without
/// a clock: set_sim(), add_fault() and powercut() take the kernel's
/// validation and errnos, settings and rules are kept and listed back,
/// and fault rules act on read_blocks() / write_blocks() as in the kernel
/// (ioerr: EIO, medium: ENODATA, timeout: ETIMEDOUT at once, corrupt: one
/// byte per block of the range inverted, lost-write: nothing stored),
/// with matched / fired counters and the per-op faults and errors
/// counters. Latencies are not simulated. The fake has no write cache,
/// so every write is durable at once and powercut() drops and keeps
/// nothing, as the kernel does on a disk without a write cache.
class FakeDevice final : public BlockDevice {
public:
	/// A disk numbered @p index shaped by @p config, whose zero fields
	/// take @p limits' defaults. Throws std::system_error EINVAL
	/// ("creating virtblkiosim<index>") when resolve() rejects @p config.
	FakeDevice(std::uint32_t index, const DeviceConfig& config, const FakeLimits& limits = {});

	/// @p config with every 0 replaced by its default, or nullopt when a
	/// field is out of the range struct vbs_dev_config documents, or
	/// when it asks for poll queues of a module without Feature::poll.
	[[nodiscard]] static std::optional<DeviceConfig> resolve(const DeviceConfig& config,
								 const FakeLimits& limits);

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

	/// The counters stats() reports, for a test to set what the fake
	/// does not measure (latency histograms, in_flight).
	[[nodiscard]] DeviceStats& stats_for_test() { return stats_; }

	/// Writes that asked for FUA so far (tests check the flag got through).
	[[nodiscard]] std::uint64_t fua_writes() const { return fua_writes_; }

private:
	/// Throws EINVAL (with @p what) unless @p bytes at @p lba is a valid
	/// transfer.
	void check_transfer(std::uint64_t lba, std::size_t bytes, const std::string& what) const;

	/// The first rule that fires on @p op over @p count blocks at @p lba
	/// (counting matches as the kernel does), or nullptr.
	[[nodiscard]] const FaultRule* fire_fault(Op op, std::uint64_t lba, std::uint64_t count);

	/// Throws the errno of @p rule's effect (with @p what) if it fails
	/// the request; counts the fault and the error in @p s.
	static void fail_if_fatal(const FaultRule& rule, OpStats& s, const std::string& what);

	std::string path_;
	DeviceInfo info_;
	SparseStore store_;
	DeviceStats stats_;
	std::uint64_t fua_writes_ = 0;
	SimParams sim_;
	std::mt19937_64 rng_;
	std::vector<FaultRule> rules_;
	std::uint32_t next_fault_id_ = 1;
};

/// An in-memory module: the control node and the disks it made.
///
/// As the kernel does, remove() fails with EBUSY while a handle from
/// open_device() is alive. The FakeModule must outlive every handle it
/// hands out.
class FakeModule final : public ControlDevice, public DeviceProvider {
public:
	explicit FakeModule(FakeLimits limits = {});
	FakeModule(const FakeModule&) = delete;
	FakeModule& operator=(const FakeModule&) = delete;
	~FakeModule() override;

	// ControlDevice
	[[nodiscard]] ModuleFeatures features() override;
	std::uint32_t add(const DeviceConfig& config, std::optional<std::uint32_t> index) override;
	void remove(std::uint32_t index) override;
	[[nodiscard]] std::vector<std::uint32_t> list() override;

	// DeviceProvider. Names that are paths without an index fail with
	// ENOENT, as does a disk that does not exist.
	[[nodiscard]] std::unique_ptr<BlockDevice> open_device(std::string_view name,
							       Access access) override;
	[[nodiscard]] std::unique_ptr<ControlDevice> open_control() override;

	/// Disk @p index itself, for a test to prepare or inspect; throws
	/// std::out_of_range if it does not exist.
	[[nodiscard]] FakeDevice& device(std::uint32_t index);

	/// Handles from open_device() that are alive for disk @p index.
	[[nodiscard]] unsigned open_count(std::uint32_t index) const;

private:
	struct Disk {
		std::unique_ptr<FakeDevice> device;
		unsigned open_count = 0;
	};

	FakeLimits limits_;
	std::map<std::uint32_t, Disk> disks_;
};

} // namespace vbsim
