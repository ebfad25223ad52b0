// Fuzzer: builds each ioctl, keeps it from harming the run, makes it,
// counts the result.
#include "fuzzer.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/hdreg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "io_worker.hpp"

namespace vbsim::fuzz {

namespace {

using Fields = std::vector<std::pair<std::size_t, std::size_t>>;

/// (offset, width) of member @p m of @p T, for structure-aware mutation.
#define VBS_FIELD(T, m) std::pair<std::size_t, std::size_t>(offsetof(T, m), sizeof(std::declval<T>().m))

constexpr std::uint64_t k_ms = 1000000;
constexpr std::uint32_t k_timeout_ms = 200; // request timeout of our disks
constexpr const char* k_control = "/dev/" VBS_CONTROL_NAME;

/// The bytes of @p v.
template <typename T>
std::vector<std::uint8_t> bytes_of(const T& v)
{
	std::vector<std::uint8_t> out(sizeof(T));
	std::memcpy(out.data(), &v, sizeof(T));
	return out;
}

/// @p bytes as a T (zeros where @p bytes is shorter).
template <typename T>
T from_bytes(const std::vector<std::uint8_t>& bytes)
{
	T v{};
	std::memcpy(&v, bytes.data(), std::min(sizeof(T), bytes.size()));
	return v;
}

/// Stores @p v back into @p bytes (what fits).
template <typename T>
void to_bytes(std::vector<std::uint8_t>& bytes, const T& v)
{
	std::memcpy(bytes.data(), &v, std::min(sizeof(T), bytes.size()));
}

/// A virtblkiosim command: its number, name, and which node takes it.
struct Command {
	unsigned long cmd;
	const char* name;
	bool control;  ///< control node (else a disk)
	bool mutating; ///< changes a disk: never sent to a foreign disk
	bool does_io;  ///< makes block I/O (would wait for our own model)
};

constexpr std::array<Command, 18> k_commands = {{
	{VBS_IOC_GET_INFO, "VBS_IOC_GET_INFO", false, false, false},
	{VBS_IOC_READ, "VBS_IOC_READ", false, false, true},
	{VBS_IOC_WRITE, "VBS_IOC_WRITE", false, true, true},
	{VBS_IOC_GET_STATS, "VBS_IOC_GET_STATS", false, false, false},
	{VBS_IOC_RESET_STATS, "VBS_IOC_RESET_STATS", false, true, false},
	{VBS_IOC_GET_SIM, "VBS_IOC_GET_SIM", false, false, false},
	{VBS_IOC_SET_SIM, "VBS_IOC_SET_SIM", false, true, false},
	{VBS_IOC_FAULT_ADD, "VBS_IOC_FAULT_ADD", false, true, false},
	{VBS_IOC_FAULT_LIST, "VBS_IOC_FAULT_LIST", false, false, false},
	{VBS_IOC_FAULT_CLEAR, "VBS_IOC_FAULT_CLEAR", false, true, false},
	{VBS_IOC_POWERCUT, "VBS_IOC_POWERCUT", false, true, false},
	{VBS_CTL_GET_FEATURES, "VBS_CTL_GET_FEATURES", true, false, false},
	{VBS_CTL_ADD, "VBS_CTL_ADD", true, false, false},
	{VBS_CTL_REMOVE, "VBS_CTL_REMOVE", true, false, false},
	{VBS_CTL_LIST, "VBS_CTL_LIST", true, false, false},
	{VBS_CTL_MODEL_ATTACH, "VBS_CTL_MODEL_ATTACH", true, false, false},
	{VBS_CTL_MODEL_EXCHANGE, "VBS_CTL_MODEL_EXCHANGE", true, false, false},
	{VBS_CTL_MODEL_PAGES, "VBS_CTL_MODEL_PAGES", true, false, false},
}};

/// What the module knows a command by: type, number and direction, not
/// the size bits (VBS_IOC_ID in src/vbs.h).
constexpr unsigned long command_id(unsigned long cmd)
{
	return cmd & ~(static_cast<unsigned long>(_IOC_SIZEMASK) << _IOC_SIZESHIFT);
}

/// The Command the module runs for number @p cmd, whatever its size bits,
/// or nullptr.
const Command* find_command(unsigned long cmd)
{
	for (const auto& c : k_commands)
		if (command_id(c.cmd) == command_id(cmd))
			return &c;
	return nullptr;
}

/// True if the module runs number @p cmd as one that adds or removes a
/// disk (the fuzzer's list of disks must then be read again).
bool changes_disks(unsigned long cmd)
{
	const Command* c = find_command(cmd);
	return c && (c->cmd == VBS_CTL_ADD || c->cmd == VBS_CTL_REMOVE);
}

/// How a generic block ioctl takes its argument.
enum class Arg : std::uint8_t { out, in_int, value, none, range };

/// A block-layer ioctl every disk answers (not ours: the block layer's).
struct Generic {
	unsigned long cmd;
	const char* name;
	Arg arg;
	std::size_t bytes; ///< argument size for out / in_int / range
	bool mutating;
	bool does_io;
};

constexpr std::array<Generic, 22> k_generic = {{
	{BLKGETSIZE64, "BLKGETSIZE64", Arg::out, 8, false, false},
	{BLKGETSIZE, "BLKGETSIZE", Arg::out, 8, false, false},
	{BLKSSZGET, "BLKSSZGET", Arg::out, 4, false, false},
	{BLKPBSZGET, "BLKPBSZGET", Arg::out, 4, false, false},
	{BLKBSZGET, "BLKBSZGET", Arg::out, 8, false, false},
	{BLKIOMIN, "BLKIOMIN", Arg::out, 4, false, false},
	{BLKIOOPT, "BLKIOOPT", Arg::out, 4, false, false},
	{BLKALIGNOFF, "BLKALIGNOFF", Arg::out, 4, false, false},
	{BLKROGET, "BLKROGET", Arg::out, 4, false, false},
	{BLKRAGET, "BLKRAGET", Arg::out, 8, false, false},
	{BLKDISCARDZEROES, "BLKDISCARDZEROES", Arg::out, 4, false, false},
	{BLKROTATIONAL, "BLKROTATIONAL", Arg::out, 2, false, false},
	{HDIO_GETGEO, "HDIO_GETGEO", Arg::out, 16, false, false},
	{BLKGETDISKSEQ, "BLKGETDISKSEQ", Arg::out, 8, false, false},
	{BLKROSET, "BLKROSET", Arg::in_int, 4, true, false},
	{BLKBSZSET, "BLKBSZSET", Arg::in_int, 4, true, false},
	{BLKRASET, "BLKRASET", Arg::value, 0, true, false},
	{BLKFLSBUF, "BLKFLSBUF", Arg::none, 0, true, true},
	{BLKRRPART, "BLKRRPART", Arg::none, 0, true, true},
	{BLKDISCARD, "BLKDISCARD", Arg::range, 16, true, true},
	{BLKSECDISCARD, "BLKSECDISCARD", Arg::range, 16, true, true},
	{BLKZEROOUT, "BLKZEROOUT", Arg::range, 16, true, true},
}};

/// The Generic of number @p cmd, or nullptr.
const Generic* find_generic(unsigned long cmd)
{
	for (const auto& g : k_generic)
		if (g.cmd == cmd)
			return &g;
	return nullptr;
}

/// Errno of the last failed call, as a name ("EINVAL") or number.
std::string errno_name(int err)
{
	if (err == 0)
		return "ok";
	const char* name = strerrorname_np(err);
	return name ? name : std::to_string(err);
}

/// Pulls a latency (ns) the kernel would accept into [0, 2 ms).
void short_latency(__u64& ns)
{
	if (ns >= 2 * k_ms && ns <= VBS_SIM_MAX_NS)
		ns %= 2 * k_ms;
}

} // namespace

void Tally::print(std::FILE* out) const
{
	for (const auto& [cmd, errs] : counts_) {
		std::uint64_t n = 0;
		std::string detail;
		for (const auto& [err, k] : errs) {
			n += k;
			detail += fmt::format(" {}={}", errno_name(err), k);
		}
		const auto it = ns_.find(cmd);
		const double secs = it == ns_.end() ? 0.0 : static_cast<double>(it->second) / 1e9;
		std::fprintf(out, "  %-34s %8llu %7.2fs:%s\n", cmd.c_str(),
			     static_cast<unsigned long long>(n), secs, detail.c_str());
	}
}

Fuzzer::Fuzzer(Options opts, Watchdog& watchdog)
	: opts_(std::move(opts)), watchdog_(watchdog), rng_(opts_.seed)
{
}

void Fuzzer::fail(const std::string& why)
{
	std::fprintf(stderr, "FAIL: %s\n", why.c_str());
	failed_ = true;
}

// ---------------------------------------------------------------------------
// Making one call
// ---------------------------------------------------------------------------

int Fuzzer::execute(int fd, Call& call, std::uintptr_t* placed)
{
	std::uintptr_t arg = call.value;
	if (!call.by_value)
		arg = call.bytes.empty() && call.where == Where::good
			      ? 0
			      : arena_.place_struct(call.bytes, call.where, rng_);
	if (placed)
		*placed = arg;
	const std::string what = fmt::format("#{} {} cmd={:#x} fd={} arg={:#x} ({}, {} bytes)",
					     calls_made_, call.name, call.cmd, fd, arg,
					     call.by_value ? "value" : where_name(call.where),
					     call.bytes.size());
	if (log_)
		std::fprintf(log_, "%s", what.c_str());
	slot_->begin(what, call.interruptible);
	const std::int64_t t0 = now_ns();
	const int ret = ::ioctl(fd, call.cmd, arg);
	const int err = ret < 0 ? errno : 0;
	const std::int64_t took = now_ns() - t0;
	slot_->end();
	if (log_)
		std::fprintf(log_, " -> %s\n", errno_name(err).c_str());
	if (ret > 0) {
		// Our commands return 0 or -errno; a positive value means the
		// dispatcher leaked something it should not have.
		if (find_command(call.cmd)) {
			fail(fmt::format("{} returned {} (expected 0 or -1)", what, ret));
		}
	}
	++calls_made_;
	tally_.add(call.name, err, took);
	return err;
}

// ---------------------------------------------------------------------------
// Disks: which exist, which are ours
// ---------------------------------------------------------------------------

int Fuzzer::open_disk(std::uint32_t index, Disk& disk) const
{
	const std::string path = fmt::format("/dev/{}{}", VBS_DISK_NAME, index);
	const int flags = (disk.ours ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
	disk.fd.reset(::open(path.c_str(), flags));
	return disk.fd ? 0 : errno;
}

void Fuzzer::set_short_timeout(Disk& disk)
{
	vbs_sim_params p{};
	p.size = sizeof(p);
	if (::ioctl(disk.fd.get(), VBS_IOC_GET_SIM, &p) != 0)
		return;
	p.size = sizeof(p);
	p.timeout_ms = k_timeout_ms;
	if (::ioctl(disk.fd.get(), VBS_IOC_SET_SIM, &p) != 0)
		fail(fmt::format("setting a {} ms request timeout: {}", k_timeout_ms,
				 errno_name(errno)));
}

void Fuzzer::adopt(std::uint32_t index)
{
	Disk& disk = disks_[index];
	disk.ours = true;
	// The node exists once VBS_CTL_ADD returns (devtmpfs creates it
	// synchronously); retry briefly all the same.
	for (int i = 0; i < 50 && open_disk(index, disk) != 0; ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	if (!disk.fd) {
		fail(fmt::format("cannot open new disk {}: {}", index, errno_name(errno)));
		return;
	}
	vbs_info info{};
	info.size = sizeof(info);
	if (::ioctl(disk.fd.get(), VBS_IOC_GET_INFO, &info) == 0) {
		disk.lbs = info.config.logical_block_size;
		disk.capacity = info.config.capacity;
		disk.max_io = info.max_io_bytes;
		disk.model = (info.config.flags & VBS_CFG_MODEL) != 0;
	}
	// A request that no one completes (a timeout fault, a model that
	// keeps it) must end in a fraction of a second, not the default 30 s.
	set_short_timeout(disk);
}

void Fuzzer::refresh_disks()
{
	std::array<std::uint32_t, 1024> idx{};
	vbs_ctl_list list{};
	list.size = sizeof(list);
	list.capacity = idx.size();
	list.indices = reinterpret_cast<std::uintptr_t>(idx.data());
	if (::ioctl(ctl_.get(), VBS_CTL_LIST, &list) != 0) {
		fail(fmt::format("VBS_CTL_LIST: {}", errno_name(errno)));
		return;
	}
	const std::set<std::uint32_t> now(idx.begin(), idx.begin() + std::min<std::uint32_t>(list.count, idx.size()));
	for (auto it = disks_.begin(); it != disks_.end();) {
		if (now.contains(it->first)) {
			++it;
			continue;
		}
		if (!it->second.ours)
			fail(fmt::format("disk {}, which this run did not create, disappeared", it->first));
		if (it->second.busy_keep)
			fail(fmt::format("disk {}, held open by the I/O worker, disappeared", it->first));
		it = disks_.erase(it);
	}
	for (const std::uint32_t i : now)
		if (!disks_.contains(i))
			adopt(i); // only we add disks while we run
}

std::optional<std::uint32_t> Fuzzer::create_disk(std::uint32_t flags, std::uint64_t capacity,
						 std::uint64_t model_pages)
{
	vbs_ctl_add add{};
	add.size = sizeof(add);
	add.index = VBS_INDEX_ANY;
	add.config.size = sizeof(add.config);
	add.config.flags = flags;
	add.config.capacity = capacity;
	add.config.model_pages = model_pages;
	if (::ioctl(ctl_.get(), VBS_CTL_ADD, &add) != 0)
		return std::nullopt;
	adopt(add.index);
	return add.index;
}

Disk* Fuzzer::pick_disk(bool ours_only)
{
	std::vector<Disk*> pool;
	for (auto& [i, d] : disks_)
		if (d.ours || !ours_only)
			pool.push_back(&d);
	if (pool.empty())
		return nullptr;
	return pool[rng_.below(pool.size())];
}

void Fuzzer::setup()
{
	ctl_.reset(::open(k_control, O_RDWR | O_CLOEXEC));
	if (!ctl_)
		throw std::system_error(errno, std::generic_category(), k_control);
	// Everything listed now belongs to someone else.
	std::array<std::uint32_t, 1024> idx{};
	vbs_ctl_list list{};
	list.size = sizeof(list);
	list.capacity = idx.size();
	list.indices = reinterpret_cast<std::uintptr_t>(idx.data());
	if (::ioctl(ctl_.get(), VBS_CTL_LIST, &list) != 0)
		throw std::system_error(errno, std::generic_category(), "VBS_CTL_LIST");
	for (std::uint32_t k = 0; k < std::min<std::uint32_t>(list.count, idx.size()); ++k) {
		Disk& d = disks_[idx[k]];
		open_disk(idx[k], d);
		vbs_info info{};
		info.size = sizeof(info);
		if (d.fd && ::ioctl(d.fd.get(), VBS_IOC_GET_INFO, &info) == 0) {
			d.lbs = info.config.logical_block_size;
			d.capacity = info.config.capacity;
			d.max_io = info.max_io_bytes;
			d.model = (info.config.flags & VBS_CFG_MODEL) != 0;
		}
	}
	vbs_features feat{};
	feat.size = sizeof(feat);
	if (::ioctl(ctl_.get(), VBS_CTL_GET_FEATURES, &feat) != 0)
		throw std::system_error(errno, std::generic_category(), "VBS_CTL_GET_FEATURES");

	// One plain disk with every feature, and one model disk.
	plain_index_ = create_disk(VBS_CFG_DISCARD | VBS_CFG_WRITE_ZEROES | VBS_CFG_WRITE_CACHE,
				   16ULL << 20, 0);
	if (!plain_index_)
		throw std::system_error(errno, std::generic_category(), "VBS_CTL_ADD of a plain disk");
	disks_[*plain_index_].busy_keep = true;
	const std::uint64_t logical = (16ULL << 20) / VBS_MODEL_PAGE_SIZE;
	model_index_ = create_disk(VBS_CFG_MODEL | VBS_CFG_DISCARD | VBS_CFG_WRITE_ZEROES,
				   16ULL << 20, rng_.range(logical, 2 * logical));
	model_supported_ = model_index_.has_value();
	if (model_index_)
		disks_[*model_index_].busy_keep = true;
	std::printf("setup: features %#llx, plain disk %u, model disk %s\n",
		    static_cast<unsigned long long>(feat.features), *plain_index_,
		    model_index_ ? std::to_string(*model_index_).c_str()
				 : fmt::format("not available ({})", errno_name(errno)).c_str());
}

void Fuzzer::teardown()
{
	session_.fd.reset();
	session_.attached = false;
	for (auto& [i, d] : disks_) {
		d.busy_keep = false; // the I/O worker has stopped
		if (d.ours)
			d.fd.reset();
	}
	// Remove every disk of ours. Right after the last close the disk may
	// still be settling (a partition rescan): retry EBUSY for a while.
	for (auto& [i, d] : disks_) {
		if (!d.ours)
			continue;
		std::uint32_t index = i;
		int err = 0;
		for (int tries = 0; tries < 100; ++tries) {
			slot_->begin(fmt::format("teardown: VBS_CTL_REMOVE {}", index), false);
			err = ::ioctl(ctl_.get(), VBS_CTL_REMOVE, &index) == 0 ? 0 : errno;
			slot_->end();
			if (err != EBUSY)
				break;
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
		if (err != 0)
			fail(fmt::format("teardown: removing disk {} of ours: {}", index, errno_name(err)));
	}
	refresh_disks();
	for (const auto& [i, d] : disks_)
		if (d.ours)
			fail(fmt::format("teardown: disk {} of ours still exists", i));
	vbs_features feat{};
	feat.size = sizeof(feat);
	if (::ioctl(ctl_.get(), VBS_CTL_GET_FEATURES, &feat) != 0)
		fail(fmt::format("teardown: VBS_CTL_GET_FEATURES: {}", errno_name(errno)));
	else if (feat.nr_devices != disks_.size())
		fail(fmt::format("teardown: nr_devices {} but {} disks listed", feat.nr_devices,
				 disks_.size()));
}

// ---------------------------------------------------------------------------
// Building calls
// ---------------------------------------------------------------------------

Where Fuzzer::pick_where(unsigned good_percent)
{
	if (rng_.below(100) < good_percent)
		return Where::good;
	return static_cast<Where>(rng_.below(static_cast<std::uint64_t>(Where::count_)));
}

std::uint32_t Fuzzer::pick_size(std::uint32_t ver0, std::uint32_t full)
{
	switch (rng_.below(12)) {
	case 0: return ver0;
	case 1: return 0;
	case 2: return ver0 - 1;
	case 3: return full + 8;
	case 4: return rng_.chance(1, 2) ? 4096 : 4097;
	case 5: return static_cast<std::uint32_t>(rng_.interesting(4));
	default: return full;
	}
}

std::uintptr_t Fuzzer::data_for(std::size_t len, std::span<const std::uint8_t> content,
				std::size_t lo, std::size_t hi)
{
	const Where w = pick_where(88);
	const std::uintptr_t addr = arena_.data_addr(len, w, rng_, lo, hi);
	if (!content.empty() && arena_.in_data(addr, content.size()))
		std::memcpy(reinterpret_cast<void*>(addr), content.data(), content.size());
	return addr;
}

namespace {

/// Whether @p addr lies in a writable mapping of this process. A mutated
/// 64-bit field may be a user address the kernel writes to (a read
/// buffer, a list, the model's descriptors); one that lands in the
/// fuzzer's own heap or stack would let the kernel, doing its job, corrupt
/// the fuzzer. Such values are replaced: the kernel's side of bad
/// addresses is what the arena's unmapped and guard pages test.
bool writable_here(std::uint64_t addr)
{
	std::ifstream maps("/proc/self/maps");
	std::string range;
	std::string perms;
	std::string rest;
	while (maps >> range >> perms && std::getline(maps, rest)) {
		const std::size_t dash = range.find('-');
		if (dash == std::string::npos || perms.size() < 2)
			continue;
		const std::uint64_t start = std::stoull(range.substr(0, dash), nullptr, 16);
		const std::uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
		if (addr >= start && addr < end)
			return perms[1] == 'w';
	}
	return false;
}

} // namespace

void Fuzzer::mutate(Call& call, const Fields& fields)
{
	if (fields.empty() || call.bytes.empty())
		return;
	const auto& [off, width] = fields[rng_.below(fields.size())];
	if (off + width > call.bytes.size())
		return;
	std::uint64_t v = 0;
	std::memcpy(&v, call.bytes.data() + off, width);
	if (rng_.chance(1, 3))
		v ^= std::uint64_t{1} << rng_.below(8 * width);
	else
		v = rng_.interesting(width);
	if (width == sizeof(std::uint64_t) && !arena_.in_data(v, 1) && writable_here(v))
		v = 0;
	std::memcpy(call.bytes.data() + off, &v, width);
	call.name += "/mut";
}

Call Fuzzer::build_valid(unsigned long cmd, const Disk* disk)
{
	Call c;
	c.cmd = cmd;
	const Command* info = find_command(cmd);
	c.name = info ? info->name : "?";
	const std::uint32_t lbs = disk && disk->lbs ? disk->lbs : 512;
	const std::uint64_t blocks = disk ? disk->capacity / lbs : 0;
	Fields fields;
	switch (cmd) {
	case VBS_IOC_GET_INFO: {
		vbs_info v{};
		v.size = pick_size(VBS_INFO_SIZE_VER0, sizeof(v));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_info, size), VBS_FIELD(vbs_info, reserved[0])};
		break;
	}
	case VBS_IOC_GET_STATS: {
		vbs_stats v{};
		v.size = pick_size(VBS_STATS_SIZE_VER0, sizeof(v));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_stats, size), VBS_FIELD(vbs_stats, reserved0)};
		break;
	}
	case VBS_IOC_GET_SIM: {
		vbs_sim_params v{};
		v.size = pick_size(VBS_SIM_PARAMS_SIZE_VER0, sizeof(v));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_sim_params, size), VBS_FIELD(vbs_sim_params, flags)};
		break;
	}
	case VBS_IOC_READ:
	case VBS_IOC_WRITE: {
		vbs_block_io v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_BLOCK_IO_SIZE_VER0, sizeof(v));
		v.flags = cmd == VBS_IOC_WRITE && rng_.chance(1, 4) ? VBS_IO_FUA : 0;
		const std::uint64_t max_count = std::max<std::uint64_t>(
			1, std::min<std::uint64_t>(64, (disk ? disk->max_io : 4096) / lbs));
		v.count = rng_.chance(9, 10) ? static_cast<std::uint32_t>(rng_.range(1, max_count))
					     : static_cast<std::uint32_t>(rng_.interesting(4));
		v.lba = rng_.chance(9, 10) && blocks > v.count ? rng_.below(blocks - v.count + 1)
							       : rng_.interesting(8);
		const std::size_t len = std::min<std::size_t>(std::uint64_t{v.count} * lbs,
							      Arena::k_data_bytes);
		v.buf = data_for(len, {}, 0, Arena::k_data_bytes);
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_block_io, size), VBS_FIELD(vbs_block_io, flags),
			  VBS_FIELD(vbs_block_io, lba), VBS_FIELD(vbs_block_io, count),
			  VBS_FIELD(vbs_block_io, reserved0), VBS_FIELD(vbs_block_io, buf),
			  VBS_FIELD(vbs_block_io, reserved[1])};
		break;
	}
	case VBS_IOC_RESET_STATS:
		c.by_value = true;
		c.value = rng_.chance(9, 10) ? 0 : rng_.u64();
		break;
	case VBS_IOC_SET_SIM: {
		vbs_sim_params v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_SIM_PARAMS_SIZE_VER0, sizeof(v));
		v.seed = rng_.u64();
		const bool only_seed = disk && disk->model ? rng_.chance(4, 5) : rng_.chance(1, 5);
		if (!only_seed) {
			for (auto& l : v.lat) {
				if (rng_.chance(1, 2))
					continue;
				l.base_ns = rng_.below(200000);
				l.jitter = static_cast<std::uint32_t>(rng_.below(3));
				l.jitter_ns = l.jitter ? rng_.below(100000) : 0;
				l.slow_ppm = rng_.chance(1, 4) ? static_cast<std::uint32_t>(rng_.below(1000001)) : 0;
				l.slow_ns = l.slow_ppm ? rng_.below(k_ms) : 0;
			}
			for (auto& bw : v.bw_bps)
				bw = rng_.chance(1, 3) ? rng_.range(50ULL << 20, 10ULL << 30) : 0;
			for (auto& iops : v.iops)
				iops = rng_.chance(1, 3) ? static_cast<std::uint32_t>(rng_.range(5000, 1000000)) : 0;
			v.channels = rng_.chance(1, 3) ? static_cast<std::uint32_t>(rng_.below(VBS_SIM_MAX_CHANNELS + 1)) : 0;
		}
		v.timeout_ms = static_cast<std::uint32_t>(rng_.range(50, 500));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_sim_params, size), VBS_FIELD(vbs_sim_params, flags),
			  VBS_FIELD(vbs_sim_params, lat[0].base_ns), VBS_FIELD(vbs_sim_params, lat[1].jitter_ns),
			  VBS_FIELD(vbs_sim_params, lat[2].jitter), VBS_FIELD(vbs_sim_params, lat[3].slow_ppm),
			  VBS_FIELD(vbs_sim_params, lat[0].slow_ns), VBS_FIELD(vbs_sim_params, bw_bps[0]),
			  VBS_FIELD(vbs_sim_params, iops[1]), VBS_FIELD(vbs_sim_params, channels),
			  VBS_FIELD(vbs_sim_params, timeout_ms), VBS_FIELD(vbs_sim_params, reserved[7])};
		break;
	}
	case VBS_IOC_FAULT_ADD: {
		vbs_fault_rule v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_FAULT_RULE_SIZE_VER0, sizeof(v));
		v.op_mask = static_cast<std::uint32_t>(rng_.range(1, VBS_OP_MASK_ALL));
		v.effect = static_cast<std::uint32_t>(rng_.range(1, 5));
		v.lba = blocks ? rng_.below(blocks) : 0;
		v.count = blocks && rng_.chance(1, 2) ? rng_.range(1, blocks - v.lba) : 0;
		v.trigger = static_cast<std::uint32_t>(rng_.below(4));
		v.every_n = v.trigger == VBS_TRIGGER_EVERY_N ? static_cast<std::uint32_t>(rng_.range(1, 50)) : 0;
		v.ppm = v.trigger == VBS_TRIGGER_PROB ? static_cast<std::uint32_t>(rng_.range(1, 1000000)) : 0;
		v.remaining = v.trigger == VBS_TRIGGER_ONCE ? static_cast<std::uint32_t>(rng_.below(2))
							    : static_cast<std::uint32_t>(rng_.below(20));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_fault_rule, size), VBS_FIELD(vbs_fault_rule, op_mask),
			  VBS_FIELD(vbs_fault_rule, effect), VBS_FIELD(vbs_fault_rule, lba),
			  VBS_FIELD(vbs_fault_rule, count), VBS_FIELD(vbs_fault_rule, trigger),
			  VBS_FIELD(vbs_fault_rule, every_n), VBS_FIELD(vbs_fault_rule, ppm),
			  VBS_FIELD(vbs_fault_rule, remaining), VBS_FIELD(vbs_fault_rule, state),
			  VBS_FIELD(vbs_fault_rule, reserved0), VBS_FIELD(vbs_fault_rule, reserved[2])};
		break;
	}
	case VBS_IOC_FAULT_LIST: {
		vbs_fault_list v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_FAULT_LIST_SIZE_VER0, sizeof(v));
		v.capacity = rng_.chance(9, 10) ? static_cast<std::uint32_t>(rng_.below(24))
						: static_cast<std::uint32_t>(rng_.interesting(4));
		static constexpr std::array<std::uint32_t, 6> k_rule_sizes = {
			sizeof(vbs_fault_rule), sizeof(vbs_fault_rule), VBS_FAULT_RULE_SIZE_VER0 - 1,
			4096, 4097, sizeof(vbs_fault_rule) + 8};
		v.rule_size = rng_.pick(std::span<const std::uint32_t>(k_rule_sizes));
		const std::size_t len = std::min<std::size_t>(std::uint64_t{v.capacity} * v.rule_size,
							      Arena::k_data_bytes);
		v.rules = v.capacity || rng_.chance(1, 2) ? data_for(len, {}, 0, Arena::k_data_bytes) : 0;
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_fault_list, size), VBS_FIELD(vbs_fault_list, capacity),
			  VBS_FIELD(vbs_fault_list, rule_size), VBS_FIELD(vbs_fault_list, rules)};
		break;
	}
	case VBS_IOC_FAULT_CLEAR:
	case VBS_CTL_REMOVE: {
		std::uint32_t v = 0;
		if (cmd == VBS_IOC_FAULT_CLEAR) {
			v = rng_.chance(1, 4) ? VBS_FAULT_ID_ALL : static_cast<std::uint32_t>(rng_.below(64));
		} else {
			const Disk* d = pick_disk(true);
			v = d && rng_.chance(3, 4) ? static_cast<std::uint32_t>(
							     std::find_if(disks_.begin(), disks_.end(),
									  [d](const auto& e) { return &e.second == d; })
								     ->first)
						   : static_cast<std::uint32_t>(rng_.interesting(4));
		}
		c.bytes = bytes_of(v);
		fields = {{0, 4}};
		break;
	}
	case VBS_IOC_POWERCUT: {
		vbs_powercut v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_POWERCUT_SIZE_VER0, sizeof(v));
		v.flags = static_cast<std::uint32_t>(rng_.below(VBS_POWERCUT_ALL_FLAGS + 1));
		v.keep_ppm = v.flags & VBS_POWERCUT_KEEP_RANDOM ? static_cast<std::uint32_t>(rng_.below(1000001)) : 0;
		v.seed = v.flags & VBS_POWERCUT_SEED ? rng_.u64() : 0;
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_powercut, size), VBS_FIELD(vbs_powercut, flags),
			  VBS_FIELD(vbs_powercut, keep_ppm), VBS_FIELD(vbs_powercut, reserved0),
			  VBS_FIELD(vbs_powercut, seed), VBS_FIELD(vbs_powercut, pages_kept),
			  VBS_FIELD(vbs_powercut, reserved[3])};
		break;
	}
	case VBS_CTL_GET_FEATURES: {
		vbs_features v{};
		v.size = pick_size(VBS_FEATURES_SIZE_VER0, sizeof(v));
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_features, size), VBS_FIELD(vbs_features, reserved[4])};
		break;
	}
	case VBS_CTL_ADD: {
		vbs_ctl_add v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_CTL_ADD_SIZE_VER0, sizeof(v));
		v.index = rng_.chance(4, 5) ? VBS_INDEX_ANY : static_cast<std::uint32_t>(rng_.below(16));
		v.config.size = rng_.chance(9, 10) ? sizeof(v.config) : pick_size(VBS_DEV_CONFIG_SIZE_VER0, sizeof(v.config));
		v.config.flags = static_cast<std::uint32_t>(rng_.below(VBS_CFG_ALL_FLAGS + 1));
		v.config.capacity = rng_.range(1, opts_.max_capacity / 4096) * 4096;
		static constexpr std::array<std::uint32_t, 6> k_lbs = {0, 512, 1024, 2048, 4096, 8192};
		v.config.logical_block_size = rng_.pick(std::span<const std::uint32_t>(k_lbs));
		static constexpr std::array<std::uint32_t, 5> k_pbs = {0, 512, 4096, 65536, 131072};
		v.config.physical_block_size = rng_.pick(std::span<const std::uint32_t>(k_pbs));
		v.config.nr_hw_queues = static_cast<std::uint32_t>(rng_.below(4));
		static constexpr std::array<std::uint32_t, 6> k_depth = {0, 1, 2, 64, 4096, 4097};
		v.config.queue_depth = rng_.pick(std::span<const std::uint32_t>(k_depth));
		v.config.max_partitions = rng_.chance(3, 4) ? static_cast<std::uint32_t>(rng_.below(3)) : 255;
		if (v.config.flags & VBS_CFG_MODEL) {
			const std::uint64_t logical = v.config.capacity / VBS_MODEL_PAGE_SIZE;
			v.config.model_pages = rng_.chance(1, 4) ? 0 : rng_.range(logical, 2 * logical);
		}
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_ctl_add, size), VBS_FIELD(vbs_ctl_add, index),
			  VBS_FIELD(vbs_ctl_add, config.size), VBS_FIELD(vbs_ctl_add, config.flags),
			  VBS_FIELD(vbs_ctl_add, config.capacity),
			  VBS_FIELD(vbs_ctl_add, config.logical_block_size),
			  VBS_FIELD(vbs_ctl_add, config.physical_block_size),
			  VBS_FIELD(vbs_ctl_add, config.nr_hw_queues),
			  VBS_FIELD(vbs_ctl_add, config.queue_depth),
			  VBS_FIELD(vbs_ctl_add, config.max_partitions),
			  VBS_FIELD(vbs_ctl_add, config.nr_poll_queues),
			  VBS_FIELD(vbs_ctl_add, config.model_pages),
			  VBS_FIELD(vbs_ctl_add, config.reserved[2])};
		break;
	}
	case VBS_CTL_LIST: {
		vbs_ctl_list v{};
		v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_CTL_LIST_SIZE_VER0, sizeof(v));
		v.capacity = rng_.chance(9, 10) ? static_cast<std::uint32_t>(rng_.below(40))
						: static_cast<std::uint32_t>(rng_.interesting(4));
		const std::size_t len = std::min<std::size_t>(std::uint64_t{v.capacity} * 4,
							      Arena::k_data_bytes);
		v.indices = v.capacity || rng_.chance(1, 2) ? data_for(len, {}, 0, Arena::k_data_bytes) : 0;
		c.bytes = bytes_of(v);
		fields = {VBS_FIELD(vbs_ctl_list, size), VBS_FIELD(vbs_ctl_list, capacity),
			  VBS_FIELD(vbs_ctl_list, count), VBS_FIELD(vbs_ctl_list, reserved0),
			  VBS_FIELD(vbs_ctl_list, indices)};
		break;
	}
	case VBS_CTL_MODEL_ATTACH:
		return build_attach();
	case VBS_CTL_MODEL_EXCHANGE:
		return build_exchange();
	case VBS_CTL_MODEL_PAGES:
		return build_pages();
	default:
		break;
	}
	if (rng_.chance(2, 5))
		mutate(c, fields);
	c.where = pick_where(92);
	return c;
}

