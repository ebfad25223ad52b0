// Statistics of one disk, and rates between two samples of them.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vbsim {

/// Operation types the disk counts separately (VBS_OP_*).
enum class Op : std::size_t {
	read = 0,
	write = 1,
	flush = 2,
	discard = 3,
	write_zeroes = 4,
};

/// Number of Op values.
inline constexpr std::size_t k_op_count = 5;

/// Every Op, in index order.
inline constexpr std::array<Op, k_op_count> k_all_ops = {
	Op::read, Op::write, Op::flush, Op::discard, Op::write_zeroes,
};

/// The stable name of @p op: "read", "write", "flush", "discard",
/// "write_zeroes".
[[nodiscard]] std::string_view op_name(Op op);

/// Buckets of a latency histogram (VBS_LAT_BUCKETS).
inline constexpr std::size_t k_latency_buckets = 32;

/// A latency histogram: bucket 0 counts requests that took less than 1 us;
/// bucket b (1..30) those that took [2^(b-1), 2^b) us; bucket 31 those that
/// took 2^30 us or longer.
using LatencyHistogram = std::array<std::uint64_t, k_latency_buckets>;

/// Counters of one operation type since the last reset (struct
/// vbs_op_stats, and the per-operation slots of struct vbs_stats).
///
/// faults, latency_sum and latency_histogram count only while the disk's
/// simulation engine is active (a simulation setting or a fault rule set).
struct OpStats {
	std::uint64_t requests = 0;       ///< requests completed
	std::uint64_t bytes = 0;          ///< bytes they covered
	std::uint64_t errors = 0;         ///< of those, completed with an error
	std::uint64_t ioctl_requests = 0; ///< of requests, made by the block I/O ioctls
	std::uint64_t faults = 0;         ///< requests on which a fault rule fired
	/// Sum of the latencies counted in latency_histogram.
	std::chrono::nanoseconds latency_sum{0};
	LatencyHistogram latency_histogram{};

	/// latency_sum over the requests in latency_histogram; nullopt
	/// when the histogram is empty.
	[[nodiscard]] std::optional<std::chrono::nanoseconds> mean_latency() const;

	friend bool operator==(const OpStats&, const OpStats&) = default;
};

/// A snapshot of a disk's statistics (struct vbs_stats).
struct DeviceStats {
	/// Counters indexed by Op; use op().
	std::array<OpStats, k_op_count> ops{};
	std::uint64_t in_flight = 0;      ///< requests started, not completed
	std::uint64_t peak_in_flight = 0; ///< most in flight at once since the reset
	std::uint64_t pages_in_use = 0;   ///< memory pages holding data
	std::uint64_t cache_pages = 0;    ///< of those, holding writes not yet durable
	std::uint64_t bytes_in_use = 0;   ///< pages_in_use times the page size
	/// When the counters were last reset (or the disk created). The
	/// kernel's CLOCK_MONOTONIC, which is steady_clock's clock on Linux.
	std::chrono::steady_clock::time_point since{};

	[[nodiscard]] const OpStats& op(Op o) const { return ops[static_cast<std::size_t>(o)]; }
	[[nodiscard]] OpStats& op(Op o) { return ops[static_cast<std::size_t>(o)]; }

	friend bool operator==(const DeviceStats&, const DeviceStats&) = default;
};

/// Per-second rates of one operation type between two samples.
struct OpRates {
	double requests_per_sec = 0;
	double bytes_per_sec = 0;
	double errors_per_sec = 0;
};

/// Rates of every Op between @p before and @p after, taken @p elapsed
/// apart. When the statistics were reset in between (DeviceStats::since
/// differs, or a counter went backwards) the counters of @p after count
/// from zero. An @p elapsed of zero or less gives zeros.
[[nodiscard]] std::array<OpRates, k_op_count> compute_rates(const DeviceStats& before,
							    const DeviceStats& after,
							    std::chrono::nanoseconds elapsed);

} // namespace vbsim
