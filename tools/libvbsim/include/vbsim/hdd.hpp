// The hdd model of `vbsim model run`: the identity mapping, timed like one
// spinning disk with one actuator, a segmented read cache with read-ahead
// and a write-back cache.
//
// What a request costs on a real drive, and so here:
//
//   * a *command overhead*: the drive's firmware parses the command and
//     looks the range up in its buffer (tens of microseconds);
//   * if the data is already in the buffer (a *cache hit*): only the
//     transfer over the interface (SATA: about 550 MB/s);
//   * otherwise the head *seeks* to the track, *waits* for the first
//     sector to rotate under it, and *reads* at the media rate, which is
//     how many sectors pass under the head per second. After a read the
//     drive keeps reading ahead into its buffer, so the next sequential
//     request is already there or on its way;
//   * a write goes into the write cache at interface speed and is written
//     to the media later (destaged), while the drive is idle, when the
//     cache is full, or when the host asks for a flush; a FUA write, and
//     every write with the write cache off, pays the media cost itself.
//
// The model keeps its own simulated clock: the time each answer says the
// request completes. Where the head is and at which angle the platter
// stands are functions of that clock, so a request that follows another
// sequentially finds the head where the previous one left it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vbsim/model.hpp"

namespace vbsim::model {

/// Parameters of HddModel. The defaults are a 7200 rpm desktop drive.
struct HddConfig {
	/// Spindle speed, revolutions per minute (1000 to 30000).
	double rpm = 7200;
	/// Seek to the adjacent track, and the time the head needs to switch
	/// tracks in a sequential transfer (0 to 100 ms).
	std::chrono::nanoseconds seek_track{std::chrono::microseconds(800)};
	/// Mean seek between two random tracks, a datasheet's "average seek"
	/// (see hdd_config_problem() for its range). Unset: the seek curve is
	/// a plain square root, whose mean is seek_track + 8/15 (seek_full -
	/// seek_track), 8.37 ms with the defaults.
	std::optional<std::chrono::nanoseconds> seek_avg;
	/// Seek across the whole disk (up to 1 s).
	std::chrono::nanoseconds seek_full{std::chrono::milliseconds(15)};
	/// Media rate in bytes per second at the outer edge (LBA 0): the bytes
	/// of one track times revolutions per second (1 MiB/s to 10 GiB/s).
	double transfer_rate = 150.0 * 1024 * 1024;
	/// Zoned-bit recording: outer tracks hold more sectors than inner
	/// ones, so the media rate falls from transfer_rate at LBA 0 to
	/// zbr_ratio times it at the last LBA. Off: every track is the same.
	bool zbr = false;
	/// Zones of equal width (in tracks) with zbr, 2 to 1024.
	std::uint32_t zbr_zones = 16;
	/// Sectors per track of the innermost zone over the outermost, with
	/// zbr (0.1 to 1).
	double zbr_ratio = 0.5;
	/// Read cache: how many ranges the drive remembers (1 to 256).
	std::uint32_t cache_segments = 16;
	/// Bytes one segment holds (64 KiB to 64 MiB, whole sectors).
	std::uint64_t segment_size = std::uint64_t{1024} * 1024;
	/// Bytes read ahead past each read (0, off, up to segment_size).
	std::uint64_t read_ahead = std::uint64_t{512} * 1024;
	/// Interface rate in bytes per second, for data to or from the
	/// buffer (1 MiB/s to 100 GiB/s).
	double interface_rate = 550.0 * 1024 * 1024;
	/// Firmware time per command (0 to 10 ms).
	std::chrono::nanoseconds command_overhead{std::chrono::microseconds(50)};
	/// Write-back caching (drives ship with it on).
	bool write_cache = true;
	/// Bytes of dirty data the write cache holds (2 MiB to 1 GiB).
	std::uint64_t write_cache_size = std::uint64_t{16} * 1024 * 1024;
};

/// Why @p c cannot be used (one line naming the option), or an empty string.
[[nodiscard]] std::string hdd_config_problem(const HddConfig& c);

/// One command-line option of the hdd model.
struct HddOptionSpec {
	std::string_view name;      ///< "--rpm"
	std::string_view type_name; ///< "N", "DURATION", "RATE", ... ("" for a flag)
	std::string_view help;      ///< one line, with the default
};

/// The hdd model's options, in the order `vbsim model run --help` lists them.
[[nodiscard]] std::span<const HddOptionSpec> hdd_options();

/// Sets the option @p name (as in hdd_options(), with its dashes) of @p c
/// from its text. A flag takes an empty @p value. Durations need a unit
/// ("800us"), rates and sizes the vbsim size syntax ("150M", "512K");
/// std::invalid_argument with one line naming the option for anything
/// else or out of range. Checks that involve several options are
/// hdd_config_problem()'s.
void set_hdd_option(HddConfig& c, std::string_view name, std::string_view value);

/// One band of tracks with the same number of sectors per track.
struct HddZone {
	std::uint64_t first_track = 0;       ///< its first track (0 = outermost)
	std::uint64_t tracks = 0;            ///< tracks it has
	std::uint64_t first_sector = 0;      ///< LBA of its first sector
	std::uint32_t sectors_per_track = 0; ///< 512-byte sectors per track
	/// Track skew: how many sectors the first sector of each track is
	/// shifted from the previous track's, so that after a track switch
	/// the head arrives just before it instead of just after it.
	std::uint32_t skew_sectors = 0;
	/// Angle (fraction of a turn from the index mark) of sector 0 of the
	/// zone's first track.
	double first_angle = 0;
};

/// Where one track lies.
struct HddTrack {
	std::uint64_t index = 0;             ///< track number, 0 = outermost
	std::uint64_t first_sector = 0;      ///< LBA of its first sector
	std::uint32_t sectors = 0;           ///< sectors it holds
	double angle0 = 0;                   ///< angle of its first sector, 0 <= angle0 < 1
	[[nodiscard]] std::uint64_t end() const { return first_sector + sectors; }
};

/// The layout of LBAs on tracks: which track holds an LBA, and at which
/// angle. One surface, one head: a "track" here is what real drives call
/// a cylinder's worth of data under one head, read in one revolution.
class HddGeometry {
public:
	/// The layout of @p sectors sectors under @p c (c must be valid).
	HddGeometry(const HddConfig& c, std::uint64_t sectors);