Call Fuzzer::wrong_shape(unsigned long cmd)
{
	Call c = build_valid(cmd, nullptr);
	const unsigned dir = _IOC_DIR(cmd);
	unsigned size = _IOC_SIZE(cmd);
	unsigned new_dir = dir;
	if (rng_.chance(1, 2)) {
		while (new_dir == dir)
			new_dir = static_cast<unsigned>(rng_.below(4));
	} else {
		static constexpr std::array<unsigned, 5> k_sizes = {0, 4, 8, 4096, 16383};
		unsigned s = size;
		while (s == size)
			s = rng_.chance(1, 2) ? k_commands[rng_.below(k_commands.size())].cmd >> _IOC_SIZESHIFT & _IOC_SIZEMASK
					      : rng_.pick(std::span<const unsigned>(k_sizes));
		size = s;
	}
	c.cmd = _IOC(new_dir, VBS_IOC_MAGIC, _IOC_NR(cmd), size);
	c.name = c.name.substr(0, c.name.find('/')) + "/shape";
	c.by_value = false;
	if (c.bytes.empty())
		c.bytes.resize(8);
	return c;
}

Call Fuzzer::random_magic()
{
	Call c;
	// A number the module does not know: random bytes for one it knows
	// could remove a disk that is not ours (known commands come through
	// build_valid, mutate and wrong_shape, which sanitize() keeps safe).
	do {
		c.cmd = _IOC(static_cast<unsigned>(rng_.below(4)), VBS_IOC_MAGIC,
			     static_cast<unsigned>(rng_.below(256)),
			     static_cast<unsigned>(rng_.below(_IOC_SIZEMASK + 1)));
	} while (find_command(c.cmd) != nullptr);
	c.name = "0xB9-random";
	c.bytes.resize(rng_.below(256));
	for (auto& b : c.bytes)
		b = static_cast<std::uint8_t>(rng_.below(256));
	c.where = pick_where(60);
	return c;
}

