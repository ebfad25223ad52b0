// Value types of the simulation engine: what BlockDevice::get_sim() and
// set_sim(), the fault rules and the power cut speak.
//
// They mirror struct vbs_sim_params, struct vbs_fault_rule and struct
// vbs_powercut of <linux/virtblkiosim.h> with C++ types: times are
// std::chrono durations, enumerations are enum classes.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vbsim/stats.hpp"

namespace vbsim {

/// Latency classes of the engine (VBS_SIM_*). Write-zeroes belongs to
/// the discard class.
enum class SimClass : std::size_t {
	read = 0,
	write = 1,
	flush = 2,
	discard = 3,
};

/// Number of SimClass values.
inline constexpr std::size_t k_sim_class_count = 4;

/// Every SimClass, in index order.
inline constexpr std::array<SimClass, k_sim_class_count> k_all_sim_classes = {
	SimClass::read, SimClass::write, SimClass::flush, SimClass::discard,
};

/// "read", "write", "flush", "discard".
[[nodiscard]] std::string_view sim_class_name(SimClass c);

/// How the random part of a latency is drawn (VBS_JITTER_*).
enum class Jitter : std::uint32_t {
	none = 0,        ///< no random part; the jitter must be 0
	uniform = 1,     ///< uniform in [0, jitter]
	exponential = 2, ///< exponential with mean jitter
};

/// "none", "uniform", "exponential".
[[nodiscard]] std::string_view jitter_name(Jitter j);
/// The Jitter named @p name (jitter_name()); nullopt for another name.
[[nodiscard]] std::optional<Jitter> jitter_from_name(std::string_view name);

/// Largest time any latency field accepts (VBS_SIM_MAX_NS).
inline constexpr std::chrono::nanoseconds k_sim_max_latency = std::chrono::seconds(60);
/// Most parallel units (VBS_SIM_MAX_CHANNELS).
inline constexpr std::uint32_t k_sim_max_channels = 4096;
/// Longest request timeout (VBS_SIM_MAX_TIMEOUT_MS).
inline constexpr std::chrono::milliseconds k_sim_max_timeout = std::chrono::hours(1);
/// Longest completion delivery time (VBS_SIM_MAX_DELIVERY_NS).
inline constexpr std::chrono::nanoseconds k_sim_max_delivery = std::chrono::milliseconds(1);
/// Range of a bandwidth limit other than 0 (VBS_SIM_MIN_BW_BPS, VBS_SIM_MAX_BW_BPS).
inline constexpr std::uint64_t k_sim_min_bandwidth = 4096;
inline constexpr std::uint64_t k_sim_max_bandwidth = std::uint64_t{1} << 50;
/// Highest IOPS limit (VBS_SIM_MAX_IOPS).
inline constexpr std::uint32_t k_sim_max_iops = 1'000'000'000;
/// One million: probabilities are in parts per million.
inline constexpr std::uint32_t k_ppm_max = 1'000'000;

/// The service time of one class (struct vbs_sim_latency): base + a
/// random part + (slow, with probability slow_ppm / 10^6).
struct Latency {
	std::chrono::nanoseconds base{0};   ///< 0..k_sim_max_latency
	std::chrono::nanoseconds jitter{0}; ///< 0..k_sim_max_latency
	Jitter distribution = Jitter::none;
	std::uint32_t slow_ppm = 0;         ///< 0..k_ppm_max
	std::chrono::nanoseconds slow{0};   ///< 0..k_sim_max_latency

	friend bool operator==(const Latency&, const Latency&) = default;
};

/// The two directions bandwidth and IOPS limits apply to.
enum class Direction : std::size_t {
	read = 0,
	write = 1,
};

/// The simulation settings of one disk (struct vbs_sim_params). All
/// zero, the default, turns the engine off.
struct SimParams {
	/// Seed of the disk's random generator; set_sim() restarts it.
	std::uint64_t seed = 0;
	/// Indexed by SimClass; use lat().
	std::array<Latency, k_sim_class_count> latency{};
	/// Bytes per second, indexed by Direction; 0 = unlimited, else
	/// k_sim_min_bandwidth..k_sim_max_bandwidth.
	std::array<std::uint64_t, 2> bandwidth{};
	/// Requests per second, indexed by Direction; 0 = unlimited, else
	/// 1..k_sim_max_iops.
	std::array<std::uint32_t, 2> iops{};
	/// Parallel units, 0..k_sim_max_channels; 0 = unlimited.
	std::uint32_t channels = 0;
	/// Request timeout, 0..k_sim_max_timeout; 0 = the default (30 s).
	std::chrono::milliseconds timeout{0};
	/// The host's cost of delivering a completion to its submitter
	/// (interrupt, wake-up), 0..k_sim_max_delivery: timed requests end
	/// this much before the device's time, so the submitter sees the
	/// configured latency. Measured by calibrate_delivery(); on its own
	/// it does not turn the engine on.
	std::chrono::nanoseconds delivery{0};

