#include "vbsim/fake_device.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "vbsim/device_name.hpp"
#include "vbsim/error.hpp"

#include "messages.hpp"

namespace vbsim {


std::optional<DeviceConfig> FakeDevice::resolve(const DeviceConfig& config, const FakeLimits& limits)
{
	DeviceConfig c = config;
	if (c.capacity_bytes == 0)
		c.capacity_bytes = limits.default_capacity_bytes;
	if (c.logical_block_size == 0)
		c.logical_block_size = limits.default_logical_block_size;
	if (c.physical_block_size == 0)
		c.physical_block_size = c.logical_block_size;
	if (c.nr_hw_queues == 0)
		c.nr_hw_queues = std::min(limits.default_nr_hw_queues, limits.nr_cpus);
	if (c.queue_depth == 0)
		c.queue_depth = limits.default_queue_depth;
	if (c.model && c.model_pages == 0) {
		// The kernel's default: the logical pages plus 7% (rounded up).
		const std::uint64_t logical = (c.capacity_bytes + 4095) / 4096;
		c.model_pages = logical + (logical * 7 + 99) / 100;
	}

	if (config_problem(c) || c.nr_hw_queues > limits.nr_cpus || c.nr_poll_queues > limits.nr_cpus)
		return std::nullopt;
	// A module without polled I/O knows the field as reserved: non-zero
	// is refused.
	if (config.nr_poll_queues != 0 && !limits.features.has(Feature::poll))
		return std::nullopt;
	return c;
}

FakeDevice::FakeDevice(std::uint32_t index, const DeviceConfig& config, const FakeLimits& limits)
	: path_(device_path(index))
{
	const auto resolved = resolve(config, limits);
	if (!resolved)
		throw_error(EINVAL, fmt::format("creating virtblkiosim{}", index));

	info_ = DeviceInfo{
		.abi_version = k_abi_version,
		.index = index,
		.live = true,
		.features = limits.features,
		.config = *resolved,
		.max_io_bytes = limits.max_io_bytes,
		.pages_in_use = 0,
	};
	stats_.since = std::chrono::steady_clock::now();
}

DeviceInfo FakeDevice::info()
{
	DeviceInfo info = info_;
	info.pages_in_use = store_.pages_in_use();
	return info;
}

void FakeDevice::check_transfer(std::uint64_t lba, std::size_t bytes, const std::string& what) const
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = bytes / lbs;
	const std::uint64_t blocks = info_.block_count();
	const bool valid = bytes != 0 && bytes % lbs == 0 && bytes <= info_.max_io_bytes &&
			   lba < blocks && count <= blocks - lba;
	if (!valid)
		throw_error(EINVAL, what);
}

const FaultRule* FakeDevice::fire_fault(Op op, std::uint64_t lba, std::uint64_t count)
{
	for (FaultRule& r : rules_) {
		const bool overlaps = lba < r.lba + r.count && r.lba < lba + count;
		if ((r.op_mask & op_bit(op)) == 0 || !overlaps)
			continue;
		r.matched++;
		if (r.spent)
			continue;
		bool fire = true;
		if (r.trigger == FaultTrigger::every_n)
			fire = r.matched % r.every_n == 0;
		else if (r.trigger == FaultTrigger::prob)
			fire = rng_() % k_ppm_max < r.ppm;
		if (!fire)
			continue;
		r.fired++;
		if (r.remaining != 0 && --r.remaining == 0)
			r.spent = true;
		return &r;
	}
	return nullptr;
}

void FakeDevice::fail_if_fatal(const FaultRule& rule, OpStats& s, const std::string& what)
{
	s.faults++;
	int err = 0;
	if (rule.effect == FaultEffect::ioerr)
		err = EIO;
	else if (rule.effect == FaultEffect::medium)
		err = ENODATA;
	else if (rule.effect == FaultEffect::timeout)
		err = ETIMEDOUT;
	if (err == 0)
		return;
	s.requests++;
	s.ioctl_requests++;
	s.errors++;
	throw_error(err, what);
}

void FakeDevice::read_blocks(std::uint64_t lba, std::span<std::byte> out)
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = out.size() / lbs;
	const std::string what = detail::transfer_what("reading", count, lba, path_);
	check_transfer(lba, out.size(), what);

	OpStats& s = stats_.op(Op::read);
	const FaultRule* fault = fire_fault(Op::read, lba, count);
	if (fault)
		fail_if_fatal(*fault, s, what);
	store_.read(lba * lbs, out);
	if (fault && fault->effect == FaultEffect::corrupt) {
		for (std::uint64_t b = std::max(lba, fault->lba); b < std::min(lba + count, fault->lba + fault->count); b++)
			out[(b - lba) * lbs] = ~out[(b - lba) * lbs];
	}
	s.requests++;
	s.ioctl_requests++;
	s.bytes += out.size();
}