Call Fuzzer::build_generic(const Disk* disk)
{
	const Generic& g = k_generic[rng_.below(k_generic.size())];
	Call c;
	c.cmd = g.cmd;
	c.name = g.name;
	switch (g.arg) {
	case Arg::out:
		c.bytes.resize(g.bytes);
		c.where = pick_where(80);
		break;
	case Arg::in_int: {
		static constexpr std::array<std::int32_t, 8> k_vals = {0, 1, 512, 1024, 4096, 8192, 3, -1};
		const std::int32_t v = rng_.pick(std::span<const std::int32_t>(k_vals));
		c.bytes = bytes_of(v);
		c.where = pick_where(85);
		break;
	}
	case Arg::value:
		c.by_value = true;
		c.value = rng_.chance(3, 4) ? rng_.below(4096) : rng_.u64();
		break;
	case Arg::none:
		c.by_value = true;
		c.value = 0;
		break;
	case Arg::range: {
		const std::uint64_t cap = disk ? disk->capacity : 1ULL << 24;
		std::array<std::uint64_t, 2> r{};
		r[0] = rng_.chance(4, 5) ? rng_.below(cap) & ~std::uint64_t{511} : rng_.interesting(8);
		r[1] = rng_.chance(4, 5) ? rng_.range(1, 512) * 512 : rng_.interesting(8);
		c.bytes = bytes_of(r);
		c.where = pick_where(85);
		break;
	}
	}
	return c;
}

