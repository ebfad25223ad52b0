// The FTL engine: options, geometry, maps, allocation, garbage collection
// and NAND timing (see vbsim/ftl.hpp). The model adapter is ftl_model.cpp.
#include "vbsim/ftl.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "vbsim/units.hpp"

namespace vbsim::ftl {

using std::chrono::nanoseconds;

namespace {

/// A std::invalid_argument whose message starts with "ftl: ", so that a
/// user who ran `vbsim model run ftl ...` knows which part complained.
[[noreturn]] void fail(const std::string& message)
{
	throw std::invalid_argument("ftl: " + message);
}

/// @p key without leading dashes and with '_' spelled '-', so that
/// "--gc-low", "gc_low" and "gc-low" name the same option.
std::string normalise_key(std::string_view key)
{
	while (key.starts_with('-'))
		key.remove_prefix(1);
	std::string out(key);
	std::replace(out.begin(), out.end(), '_', '-');
	return out;
}

/// An over-provisioning ratio: "10%" or "0.1", greater than 0, at most
/// 1000%. A fraction is what the FTL computes with; the percent spelling
/// is what people use.
double parse_op(std::string_view text)
{
	std::string_view digits = text;
	double scale = 1.0;
	if (digits.ends_with('%')) {
		digits.remove_suffix(1);
		scale = 0.01;
	}
	double value = 0;
	const char* end = digits.data() + digits.size();
	const auto [ptr, ec] = std::from_chars(digits.data(), end, value, std::chars_format::fixed);
	if (digits.empty() || ec != std::errc{} || ptr != end || !(value > 0))
		fail(fmt::format("invalid op \"{}\": expected a positive ratio such as 10% or 0.1", text));
	value *= scale;
	if (value > 10.0)
		fail(fmt::format("invalid op \"{}\": at most 1000%", text));
	return value;
}

/// A count option, @p min..@p max, with the option's name in messages.
std::uint32_t parse_count(std::string_view text, std::string_view key, std::uint32_t min,
			  std::uint32_t max)
{
	const std::uint64_t value =
		parse_uint(text, std::numeric_limits<std::uint64_t>::max(), fmt::format("{} value", key));
	if (value < min || value > max)
		fail(fmt::format("{}={} is out of range {}..{}", key, text, min, max));
	return static_cast<std::uint32_t>(value);
}

/// A latency option: a duration with its unit (a plain number would be
/// seconds, which no NAND operation takes; "0" is 0 in any unit),
/// 0..@p max.
nanoseconds parse_latency(std::string_view text, std::string_view key, nanoseconds max)
{
	if (text != "0" && !text.empty() && std::isdigit(static_cast<unsigned char>(text.back())) != 0)
		fail(fmt::format("{}={} needs a unit (ns, us, ms or s): a duration from 0 to {}, such as "
				 "200us",
				 key, text, format_duration(max)));
	nanoseconds value{};
	try {
		value = parse_duration(text);
	} catch (const std::invalid_argument& e) {
		fail(fmt::format("{}: {}", key, e.what()));
	}
	if (value > max)
		fail(fmt::format("{}={} is out of range 0..{}", key, text, format_duration(max)));
	return value;
}

// The ranges of the options (docs/models.md lists them). Latencies stay
// far below the kernel's 60 s answer limit, which one request's pages
// and the GC it runs add up towards.
constexpr std::uint32_t kMaxChannels = 256;
constexpr std::uint32_t kMaxLuns = 256;
constexpr std::uint32_t kMaxPagesPerBlock = 65536;
constexpr std::uint32_t kMaxBlocksPerLun = 1U << 20;
constexpr std::uint32_t kMaxGcBlocks = 1024;
constexpr nanoseconds kMaxPageLatency = std::chrono::milliseconds(100);
constexpr nanoseconds kMaxLongLatency = std::chrono::seconds(1);

/// The later of two instants.
nanoseconds later(nanoseconds a, nanoseconds b)
{
	return std::max(a, b);
}

} // namespace

std::string_view gc_policy_name(GcPolicy policy)
{
	switch (policy) {
	case GcPolicy::greedy:
		return "greedy";
	case GcPolicy::cost_benefit:
		return "cost-benefit";
	}
	return "unknown";
}

void set_ftl_option(FtlConfig& config, std::string_view key_text, std::string_view value)
{
	const std::string key = normalise_key(key_text);
	if (key == "channels")
		config.channels = parse_count(value, key, 1, kMaxChannels);
	else if (key == "luns" || key == "luns-per-channel")
		config.luns_per_channel = parse_count(value, key, 1, kMaxLuns);
	else if (key == "pages-per-block")
		config.pages_per_block = parse_count(value, key, 2, kMaxPagesPerBlock);
	else if (key == "blocks-per-lun")
		config.blocks_per_lun = parse_count(value, key, 0, kMaxBlocksPerLun);
	else if (key == "op")
		config.op = parse_op(value);
	else if (key == "gc") {
		if (value == "greedy")
			config.gc = GcPolicy::greedy;
		else if (value == "cost-benefit" || value == "cost_benefit")
			config.gc = GcPolicy::cost_benefit;
		else
			fail(fmt::format("invalid gc \"{}\": use greedy or cost-benefit", value));
	} else if (key == "gc-stream") {
		if (value == "separate")
			config.gc_separate = true;
		else if (value == "shared")
			config.gc_separate = false;
		else
			fail(fmt::format("invalid gc-stream \"{}\": use separate or shared", value));
	} else if (key == "gc-low")
		config.gc_low = parse_count(value, key, 1, kMaxGcBlocks);
	else if (key == "gc-high")
		config.gc_high = parse_count(value, key, 1, kMaxGcBlocks);
	else if (key == "read-lat")
		config.read_lat = parse_latency(value, key, kMaxPageLatency);
	else if (key == "prog-lat")
		config.prog_lat = parse_latency(value, key, kMaxPageLatency);
	else if (key == "erase-lat")
		config.erase_lat = parse_latency(value, key, kMaxLongLatency);
	else if (key == "xfer-lat")
		config.xfer_lat = parse_latency(value, key, kMaxPageLatency);
	else if (key == "flush-lat")
		config.flush_lat = parse_latency(value, key, kMaxLongLatency);
	else
		fail(fmt::format("unknown option \"{}\" (known: channels, luns, pages-per-block, "
				 "blocks-per-lun, op, gc, gc-stream, gc-low, gc-high, read-lat, prog-lat, "
				 "erase-lat, xfer-lat, flush-lat)",
				 key_text));
}

FtlConfig parse_ftl_options(std::span<const std::string> options)
{
	FtlConfig config;
	for (const std::string& option : options) {
		const auto eq = option.find('=');
		if (eq == std::string::npos)
			fail(fmt::format("option \"{}\" is not key=value", option));
		set_ftl_option(config, std::string_view(option).substr(0, eq),
			       std::string_view(option).substr(eq + 1));
	}
	validate_ftl_config(config);
	return config;
}

void validate_ftl_config(const FtlConfig& c)
{
	if (c.channels < 1 || c.channels > 256)
		fail(fmt::format("channels={} is out of range 1..256", c.channels));
	if (c.luns_per_channel < 1 || c.luns_per_channel > 256)
		fail(fmt::format("luns={} is out of range 1..256", c.luns_per_channel));
	// One page per block would make every write an erase: GC could never
	// gain a page by moving another.
	if (c.pages_per_block < 2 || c.pages_per_block > 65536)
		fail(fmt::format("pages-per-block={} is out of range 2..65536", c.pages_per_block));
	// GC copies into the open block and takes fresh ones from the free
	// pool; it needs at least one free block to start from.
	if (c.gc_low < 1)
		fail("gc-low must be at least 1 (GC needs a free block to copy into)");
	if (c.gc_separate && c.gc_low < 2)
		fail("gc-low must be at least 2 with gc-stream=separate (GC opens a block of its own "
		     "while the host's takes another)");
	if (c.gc_high < c.gc_low)
		fail(fmt::format("gc-high={} is below gc-low={}: GC reclaims until it reaches gc-high",
				 c.gc_high, c.gc_low));
	if (c.op && c.blocks_per_lun != 0)
		fail("give op or blocks-per-lun, not both: each decides the physical size");
	if (c.op && !(*c.op > 0 && *c.op <= 10.0))
		fail(fmt::format("op={} is out of range (0, 1000%]", *c.op));
	const nanoseconds zero{0};
	if (c.read_lat < zero || c.prog_lat < zero || c.erase_lat < zero || c.xfer_lat < zero ||
	    c.flush_lat < zero)
		fail("latencies cannot be negative");
}

FtlLayout plan_ftl_layout(const FtlConfig& c, std::uint64_t logical_pages, std::uint64_t store_pages)
{
	validate_ftl_config(c);
	if (logical_pages == 0)
		fail("the disk has no logical page");

	FtlLayout l;
	l.channels = c.channels;
	l.luns_per_channel = c.luns_per_channel;
	l.pages_per_block = c.pages_per_block;
	l.logical_pages = logical_pages;
	const std::uint64_t lun_block_pages = std::uint64_t{l.luns()} * c.pages_per_block;

	// 1. How many physical pages the FTL may use: all of the store, or as
	//    many as op or blocks-per-lun ask for, never more than it has
	//    (the kernel rejects a page number beyond the store).
	std::uint64_t usable = store_pages;
	if (c.op) {
		const auto want = static_cast<std::uint64_t>(
			std::ceil(static_cast<double>(logical_pages) * (1.0 + *c.op)));
		if (want > store_pages)
			fail(fmt::format("op={:.4g}% needs {} physical pages but the disk has {}: "
					 "create it with model_pages >= {}",
					 *c.op * 100, want, store_pages, want));
		usable = want;
	} else if (c.blocks_per_lun != 0) {
		usable = std::uint64_t{c.blocks_per_lun} * lun_block_pages;
		if (usable > store_pages)
			fail(fmt::format("{} LUNs x {} blocks x {} pages = {} physical pages, but the "
					 "disk has {}",
					 l.luns(), c.blocks_per_lun, c.pages_per_block, usable, store_pages));
	}

	// 2. Whole blocks only: the pages left over are never used.
	const std::uint64_t blocks_per_lun = usable / lun_block_pages;
	if (blocks_per_lun == 0 || blocks_per_lun > std::numeric_limits<std::uint32_t>::max())
		fail(fmt::format("{} physical pages do not make one block of {} pages per LUN "
				 "for {} LUNs",
				 usable, c.pages_per_block, l.luns()));
	l.blocks_per_lun = static_cast<std::uint32_t>(blocks_per_lun);
	l.physical_pages = blocks_per_lun * lun_block_pages;

	// 3. Spare room: each LUN keeps its open block(s) and gc-low free
	//    blocks beside its share of the data, or GC has nothing to
	//    reclaim into.
	const std::uint32_t spare_blocks = c.gc_low + (c.gc_separate ? 2 : 1);
	const std::uint64_t need = logical_pages + std::uint64_t{l.luns()} * spare_blocks * c.pages_per_block;
	if (l.physical_pages < need)
		fail(fmt::format("{} LUNs x {} blocks x {} pages = {} physical pages for {} logical "
				 "pages leaves too few spare blocks: each LUN needs {} (gc-low and "
				 "its open blocks), "
				 "so at least {} physical pages (use a larger op or "
				 "model_pages, fewer channels or LUNs, smaller blocks or a lower "
				 "gc-low)",
				 l.luns(), l.blocks_per_lun, l.pages_per_block, l.physical_pages,
				 logical_pages, spare_blocks, need));
	return l;
}

Ftl::Ftl(const FtlConfig& config, std::uint64_t logical_pages, std::uint64_t store_pages)
	: config_(config), layout_(plan_ftl_layout(config, logical_pages, store_pages)),
	  l2p_(layout_.logical_pages, kNoPage), p2l_(layout_.physical_pages, kNoPage),
	  blocks_(layout_.blocks()), luns_(layout_.luns()), channel_busy_(layout_.channels, nanoseconds{0}),
	  victim_valid_hist_(8, 0)
{
	// Every block starts erased, in its LUN's free pool.
	for (std::uint64_t b = 0; b < blocks_.size(); ++b)
		luns_[lun_of_block(b)].free.push_back(b);
}

std::uint32_t Ftl::stripe_lun(std::uint64_t k) const
{
	// Consecutive pages go to consecutive channels first, then to the
	// next LUN of each channel: a large write keeps every channel busy.
	const auto channel = static_cast<std::uint32_t>(k % layout_.channels);
	const auto lun = static_cast<std::uint32_t>((k / layout_.channels) % layout_.luns_per_channel);
	return channel * layout_.luns_per_channel + lun;
}

void Ftl::begin_request()
{
	++request_;
}

Ftl::Read Ftl::read(std::uint64_t lpn, nanoseconds now)
{
	const std::uint64_t ppn = l2p_.at(lpn);
	if (ppn == kNoPage)
		return {kNoPage, now}; // nothing stored: zeros, no NAND work
	// The die senses the page into its register, then the channel moves
	// it out; the die is busy until its register is free again.
	const std::uint32_t lun = lun_of_block(block_of(ppn));
	nanoseconds& ch_busy = channel_busy_[channel_of_lun(lun)];
	const nanoseconds sensed = later(now, luns_[lun].busy_until) + config_.read_lat;
	const nanoseconds out = later(sensed, ch_busy) + config_.xfer_lat;
	ch_busy = out;
	luns_[lun].busy_until = out;
	++stats_.host_pages_read;
	return {ppn, out};
}

std::optional<Ftl::Write> Ftl::write(std::uint64_t lpn, bool partial, nanoseconds now, FtlPageSink& sink)
{
	std::array<PageWrite, 1> page{PageWrite{.lpn = lpn, .partial = partial, .out = {}}};
	if (!write(page, now, sink))
		return std::nullopt;
	return page[0].out;
}

bool Ftl::write(std::span<PageWrite> pages, nanoseconds now, FtlPageSink& sink)
{
	// A partial page's old contents must survive any GC this write runs:
	// the kernel merges them into the new page after GC's operations.
	for (const PageWrite& p : pages)
		if (p.partial && l2p_.at(p.lpn) != kNoPage)
			blocks_[block_of(l2p_[p.lpn])].pinned = request_;

	// 1. A physical page for every logical one, the map untouched: GC
	//    sees the old versions as valid, so it keeps them (and may move
	//    them) until the request is sure to complete.
	for (PageWrite& p : pages) {
		const std::optional<std::uint64_t> ppn = allocate_host(now, sink);
		if (!ppn) {
			++stats_.no_space;
			return false;
		}
		p.out.ppn = *ppn;
		p.out.done = program(*ppn, now);
	}
	// 2. Point of no return: move each logical page to its new home.
	//    GC may have moved the old version; look it up now.
	for (PageWrite& p : pages) {
		const std::uint64_t old = l2p_.at(p.lpn);
		if (old != kNoPage)
			invalidate(old);
		map(p.lpn, p.out.ppn, now);
		p.out.src_ppn = p.partial ? old : kNoPage;
		++stats_.host_pages_written;
	}
	return true;
}

std::optional<std::uint64_t> Ftl::allocate_host(nanoseconds now, FtlPageSink& sink)
{
	for (std::uint32_t tries = 0; tries < layout_.luns(); ++tries) {
		const std::uint32_t lun = stripe_lun(next_stripe_++);
		const std::optional<std::uint64_t> ppn = allocate(lun, Stream::host, true, now, sink);
		if (!ppn)
			continue; // this LUN is full of valid data; try the next
		// Not yet mapped, so GC would count the page stale: the pin
		// keeps its block from being erased under the request.
		blocks_[block_of(*ppn)].pinned = request_;
		return ppn;
	}
	return std::nullopt;
}

nanoseconds Ftl::program(std::uint64_t ppn, nanoseconds now)
{
	// The data crosses the channel into the die's register, then the die
	// programs it, after whatever GC queued on it.
	const std::uint32_t lun = lun_of_block(block_of(ppn));
	nanoseconds& ch_busy = channel_busy_[channel_of_lun(lun)];
	const nanoseconds in = later(now, ch_busy) + config_.xfer_lat;
	ch_busy = in;
	const nanoseconds done = later(in, luns_[lun].busy_until) + config_.prog_lat;
	luns_[lun].busy_until = done;
	return done;
}

void Ftl::trim(std::uint64_t lpn)
{
	const std::uint64_t ppn = l2p_.at(lpn);
	if (ppn == kNoPage)
		return;
	invalidate(ppn);
	l2p_[lpn] = kNoPage;
	++stats_.host_pages_trimmed;
}

nanoseconds Ftl::flush(nanoseconds now) const
{
	return now + config_.flush_lat;
}

std::uint64_t& Ftl::open_block(Lun& l, Stream stream) const
{
	return stream == Stream::gc && config_.gc_separate ? l.gc_open : l.open;
}

std::optional<std::uint64_t> Ftl::allocate(std::uint32_t lun, Stream stream, bool may_gc, nanoseconds now,
					   FtlPageSink& sink)
{
	Lun& l = luns_[lun];
	std::uint64_t& open = open_block(l, stream);
	if (open != kNoBlock && blocks_[open].written == layout_.pages_per_block) {
		blocks_[open].state = FtlBlockInfo::State::full;
		open = kNoBlock;
	}
	if (open == kNoBlock) {
		// Nothing free and the open block full: GC can still erase a
		// block without valid pages, which needs no room to copy to.
		if (may_gc && l.free.empty())
			collect(lun, now, sink);
		if (l.free.empty())
			return std::nullopt;
		open = l.free.front();
		l.free.pop_front();
		blocks_[open].state = FtlBlockInfo::State::open;
		// Below the low watermark: reclaim now, in this write's time
		// (foreground GC). GC's own allocations never recurse into GC.
		if (may_gc && l.free.size() < config_.gc_low) {
			collect(lun, now, sink);
			return allocate(lun, stream, false, now, sink);
		}
	}
	return open * layout_.pages_per_block + blocks_[open].written++;
}

std::uint64_t Ftl::pick_victim(std::uint32_t lun, std::uint64_t room, nanoseconds now) const
{
	const std::uint32_t np = layout_.pages_per_block;
	const std::uint64_t first = std::uint64_t{lun} * layout_.blocks_per_lun;
	std::uint64_t best = kNoBlock;
	double best_score = -std::numeric_limits<double>::infinity();
	for (std::uint64_t b = first; b < first + layout_.blocks_per_lun; ++b) {
		const Block& k = blocks_[b];
		// Only full blocks; not one this request needs intact; not one
		// whose erase gains nothing (all valid) or whose valid pages do
		// not fit in the room left.
		if (k.state != FtlBlockInfo::State::full || k.pinned == request_ || k.valid >= np ||
		    k.valid > room)
			continue;
		double score = 0;
		if (config_.gc == GcPolicy::greedy) {
			score = -static_cast<double>(k.valid);
		} else if (k.valid == 0) {
			score = std::numeric_limits<double>::infinity(); // free to erase
		} else {
			const double u = static_cast<double>(k.valid) / np;
			// +1 ns: with equal ages (a clock that did not move) the
			// choice falls back to the emptiest block.
			const auto age = static_cast<double>((now - k.last_write).count()) + 1.0;
			score = (1.0 - u) / (2.0 * u) * std::max(age, 1.0);
		}
		if (score > best_score) {
			best_score = score;
			best = b;
		}
	}
	return best;
}

void Ftl::collect(std::uint32_t lun, nanoseconds now, FtlPageSink& sink)
{
	const std::uint32_t np = layout_.pages_per_block;
	Lun& l = luns_[lun];
	++stats_.gc_invocations;
	while (l.free.size() < config_.gc_high) {
		const std::uint64_t open = open_block(l, Stream::gc);
		const std::uint64_t open_room = open == kNoBlock ? 0 : np - blocks_[open].written;
		const std::uint64_t victim = pick_victim(lun, open_room + l.free.size() * np, now);
		if (victim == kNoBlock)
			break; // nothing worth reclaiming: stop short of gc-high
		Block& v = blocks_[victim];
		++victim_valid_hist_[v.valid * 8 / np];
		victim_valid_sum_ += v.valid;
		++stats_.gc_victims;

		// 1. Relocate the valid pages (a copyback: read and program on
		//    this die, no channel transfer).
		for (std::uint32_t p = 0; p < v.written; ++p) {
			const std::uint64_t src = victim * np + p;
			const std::uint64_t lpn = p2l_[src];
			if (lpn == kNoPage)
				continue;
			const std::uint64_t dst = *allocate(lun, Stream::gc, false, now, sink); // room checked above
			sink.copy(src, dst);
			invalidate(src);
			map(lpn, dst, now);
			l.busy_until = later(now, l.busy_until) + config_.read_lat + config_.prog_lat;
			++stats_.gc_pages_copied;
		}
		// 2. Erase: every page of the block is gone; the kernel frees
		//    them (including the stale ones discards left behind).
		for (std::uint32_t p = 0; p < v.written; ++p)
			sink.trim(victim * np + p);
		l.busy_until = later(now, l.busy_until) + config_.erase_lat;
		v.state = FtlBlockInfo::State::free;
		v.written = 0;
		v.valid = 0;
		++v.erase_count;
		++stats_.erases;
		l.free.push_back(victim);
	}
}

void Ftl::invalidate(std::uint64_t ppn)
{
	p2l_[ppn] = kNoPage;
	--blocks_[block_of(ppn)].valid;
}

void Ftl::map(std::uint64_t lpn, std::uint64_t ppn, nanoseconds now)
{
	l2p_[lpn] = ppn;
	p2l_[ppn] = lpn;
	Block& b = blocks_[block_of(ppn)];
	++b.valid;
	b.last_write = now;
}

FtlBlockInfo Ftl::block(std::uint64_t index) const
{
	const Block& b = blocks_.at(index);
	return {b.state, b.written, b.valid, b.erase_count};
}

std::uint64_t Ftl::free_blocks(std::uint32_t lun) const
{
	return luns_.at(lun).free.size();
}

FtlStats Ftl::stats() const
{
	FtlStats s = stats_;
	for (const Lun& l : luns_)
		s.free_blocks += l.free.size();
	std::uint64_t min = std::numeric_limits<std::uint64_t>::max();
	std::uint64_t max = 0;
	std::uint64_t sum = 0;
	for (const Block& b : blocks_) {
		min = std::min<std::uint64_t>(min, b.erase_count);
		max = std::max<std::uint64_t>(max, b.erase_count);
		sum += b.erase_count;
	}
	s.erase_min = min;
	s.erase_max = max;
	s.erase_mean = static_cast<double>(sum) / static_cast<double>(blocks_.size());
	s.victim_valid_hist = victim_valid_hist_;
	s.victim_valid_mean = s.gc_victims == 0
				      ? 0.0
				      : static_cast<double>(victim_valid_sum_) / static_cast<double>(s.gc_victims);
	return s;
}

} // namespace vbsim::ftl
