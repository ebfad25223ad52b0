// The hdd model: geometry (zones, tracks, skew), the seek curve, the
// rotation, the read cache with read-ahead and the write-back cache. The
// header explains what each part stands for on a real drive; the comments
// here say how it is computed.
#include "vbsim/hdd.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

#include "vbsim/models.hpp"
#include "vbsim/units.hpp"

namespace vbsim::model {

namespace {

using Nanos = std::chrono::nanoseconds;
using namespace std::chrono_literals;

constexpr double k_mib = 1024.0 * 1024.0;
constexpr double k_gib = 1024.0 * k_mib;

/// Two angles closer than this (a fraction of a turn, 8 ns at 7200 rpm)
/// are the same: times are whole nanoseconds, and a head arriving a
/// rounding error "late" must not wait a whole revolution.
constexpr double k_angle_tolerance = 1e-6;

/// The fractional part of @p x, in [0, 1).
double frac(double x)
{
	const double f = x - std::floor(x);
	return f >= 1.0 ? 0.0 : f;
}

Nanos to_nanos(double ns)
{
	return Nanos(static_cast<std::int64_t>(std::llround(ns)));
}

/// A duration for messages: "800us", or "5.53ms" when it is not whole.
std::string show(Nanos d)
{
	if (d == Nanos{0})
		return "0";
	if (d.count() % 10'000 == 0 || d < 1ms)
		return format_duration(d);
	return fmt::format("{:.2f}ms", static_cast<double>(d.count()) / 1e6);
}

/// A rate for messages, in the vbsim size syntax: "150M".
std::string show_rate(double bytes_per_s)
{
	if (bytes_per_s >= k_gib)
		return fmt::format("{:g}G", bytes_per_s / k_gib);
	if (bytes_per_s >= k_mib)
		return fmt::format("{:g}M", bytes_per_s / k_mib);
	return fmt::format("{:g}B", bytes_per_s);
}

// --- Option parsing. The shared parsers of units.hpp read the numbers;
// what the hdd adds is that a duration must say its unit ("15" could be
// seconds or milliseconds to the reader, and a drive's times are never
// seconds), and each option's range.

[[noreturn]] void bad_option(std::string_view name, std::string_view why)
{
	throw std::invalid_argument(fmt::format("{}: {}", name, why));
}

Nanos option_duration(std::string_view name, std::string_view text, Nanos lo, Nanos hi)
{
	if (text.empty() || std::isalpha(static_cast<unsigned char>(text.back())) == 0)
		bad_option(name, fmt::format("\"{}\" has no unit (write it as {}us or {}ms)", text, text, text));
	Nanos d{};
	try {
		d = parse_duration(text);
	} catch (const std::invalid_argument& e) {
		bad_option(name, e.what());
	}
	if (d < lo || d > hi)
		bad_option(name, fmt::format("{} is not from {} to {}", text, show(lo), show(hi)));
	return d;
}

/// A rate: a size with a unit per second, "150M", "150MiB" or "150M/s"
/// (K, M, G are powers of 1024 as everywhere in vbsim).
double option_rate(std::string_view name, std::string_view text, double lo, double hi)
{
	std::string_view number = text;
	if (number.ends_with("/s"))
		number.remove_suffix(2);
	if (number.empty() || std::isalpha(static_cast<unsigned char>(number.back())) == 0)
		bad_option(name, fmt::format("\"{}\" has no unit (bytes per second: write it as {}M or {}K)",
					     text, number, number));
	double rate = 0;
	try {
		rate = static_cast<double>(parse_size(number));
	} catch (const std::invalid_argument& e) {
		bad_option(name, e.what());
	}
	if (rate < lo || rate > hi)
		bad_option(name, fmt::format("{} is not from {}/s to {}/s", text, show_rate(lo), show_rate(hi)));
	return rate;
}

/// A byte count in whole sectors, "512K".
std::uint64_t option_size(std::string_view name, std::string_view text, std::uint64_t lo,
			  std::uint64_t hi)
{
	std::uint64_t size = 0;
	try {
		size = parse_size(text);
	} catch (const std::invalid_argument& e) {
		bad_option(name, e.what());
	}
	if (size < lo || size > hi)
		bad_option(name, fmt::format("{} is not from {} to {}", text, format_size(lo), format_size(hi)));
	if (size % kSectorSize != 0)
		bad_option(name, fmt::format("{} is not a whole number of 512-byte sectors", text));
	return size;
}

std::uint64_t option_uint(std::string_view name, std::string_view text, std::uint64_t lo,
			  std::uint64_t hi)
{
	std::uint64_t n = 0;
	try {
		n = parse_uint(text, std::numeric_limits<std::uint32_t>::max(), name);
	} catch (const std::invalid_argument& e) {
		bad_option(name, e.what());
	}
	if (n < lo || n > hi)
		bad_option(name, fmt::format("{} is not from {} to {}", text, lo, hi));
	return n;
}

/// A fraction: "0.5" or "50%".
double option_ratio(std::string_view name, std::string_view text, double lo, double hi)
{
	std::string_view number = text;
	const bool percent = number.ends_with('%');
	if (percent)
		number.remove_suffix(1);
	double v = 0;
	const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
	if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(v))
		bad_option(name, fmt::format("\"{}\" is not a fraction such as 0.5 or 50%", text));
	if (percent)
		v /= 100;
	if (!(v >= lo && v <= hi))
		bad_option(name, fmt::format("{} is not from {:g} to {:g}", text, lo, hi));
	return v;
}

bool option_on_off(std::string_view name, std::string_view text)
{
	if (text == "on")
		return true;
	if (text == "off")
		return false;
	bad_option(name, fmt::format("\"{}\" is neither on nor off", text));
}

// The ranges, shared by the option parser and hdd_config_problem().
constexpr double k_rpm_min = 1000, k_rpm_max = 30000;
constexpr Nanos k_seek_track_max = 100ms;
constexpr Nanos k_seek_full_max = 1s;
constexpr double k_rate_min = k_mib, k_rate_max = 10 * k_gib;
constexpr double k_interface_min = k_mib, k_interface_max = 100 * k_gib;
constexpr std::uint32_t k_zones_min = 2, k_zones_max = 1024;
constexpr double k_ratio_min = 0.1, k_ratio_max = 1.0;
constexpr std::uint32_t k_segments_max = 256;
constexpr std::uint64_t k_segment_min = std::uint64_t{64} * 1024, k_segment_max = std::uint64_t{64} * 1024 * 1024;
constexpr Nanos k_overhead_max = 10ms;
constexpr std::uint64_t k_wcache_min = std::uint64_t{2} * 1024 * 1024, k_wcache_max = std::uint64_t{1024} * 1024 * 1024;

/// The seek curve (see seek_time()) has the shape
///
///   seek(x) = seek_track + a sqrt(x) + b x,   x = distance / full stroke,
///
/// the square root for the head's acceleration phase that dominates short
/// seeks, the linear term for the coasting phase of long ones (Ruemmler
/// and Wilkes, "An introduction to disk drive modeling", 1994, fit the
/// same two regimes). seek(1) = seek_full fixes a + b; the mean over two
/// uniformly random tracks fixes the mix: x then has the density 2(1 - x),
/// so E[sqrt x] = 8/15 and E[x] = 1/3, and
///
///   seek_avg = seek_track + 8/15 a + 1/3 b.
struct SeekCurve {
	double a = 0;
	double b = 0;
};

SeekCurve seek_curve(const HddConfig& c)
{
	const double full = static_cast<double>((c.seek_full - c.seek_track).count());
	if (!c.seek_avg)
		return {.a = full, .b = 0};
	const double avg = static_cast<double>((*c.seek_avg - c.seek_track).count());
	const double a = 5 * avg - 5 * full / 3;
	return {.a = a, .b = full - a};
}

} // namespace

// --- configuration

std::string hdd_config_problem(const HddConfig& c)
{
	if (!(c.rpm >= k_rpm_min && c.rpm <= k_rpm_max))
		return fmt::format("--rpm: {} is not from {} to {}", c.rpm, k_rpm_min, k_rpm_max);
	if (c.seek_track < Nanos{0} || c.seek_track > k_seek_track_max)
		return fmt::format("--seek-track: {} is not from 0 to {}", show(c.seek_track), show(k_seek_track_max));
	if (c.seek_full < c.seek_track)
		return "--seek-full must be at least --seek-track";
	if (c.seek_full > k_seek_full_max)
		return fmt::format("--seek-full: {} is more than {}", show(c.seek_full), show(k_seek_full_max));
	if (c.seek_avg) {
		// a >= 0 (the curve starts rising) needs avg >= 1/3 of the
		// span; a curve that never falls (a/2 + b >= 0 at x = 1) needs
		// avg <= 11/15 of it.
		const Nanos span = c.seek_full - c.seek_track;
		const Nanos lo = c.seek_track + span / 3;
		const Nanos hi = c.seek_track + span * 11 / 15;
		if (*c.seek_avg < lo || *c.seek_avg > hi)
			return fmt::format("--seek-avg: {} is not from {} to {} (with --seek-track {} and "
					   "--seek-full {}, no seek curve that never falls has that mean)",
					   show(*c.seek_avg), show(lo), show(hi), show(c.seek_track),
					   show(c.seek_full));
	}
	if (!(c.transfer_rate >= k_rate_min && c.transfer_rate <= k_rate_max))
		return fmt::format("--transfer-rate: {}/s is not from {}/s to {}/s", show_rate(c.transfer_rate),
				   show_rate(k_rate_min), show_rate(k_rate_max));
	if (c.zbr_zones < k_zones_min || c.zbr_zones > k_zones_max)
		return fmt::format("--zbr-zones: {} is not from {} to {}", c.zbr_zones, k_zones_min, k_zones_max);
	if (!(c.zbr_ratio >= k_ratio_min && c.zbr_ratio <= k_ratio_max))
		return fmt::format("--zbr-ratio: {:g} is not from {:g} to {:g}", c.zbr_ratio, k_ratio_min, k_ratio_max);
	if (c.cache_segments < 1 || c.cache_segments > k_segments_max)
		return fmt::format("--cache-segments: {} is not from 1 to {}", c.cache_segments, k_segments_max);
	if (c.segment_size < k_segment_min || c.segment_size > k_segment_max || c.segment_size % kSectorSize != 0)
		return fmt::format("--segment-size: {} is not a whole number of sectors from {} to {}",
				   c.segment_size, format_size(k_segment_min), format_size(k_segment_max));
	if (c.read_ahead > c.segment_size || c.read_ahead % kSectorSize != 0)
		return fmt::format("--read-ahead: {} is not a whole number of sectors up to --segment-size ({})",
				   format_size(c.read_ahead), format_size(c.segment_size));
	if (!(c.interface_rate >= k_interface_min && c.interface_rate <= k_interface_max))
		return fmt::format("--interface-rate: {}/s is not from {}/s to {}/s", show_rate(c.interface_rate),
				   show_rate(k_interface_min), show_rate(k_interface_max));
	if (c.command_overhead < Nanos{0} || c.command_overhead > k_overhead_max)
		return fmt::format("--command-overhead: {} is not from 0 to {}", show(c.command_overhead),
				   show(k_overhead_max));
	if (c.write_cache_size < k_wcache_min || c.write_cache_size > k_wcache_max ||
	    c.write_cache_size % kSectorSize != 0)
		return fmt::format("--write-cache-size: {} is not a whole number of sectors from {} to {}",
				   c.write_cache_size, format_size(k_wcache_min), format_size(k_wcache_max));
	return {};
}

std::span<const HddOptionSpec> hdd_options()
{
	static constexpr std::array<HddOptionSpec, 15> specs = {{
		{"--rpm", "N", "hdd: spindle speed, 1000..30000 (default 7200)"},
		{"--seek-track", "DURATION", "hdd: track-to-track seek and track switch (default 800us)"},
		{"--seek-avg", "DURATION", "hdd: mean random seek (default: a square-root curve, 8.37ms)"},
		{"--seek-full", "DURATION", "hdd: full-stroke seek (default 15ms)"},
		{"--transfer-rate", "RATE", "hdd: media rate at LBA 0, bytes/s (default 150M)"},
		{"--zbr", "", "hdd: zoned-bit recording, media rate falls towards the last LBA"},
		{"--zbr-zones", "N", "hdd: zones with --zbr, 2..1024 (default 16)"},
		{"--zbr-ratio", "FRACTION", "hdd: inner/outer sectors per track with --zbr (default 0.5)"},
		{"--cache-segments", "N", "hdd: read cache segments, 1..256 (default 16)"},
		{"--segment-size", "SIZE", "hdd: bytes per segment (default 1M)"},
		{"--read-ahead", "SIZE", "hdd: read-ahead after a read, 0 = off (default 512K)"},
		{"--interface-rate", "RATE", "hdd: buffer to host rate, bytes/s (default 550M)"},
		{"--command-overhead", "DURATION", "hdd: firmware time per command (default 50us)"},
		{"--write-cache", "on|off", "hdd: write-back cache (default on)"},
		{"--write-cache-size", "SIZE", "hdd: dirty bytes the write cache holds (default 16M)"},
	}};
	return specs;
}

void set_hdd_option(HddConfig& c, std::string_view name, std::string_view value)
{
	if (name == "--rpm")
		c.rpm = static_cast<double>(option_uint(name, value, 1000, 30000));
	else if (name == "--seek-track")
		c.seek_track = option_duration(name, value, Nanos{0}, k_seek_track_max);
	else if (name == "--seek-avg")
		c.seek_avg = option_duration(name, value, Nanos{0}, k_seek_full_max);
	else if (name == "--seek-full")
		c.seek_full = option_duration(name, value, Nanos{0}, k_seek_full_max);
	else if (name == "--transfer-rate")
		c.transfer_rate = option_rate(name, value, k_rate_min, k_rate_max);
	else if (name == "--zbr")
		c.zbr = true;
	else if (name == "--zbr-zones")
		c.zbr_zones = static_cast<std::uint32_t>(option_uint(name, value, k_zones_min, k_zones_max));
	else if (name == "--zbr-ratio")
		c.zbr_ratio = option_ratio(name, value, k_ratio_min, k_ratio_max);
	else if (name == "--cache-segments")
		c.cache_segments = static_cast<std::uint32_t>(option_uint(name, value, 1, k_segments_max));
	else if (name == "--segment-size")
		c.segment_size = option_size(name, value, k_segment_min, k_segment_max);
	else if (name == "--read-ahead")
		c.read_ahead = option_size(name, value, 0, k_segment_max);
	else if (name == "--interface-rate")
		c.interface_rate = option_rate(name, value, k_interface_min, k_interface_max);
	else if (name == "--command-overhead")
		c.command_overhead = option_duration(name, value, Nanos{0}, k_overhead_max);
	else if (name == "--write-cache")
		c.write_cache = option_on_off(name, value);
	else if (name == "--write-cache-size")
		c.write_cache_size = option_size(name, value, k_wcache_min, k_wcache_max);
	else
		throw std::invalid_argument(fmt::format("{}: not an option of the hdd model", name));
}

// --- geometry

HddGeometry::HddGeometry(const HddConfig& c, std::uint64_t sectors)
	: sectors_(sectors), revolution_(to_nanos(60e9 / c.rpm))
{
	// A track holds what passes under the head in one revolution at the
	// media rate. With zoned-bit recording the outermost zone has that
	// many sectors per track and each zone further in has fewer, down to
	// zbr_ratio of it, in equal steps: the linear density (bits per mm)
	// stays near the maximum the head can resolve, so a longer outer
	// track holds more. The spindle turns at one speed, so the media rate
	// is proportional to the sectors per track.
	const double rev_s = 60.0 / c.rpm;
	const auto outer = static_cast<std::uint32_t>(
		std::max<long long>(1, std::llround(c.transfer_rate * rev_s / kSectorSize)));
	std::vector<std::uint32_t> spt;
	if (!c.zbr) {
		spt.push_back(outer);
	} else {
		for (std::uint32_t z = 0; z < c.zbr_zones; z++) {
			const double step = static_cast<double>(z) / static_cast<double>(c.zbr_zones - 1);
			spt.push_back(static_cast<std::uint32_t>(std::max<long long>(
				1, std::llround(static_cast<double>(outer) * (1.0 - (1.0 - c.zbr_ratio) * step)))));
		}
	}

	// Zones are bands of equal width, i.e. the same number of tracks
	// each: the fewest tracks per zone that hold every sector. The disk
	// ends where its last sector does, so the last zone used may be
	// partly used (and, for a disk smaller than one track per zone, the
	// inner zones not at all).
	std::uint64_t per_round = 0;
	for (const std::uint32_t s : spt)
		per_round += s;
	const std::uint64_t tracks_per_zone = std::max<std::uint64_t>(1, (sectors + per_round - 1) / per_round);
	std::uint64_t lba = 0;
	std::uint64_t track = 0;
	double angle = 0;
	for (const std::uint32_t s : spt) {
		if (lba >= sectors && !zones_.empty())
			break;
		HddZone z;
		z.first_track = track;
		z.first_sector = lba;
		z.sectors_per_track = s;
		z.tracks = std::min(tracks_per_zone, std::max<std::uint64_t>(1, (sectors - lba + s - 1) / s));
		// Track skew: the whole sectors that pass under the head while
		// it moves to the next track, so that a transfer running over
		// a track boundary finds the next track's first sector just
		// arriving (formatting real drives does the same).
		z.skew_sectors = static_cast<std::uint32_t>(
			std::ceil(static_cast<double>(c.seek_track.count()) * s /
				  static_cast<double>(revolution_.count())));
		// The first track of a zone is skewed from the last of the
		// previous one like any other track.
		if (!zones_.empty())
			angle = frac(angle + static_cast<double>(z.skew_sectors % s) / s);
		z.first_angle = angle;
		zones_.push_back(z);
		// The angle of this zone's last track, for the next zone.
		angle = frac(angle + static_cast<double>((z.tracks - 1) % s * (z.skew_sectors % s) % s) / s);
		lba += z.tracks * s;
		track += z.tracks;
	}
	tracks_ = track;
}

const HddZone& HddGeometry::zone_of_track(std::uint64_t index) const
{
	const auto it = std::upper_bound(zones_.begin(), zones_.end(), index,
					 [](std::uint64_t i, const HddZone& z) { return i < z.first_track; });
	return *std::prev(it);
}

HddTrack HddGeometry::track(std::uint64_t index) const
{
	const HddZone& z = zone_of_track(index);
	const std::uint64_t k = index - z.first_track;
	const std::uint32_t s = z.sectors_per_track;
	return HddTrack{
		.index = index,
		.first_sector = z.first_sector + k * s,
		.sectors = s,
		.angle0 = frac(z.first_angle + static_cast<double>(k % s * (z.skew_sectors % s) % s) / s),
	};
}

HddTrack HddGeometry::track_of(std::uint64_t lba) const
{
	const auto it = std::upper_bound(zones_.begin(), zones_.end(), lba,
					 [](std::uint64_t l, const HddZone& z) { return l < z.first_sector; });
	const HddZone& z = *std::prev(it);
	return track(z.first_track + (lba - z.first_sector) / z.sectors_per_track);
}

double HddGeometry::angle_of(std::uint64_t lba) const
{
	const HddTrack t = track_of(lba);
	return frac(t.angle0 + static_cast<double>(lba - t.first_sector) / t.sectors);
}

double HddGeometry::media_rate_at(std::uint64_t lba) const
{
	return static_cast<double>(track_of(lba).sectors) * kSectorSize * 1e9 /
	       static_cast<double>(revolution_.count());
}

// --- the model

HddModel::HddModel(const HddConfig& config) : config_(config)
{
	if (const std::string problem = hdd_config_problem(config_); !problem.empty())
		throw std::invalid_argument(problem);
	segment_sectors_ = config_.segment_size / kSectorSize;
	read_ahead_sectors_ = config_.read_ahead / kSectorSize;
	write_cache_sectors_ = config_.write_cache_size / kSectorSize;
	const SeekCurve curve = seek_curve(config_);
	seek_a_ns_ = curve.a;
	seek_b_ns_ = curve.b;
	segments_.resize(config_.cache_segments);
}

void HddModel::start(const Geometry& g)
{
	if (g.physical_pages < g.logical_pages)
		throw std::invalid_argument(fmt::format(
			"model hdd maps logical page N to physical page N, but the disk has {} logical "
			"pages and only {} physical ones",
			g.logical_pages, g.physical_pages));
	std::lock_guard guard(lock_);
	geometry_.emplace(config_, g.logical_pages * (kPageSize / kSectorSize));
}

const HddGeometry& HddModel::geometry() const
{
	if (!geometry_)
		throw std::logic_error("HddModel::geometry() before start()");
	return *geometry_;
}

std::chrono::nanoseconds HddModel::revolution() const
{
	return to_nanos(60e9 / config_.rpm);
}

std::chrono::nanoseconds HddModel::seek_time(std::uint64_t tracks) const
{
	if (tracks == 0)
		return Nanos{0};
	// Distances run from 1 to tracks - 1: map them onto 0..1.
	const std::uint64_t all = geometry().tracks();
	const double x = all > 2 ? std::min(1.0, static_cast<double>(tracks - 1) / static_cast<double>(all - 2))
				 : 0.0;
	return config_.seek_track + to_nanos(seek_a_ns_ * std::sqrt(x) + seek_b_ns_ * x);
}

std::uint64_t HddModel::dirty_bytes() const
{
	std::lock_guard guard(lock_);
	return dirty_sectors_ * kSectorSize;
}

HddModel::Nanos HddModel::interface_time(std::uint64_t bytes) const
{
	return to_nanos(static_cast<double>(bytes) / config_.interface_rate * 1e9);
}

// The platter turns at a constant speed from time 0 of the clock the
// model is given, so its angle at time t is (t mod revolution) /
// revolution. The head, once on the right track, waits until the sector
// it wants comes round: from nothing up to one revolution.
HddModel::Nanos HddModel::rotational_wait(Nanos t, double angle) const
{
	const std::int64_t rev = geometry_->revolution().count();
	const double now = static_cast<double>(t.count() % rev) / static_cast<double>(rev);
	double wait = angle - now;
	if (wait < -k_angle_tolerance)
		wait += 1.0;
	return to_nanos(std::max(0.0, wait) * static_cast<double>(rev));
}

// Moves the head to @p lba starting at @p t: a seek to its track, then
// the rotational wait. Returns when the sector starts to pass under it.
HddModel::Nanos HddModel::position(Nanos t, std::uint64_t lba)
{
	const HddTrack target = geometry_->track_of(lba);
	const std::uint64_t distance = target.index > head_track_ ? target.index - head_track_
								   : head_track_ - target.index;
	const Nanos seek = seek_time(distance);
	const Nanos wait = rotational_wait(t + seek, geometry_->angle_of(lba));
	head_track_ = target.index;
	head_lba_ = lba;
	accesses_++;
	seeks_ += distance != 0;
	seek_sum_ += seek;
	rotation_sum_ += wait;
	return t + seek + wait;
}

// A head that reads on without stopping: sector after sector at the
// track's rate, then a switch to the next track. The switch takes
// seek_track; the skew puts the next track's first sector just behind
// that, so a switch costs seek_track and a fraction of a sector, not a
// revolution. Both the read-ahead and any multi-sector transfer are such
// a stream.

// When the head that finished the track before @p lba at @p t can read
// @p lba, the first sector of its track.
HddModel::Nanos HddModel::track_switch(Nanos t, std::uint64_t lba) const
{
	const Nanos moved = t + config_.seek_track;
	return moved + rotational_wait(moved, geometry_->track_of(lba).angle0);
}

HddModel::Nanos HddModel::stream_reach(const Stream& s, std::uint64_t lba) const
{
	Nanos t = s.time;
	std::uint64_t at = s.lba;
	bool positioned = s.positioned;
	while (at < lba) {
		const HddTrack tr = geometry_->track_of(at);
		if (at == tr.first_sector && !positioned)
			t = track_switch(t, at);
		positioned = false;
		const double st = static_cast<double>(geometry_->revolution().count()) / tr.sectors;
		const std::uint64_t end = std::min(tr.end(), lba);
		t += to_nanos(static_cast<double>(end - at) * st);
		at = end;
	}
	return t;
}

// How far the stream @p s has read by time @p t (never past its limit).
std::uint64_t HddModel::stream_position(const Stream& s, Nanos t) const
{
	Nanos now = s.time;
	std::uint64_t at = s.lba;
	bool positioned = s.positioned;
	while (at < s.limit && now < t) {
		const HddTrack tr = geometry_->track_of(at);
		if (at == tr.first_sector && !positioned) {
			now = track_switch(now, at);
			if (t <= now)
				break;
		}
		positioned = false;
		const double st = static_cast<double>(geometry_->revolution().count()) / tr.sectors;
		const std::uint64_t end = std::min(tr.end(), s.limit);
		const Nanos t_end = now + to_nanos(static_cast<double>(end - at) * st);
		if (t < t_end)
			return at + static_cast<std::uint64_t>(static_cast<double>((t - now).count()) / st);
		at = end;
		now = t_end;
	}
	return std::min(at, s.limit);
}

// One media access: position, then stream [lo, hi). Returns its end.
HddModel::Nanos HddModel::media_access(Nanos t, std::uint64_t lo, std::uint64_t hi)
{
	const Nanos begin = position(t, lo);
	const Nanos end = stream_reach(
		Stream{.active = true, .time = begin, .lba = lo, .limit = hi, .positioned = true}, hi);
	transfer_sum_ += end - begin;
	head_lba_ = hi;
	head_track_ = geometry_->track_of(hi - 1).index;
	return end;
}

// Ends the read-ahead at @p t (or where it stopped on its own before):
// its segment keeps what it read, the head stays where it got to.
void HddModel::stop_stream(Nanos t)
{
	if (!stream_.active)
		return;
	stream_.active = false;
	const std::uint64_t at = stream_position(stream_, t);
	Segment& seg = segments_[stream_.segment];
	seg.hi = std::max(seg.hi, at);
	seg.lo = std::max(seg.lo, seg.hi > segment_sectors_ ? seg.hi - segment_sectors_ : 0);
	if (at > stream_.lba) {
		head_lba_ = at;
		head_track_ = geometry_->track_of(at - 1).index;
	}
	const Nanos end = at >= stream_.limit ? stream_reach(stream_, stream_.limit) : t;
	media_free_ = std::max(media_free_, std::min(end, t));
	stream_.limit = at; // where it stopped: a later hit may restart it there
}

// Brings the drive's background work up to time @p t: the read-ahead
// fills its segment until it reaches its limit; then, while the head is
// idle, dirty data is written out.
void HddModel::advance(Nanos t)
{
	if (stream_.active) {
		const Nanos done = stream_reach(stream_, stream_.limit);
		if (done <= t) {
			stop_stream(done);
		} else {
			Segment& seg = segments_[stream_.segment];
			seg.hi = std::max(seg.hi, stream_position(stream_, t));
			seg.lo = std::max(seg.lo, seg.hi > segment_sectors_ ? seg.hi - segment_sectors_ : 0);
			return;
		}
	}
	while (destage_one(t)) {
	}
}

// Writes one chunk of dirty data to the media, if one can start before
// @p not_after: the first dirty range at or after the head (an elevator,
// as drives reorder their destaging), at most to the end of its track so
// that a command arriving meanwhile waits for one track at most.
bool HddModel::destage_one(Nanos not_after)
{
	if (dirty_.empty())
		return false;
	auto it = dirty_.lower_bound(head_lba_);
	if (it != dirty_.begin() && std::prev(it)->second.hi > head_lba_)
		--it;
	if (it == dirty_.end())
		it = dirty_.begin();
	const Nanos start = std::max(media_free_, it->second.ready);
	if (start >= not_after)
		return false;
	const std::uint64_t lo = it->first;
	const std::uint64_t hi = std::min(it->second.hi, geometry_->track_of(lo).end());
	media_free_ = media_access(start, lo, hi);
	const Dirty rest = it->second;
	dirty_.erase(it);
	if (hi < rest.hi)
		dirty_.emplace(hi, rest);
	dirty_sectors_ -= hi - lo;
	destaged_sectors_ += hi - lo;
	return true;
}

std::uint64_t HddModel::dirty_overlap(std::uint64_t lo, std::uint64_t hi) const
{
	std::uint64_t n = 0;
	auto it = dirty_.upper_bound(lo);
	if (it != dirty_.begin())
		--it;
	for (; it != dirty_.end() && it->first < hi; ++it)
		if (it->second.hi > lo)
			n += std::min(hi, it->second.hi) - std::max(lo, it->first);
	return n;
}

bool HddModel::dirty_covers(std::uint64_t lo, std::uint64_t hi) const
{
	return dirty_overlap(lo, hi) == hi - lo;
}

void HddModel::drop_dirty(std::uint64_t lo, std::uint64_t hi)
{
	auto it = dirty_.upper_bound(lo);
	if (it != dirty_.begin())
		--it;
	while (it != dirty_.end() && it->first < hi) {
		const std::uint64_t a = it->first;
		const Dirty d = it->second;
		if (d.hi <= lo) {
			++it;
			continue;
		}
		it = dirty_.erase(it);
		dirty_sectors_ -= std::min(hi, d.hi) - std::max(lo, a);
		if (a < lo)
			dirty_.emplace(a, Dirty{.hi = lo, .ready = d.ready});
		if (d.hi > hi)
			it = dirty_.emplace(hi, Dirty{.hi = d.hi, .ready = d.ready}).first;
	}
}

void HddModel::add_dirty(std::uint64_t lo, std::uint64_t hi, Nanos ready)
{
	drop_dirty(lo, hi);
	dirty_.emplace(lo, Dirty{.hi = hi, .ready = ready});
	dirty_sectors_ += hi - lo;
}

// A read: from the buffer if it holds the range, else from the stream
// of the read-ahead if that is on its way there, else from the media.
HddModel::Nanos HddModel::read(std::uint64_t lo, std::uint64_t hi, Nanos start)
{
	const std::uint64_t end_of_disk = geometry_->sectors();
	const Nanos hit = start + config_.command_overhead + interface_time((hi - lo) * kSectorSize);
	const auto ahead = [&](std::uint64_t from) { return std::min(end_of_disk, from + read_ahead_sectors_); };

	// 1. Dirty data in the write cache is the newest copy.
	if (dirty_covers(lo, hi)) {
		read_hits_++;
		return hit;
	}
	// 2. A segment of the read cache holds it all.
	for (std::size_t i = 0; i < segments_.size(); i++) {
		Segment& seg = segments_[i];
		if (seg.lo > lo || hi > seg.hi)
			continue;
		seg.used = commands_;
		read_hits_++;
		if (i == stream_.segment && stream_.active) {
			// The host reads what was read ahead: read further.
			stream_.limit = std::max(stream_.limit, ahead(hi));
		} else if (i == stream_.segment && seg.hi == stream_.limit && seg.hi < ahead(hi) &&
			   read_ahead_sectors_ != 0) {
			// The read-ahead had stopped at its limit and the host
			// is catching up: start it again where it stopped (the
			// head is still on that track).
			const Nanos begin = position(std::max(start, media_free_), seg.hi);
			stream_ = Stream{.active = true, .time = begin, .lba = seg.hi, .limit = ahead(hi),
					 .segment = i, .positioned = true};
		}
		return hit;
	}
	// 3. The read-ahead is reading towards it: the data comes as the
	// head reads it, without a seek or a rotational wait.
	if (!(stream_.active && segments_[stream_.segment].lo <= lo && lo <= stream_.limit)) {
		// 4. A miss: stop reading ahead, seek, wait for the sector,
		// and read on into the least recently used segment.
		read_misses_++;
		stop_stream(start);
		const Nanos ready = std::max(start + config_.command_overhead, media_free_);
		std::size_t victim = 0;
		for (std::size_t i = 1; i < segments_.size(); i++)
			if (segments_[i].used < segments_[victim].used)
				victim = i;
		const Nanos begin = position(ready, lo);
		segments_[victim] = Segment{.lo = lo, .hi = lo, .used = commands_};
		stream_ = Stream{.active = true, .time = begin, .lba = lo, .limit = hi, .segment = victim,
				 .positioned = true};
	}
	Segment& seg = segments_[stream_.segment];
	seg.used = commands_;
	const Nanos head_done = stream_reach(stream_, hi);
	transfer_sum_ += head_done - std::max(stream_.time, start);
	// Re-anchor the stream at the end of this read and read ahead of it.
	stream_.time = head_done;
	stream_.lba = hi;
	stream_.positioned = false;
	stream_.limit = std::max(hi, ahead(hi));
	seg.hi = std::max(seg.hi, hi);
	seg.lo = std::max(seg.lo, seg.hi > segment_sectors_ ? seg.hi - segment_sectors_ : 0);
	head_lba_ = hi;
	head_track_ = geometry_->track_of(hi - 1).index;
	media_free_ = std::max(media_free_, head_done);
	return std::max(hit, head_done);
}

// Data the host wrote stays in the buffer, as data read does, so a read
// of it soon after is a hit whether or not it has been written out yet. A
// write that continues a segment extends it, so a sequential writer
// fills one segment rather than all of them.
void HddModel::remember(std::uint64_t lo, std::uint64_t hi)
{
	const auto free_to_use = [&](std::size_t i) { return !(stream_.active && i == stream_.segment); };
	std::size_t pick = segments_.size();
	for (std::size_t i = 0; i < segments_.size() && pick == segments_.size(); i++)
		if (free_to_use(i) && segments_[i].lo < segments_[i].hi && segments_[i].hi == lo)
			pick = i;
	if (pick == segments_.size()) {
		for (std::size_t i = 0; i < segments_.size(); i++)
			if (free_to_use(i) && (pick == segments_.size() || segments_[i].used < segments_[pick].used))
				pick = i;
		if (pick == segments_.size())
			return; // one segment, busy with the read-ahead
		segments_[pick] = Segment{.lo = lo, .hi = lo};
		if (pick == stream_.segment)
			stream_.segment = segments_.size(); // no longer the read-ahead's
	}
	Segment& seg = segments_[pick];
	seg.hi = hi;
	seg.lo = std::max(seg.lo, hi > segment_sectors_ ? hi - segment_sectors_ : 0);
	seg.used = commands_;
}

// A write: into the write cache, or to the media for FUA and with the
// write cache off.
HddModel::Nanos HddModel::write(std::uint64_t lo, std::uint64_t hi, std::uint64_t bytes, bool fua, Nanos start)
{
	const Nanos in_buffer = start + config_.command_overhead + interface_time(bytes);
	if (config_.write_cache && !fua) {
		cached_writes_++;
		// No room: the drive destages until the new data fits, and
		// the write completes when it does.
		Nanos ready = in_buffer;
		if (dirty_sectors_ + (hi - lo) - dirty_overlap(lo, hi) > write_cache_sectors_) {
			stop_stream(start);
			while (dirty_sectors_ + (hi - lo) - dirty_overlap(lo, hi) > write_cache_sectors_ &&
			       destage_one(Nanos::max())) {
			}
			ready = std::max(ready, media_free_);
		}
		add_dirty(lo, hi, ready);
		remember(lo, hi);
		return ready;
	}
	// Write-through: the media write is this command's, after what the
	// head is doing. Cached data of the range is superseded.
	media_writes_++;
	stop_stream(start);
	drop_dirty(lo, hi);
	media_free_ = media_access(std::max(start + config_.command_overhead, media_free_), lo, hi);
	remember(lo, hi);
	return std::max(in_buffer, media_free_);
}

// A flush: everything dirty goes to the media first.
HddModel::Nanos HddModel::flush(Nanos start)
{
	flushes_++;
	stop_stream(start);
	while (destage_one(Nanos::max())) {
	}
	return std::max(start + config_.command_overhead, media_free_);
}

void HddModel::handle(const Request& r, Nanos now, Reply& out, PageOps& /*ops*/)
{
	identity_maps(r, out);
	std::lock_guard guard(lock_);
	if (!geometry_)
		throw std::logic_error("HddModel::handle() before start()");
	// One command at a time: it starts when the previous one completed.
	const Nanos start = std::max(now, command_free_);
	commands_++;
	advance(start);

	const std::uint64_t lo = std::min(r.sector, geometry_->sectors());
	const std::uint64_t hi = std::min(r.sector + r.nr_sectors, geometry_->sectors());
	Nanos done = start + config_.command_overhead;
	switch (r.op) {
	case Op::read:
		media_ops_++;
		if (lo < hi)
			done = read(lo, hi, start);
		break;
	case Op::write:
	case Op::write_zeroes:
		media_ops_++;
		// Write-zeroes sends no data over the interface, but writes it all.
		if (lo < hi)
			done = write(lo, hi, r.op == Op::write ? r.bytes() : 0, r.fua, start);
		break;
	case Op::flush:
		done = flush(start);
		break;
	case Op::discard:
		// A disk has nothing to erase: the command only costs its
		// overhead, and the cached data stays.
		break;
	}
	command_free_ = done;
	// The protocol's longest delay; a queue this deep is the host's doing.
	out.delay = std::min(done - now, std::chrono::duration_cast<Nanos>(std::chrono::seconds(60)));
	delay_sum_ += out.delay;
	delay_max_ = std::max(delay_max_, out.delay);
}

nlohmann::json HddModel::stats() const
{
	std::lock_guard guard(lock_);
	const auto mean = [](Nanos sum, std::uint64_t n) {
		return n == 0 ? 0 : sum.count() / static_cast<std::int64_t>(n);
	};
	return {
		{"media_ops", media_ops_},
		{"read_hits", read_hits_},
		{"read_misses", read_misses_},
		{"cached_writes", cached_writes_},
		{"media_writes", media_writes_},
		{"destaged_sectors", destaged_sectors_},
		{"dirty_bytes", dirty_sectors_ * kSectorSize},
		{"flushes", flushes_},
		{"seeks", seeks_},
		{"tracks", geometry_ ? geometry_->tracks() : 0},
		{"zones", geometry_ ? geometry_->zones().size() : 0},
		{"mean_seek_ns", mean(seek_sum_, accesses_)},
		{"mean_rotation_ns", mean(rotation_sum_, accesses_)},
		{"mean_transfer_ns", mean(transfer_sum_, accesses_)},
		{"mean_latency_ns", mean(delay_sum_, commands_)},
		{"max_latency_ns", delay_max_.count()},
	};
}

} // namespace vbsim::model