Call Fuzzer::build_block(Disk& disk)
{
	const unsigned mode = static_cast<unsigned>(rng_.below(100));
	if (mode < 70) {
		// A command of the disk, or now and then one of the control node.
		const bool control = rng_.chance(1, 10);
		const Command* c = nullptr;
		while (!c || c->control != control)
			c = &k_commands[rng_.below(k_commands.size())];
		return build_valid(c->cmd, &disk);
	}
	if (mode < 80)
		return wrong_shape(k_commands[rng_.below(k_commands.size())].cmd);
	if (mode < 88)
		return random_magic();
	return build_generic(&disk);
}

Call Fuzzer::build_control()
{
	const unsigned mode = static_cast<unsigned>(rng_.below(100));
	if (mode < 70) {
		const bool control = rng_.chance(9, 10);
		const Command* c = nullptr;
		while (!c || c->control != control)
			c = &k_commands[rng_.below(k_commands.size())];
		return build_valid(c->cmd, nullptr);
	}
	if (mode < 82)
		return wrong_shape(k_commands[rng_.below(k_commands.size())].cmd);
	if (mode < 94)
		return random_magic();
	return build_generic(nullptr);
}

// ---------------------------------------------------------------------------
// Keeping the run safe
// ---------------------------------------------------------------------------

