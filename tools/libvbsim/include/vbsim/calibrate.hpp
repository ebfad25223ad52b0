// Measuring the host's cost of delivering a completion, so that a
// simulated latency is what the submitter sees: `vbsim sim DEV calibrate`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vbsim/block_device.hpp"

namespace vbsim {

/// How calibrate_delivery() measures.
struct CalibrateOptions {
	/// The read latency set while measuring: long enough that every
	/// request waits for the engine's timer (k_calibrate_min_latency..
	/// k_calibrate_max_latency).
	std::chrono::nanoseconds latency = std::chrono::microseconds(100);
	/// Reads per condition (engine off, latency set, latency set with
	/// the delivery time measured), 1..k_calibrate_max_reads.
	std::uint32_t reads = 2000;
	/// The reads of each condition come in this many blocks, the
	/// conditions alternating, so that a drift of the host's speed
	/// touches all of them alike; 1..reads.
	std::uint32_t rounds = 10;
	/// Leave the delivery time measured in force (else the settings are
	/// put back as they were).
	bool apply = true;
};

inline constexpr std::chrono::nanoseconds k_calibrate_min_latency = std::chrono::microseconds(10);
inline constexpr std::chrono::nanoseconds k_calibrate_max_latency = std::chrono::milliseconds(10);
inline constexpr std::uint32_t k_calibrate_max_reads = 1'000'000;

/// Mean and median of a set of read times.
struct LatencySummary {
	std::chrono::nanoseconds mean{0};
	std::chrono::nanoseconds median{0};
	std::uint32_t count = 0;
};

/// What calibrate_delivery() measured.
struct CalibrateResult {
	std::chrono::nanoseconds latency{0}; ///< the read latency set
	LatencySummary off;                  ///< engine off
	LatencySummary on;                   ///< latency set, no delivery time
	LatencySummary check;                ///< latency set, delivery time in force
	/// The delivery time: on.mean - off.mean - latency (the engine-off
	/// reads before the check), within 0..k_sim_max_delivery.
	std::chrono::nanoseconds delivery{0};
	bool applied = false; ///< left in force on the disk

	/// (check.mean - off.mean) / latency - 1: the error of the mean
	/// latency the submitter sees, with the delivery time in force.
	[[nodiscard]] double mean_error() const;
	/// The same with the medians.
	[[nodiscard]] double median_error() const;
};

/// One timed read of the disk: how long it took.
using TimedRead = std::function<std::chrono::nanoseconds()>;

/// Reads of @p path as fio's psync engine makes them: pread(2) of 4 KiB
/// with O_DIRECT at QD1, at random 4 KiB-aligned offsets (a fixed seed)
/// within the first @p span_bytes of the disk. Throws std::system_error
/// when the disk cannot be opened or a read fails.
[[nodiscard]] TimedRead direct_reader(const std::string& path, std::uint64_t span_bytes);

/// Mean and median of @p samples (all zero when empty).
[[nodiscard]] LatencySummary summarize(std::vector<std::chrono::nanoseconds> samples);

/// Why calibrate_delivery() would refuse @p options, or nullopt.
[[nodiscard]] std::optional<std::string> calibrate_options_problem(const CalibrateOptions& options);

/// Measures the host's cost of delivering a completion on @p device:
/// reads (@p read) with the engine off and with a read latency set,
/// alternating; the delivery time is what the latency adds to the mean
/// beyond its setting. Then checks it: reads with the delivery time in
/// force. Every setting of the disk is put back afterwards, with the
/// delivery time measured if options.apply, whatever happens (a read
/// that throws included). The disk should be idle: other I/O adds to
/// what is measured. Throws std::invalid_argument for bad options and
/// what @p device and @p read throw (EOPNOTSUPP from set_sim() on a
/// model disk, whose model sets its latencies).
CalibrateResult calibrate_delivery(BlockDevice& device, const TimedRead& read, const CalibrateOptions& options);

} // namespace vbsim