	/// The track holding @p lba (lba < sectors()).
	[[nodiscard]] HddTrack track_of(std::uint64_t lba) const;
	/// Track number @p index (index < tracks()).
	[[nodiscard]] HddTrack track(std::uint64_t index) const;
	/// Angle at which @p lba starts to pass under the head, 0 <= angle < 1.
	[[nodiscard]] double angle_of(std::uint64_t lba) const;
	/// Sequential media rate at @p lba in bytes per second: sectors per
	/// track there x 512 x revolutions per second.
	[[nodiscard]] double media_rate_at(std::uint64_t lba) const;

	[[nodiscard]] std::uint64_t sectors() const { return sectors_; }
	[[nodiscard]] std::uint64_t tracks() const { return tracks_; }
	[[nodiscard]] const std::vector<HddZone>& zones() const { return zones_; }
	[[nodiscard]] std::chrono::nanoseconds revolution() const { return revolution_; }

private:
	[[nodiscard]] const HddZone& zone_of_track(std::uint64_t index) const;

	std::uint64_t sectors_ = 0;
	std::uint64_t tracks_ = 0;
	std::chrono::nanoseconds revolution_{0};
	std::vector<HddZone> zones_;
};

/// One spinning disk (see the top of this file); the identity mapping.
///
/// Commands are served one at a time in arrival order (no command
/// queueing reorders them): each starts when the previous one has
/// completed, and its delay is its completion minus now. The media
/// (head) has its own timeline, since read-ahead and destaging go on
/// while the drive answers cache hits. handle() locks, so several
/// runner threads may call it.
class HddModel final : public Model {
public:
	/// std::invalid_argument when hdd_config_problem(@p config) says so.
	explicit HddModel(const HddConfig& config);
	[[nodiscard]] std::string_view name() const override { return "hdd"; }
	/// Lays the disk out (HddGeometry); std::invalid_argument when the
	/// store has fewer pages than the disk.
	void start(const Geometry& g) override;
	void handle(const Request& r, std::chrono::nanoseconds now, Reply& out,
		    PageOps& ops) override;
	[[nodiscard]] unsigned threads_supported() const override { return 64; }
	/// Counters: "media_ops" (read, write and write-zeroes commands,
	/// wherever they were served), "read_hits" (served from the buffer),
	/// "read_misses", "cached_writes", "media_writes" (FUA or write cache
	/// off), "destaged_sectors", "flushes", "seeks", "tracks",
	/// "mean_seek_ns", "mean_rotation_ns", "mean_transfer_ns" (per media
	/// access), "mean_latency_ns", "max_latency_ns" (per command).
	[[nodiscard]] nlohmann::json stats() const override;