void Fuzzer::sanitize(Call& call, const Disk* disk, int& fd)
{
	const Command* cmd = find_command(call.cmd);
	const Generic* gen = find_generic(call.cmd);
	const bool mutating = (cmd && cmd->mutating) || (gen && gen->mutating);
	const bool does_io = (cmd && cmd->does_io) || (gen && gen->does_io);
	if (disk && !disk->ours && mutating) {
		// Not our disk: look, do not touch.
		call.cmd = BLKGETSIZE64;
		call.name = "BLKGETSIZE64";
		call.by_value = false;
		call.bytes.assign(8, 0);
		return;
	}
	if (disk && disk->model && does_io) {
		// I/O on a model disk waits for the model, which is this very
		// thread: it would only wait for the request timeout.
		call.cmd = VBS_IOC_GET_STATS;
		call.name = "VBS_IOC_GET_STATS";
		vbs_stats s{};
		s.size = sizeof(s);
		call.bytes = bytes_of(s);
		call.by_value = false;
		return;
	}
	if (call.by_value || call.bytes.empty())
		return;
	// By the command the module will run: a number with other size bits
	// (a wrong shape) reaches the same command.
	switch (cmd ? cmd->cmd : call.cmd) {
	case VBS_IOC_SET_SIM: {
		call.bytes.resize(std::max(call.bytes.size(), sizeof(vbs_sim_params)));
		auto p = from_bytes<vbs_sim_params>(call.bytes);
		for (auto& l : p.lat) {
			short_latency(l.base_ns);
			short_latency(l.jitter_ns);
			short_latency(l.slow_ns);
		}
		for (auto& bw : p.bw_bps)
			if (bw && bw < (50ULL << 20))
				bw += 50ULL << 20;
		for (auto& iops : p.iops)
			if (iops && iops < 5000)
				iops += 5000;
		if (p.timeout_ms == 0 || (p.timeout_ms > 500 && p.timeout_ms <= VBS_SIM_MAX_TIMEOUT_MS))
			p.timeout_ms = 50 + p.timeout_ms % 450;
		to_bytes(call.bytes, p);
		break;
	}
	case VBS_CTL_ADD: {
		call.bytes.resize(std::max(call.bytes.size(), sizeof(vbs_ctl_add)));
		auto a = from_bytes<vbs_ctl_add>(call.bytes);
		std::size_t ours = 0;
		for (const auto& [i, d] : disks_)
			ours += d.ours ? 1 : 0;
		if (a.config.capacity == 0 || (a.config.capacity > opts_.max_capacity &&
					       a.config.capacity <= (1ULL << 50)))
			a.config.capacity = opts_.max_capacity;
		const std::uint64_t most_pages = 2 * opts_.max_capacity / VBS_MODEL_PAGE_SIZE;
		if (a.config.model_pages > most_pages && a.config.model_pages <= (1ULL << 38))
			a.config.model_pages = most_pages;
		if (ours >= opts_.max_disks)
			a.config.reserved[0] = 1; // enough disks: this one must be refused
		to_bytes(call.bytes, a);
		break;
	}
	case VBS_CTL_REMOVE: {
		auto index = from_bytes<std::uint32_t>(call.bytes);
		const auto it = disks_.find(index);
		if (it != disks_.end() && !it->second.ours) {
			// Never remove a disk someone else made: aim past the end.
			index = 1000 + static_cast<std::uint32_t>(rng_.below(24));
			while (disks_.contains(index) && !disks_.at(index).ours)
				++index;
			to_bytes(call.bytes, index);
		}
		break;
	}
	case VBS_CTL_MODEL_ATTACH:
		// Attaching makes the node a session for good; keep the main
		// control node clean and attach a throwaway one instead (the
		// session then detaches at once when it is closed).
		if (fd == ctl_.get())
			fd = -2;
		break;
	default:
		break;
	}
}