	[[nodiscard]] const Latency& lat(SimClass c) const { return latency[static_cast<std::size_t>(c)]; }
	[[nodiscard]] Latency& lat(SimClass c) { return latency[static_cast<std::size_t>(c)]; }

	friend bool operator==(const SimParams&, const SimParams&) = default;
};

/// Why VBS_IOC_SET_SIM would refuse @p params with EINVAL ("read jitter
/// 1ms needs a distribution"); nullopt when the kernel accepts it.
[[nodiscard]] std::optional<std::string> sim_params_problem(const SimParams& params);

/// What a fault rule does to a request it hits (VBS_FAULT_*).
enum class FaultEffect : std::uint32_t {
	ioerr = 1,      ///< EIO
	medium = 2,     ///< medium error (ENODATA)
	timeout = 3,    ///< never completed; the request timeout ends it
	corrupt = 4,    ///< reads only: one byte per block inverted
	lost_write = 5, ///< not reads: completes OK, changes nothing
};

/// "ioerr", "medium", "timeout", "corrupt", "lost-write".
[[nodiscard]] std::string_view fault_effect_name(FaultEffect e);
/// The FaultEffect named @p name; nullopt for another name.
[[nodiscard]] std::optional<FaultEffect> fault_effect_from_name(std::string_view name);

/// Which matching requests a rule hits (VBS_TRIGGER_*).
enum class FaultTrigger : std::uint32_t {
	always = 0,  ///< every one
	once = 1,    ///< the first one
	every_n = 2, ///< every every_n-th one
	prob = 3,    ///< each with probability ppm / 10^6
};

/// "always", "once", "every", "prob".
[[nodiscard]] std::string_view fault_trigger_name(FaultTrigger t);

/// Most rules one disk holds (VBS_FAULT_MAX_RULES).
inline constexpr std::size_t k_fault_max_rules = 1024;

/// The op_mask bit of @p op.
[[nodiscard]] constexpr std::uint32_t op_bit(Op op)
{
	return std::uint32_t{1} << static_cast<std::size_t>(op);
}

/// op_bit() of every Op.
inline constexpr std::uint32_t k_all_op_bits = (std::uint32_t{1} << k_op_count) - 1;

/// One fault rule (struct vbs_fault_rule). The fields marked "out" are
/// filled by list_faults() and ignored by add_fault().
struct FaultRule {
	std::uint32_t id = 0;      ///< out: >= 1, unique on the disk
	std::uint32_t op_mask = 0; ///< op_bit() of the operations it applies to
	FaultEffect effect = FaultEffect::ioerr;
	std::uint64_t lba = 0;     ///< first block of the range
	std::uint64_t count = 0;   ///< blocks in the range; 0 = to the end
	FaultTrigger trigger = FaultTrigger::always;
	std::uint32_t every_n = 0; ///< FaultTrigger::every_n: N >= 1, else 0
	std::uint32_t ppm = 0;     ///< FaultTrigger::prob: 1..k_ppm_max, else 0
	/// In: fires before it is spent, 0 = no limit (once: 0 or 1). Out:
	/// fires left (0 without limit).
	std::uint32_t remaining = 0;
	std::uint64_t matched = 0; ///< out: matching requests seen
	std::uint64_t fired = 0;   ///< out: times it fired
	bool spent = false;        ///< out: remaining reached 0

	friend bool operator==(const FaultRule&, const FaultRule&) = default;
};

/// How a power cut treats the pages of the volatile write cache
/// (struct vbs_powercut input).
struct PowercutOptions {
	/// false: drop every page not yet durable. true: keep a random
	/// subset (VBS_POWERCUT_KEEP_RANDOM).
	bool keep_random = false;
	/// With keep_random: probability of keeping each page, 0..k_ppm_max;
	/// 0 means 500000. Must be 0 without keep_random.
	std::uint32_t keep_ppm = 0;
	/// With keep_random: draw the subset from this seed rather than the
	/// disk's generator (VBS_POWERCUT_SEED).
	std::optional<std::uint64_t> seed;

	friend bool operator==(const PowercutOptions&, const PowercutOptions&) = default;
};

/// What a power cut did (struct vbs_powercut output).
struct PowercutResult {
	std::uint64_t pages_dropped = 0; ///< cache pages whose writes were lost
	std::uint64_t pages_kept = 0;    ///< cache pages made durable

	friend bool operator==(const PowercutResult&, const PowercutResult&) = default;
};

} // namespace vbsim
