// The --json documents vbsim prints. Every key name lives here, and each is
// part of vbsim's stable interface (documented in vbsim(1) and
// docs/ioctl.md): keys may be added in later versions, never renamed or
// removed. Keys keep the order shown.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vbsim/calibrate.hpp"
#include "vbsim/device_types.hpp"
#include "vbsim/sim_types.hpp"
#include "vbsim/stats.hpp"

namespace vbsim::cli {

using Json = nlohmann::ordered_json;

/// {"capacity_bytes", "logical_block_size", "physical_block_size",
///  "nr_hw_queues", "nr_poll_queues", "queue_depth", "max_partitions",
///  "discard", "write_zeroes", "write_cache", "read_only", "rotational",
///  "model", "model_pages"}
[[nodiscard]] Json config_json(const DeviceConfig& config);

/// vbsim info --json:
/// {"device", "index", "abi_version", "live", "features": [names],
///  "config": config_json, "block_count", "max_io_bytes", "pages_in_use"}
[[nodiscard]] Json info_json(const std::string& path, const DeviceInfo& info);

/// vbsim stats --json:
/// {"device", "since_ns", "in_flight", "peak_in_flight", "pages_in_use",
///  "cache_pages", "bytes_in_use",
///  "ops": {"read"|"write"|"flush"|"discard"|"write_zeroes":
///          {"requests", "bytes", "errors", "ioctl_requests", "faults",
///           "latency_sum_ns", "mean_latency_ns" (null without samples),
///           "latency_histogram": [32 counts]}}}
[[nodiscard]] Json stats_json(const std::string& path, const DeviceStats& stats);

/// One line of vbsim stats --watch --json: stats_json plus
/// "interval_ns" and "rates": {op: {"requests_per_sec", "bytes_per_sec",
/// "errors_per_sec"}}.
[[nodiscard]] Json watch_json(const std::string& path, const DeviceStats& stats,
			      std::chrono::nanoseconds interval,
			      const std::array<OpRates, k_op_count>& rates);

/// vbsim features --json:
/// {"abi_version", "tool_abi_version", "features": [names], "max_devices",
///  "nr_devices"}
[[nodiscard]] Json features_json(const ModuleFeatures& features);

/// vbsim list --json: {"devices": [{"index", "device"}]}
[[nodiscard]] Json list_json(const std::vector<std::uint32_t>& indices);

/// vbsim add --json: {"index", "device"}
[[nodiscard]] Json added_json(std::uint32_t index);

/// vbsim sim --json:
/// {"device", "seed",
///  "latency": {"read"|"write"|"flush"|"discard":
///              {"base_ns", "jitter_ns", "distribution", "slow_ppm", "slow_ns"}},
///  "bandwidth_bps": {"read", "write"}, "iops": {"read", "write"},
///  "channels", "timeout_ms", "delivery_ns"} (0 everywhere: unlimited /
///  default / off)
[[nodiscard]] Json sim_json(const std::string& path, const SimParams& params);

/// vbsim sim DEV calibrate --json:
/// {"device", "latency_ns", "reads", "delivery_ns", "applied",
///  "off"|"on"|"check": {"median_ns", "mean_ns"},
///  "error": {"median", "mean"}} (errors as fractions: 0.01 is 1%)
[[nodiscard]] Json calibrate_json(const std::string& path, const CalibrateResult& result);

/// The names of the operations in @p op_mask ("read", "write", ...).
[[nodiscard]] std::vector<std::string> op_mask_names(std::uint32_t op_mask);

/// vbsim fault list --json:
/// {"device", "rules": [{"id", "ops": [names], "effect", "lba", "count",
///  "trigger", "every_n", "ppm", "remaining", "matched", "fired", "spent"}]}
[[nodiscard]] Json faults_json(const std::string& path, const std::vector<FaultRule>& rules);

/// vbsim fault add --json: {"device", "id"}
[[nodiscard]] Json fault_added_json(const std::string& path, std::uint32_t id);

/// vbsim powercut --json: {"device", "pages_dropped", "pages_kept"}
[[nodiscard]] Json powercut_json(const std::string& path, const PowercutResult& result);

} // namespace vbsim::cli
