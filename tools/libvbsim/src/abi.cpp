#include "abi.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fmt/format.h>
#include <iterator>
#include <stdexcept>

#include "vbsim/error.hpp"

namespace vbsim::detail {

// The C++ mirrors of the ABI's constants must agree with it.
static_assert(k_abi_version == VBS_ABI_VERSION);
static_assert(static_cast<std::uint64_t>(Feature::block_io) == VBS_FEAT_BLOCK_IO);
static_assert(static_cast<std::uint64_t>(Feature::stats) == VBS_FEAT_STATS);
static_assert(static_cast<std::uint64_t>(Feature::control) == VBS_FEAT_CONTROL);
static_assert(static_cast<std::uint64_t>(Feature::discard) == VBS_FEAT_DISCARD);
static_assert(static_cast<std::uint64_t>(Feature::write_zeroes) == VBS_FEAT_WRITE_ZEROES);
static_assert(static_cast<std::uint64_t>(Feature::write_cache) == VBS_FEAT_WRITE_CACHE);
static_assert(static_cast<std::uint64_t>(Feature::sim) == VBS_FEAT_SIM);
static_assert(static_cast<std::uint64_t>(Feature::faults) == VBS_FEAT_FAULTS);
static_assert(static_cast<std::uint64_t>(Feature::powercut) == VBS_FEAT_POWERCUT);
static_assert(static_cast<std::uint64_t>(Feature::latency_stats) == VBS_FEAT_LATENCY_STATS);
static_assert(static_cast<std::uint64_t>(Feature::model) == VBS_FEAT_MODEL);
static_assert(static_cast<std::uint64_t>(Feature::poll) == VBS_FEAT_POLL);
static_assert(static_cast<std::uint64_t>(Feature::delivery) == VBS_FEAT_DELIVERY);
static_assert(static_cast<std::size_t>(Op::read) == VBS_OP_READ);
static_assert(static_cast<std::size_t>(Op::write) == VBS_OP_WRITE);
static_assert(static_cast<std::size_t>(Op::flush) == VBS_OP_FLUSH);
static_assert(static_cast<std::size_t>(Op::discard) == VBS_OP_DISCARD);
static_assert(static_cast<std::size_t>(Op::write_zeroes) == VBS_OP_WRITE_ZEROES);
static_assert(k_op_count <= VBS_OP_NR);
static_assert(k_latency_buckets == VBS_LAT_BUCKETS);
static_assert(static_cast<std::size_t>(SimClass::read) == VBS_SIM_READ);
static_assert(static_cast<std::size_t>(SimClass::write) == VBS_SIM_WRITE);
static_assert(static_cast<std::size_t>(SimClass::flush) == VBS_SIM_FLUSH);
static_assert(static_cast<std::size_t>(SimClass::discard) == VBS_SIM_DISCARD);
static_assert(k_sim_class_count == VBS_SIM_NR_CLASSES);
static_assert(static_cast<std::size_t>(Direction::read) == VBS_SIM_READ);
static_assert(static_cast<std::size_t>(Direction::write) == VBS_SIM_WRITE);
static_assert(static_cast<std::uint32_t>(Jitter::none) == VBS_JITTER_NONE);
static_assert(static_cast<std::uint32_t>(Jitter::uniform) == VBS_JITTER_UNIFORM);
static_assert(static_cast<std::uint32_t>(Jitter::exponential) == VBS_JITTER_EXP);
static_assert(static_cast<std::uint64_t>(k_sim_max_latency.count()) == VBS_SIM_MAX_NS);
static_assert(k_sim_max_channels == VBS_SIM_MAX_CHANNELS);
static_assert(k_sim_max_timeout.count() == VBS_SIM_MAX_TIMEOUT_MS);
static_assert(k_sim_min_bandwidth == VBS_SIM_MIN_BW_BPS);
static_assert(k_sim_max_bandwidth == VBS_SIM_MAX_BW_BPS);
static_assert(k_sim_max_iops == VBS_SIM_MAX_IOPS);
static_assert(static_cast<std::uint32_t>(FaultEffect::ioerr) == VBS_FAULT_IOERR);
static_assert(static_cast<std::uint32_t>(FaultEffect::medium) == VBS_FAULT_MEDIUM);
static_assert(static_cast<std::uint32_t>(FaultEffect::timeout) == VBS_FAULT_TIMEOUT);
static_assert(static_cast<std::uint32_t>(FaultEffect::corrupt) == VBS_FAULT_CORRUPT);
static_assert(static_cast<std::uint32_t>(FaultEffect::lost_write) == VBS_FAULT_LOST_WRITE);
static_assert(static_cast<std::uint32_t>(FaultTrigger::always) == VBS_TRIGGER_ALWAYS);
static_assert(static_cast<std::uint32_t>(FaultTrigger::once) == VBS_TRIGGER_ONCE);
static_assert(static_cast<std::uint32_t>(FaultTrigger::every_n) == VBS_TRIGGER_EVERY_N);
static_assert(static_cast<std::uint32_t>(FaultTrigger::prob) == VBS_TRIGGER_PROB);
static_assert(k_fault_max_rules == VBS_FAULT_MAX_RULES);
static_assert(k_all_op_bits == VBS_OP_MASK_ALL);
static_assert(op_bit(Op::write_zeroes) == VBS_OP_MASK(VBS_OP_WRITE_ZEROES));

namespace {

/// A non-negative duration as the ABI's __u64 nanoseconds. A negative
/// one becomes a huge value the kernel refuses, as it should.
template <typename Duration>
std::uint64_t abi_count(Duration d)
{
	return static_cast<std::uint64_t>(d.count());
}

/// __u64 nanoseconds as a duration (values beyond its range cannot come
/// from a kernel that checks VBS_SIM_MAX_NS).
std::chrono::nanoseconds abi_nanos(std::uint64_t ns)
{
	return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

/// Sets @p bit in @p flags when @p on.
void put_flag(std::uint32_t& flags, std::uint32_t bit, bool on)
{
	if (on)
		flags |= bit;
}

} // namespace

struct vbs_dev_config to_abi(const DeviceConfig& config)
{
	auto raw = make_abi<struct vbs_dev_config>();
	raw.capacity = config.capacity_bytes;
	raw.logical_block_size = config.logical_block_size;
	raw.physical_block_size = config.physical_block_size;
	raw.nr_hw_queues = config.nr_hw_queues;
	raw.queue_depth = config.queue_depth;
	raw.max_partitions = config.max_partitions;
	raw.nr_poll_queues = config.nr_poll_queues;
	put_flag(raw.flags, VBS_CFG_DISCARD, config.discard);
	put_flag(raw.flags, VBS_CFG_WRITE_ZEROES, config.write_zeroes);
	put_flag(raw.flags, VBS_CFG_WRITE_CACHE, config.write_cache);
	put_flag(raw.flags, VBS_CFG_READ_ONLY, config.read_only);
	put_flag(raw.flags, VBS_CFG_ROTATIONAL, config.rotational);
	put_flag(raw.flags, VBS_CFG_MODEL, config.model);
	raw.model_pages = config.model_pages;
	return raw;
}

DeviceConfig from_abi(const struct vbs_dev_config& raw)
{
	return DeviceConfig{
		.capacity_bytes = raw.capacity,
		.logical_block_size = raw.logical_block_size,
		.physical_block_size = raw.physical_block_size,
		.nr_hw_queues = raw.nr_hw_queues,
		.queue_depth = raw.queue_depth,
		.max_partitions = raw.max_partitions,
		.nr_poll_queues = raw.nr_poll_queues,
		.discard = (raw.flags & VBS_CFG_DISCARD) != 0,
		.write_zeroes = (raw.flags & VBS_CFG_WRITE_ZEROES) != 0,
		.write_cache = (raw.flags & VBS_CFG_WRITE_CACHE) != 0,
		.read_only = (raw.flags & VBS_CFG_READ_ONLY) != 0,
		.rotational = (raw.flags & VBS_CFG_ROTATIONAL) != 0,
		.model = (raw.flags & VBS_CFG_MODEL) != 0,
		.model_pages = raw.model_pages,
	};
}

DeviceInfo from_abi(const struct vbs_info& raw)
{
	return DeviceInfo{
		.abi_version = raw.abi_version,
		.index = raw.index,
		.live = (raw.state & VBS_STATE_LIVE) != 0,
		.features = FeatureSet{raw.features},
		.config = from_abi(raw.config),
		.max_io_bytes = raw.max_io_bytes,
		.pages_in_use = raw.pages_in_use,
	};
}

DeviceStats from_abi(const struct vbs_stats& raw)
{
	DeviceStats stats;
	for (Op op : k_all_ops) {
		const auto i = static_cast<std::size_t>(op);
		const struct vbs_op_stats& r = raw.ops[i];
		OpStats& s = stats.op(op);
		s.requests = r.requests;
		s.bytes = r.bytes;
		s.errors = r.errors;
		s.ioctl_requests = r.ioctl_requests;
		s.faults = raw.faults[i];
		s.latency_sum = std::chrono::nanoseconds(static_cast<std::int64_t>(raw.lat_sum_ns[i]));
		std::copy(std::begin(raw.lat_hist[i]), std::end(raw.lat_hist[i]), s.latency_histogram.begin());
	}
	stats.in_flight = raw.in_flight;
	stats.peak_in_flight = raw.peak_in_flight;
	stats.pages_in_use = raw.pages_in_use;
	stats.cache_pages = raw.cache_pages;
	stats.bytes_in_use = raw.bytes_in_use;
	// since_ns is CLOCK_MONOTONIC, steady_clock's clock on Linux.
	stats.since = std::chrono::steady_clock::time_point(
		std::chrono::duration_cast<std::chrono::steady_clock::duration>(
			std::chrono::nanoseconds(static_cast<std::int64_t>(raw.since_ns))));
	return stats;
}

ModuleFeatures from_abi(const struct vbs_features& raw)
{
	return ModuleFeatures{
		.abi_version = raw.abi_version,
		.features = FeatureSet{raw.features},
		.max_devices = raw.max_devices,
		.nr_devices = raw.nr_devices,
	};
}

struct vbs_sim_params to_abi(const SimParams& params)
{
	auto raw = make_abi<struct vbs_sim_params>();
	raw.seed = params.seed;
	for (std::size_t c = 0; c < k_sim_class_count; c++) {
		const Latency& l = params.latency[c];
		raw.lat[c].base_ns = abi_count(l.base);
		raw.lat[c].jitter_ns = abi_count(l.jitter);
		raw.lat[c].jitter = static_cast<std::uint32_t>(l.distribution);
		raw.lat[c].slow_ppm = l.slow_ppm;
		raw.lat[c].slow_ns = abi_count(l.slow);
	}
	for (std::size_t d = 0; d < 2; d++) {
		raw.bw_bps[d] = params.bandwidth[d];
		raw.iops[d] = params.iops[d];
	}
	raw.channels = params.channels;
	raw.timeout_ms = static_cast<std::uint32_t>(params.timeout.count());
	raw.delivery_ns = abi_count(params.delivery);
	return raw;
}

SimParams from_abi(const struct vbs_sim_params& raw)
{
	SimParams params;
	params.seed = raw.seed;
	for (std::size_t c = 0; c < k_sim_class_count; c++) {
		Latency& l = params.latency[c];
		l.base = abi_nanos(raw.lat[c].base_ns);
		l.jitter = abi_nanos(raw.lat[c].jitter_ns);
		l.distribution = static_cast<Jitter>(raw.lat[c].jitter);
		l.slow_ppm = raw.lat[c].slow_ppm;
		l.slow = abi_nanos(raw.lat[c].slow_ns);
	}
	for (std::size_t d = 0; d < 2; d++) {
		params.bandwidth[d] = raw.bw_bps[d];
		params.iops[d] = raw.iops[d];
	}
	params.channels = raw.channels;
	params.timeout = std::chrono::milliseconds(raw.timeout_ms);
	params.delivery = abi_nanos(raw.delivery_ns);
	return params;
}

struct vbs_fault_rule to_abi(const FaultRule& rule)
{
	auto raw = make_abi<struct vbs_fault_rule>();
	raw.op_mask = rule.op_mask;
	raw.effect = static_cast<std::uint32_t>(rule.effect);
	raw.lba = rule.lba;
	raw.count = rule.count;
	raw.trigger = static_cast<std::uint32_t>(rule.trigger);
	raw.every_n = rule.every_n;
	raw.ppm = rule.ppm;
	raw.remaining = rule.remaining;
	return raw;
}

FaultRule from_abi(const struct vbs_fault_rule& raw)
{
	return FaultRule{
		.id = raw.id,
		.op_mask = raw.op_mask,
		.effect = static_cast<FaultEffect>(raw.effect),
		.lba = raw.lba,
		.count = raw.count,
		.trigger = static_cast<FaultTrigger>(raw.trigger),
		.every_n = raw.every_n,
		.ppm = raw.ppm,
		.remaining = raw.remaining,
		.matched = raw.matched,
		.fired = raw.fired,
		.spent = (raw.state & VBS_FAULT_STATE_SPENT) != 0,
	};
}

struct vbs_powercut to_abi(const PowercutOptions& options)
{
	auto raw = make_abi<struct vbs_powercut>();
	put_flag(raw.flags, VBS_POWERCUT_KEEP_RANDOM, options.keep_random);
	put_flag(raw.flags, VBS_POWERCUT_SEED, options.seed.has_value());
	raw.keep_ppm = options.keep_ppm;
	raw.seed = options.seed.value_or(0);
	return raw;
}

PowercutResult powercut_result(const struct vbs_powercut& raw)
{
	return PowercutResult{.pages_dropped = raw.pages_dropped, .pages_kept = raw.pages_kept};
}

} // namespace vbsim::detail

// The userland-model protocol. Kept here with the other conversions so that
// this file stays the one place that knows both sides.
namespace vbsim::detail {

struct vbs_model_attach to_abi_attach(std::uint32_t index, bool recover)
{
	auto raw = make_abi<struct vbs_model_attach>();
	raw.index = index;
	raw.flags = recover ? VBS_MODEL_RECOVER : 0;
	return raw;
}

model::SessionInfo from_abi(const struct vbs_model_attach& raw)
{
	return model::SessionInfo{
		.index = raw.index,
		.session = raw.session,
		.geometry =
			model::Geometry{
				.logical_pages = raw.logical_pages,
				.physical_pages = raw.physical_pages,
				.sectors_per_page = raw.sectors_per_page,
				.max_req_pages = raw.max_req_pages,
			},
	};
}

model::Op model_op_from_abi(std::uint32_t op)
{
	if (const std::optional<model::Op> known = known_model_op(op))
		return *known;
	throw std::invalid_argument(fmt::format("unknown request operation {}", op));
}

std::optional<model::Op> known_model_op(std::uint32_t op)
{
	switch (op) {
	case VBS_OP_READ:
		return model::Op::read;
	case VBS_OP_WRITE:
		return model::Op::write;
	case VBS_OP_FLUSH:
		return model::Op::flush;
	case VBS_OP_DISCARD:
		return model::Op::discard;
	case VBS_OP_WRITE_ZEROES:
		return model::Op::write_zeroes;
	default:
		return std::nullopt;
	}
}

std::uint32_t to_abi(model::Op op)
{
	switch (op) {
	case model::Op::read:
		return VBS_OP_READ;
	case model::Op::write:
		return VBS_OP_WRITE;
	case model::Op::flush:
		return VBS_OP_FLUSH;
	case model::Op::discard:
		return VBS_OP_DISCARD;
	case model::Op::write_zeroes:
		return VBS_OP_WRITE_ZEROES;
	}
	return VBS_OP_NR;
}

model::Request from_abi(const struct vbs_model_req& raw, std::uint32_t sectors_per_page)
{
	// An unknown operation must not throw here: the batch it came in is
	// fetched, and only an answer gives its requests back to the host.
	const std::optional<model::Op> op = known_model_op(raw.op);
	return model::Request{
		.id = raw.id,
		.op = op.value_or(model::Op::read),
		.fua = (raw.flags & VBS_MODEL_REQ_FUA) != 0,
		.from_ioctl = (raw.flags & VBS_MODEL_REQ_IOCTL) != 0,
		.sector = raw.sector,
		.nr_sectors = raw.nr_sectors,
		.first_page = raw.first_page,
		.nr_pages = raw.nr_pages,
		.sectors_per_page = sectors_per_page,
		.unknown_op = op ? std::nullopt : std::optional<std::uint32_t>(raw.op),
	};
}

model::ExchangeResult exchange_result(const struct vbs_model_exchange& raw, std::size_t answers,
				      std::size_t room, const std::string& what)
{
	// The caller indexes its request array by nr_reqs: a count beyond
	// the room it gave is a kernel that breaks the protocol, never a
	// reason to read past the buffer.
	if (raw.nr_reqs > room)
		throw_error(EPROTO, fmt::format("{}: the kernel reported {} requests for room for {}",
						what, raw.nr_reqs, room));
	if (std::uint64_t{raw.accepted} + raw.rejected > answers)
		throw_error(EPROTO, fmt::format("{}: the kernel reported {} answers applied and {} "
						"refused of {}",
						what, raw.accepted, raw.rejected, answers));
	return model::ExchangeResult{.nr_reqs = raw.nr_reqs, .accepted = raw.accepted, .rejected = raw.rejected};
}

struct vbs_model_answer to_abi(const model::Answer& answer)
{
	struct vbs_model_answer raw{};
	raw.id = answer.id;
	raw.status = answer.status;
	raw.nr_maps = answer.nr_maps;
	raw.map_index = answer.map_index;
	raw.delay_ns = answer.delay.count() > 0 ? static_cast<std::uint64_t>(answer.delay.count()) : 0;
	return raw;
}

struct vbs_model_map to_abi(const model::PageMap& map)
{
	return vbs_model_map{.ppn = map.ppn, .src_ppn = map.src_ppn};
}

struct vbs_model_page_op to_abi(const model::PageOp& op)
{
	struct vbs_model_page_op raw{};
	raw.op = op.kind == model::PageOp::Kind::copy ? VBS_PAGE_OP_COPY : VBS_PAGE_OP_TRIM;
	raw.src = op.src;
	raw.dst = op.kind == model::PageOp::Kind::copy ? op.dst : VBS_PPN_NONE;
	return raw;
}

} // namespace vbsim::detail
