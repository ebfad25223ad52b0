#include "json_output.hpp"

#include "vbsim/device_name.hpp"

namespace vbsim::cli {

Json config_json(const DeviceConfig& config)
{
	return Json{
		{"capacity_bytes", config.capacity_bytes},
		{"logical_block_size", config.logical_block_size},
		{"physical_block_size", config.physical_block_size},
		{"nr_hw_queues", config.nr_hw_queues},
		{"nr_poll_queues", config.nr_poll_queues},
		{"queue_depth", config.queue_depth},
		{"max_partitions", config.max_partitions},
		{"discard", config.discard},
		{"write_zeroes", config.write_zeroes},
		{"write_cache", config.write_cache},
		{"read_only", config.read_only},
		{"rotational", config.rotational},
		{"model", config.model},
		{"model_pages", config.model_pages},
	};
}

Json info_json(const std::string& path, const DeviceInfo& info)
{
	return Json{
		{"device", path},
		{"index", info.index},
		{"abi_version", info.abi_version},
		{"live", info.live},
		{"features", info.features.names()},
		{"config", config_json(info.config)},
		{"block_count", info.block_count()},
		{"max_io_bytes", info.max_io_bytes},
		{"pages_in_use", info.pages_in_use},
	};
}

Json stats_json(const std::string& path, const DeviceStats& stats)
{
	Json ops = Json::object();
	for (Op op : k_all_ops) {
		const OpStats& s = stats.op(op);
		const auto mean = s.mean_latency();
		ops[std::string(op_name(op))] = Json{
			{"requests", s.requests},
			{"bytes", s.bytes},
			{"errors", s.errors},
			{"ioctl_requests", s.ioctl_requests},
			{"faults", s.faults},
			{"latency_sum_ns", s.latency_sum.count()},
			{"mean_latency_ns", mean ? Json(mean->count()) : Json(nullptr)},
			{"latency_histogram", s.latency_histogram},
		};
	}
	const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(stats.since.time_since_epoch());
	return Json{
		{"device", path},
		{"since_ns", since.count()},
		{"in_flight", stats.in_flight},
		{"peak_in_flight", stats.peak_in_flight},
		{"pages_in_use", stats.pages_in_use},
		{"cache_pages", stats.cache_pages},
		{"bytes_in_use", stats.bytes_in_use},
		{"ops", std::move(ops)},
	};
}

Json watch_json(const std::string& path, const DeviceStats& stats, std::chrono::nanoseconds interval,
		const std::array<OpRates, k_op_count>& rates)
{
	Json line = stats_json(path, stats);
	Json per_op = Json::object();
	for (Op op : k_all_ops) {
		const OpRates& r = rates[static_cast<std::size_t>(op)];
		per_op[std::string(op_name(op))] = Json{
			{"requests_per_sec", r.requests_per_sec},
			{"bytes_per_sec", r.bytes_per_sec},
			{"errors_per_sec", r.errors_per_sec},
		};
	}
	line["interval_ns"] = interval.count();
	line["rates"] = std::move(per_op);
	return line;
}

Json features_json(const ModuleFeatures& features)
{
	return Json{
		{"abi_version", features.abi_version},
		{"tool_abi_version", k_abi_version},
		{"features", features.features.names()},
		{"max_devices", features.max_devices},
		{"nr_devices", features.nr_devices},
	};
}

Json list_json(const std::vector<std::uint32_t>& indices)
{
	Json devices = Json::array();
	for (std::uint32_t index : indices)
		devices.push_back(Json{{"index", index}, {"device", device_path(index)}});
	return Json{{"devices", std::move(devices)}};
}

Json added_json(std::uint32_t index)
{
	return Json{{"index", index}, {"device", device_path(index)}};
}

Json sim_json(const std::string& path, const SimParams& params)
{
	Json latency = Json::object();
	for (SimClass c : k_all_sim_classes) {
		const Latency& l = params.lat(c);
		latency[std::string(sim_class_name(c))] = Json{
			{"base_ns", l.base.count()},
			{"jitter_ns", l.jitter.count()},
			{"distribution", jitter_name(l.distribution)},
			{"slow_ppm", l.slow_ppm},
			{"slow_ns", l.slow.count()},
		};
	}
	const auto per_direction = [](const auto& values) {
		return Json{{"read", values[static_cast<std::size_t>(Direction::read)]},
			    {"write", values[static_cast<std::size_t>(Direction::write)]}};
	};
	return Json{
		{"device", path},
		{"seed", params.seed},
		{"latency", latency},
		{"bandwidth_bps", per_direction(params.bandwidth)},
		{"iops", per_direction(params.iops)},
		{"channels", params.channels},
		{"timeout_ms", params.timeout.count()},
		{"delivery_ns", params.delivery.count()},
	};
}

Json calibrate_json(const std::string& path, const CalibrateResult& result)
{
	const auto summary = [](const LatencySummary& s) {
		return Json{{"median_ns", s.median.count()}, {"mean_ns", s.mean.count()}};
	};
	return Json{
		{"device", path},
		{"latency_ns", result.latency.count()},
		{"reads", result.on.count},
		{"delivery_ns", result.delivery.count()},
		{"applied", result.applied},
		{"off", summary(result.off)},
		{"on", summary(result.on)},
		{"check", summary(result.check)},
		{"error", Json{{"median", result.median_error()}, {"mean", result.mean_error()}}},
	};
}

std::vector<std::string> op_mask_names(std::uint32_t op_mask)
{
	std::vector<std::string> names;
	for (Op op : k_all_ops) {
		if ((op_mask & op_bit(op)) != 0)
			names.emplace_back(op_name(op));
	}
	return names;
}

Json faults_json(const std::string& path, const std::vector<FaultRule>& rules)
{
	Json list = Json::array();
	for (const FaultRule& r : rules) {
		list.push_back(Json{
			{"id", r.id},
			{"ops", op_mask_names(r.op_mask)},
			{"effect", fault_effect_name(r.effect)},
			{"lba", r.lba},
			{"count", r.count},
			{"trigger", fault_trigger_name(r.trigger)},
			{"every_n", r.every_n},
			{"ppm", r.ppm},
			{"remaining", r.remaining},
			{"matched", r.matched},
			{"fired", r.fired},
			{"spent", r.spent},
		});
	}
	return Json{{"device", path}, {"rules", list}};
}

Json fault_added_json(const std::string& path, std::uint32_t id)
{
	return Json{{"device", path}, {"id", id}};
}

Json powercut_json(const std::string& path, const PowercutResult& result)
{
	return Json{{"device", path}, {"pages_dropped", result.pages_dropped}, {"pages_kept", result.pages_kept}};
}

} // namespace vbsim::cli