	/// The layout; valid after start().
	[[nodiscard]] const HddGeometry& geometry() const;
	/// One revolution.
	[[nodiscard]] std::chrono::nanoseconds revolution() const;
	/// Seek time over @p tracks tracks (0 for none); valid after start().
	[[nodiscard]] std::chrono::nanoseconds seek_time(std::uint64_t tracks) const;
	/// Dirty bytes in the write cache now.
	[[nodiscard]] std::uint64_t dirty_bytes() const;

private:
	using Nanos = std::chrono::nanoseconds;

	/// A range of LBAs the read cache holds: [lo, hi).
	struct Segment {
		std::uint64_t lo = 0;
		std::uint64_t hi = 0;
		std::uint64_t used = 0; ///< when last used (a command count), for LRU
	};

	/// The head reading ahead: at @c time it has read up to @c lba and
	/// goes on, sector by sector and track by track, until @c limit.
	struct Stream {
		bool active = false;
		Nanos time{0};
		std::uint64_t lba = 0;
		std::uint64_t limit = 0;
		std::size_t segment = 0;
		/// The head is over @c lba's track, the sector arriving (after
		/// position()); else, when @c lba starts a track, the stream
		/// has to switch to it first.
		bool positioned = false;
	};

	/// Dirty data in the write cache: [lo, hi) is keyed by lo.
	struct Dirty {
		std::uint64_t hi = 0;
		Nanos ready{0}; ///< when the write that put it there completed
	};

	[[nodiscard]] Nanos rotational_wait(Nanos t, double angle) const;
	Nanos position(Nanos t, std::uint64_t lba);
	[[nodiscard]] Nanos track_switch(Nanos t, std::uint64_t lba) const;
	[[nodiscard]] Nanos stream_reach(const Stream& s, std::uint64_t lba) const;
	[[nodiscard]] std::uint64_t stream_position(const Stream& s, Nanos t) const;
	Nanos media_access(Nanos t, std::uint64_t lo, std::uint64_t hi);
	void stop_stream(Nanos t);
	void advance(Nanos t);
	bool destage_one(Nanos not_after);
	void drop_dirty(std::uint64_t lo, std::uint64_t hi);
	void add_dirty(std::uint64_t lo, std::uint64_t hi, Nanos ready);
	void remember(std::uint64_t lo, std::uint64_t hi);
	[[nodiscard]] bool dirty_covers(std::uint64_t lo, std::uint64_t hi) const;
	[[nodiscard]] std::uint64_t dirty_overlap(std::uint64_t lo, std::uint64_t hi) const;
	[[nodiscard]] Nanos interface_time(std::uint64_t bytes) const;
	Nanos read(std::uint64_t lo, std::uint64_t hi, Nanos start);
	Nanos write(std::uint64_t lo, std::uint64_t hi, std::uint64_t bytes, bool fua, Nanos start);
	Nanos flush(Nanos start);

	HddConfig config_;
	std::uint64_t segment_sectors_ = 0;
	std::uint64_t read_ahead_sectors_ = 0;
	std::uint64_t write_cache_sectors_ = 0;
	/// Seek curve seek(x) = seek_track + a*sqrt(x) + b*x, x = (d - 1) /
	/// (tracks - 2) for a distance of d >= 1 tracks.
	double seek_a_ns_ = 0;
	double seek_b_ns_ = 0;

	mutable std::mutex lock_; ///< guards everything below
	std::optional<HddGeometry> geometry_; ///< set by start()
	Nanos command_free_{0};  ///< when the last command completes
	Nanos media_free_{0};    ///< when the head's committed work ends
	std::uint64_t head_lba_ = 0;   ///< where the head's last access ended
	std::uint64_t head_track_ = 0; ///< the track the head is on
	Stream stream_;
	std::vector<Segment> segments_;
	std::map<std::uint64_t, Dirty> dirty_;
	std::uint64_t dirty_sectors_ = 0;
	std::uint64_t commands_ = 0;

	std::uint64_t media_ops_ = 0;
	std::uint64_t read_hits_ = 0;
	std::uint64_t read_misses_ = 0;
	std::uint64_t cached_writes_ = 0;
	std::uint64_t media_writes_ = 0;
	std::uint64_t destaged_sectors_ = 0;
	std::uint64_t flushes_ = 0;
	std::uint64_t accesses_ = 0;
	std::uint64_t seeks_ = 0;
	Nanos seek_sum_{0};
	Nanos rotation_sum_{0};
	Nanos transfer_sum_{0};
	Nanos delay_sum_{0};
	Nanos delay_max_{0};
};

} // namespace vbsim::model