// ---------------------------------------------------------------------------
// The model protocol
// ---------------------------------------------------------------------------

Call Fuzzer::build_attach()
{
	Call c;
	c.cmd = VBS_CTL_MODEL_ATTACH;
	c.name = "VBS_CTL_MODEL_ATTACH";
	vbs_model_attach v{};
	v.size = rng_.chance(4, 5) ? sizeof(v) : pick_size(VBS_MODEL_ATTACH_SIZE_VER0, sizeof(v));
	if (model_index_ && rng_.chance(17, 20)) {
		v.index = *model_index_;
	} else {
		const Disk* d = pick_disk(false);
		v.index = d && rng_.chance(1, 2) ? static_cast<std::uint32_t>(
							   std::find_if(disks_.begin(), disks_.end(),
									[d](const auto& e) { return &e.second == d; })
								   ->first)
						 : static_cast<std::uint32_t>(rng_.interesting(4));
	}
	v.flags = rng_.chance(1, 3) ? VBS_MODEL_RECOVER : 0;
	c.bytes = bytes_of(v);
	if (rng_.chance(1, 5))
		mutate(c, {VBS_FIELD(vbs_model_attach, size), VBS_FIELD(vbs_model_attach, index),
			   VBS_FIELD(vbs_model_attach, flags), VBS_FIELD(vbs_model_attach, session),
			   VBS_FIELD(vbs_model_attach, reserved[3])});
	c.where = pick_where(92);
	return c;
}

