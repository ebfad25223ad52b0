// Value types that describe a simulated disk and the module.
//
// They mirror the ABI structures of <linux/virtblkiosim.h> with C++ types;
// libvbsim converts between the two (the ABI header itself stays private to
// the library). Field comments give units and ranges as the kernel checks
// them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vbsim {

/// The ABI version this library speaks (VBS_ABI_VERSION).
inline constexpr std::uint32_t k_abi_version = 1;

/// Most bytes a disk may hold (2^50, 1 PiB).
inline constexpr std::uint64_t k_max_capacity = std::uint64_t{1} << 50;

/// What a module build supports (VBS_FEAT_*).
enum class Feature : std::uint64_t {
	block_io = std::uint64_t{1} << 0,      ///< read / write through ioctl
	stats = std::uint64_t{1} << 1,         ///< get / reset statistics
	control = std::uint64_t{1} << 2,       ///< add / remove / list disks
	discard = std::uint64_t{1} << 3,       ///< discard frees pages
	write_zeroes = std::uint64_t{1} << 4,  ///< write-zeroes
	write_cache = std::uint64_t{1} << 5,   ///< volatile cache + FUA
	sim = std::uint64_t{1} << 6,           ///< latency, bandwidth, IOPS, channels
	faults = std::uint64_t{1} << 7,        ///< fault rules
	powercut = std::uint64_t{1} << 8,      ///< power cut drops the write cache
	latency_stats = std::uint64_t{1} << 9, ///< latency histograms, faults, peak
	model = std::uint64_t{1} << 10,        ///< userland-model disks (VBS_CFG_MODEL)
	poll = std::uint64_t{1} << 11,         ///< polled-I/O queues (nr_poll_queues)
	delivery = std::uint64_t{1} << 12,     ///< SimParams::delivery (completion delivery time)
};

/// Every Feature this library knows, in bit order.
inline constexpr std::array<Feature, 13> k_all_features = {
	Feature::block_io,
	Feature::stats,
	Feature::control,
	Feature::discard,
	Feature::write_zeroes,
	Feature::write_cache,
	Feature::sim,
	Feature::faults,
	Feature::powercut,
	Feature::latency_stats,
	Feature::model,
	Feature::poll,
	Feature::delivery,
};

/// The stable name of @p feature: "block_io", "stats", "control",
/// "discard", "write_zeroes", "write_cache", "sim", "faults", "powercut",
/// "latency_stats", "model", "poll" or "delivery".
[[nodiscard]] std::string_view feature_name(Feature feature);

/// A set of Feature bits as the kernel reports them. Bits this library
/// does not know are kept, so nothing the kernel says is lost.
struct FeatureSet {
	std::uint64_t bits = 0;

	[[nodiscard]] bool has(Feature feature) const
	{
		return (bits & static_cast<std::uint64_t>(feature)) != 0;
	}

	/// Names of the bits set, in bit order: feature_name() for known
	/// bits, "bit<N>" for the others.
	[[nodiscard]] std::vector<std::string> names() const;

	friend bool operator==(const FeatureSet&, const FeatureSet&) = default;
};

/// The shape of one simulated disk (struct vbs_dev_config).
///
/// As input to ControlDevice::add(), a numeric field of 0 asks for the
/// module's default; as part of DeviceInfo every default is resolved.
struct DeviceConfig {
	/// Size in bytes: a multiple of logical_block_size, at most
	/// k_max_capacity.
	std::uint64_t capacity_bytes = 0;
	/// Bytes per logical block: a power of two, 512..4096.
	std::uint32_t logical_block_size = 0;
	/// Bytes per physical block: a power of two, logical_block_size..65536.
	std::uint32_t physical_block_size = 0;
	/// blk-mq hardware queues, 1..number of CPUs.
	std::uint32_t nr_hw_queues = 0;
	/// Tags per hardware queue, 1..4096.
	std::uint32_t queue_depth = 0;
	/// Partitions the disk may hold, 0..255 (0: no partition scan).
	std::uint32_t max_partitions = 0;
	/// Hardware queues for polled I/O (io_uring IORING_SETUP_IOPOLL), on
	/// top of nr_hw_queues: 0..number of CPUs; 0 means none (the module's
	/// poll_queues parameter applies only to the disks made at load).
	/// Needs Feature::poll.
	std::uint32_t nr_poll_queues = 0;

	bool discard = false;      ///< accept discard and free the pages
	bool write_zeroes = false; ///< accept write-zeroes
	bool write_cache = false;  ///< advertise a volatile cache and FUA
	bool read_only = false;    ///< reject writes
	bool rotational = false;   ///< report rotational=1
	/// A userland model maps every request (VBS_CFG_MODEL; see
	/// model_session.hpp).
	bool model = false;
	/// With model: physical pages (4096 bytes) of the store, from the
	/// disk's logical page count up to 2^38; 0 means logical pages + 7%.
	/// Must be 0 without model.
	std::uint64_t model_pages = 0;

	friend bool operator==(const DeviceConfig&, const DeviceConfig&) = default;
};

/// Why @p config would be refused by VBS_CTL_ADD, judged by the ranges
/// struct vbs_dev_config documents ("logical block size 1000 is not a power
/// of two from 512 to 4096"); nullopt when it looks acceptable. Fields of 0
/// (module defaults) are not judged, nor the upper bounds of nr_hw_queues
/// and nr_poll_queues (the number of CPUs where the module runs), nor
/// whether the module offers Feature::poll: the kernel has the last word.
[[nodiscard]] std::optional<std::string> config_problem(const DeviceConfig& config);

/// What a disk reports about itself (struct vbs_info).
struct DeviceInfo {
	std::uint32_t abi_version = 0; ///< VBS_ABI_VERSION of the module
	std::uint32_t index = 0;       ///< N of /dev/virtblkiosimN
	bool live = false;             ///< registered and accepting I/O
	FeatureSet features;           ///< what the module supports
	DeviceConfig config;           ///< configuration in force
	std::uint64_t max_io_bytes = 0; ///< largest single ioctl transfer
	std::uint64_t pages_in_use = 0; ///< memory pages holding data

	/// Logical blocks on the disk.
	[[nodiscard]] std::uint64_t block_count() const
	{
		return config.logical_block_size == 0
			       ? 0
			       : config.capacity_bytes / config.logical_block_size;
	}

	friend bool operator==(const DeviceInfo&, const DeviceInfo&) = default;
};

/// What the control device reports about the module (struct vbs_features).
struct ModuleFeatures {
	std::uint32_t abi_version = 0; ///< VBS_ABI_VERSION of the module
	FeatureSet features;           ///< what the module supports
	std::uint32_t max_devices = 0; ///< most disks that can exist at once
	std::uint32_t nr_devices = 0;  ///< disks that exist now

	friend bool operator==(const ModuleFeatures&, const ModuleFeatures&) = default;
};

} // namespace vbsim