void FakeDevice::write_blocks(std::uint64_t lba, std::span<const std::byte> in, WriteMode mode)
{
	const std::uint32_t lbs = info_.config.logical_block_size;
	const std::uint64_t count = in.size() / lbs;
	const std::string what = detail::transfer_what("writing", count, lba, path_);
	check_transfer(lba, in.size(), what);
	if (info_.config.read_only)
		throw_error(EROFS, what);

	OpStats& s = stats_.op(Op::write);
	const FaultRule* fault = fire_fault(Op::write, lba, count);
	if (fault)
		fail_if_fatal(*fault, s, what);
	if (!fault) // lost-write: completes, stores nothing
		store_.write(lba * lbs, in);
	if (mode == WriteMode::fua)
		fua_writes_++;
	s.requests++;
	s.ioctl_requests++;
	s.bytes += in.size();
}

DeviceStats FakeDevice::stats()
{
	DeviceStats s = stats_;
	s.pages_in_use = store_.pages_in_use();
	s.bytes_in_use = s.pages_in_use * SparseStore::k_page_size;
	return s;
}

void FakeDevice::reset_stats()
{
	stats_.ops = {};
	stats_.since = std::chrono::steady_clock::now();
}

SimParams FakeDevice::get_sim()
{
	return sim_;
}

void FakeDevice::set_sim(const SimParams& params)
{
	if (sim_params_problem(params))
		throw_error(EINVAL, detail::device_what("changing the simulation settings", path_));
	sim_ = params;
	rng_.seed(params.seed);
}

std::uint32_t FakeDevice::add_fault(const FaultRule& rule)
{
	const std::string what = detail::device_what("adding a fault rule", path_);
	FaultRule r = rule;
	const std::uint64_t blocks = info_.block_count();
	bool valid = r.op_mask != 0 && (r.op_mask & ~k_all_op_bits) == 0;
	switch (r.effect) {
	case FaultEffect::ioerr:
	case FaultEffect::medium:
	case FaultEffect::timeout:
		break;
	case FaultEffect::corrupt:
		valid = valid && r.op_mask == op_bit(Op::read);
		break;
	case FaultEffect::lost_write:
		valid = valid && (r.op_mask & op_bit(Op::read)) == 0;
		break;
	default:
		valid = false;
	}
	switch (r.trigger) {
	case FaultTrigger::always:
		valid = valid && r.every_n == 0 && r.ppm == 0;
		break;
	case FaultTrigger::once:
		valid = valid && r.every_n == 0 && r.ppm == 0 && r.remaining <= 1;
		r.remaining = 1;
		break;
	case FaultTrigger::every_n:
		valid = valid && r.every_n != 0 && r.ppm == 0;
		break;
	case FaultTrigger::prob:
		valid = valid && r.every_n == 0 && r.ppm != 0 && r.ppm <= k_ppm_max;
		break;
	default:
		valid = false;
	}
	valid = valid && r.lba < blocks;
	if (valid && r.count == 0)
		r.count = blocks - r.lba;
	valid = valid && r.count <= blocks - r.lba;
	if (!valid)
		throw_error(EINVAL, what);
	if (rules_.size() >= k_fault_max_rules)
		throw_error(ENOSPC, what);

	r.id = next_fault_id_++;
	r.matched = 0;
	r.fired = 0;
	r.spent = false;
	rules_.push_back(r);
	return r.id;
}

std::vector<FaultRule> FakeDevice::list_faults()
{
	return rules_;
}

void FakeDevice::clear_faults(std::optional<std::uint32_t> id)
{
	const auto gone = std::erase_if(rules_, [&](const FaultRule& r) { return !id || r.id == *id; });
	if (gone == 0)
		throw_error(ENOENT, detail::clear_faults_what(id, path_));
}

PowercutResult FakeDevice::powercut(const PowercutOptions& options)
{
	const bool valid = options.keep_ppm <= k_ppm_max && (options.keep_random || options.keep_ppm == 0) &&
			   (options.keep_random || !options.seed);
	if (!valid)
		throw_error(EINVAL, detail::device_what("cutting the power", path_));
	// No write cache: every write is already durable.
	return PowercutResult{};
}

} // namespace vbsim