Call Fuzzer::build_exchange()
{
	Call c;
	c.cmd = VBS_CTL_MODEL_EXCHANGE;
	c.name = "VBS_CTL_MODEL_EXCHANGE";
	c.interruptible = true;
	const std::uint64_t phys = session_.physical_pages ? session_.physical_pages : 4096;
	std::vector<vbs_model_answer> answers;
	std::vector<vbs_model_map> maps;
	for (const auto& r : session_.pending) {
		if (rng_.chance(1, 20))
			continue; // left unanswered: the request times out
		vbs_model_answer a{};
		a.id = r.id;
		if (rng_.chance(9, 10)) {
			a.status = 0;
		} else {
			static constexpr std::array<std::int32_t, 7> k_status = {
				-EIO, -ENODATA, -ENOSPC, -ETIMEDOUT, -EOPNOTSUPP, -EINVAL, 5};
			a.status = rng_.pick(std::span<const std::int32_t>(k_status));
		}
		const bool data_op = r.op == VBS_OP_READ || r.op == VBS_OP_WRITE || r.op == VBS_OP_WRITE_ZEROES;
		a.nr_maps = a.status == 0 && data_op ? r.nr_pages : 0;
		a.map_index = static_cast<std::uint32_t>(maps.size());
		a.delay_ns = rng_.chance(1, 2) ? 0 : rng_.below(200000);
		for (std::uint32_t i = 0; i < a.nr_maps; ++i) {
			vbs_model_map m{};
			m.ppn = r.op == VBS_OP_READ && rng_.chance(1, 4) ? VBS_PPN_NONE : rng_.below(phys);
			m.src_ppn = rng_.chance(1, 3) ? VBS_PPN_NONE : rng_.chance(1, 2) ? m.ppn : rng_.below(phys);
			maps.push_back(m);
		}
		answers.push_back(a);
	}
	// Answers no live request expects: repeated, invented, wrong shape.
	if (!answers.empty() && rng_.chance(1, 10))
		answers.push_back(answers[rng_.below(answers.size())]);
	if (rng_.chance(1, 10)) {
		vbs_model_answer a{};
		a.id = rng_.chance(1, 2) ? rng_.u64() : rng_.below(256);
		a.nr_maps = static_cast<std::uint32_t>(rng_.below(3));
		a.map_index = static_cast<std::uint32_t>(rng_.below(maps.size() + 2));
		answers.push_back(a);
	}
	if (!answers.empty() && rng_.chance(1, 6)) {
		auto& a = answers[rng_.below(answers.size())];
		switch (rng_.below(6)) {
		case 0: a.nr_maps = static_cast<std::uint32_t>(rng_.interesting(4)); break;
		case 1: a.map_index = static_cast<std::uint32_t>(rng_.interesting(4)); break;
		case 2: a.delay_ns = rng_.interesting(8); break;
		case 3: a.reserved0 = 1; break;
		case 4: a.status = static_cast<std::int32_t>(rng_.interesting(4)); break;
		default: a.reserved = rng_.u64(); break;
		}
		short_latency(a.delay_ns);
		c.name += "/mut";
	}
	if (!maps.empty() && rng_.chance(1, 8)) {
		auto& m = maps[rng_.below(maps.size())];
		(rng_.chance(1, 2) ? m.ppn : m.src_ppn) = rng_.chance(1, 2) ? phys + rng_.below(4) : rng_.interesting(8);
		c.name += "/badppn";
	}
	vbs_model_exchange v{};
	v.size = rng_.chance(9, 10) ? sizeof(v) : pick_size(VBS_MODEL_EXCHANGE_SIZE_VER0, sizeof(v));
	v.nr_answers = static_cast<std::uint32_t>(answers.size());
	v.nr_maps = static_cast<std::uint32_t>(maps.size());
	const auto abytes = std::span(reinterpret_cast<const std::uint8_t*>(answers.data()),
				      answers.size() * sizeof(vbs_model_answer));
	const auto mbytes = std::span(reinterpret_cast<const std::uint8_t*>(maps.data()),
				      maps.size() * sizeof(vbs_model_map));
	constexpr std::size_t k_third = Arena::k_data_bytes / 4;
	v.answers = answers.empty() && rng_.chance(1, 2) ? 0 : data_for(abytes.size(), abytes, 0, k_third);
	v.maps = maps.empty() && rng_.chance(1, 2) ? 0 : data_for(mbytes.size(), mbytes, k_third, 3 * k_third);
	v.max_reqs = rng_.chance(19, 20) ? static_cast<std::uint32_t>(rng_.below(33))
					 : static_cast<std::uint32_t>(rng_.interesting(4));
	const std::size_t rlen = std::min<std::size_t>(std::uint64_t{v.max_reqs} * sizeof(vbs_model_req),
						       k_third);
	v.reqs = data_for(rlen, {}, 3 * k_third, Arena::k_data_bytes);
	// Mostly no wait at all: a wait costs the whole run time, and the
	// waits that matter (for a request, forever until a signal) are rare
	// but present.
	switch (rng_.below(40)) {
	case 0: v.timeout_ms = VBS_MODEL_WAIT_FOREVER; break;
	case 1: v.timeout_ms = static_cast<std::uint32_t>(rng_.range(20, 300)); break;
	case 2: case 3: case 4: case 5: case 6: case 7:
		v.timeout_ms = static_cast<std::uint32_t>(rng_.range(1, 5));
		break;
	default: v.timeout_ms = 0; break;
	}
	c.bytes = bytes_of(v);
	if (rng_.chance(1, 8))
		mutate(c, {VBS_FIELD(vbs_model_exchange, size), VBS_FIELD(vbs_model_exchange, flags),
			   VBS_FIELD(vbs_model_exchange, nr_answers), VBS_FIELD(vbs_model_exchange, nr_maps),
			   VBS_FIELD(vbs_model_exchange, answers), VBS_FIELD(vbs_model_exchange, maps),
			   VBS_FIELD(vbs_model_exchange, max_reqs), VBS_FIELD(vbs_model_exchange, reqs),
			   VBS_FIELD(vbs_model_exchange, nr_reqs), VBS_FIELD(vbs_model_exchange, reserved0),
			   VBS_FIELD(vbs_model_exchange, reserved[1])});
	c.where = pick_where(95);
	return c;
}

Call Fuzzer::build_pages()
{
	Call c;
	c.cmd = VBS_CTL_MODEL_PAGES;
	c.name = "VBS_CTL_MODEL_PAGES";
	const std::uint64_t phys = session_.physical_pages ? session_.physical_pages : 4096;
	const std::size_t n = rng_.chance(19, 20) ? rng_.range(1, 32) : rng_.interesting(2);
	std::vector<vbs_model_page_op> ops(std::min<std::size_t>(n, 8192));
	for (auto& op : ops) {
		op.op = rng_.chance(3, 5) ? VBS_PAGE_OP_COPY : VBS_PAGE_OP_TRIM;
		op.src = rng_.below(phys);
		op.dst = op.op == VBS_PAGE_OP_COPY ? rng_.below(phys) : VBS_PPN_NONE;
	}
	if (!ops.empty() && rng_.chance(1, 6)) {
		auto& op = ops[rng_.below(ops.size())];
		switch (rng_.below(4)) {
		case 0: op.op = static_cast<std::uint32_t>(rng_.interesting(4)); break;
		case 1: op.reserved0 = 1; break;
		case 2: op.src = rng_.chance(1, 2) ? phys : rng_.interesting(8); break;
		default: op.dst = rng_.chance(1, 2) ? phys : rng_.interesting(8); break;
		}
		c.name += "/mut";
	}
	vbs_model_pages v{};
	v.size = rng_.chance(9, 10) ? sizeof(v) : pick_size(VBS_MODEL_PAGES_SIZE_VER0, sizeof(v));
	v.nr_ops = static_cast<std::uint32_t>(n);
	const auto obytes = std::span(reinterpret_cast<const std::uint8_t*>(ops.data()),
				      ops.size() * sizeof(vbs_model_page_op));
	v.ops = data_for(obytes.size(), obytes, 0, Arena::k_data_bytes);
	c.bytes = bytes_of(v);
	if (rng_.chance(1, 8))
		mutate(c, {VBS_FIELD(vbs_model_pages, size), VBS_FIELD(vbs_model_pages, nr_ops),
			   VBS_FIELD(vbs_model_pages, ops), VBS_FIELD(vbs_model_pages, done),
			   VBS_FIELD(vbs_model_pages, reserved0), VBS_FIELD(vbs_model_pages, reserved[1])});
	c.where = pick_where(95);
	return c;
}

void Fuzzer::after_exchange(const Call& call, std::uintptr_t placed, int err)
{
	if (err != 0 || (call.where != Where::good && call.where != Where::misaligned))
		return;
	vbs_model_exchange v{};
	std::memcpy(&v, reinterpret_cast<const void*>(placed), sizeof(v));
	session_.pending.clear();
	const std::uint32_t n = std::min(v.nr_reqs, v.max_reqs);
	if (v.nr_reqs > v.max_reqs)
		fail(fmt::format("{}: nr_reqs {} > max_reqs {}", call.name, v.nr_reqs, v.max_reqs));
	if (!arena_.in_data(v.reqs, std::size_t{n} * sizeof(vbs_model_req)))
		return;
	for (std::uint32_t i = 0; i < n; ++i) {
		vbs_model_req r{};
		std::memcpy(&r, reinterpret_cast<const void*>(v.reqs + i * sizeof(r)), sizeof(r));
		if (r.nr_pages > VBS_MODEL_MAX_REQ_PAGES ||
		    (session_.logical_pages && r.first_page + r.nr_pages > session_.logical_pages)) {
			fail(fmt::format("{}: request {:#x} out of the disk: first_page {} nr_pages {}",
					 call.name, r.id, r.first_page, r.nr_pages));
			++anomalies_;
		}
		session_.pending.push_back(r);
	}
}

void Fuzzer::model_step()
{
	if (!session_.fd) {
		session_.fd.reset(::open(k_control, O_RDWR | O_CLOEXEC));
		session_.attached = false;
		session_.pending.clear();
	}
	const int fd = session_.fd.get();
	const unsigned r = static_cast<unsigned>(rng_.below(100));
	if (!session_.attached || r < 4) {
		Call c = build_attach();
		std::uintptr_t placed = 0;
		const int err = execute(fd, c, &placed);
		if (err == 0 && !session_.attached &&
		    (c.where == Where::good || c.where == Where::misaligned)) {
			vbs_model_attach v{};
			std::memcpy(&v, reinterpret_cast<const void*>(placed), sizeof(v));
			session_.attached = true;
			session_.logical_pages = v.logical_pages;
			session_.physical_pages = v.physical_pages;
		} else if (err == 0) {
			session_.attached = true;
		}
		return;
	}
	if (r < 70) {
		Call c = build_exchange();
		std::uintptr_t placed = 0;
		const int err = execute(fd, c, &placed);
		after_exchange(c, placed, err);
		return;
	}
	if (r < 92) {
		Call c = build_pages();
		execute(fd, c);
		return;
	}
	if (r < 96) {
		// Commands of the control node on a session.
		Call c = build_control();
		int f = fd;
		sanitize(c, nullptr, f);
		if (f == -2)
			return;
		execute(f, c);
		if (changes_disks(c.cmd))
			refresh_disks();
		return;
	}
	// Detach: close the session with whatever it still holds.
	session_.fd.reset();
	session_.attached = false;
	session_.pending.clear();
	tally_.add("session:close", 0);
}

// ---------------------------------------------------------------------------
// The main loop
// ---------------------------------------------------------------------------

void Fuzzer::step()
{
	if (model_supported_ && rng_.chance(1, 4)) {
		model_step();
		return;
	}
	const unsigned t = static_cast<unsigned>(rng_.below(100));
	Disk* disk = nullptr;
	int fd = ctl_.get();
	Call c;
	if (t >= 35) {
		disk = pick_disk(t < 95);
		if (disk && !disk->fd) {
			const auto it = std::find_if(disks_.begin(), disks_.end(),
						     [disk](const auto& e) { return &e.second == disk; });
			open_disk(it->first, *disk);
		}
		if (disk && disk->fd) {
			fd = disk->fd.get();
			c = build_block(*disk);
		} else {
			disk = nullptr;
			c = build_control();
		}
	} else {
		c = build_control();
	}
	sanitize(c, disk, fd);
	if (fd == -2) {
		const UniqueFd scratch(::open(k_control, O_RDWR | O_CLOEXEC));
		c.name += "/throwaway";
		execute(scratch.get(), c);
		return;
	}
	execute(fd, c);
	if (changes_disks(c.cmd))
		refresh_disks();
	// Now and then close a disk of ours, so that removing it can succeed.
	if (rng_.chance(1, 40)) {
		Disk* d = pick_disk(true);
		if (d && !d->busy_keep)
			d->fd.reset();
	}
}

int Fuzzer::run()
{
	Watchdog::install_signal_handler();
	slot_ = &watchdog_.watch_this_thread("fuzzer");
	if (!opts_.log_path.empty()) {
		log_ = std::fopen(opts_.log_path.c_str(), "w");
		if (!log_)
			throw std::system_error(errno, std::generic_category(), opts_.log_path);
		// Line-buffered: if the fuzzer itself dies, the log still ends
		// at the call it was making.
		std::setvbuf(log_, nullptr, _IOLBF, 0);
	}
	const std::int64_t t0 = now_ns();
	setup();
	std::optional<IoWorker> worker;
	if (opts_.io_worker) {
		std::vector<IoTarget> targets;
		for (const auto idx : {plain_index_, model_index_})
			if (idx)
				targets.push_back({fmt::format("/dev/{}{}", VBS_DISK_NAME, *idx),
						   disks_[*idx].capacity});
		worker.emplace(std::move(targets), opts_.seed ^ 0x5eedULL, watchdog_);
	}
	const int kmsg = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	while (calls_made_ < opts_.calls && !failed_) {
		if (kmsg >= 0 && opts_.kmsg_every && calls_made_ % opts_.kmsg_every == 0) {
			const std::string line = fmt::format("vbs-ioctl-fuzz: seed {} call {}\n", opts_.seed, calls_made_);
			(void)!::write(kmsg, line.data(), line.size());
		}
		step();
	}
	if (kmsg >= 0)
		::close(kmsg);
	const std::int64_t t1 = now_ns();
	Tally io;
	if (worker)
		io = worker->stop();
	teardown();
	if (log_)
		std::fclose(log_);
	std::printf("vbs-ioctl-fuzz: seed %llu: %llu calls in %.1f s (%.0f/s), longest call %lld ms\n",
		    static_cast<unsigned long long>(opts_.seed),
		    static_cast<unsigned long long>(calls_made_), static_cast<double>(t1 - t0) / 1e9,
		    static_cast<double>(calls_made_) * 1e9 / static_cast<double>(std::max<std::int64_t>(1, t1 - t0)),
		    static_cast<long long>(watchdog_.longest_ms()));
	std::printf("calls per command (errno=count):\n");
	tally_.print(stdout);
	std::printf("I/O worker (errno=count):\n");
	io.print(stdout);
	std::fflush(stdout);
	return failed_ ? 1 : 0;
}

} // namespace vbsim::fuzz
