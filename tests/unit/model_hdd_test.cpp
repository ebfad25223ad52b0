// HddModel: geometry (zones, tracks), the seek curve, throughput and IOPS
// against what the configuration promises, the read-ahead, the write
// cache, and the options. Every time here is the model's answer on a
// simulated clock: a QD1 host issues the next request when the previous
// one completes plus a host turnaround, so no test depends on the
// machine's speed.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "cli_harness.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/hdd.hpp"

namespace vbsim::model {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

/// What the host does between a completion and its next request (the
/// kernel's completion, the application, the next submission). With none
/// at all, a model that forgets where the platter is can still look
/// right by accident; real hosts always take a few microseconds.
constexpr nanoseconds k_turnaround = 20us;

constexpr std::uint64_t k_disk_bytes = 64ULL << 30; // 64 GiB
constexpr std::uint64_t k_sectors = k_disk_bytes / kSectorSize;
constexpr double k_mib = 1024.0 * 1024.0;

/// PageOps that must not be used.
class NoPageOps final : public PageOps {
public:
	void copy(std::uint64_t, std::uint64_t) override { ADD_FAILURE() << "copy"; }
	void trim(std::uint64_t) override { ADD_FAILURE() << "trim"; }
};

/// A request of @p sectors sectors at @p sector.
Request request(Op op, std::uint64_t sector, std::uint32_t sectors, bool fua = false)
{
	Request r;
	r.op = op;
	r.fua = fua;
	r.sector = sector;
	r.nr_sectors = sectors;
	if (sectors != 0) {
		r.first_page = sector / 8;
		r.nr_pages = static_cast<std::uint32_t>((sector + sectors - 1) / 8 - sector / 8 + 1);
	}
	return r;
}

/// An HddModel on a 64 GiB disk and the host's simulated clock.
class Drive {
public:
	explicit Drive(const HddConfig& c, std::uint64_t bytes = k_disk_bytes) : hdd(c)
	{
		const std::uint64_t pages = bytes / kPageSize;
		hdd.start(Geometry{.logical_pages = pages, .physical_pages = pages});
	}

	/// The delay the model answers for @p r issued at @p at.
	nanoseconds submit(const Request& r, nanoseconds at)
	{
		std::vector<PageMap> maps(r.nr_pages);
		Reply reply;
		reply.maps = maps;
		hdd.handle(r, at, reply, ops);
		EXPECT_EQ(reply.status, 0);
		if (!maps.empty()) {
			EXPECT_EQ(maps.front().ppn, r.first_page); // identity mapping
		}
		return reply.delay;
	}

	/// Issues @p r at the host's clock, QD1: the clock moves to its
	/// completion plus the host's turnaround. Returns the delay.
	nanoseconds qd1(const Request& r)
	{
		const nanoseconds d = submit(r, now);
		now += d + k_turnaround;
		return d;
	}

	HddModel hdd;
	NoPageOps ops;
	nanoseconds now{1'000'000'000};
};

double seconds(nanoseconds d)
{
	return std::chrono::duration<double>(d).count();
}

/// Bytes per second of @p count sequential QD1 requests of @p sectors
/// sectors from @p first on.
double sequential_rate(Drive& d, Op op, std::uint64_t first, std::uint32_t sectors, int count)
{
	const nanoseconds begin = d.now;
	for (int i = 0; i < count; i++)
		(void)d.qd1(request(op, first + std::uint64_t{sectors} * i, sectors));
	return static_cast<double>(count) * sectors * kSectorSize / seconds(d.now - begin);
}

/// Requests per second of @p count QD1 requests of 4 KiB at uniformly
/// random 4 KiB-aligned places.
double random_iops(Drive& d, Op op, int count, bool fua = false)
{
	std::mt19937_64 rng(42);
	std::uniform_int_distribution<std::uint64_t> page(0, k_sectors / 8 - 1);
	const nanoseconds begin = d.now;
	for (int i = 0; i < count; i++)
		(void)d.qd1(request(op, page(rng) * 8, 8, fua));
	return count / seconds(d.now - begin);
}

HddConfig zbr_config()
{
	HddConfig c;
	c.zbr = true;
	return c;
}

// --- geometry

TEST(HddGeometry, without_zbr_every_track_holds_one_revolution_at_the_media_rate)
{
	const HddConfig c;
	const HddGeometry g(c, k_sectors);
	EXPECT_EQ(g.revolution(), 8333333ns);
	// 150 MiB/s for 1/120 s is 1310720 bytes: 2560 sectors.
	ASSERT_EQ(g.zones().size(), 1U);
	EXPECT_EQ(g.zones()[0].sectors_per_track, 2560U);
	EXPECT_EQ(g.tracks(), (k_sectors + 2559) / 2560); // the last one partly used
	EXPECT_NEAR(g.media_rate_at(0), c.transfer_rate, c.transfer_rate * 1e-6);
	EXPECT_EQ(g.media_rate_at(0), g.media_rate_at(k_sectors - 1));
	// Skew: 800 us at 2560 sectors per 8.33 ms is 245.76 sectors: 246.
	EXPECT_EQ(g.zones()[0].skew_sectors, 246U);
	EXPECT_DOUBLE_EQ(g.track(1).angle0, 246.0 / 2560);
}

TEST(HddGeometry, zbr_zones_hold_every_sector_once_outer_zones_more)
{
	const HddConfig c = zbr_config();
	const HddGeometry g(c, k_sectors);
	const std::vector<HddZone>& z = g.zones();
	ASSERT_EQ(z.size(), 16U);
	EXPECT_EQ(z.front().sectors_per_track, 2560U);
	EXPECT_EQ(z.back().sectors_per_track, 1280U); // zbr_ratio 0.5
	std::uint64_t sector = 0;
	std::uint64_t track = 0;
	for (std::size_t i = 0; i < z.size(); i++) {
		EXPECT_EQ(z[i].first_sector, sector) << i;
		EXPECT_EQ(z[i].first_track, track) << i;
		if (i > 0) {
			EXPECT_LT(z[i].sectors_per_track, z[i - 1].sectors_per_track) << i;
		}
		if (i + 1 < z.size()) {
			EXPECT_EQ(z[i].tracks, z[0].tracks) << i; // bands of equal width
		}
		sector += z[i].tracks * z[i].sectors_per_track;
		track += z[i].tracks;
	}
	// The last track holds the last sector, and is needed for it.
	EXPECT_GE(sector, k_sectors);
	EXPECT_LT(sector - z.back().sectors_per_track, k_sectors);
	EXPECT_EQ(g.tracks(), track);
	EXPECT_EQ(g.track_of(k_sectors - 1).index, g.tracks() - 1);

	// Every LBA lies in the track that says so; tracks follow each other.
	std::mt19937_64 rng(7);
	std::uniform_int_distribution<std::uint64_t> lba(0, k_sectors - 1);
	for (int i = 0; i < 10000; i++) {
		const std::uint64_t l = lba(rng);
		const HddTrack t = g.track_of(l);
		ASSERT_LE(t.first_sector, l);
		ASSERT_LT(l, t.end());
		ASSERT_EQ(g.track(t.index).first_sector, t.first_sector);
		if (t.index + 1 < g.tracks()) {
			ASSERT_EQ(g.track(t.index + 1).first_sector, t.end());
		}
		ASSERT_GE(t.angle0, 0.0);
		ASSERT_LT(t.angle0, 1.0);
	}
	for (const HddZone& zone : z) {
		if (zone.first_sector > 0) {
			EXPECT_EQ(g.track_of(zone.first_sector - 1).index + 1, zone.first_track);
		}
	}

	// The spindle's speed is constant, so the rate is the sectors per track.
	EXPECT_NEAR(g.media_rate_at(0), c.transfer_rate, c.transfer_rate * 1e-6);
	EXPECT_NEAR(g.media_rate_at(k_sectors - 1), c.transfer_rate * c.zbr_ratio, c.transfer_rate * 1e-6);
}

TEST(HddGeometry, a_disk_smaller_than_one_track_per_zone_uses_the_outer_zones)
{
	const HddGeometry g(zbr_config(), 512); // 256 KiB
	ASSERT_EQ(g.zones().size(), 1U);
	EXPECT_EQ(g.tracks(), 1U);
	EXPECT_EQ(g.track_of(511).index, 0U);
}

// --- seeks

TEST(HddSeek, curve_runs_from_track_to_full_stroke_with_the_configured_mean)
{
	HddConfig c;
	c.seek_avg = 8500us;
	Drive d(c);
	const HddModel& hdd = d.hdd;
	const std::uint64_t tracks = hdd.geometry().tracks();
	EXPECT_EQ(hdd.seek_time(0), 0ns);
	EXPECT_EQ(hdd.seek_time(1), 800us);
	EXPECT_EQ(hdd.seek_time(tracks - 1), 15ms);
	for (std::uint64_t t = 1; t + 97 < tracks; t += 97)
		ASSERT_LE(hdd.seek_time(t), hdd.seek_time(t + 97)) << t;

	// The mean over random pairs of tracks is the datasheet's average.
	std::mt19937_64 rng(3);
	std::uniform_int_distribution<std::uint64_t> track(0, tracks - 1);
	double sum = 0;
	constexpr int n = 200000;
	for (int i = 0; i < n; i++) {
		const std::uint64_t a = track(rng);
		const std::uint64_t b = track(rng);
		sum += static_cast<double>(hdd.seek_time(a > b ? a - b : b - a).count());
	}
	EXPECT_NEAR(sum / n, 8.5e6, 8.5e6 * 0.01);
}

// --- reads: the review's acceptance tests

/// The rate a sequential reader gets is the media rate less the track
/// switches: a switch costs seek_track (800 us) per revolution
/// (8.33 ms), about 9%. A model that loses a revolution per request
/// gets 128 KiB per 8.3 ms, 15 MB/s; the model before the read-ahead
/// measured 14.2 MB/s here.
TEST(HddRead, sequential_128k_qd1_runs_at_the_media_rate)
{
	const HddConfig c;
	Drive d(c);
	const double rate = sequential_rate(d, Op::read, 0, 256, 400); // 50 MiB
	EXPECT_NEAR(rate, c.transfer_rate, 0.2 * c.transfer_rate) << rate / k_mib << " MiB/s";
	EXPECT_LE(rate, c.transfer_rate); // nothing reads faster than the platter
	EXPECT_EQ(d.hdd.stats()["read_misses"], 1); // one seek, then the stream
}

/// With zoned-bit recording the same reader gets the outer zone's rate
/// at LBA 0 and the inner zone's, half of it, at the end (the model
/// before measured 14.2 MB/s at LBA 0).
TEST(HddRead, sequential_128k_qd1_with_zbr_follows_the_zone)
{
	const HddConfig c = zbr_config();
	Drive outer(c);
	const double outer_rate = sequential_rate(outer, Op::read, 0, 256, 400);
	EXPECT_NEAR(outer_rate, c.transfer_rate, 0.2 * c.transfer_rate) << outer_rate / k_mib << " MiB/s";

	Drive inner(c);
	const std::uint64_t last_50m = k_sectors - 400 * 256;
	const double inner_rate = sequential_rate(inner, Op::read, last_50m, 256, 400);
	const double inner_expect = c.transfer_rate * c.zbr_ratio;
	EXPECT_NEAR(inner_rate, inner_expect, 0.2 * inner_expect) << inner_rate / k_mib << " MiB/s";
	EXPECT_LT(inner_rate, 0.6 * outer_rate);
}

/// Queued sequential reads (QD8) stream as well: the next command is
/// already there when one completes, and the read-ahead has gone on.
/// With the old --zoned this measured about 15 MB/s.
TEST(HddRead, queued_sequential_128k_reads_run_at_the_zone_rate)
{
	const HddConfig c = zbr_config();
	Drive d(c);
	std::deque<nanoseconds> done; // completion times of the requests in flight
	const nanoseconds begin = d.now;
	for (int i = 0; i < 400; i++) {
		if (done.size() == 8) {
			d.now = std::max(d.now, done.front() + k_turnaround);
			done.pop_front();
		}
		done.push_back(d.now + d.submit(request(Op::read, 256ULL * i, 256), d.now));
	}
	const double rate = 400 * 128 * 1024 / seconds(done.back() - begin);
	EXPECT_NEAR(rate, c.transfer_rate, 0.2 * c.transfer_rate) << rate / k_mib << " MiB/s";
}

/// A random read waits for a seek and, on average, half a revolution:
/// 1 / (8.5 ms + 4.17 ms) = 79 IOPS. The command overhead and the 4 KiB
/// transfer add under 1%.
TEST(HddRead, random_4k_qd1_takes_an_average_seek_and_half_a_rotation)
{
	for (const bool zbr : {false, true}) {
		HddConfig c;
		c.zbr = zbr;
		c.seek_avg = 8500us;
		Drive d(c);
		const double iops = random_iops(d, Op::read, 3000);
		const double expect = 1.0 / (8.5e-3 + seconds(d.hdd.revolution()) / 2);
		EXPECT_NEAR(iops, expect, 0.2 * expect) << "zbr " << zbr;
	}
}

/// Small sequential reads come from the read-ahead: the command path,
/// not the platter, sets their pace. The model before lost a revolution
/// per request: 0.49 MB/s.
TEST(HddRead, sequential_4k_reads_are_served_by_the_read_ahead)
{
	const HddConfig c;
	Drive d(c);
	const double rate = sequential_rate(d, Op::read, 0, 8, 2000);
	const double command_path = 4096 / seconds(c.command_overhead + k_turnaround +
						   nanoseconds(static_cast<std::int64_t>(4096 / c.interface_rate * 1e9)));
	EXPECT_NEAR(rate, command_path, 0.2 * command_path) << rate / k_mib << " MiB/s";
	EXPECT_EQ(d.hdd.stats()["read_misses"], 1);
	EXPECT_GT(d.hdd.stats()["read_hits"], 1900);

	// Without read-ahead the head stops after each request, and the next
	// sector has passed by the time the next command arrives.
	HddConfig off = c;
	off.read_ahead = 0;
	Drive slow(off);
	const double no_ahead = sequential_rate(slow, Op::read, 0, 8, 200);
	EXPECT_LT(no_ahead, 4096 / seconds(slow.hdd.revolution()) * 1.2);
}

/// A reader slower than the platter: the read-ahead stops 512 KiB ahead
/// and starts again as the reader consumes it, so the reader never waits
/// for a seek and seldom for the platter.
TEST(HddRead, a_slow_reader_keeps_hitting_the_read_ahead)
{
	const HddConfig c;
	Drive d(c);
	(void)d.qd1(request(Op::read, 0, 256));
	nanoseconds waited{0};
	for (int i = 1; i < 100; i++) {
		d.now += 2ms; // the application works on each 128 KiB
		const nanoseconds delay = d.qd1(request(Op::read, 256ULL * i, 256));
		ASSERT_LT(delay, d.hdd.revolution()) << i;
		waited += delay;
	}
	// A hit: 50 us + 128 KiB at 550 MiB/s.
	const nanoseconds hit = c.command_overhead + nanoseconds(static_cast<std::int64_t>(128 * 1024 / c.interface_rate * 1e9));
	EXPECT_LT(waited / 99, hit * 3 / 2);
	EXPECT_EQ(d.hdd.stats()["read_misses"], 1);
	EXPECT_GT(d.hdd.stats()["read_hits"], 80);
}

TEST(HddRead, the_read_cache_keeps_several_streams)
{
	Drive d(HddConfig{});
	// Two readers far apart, alternating: each has its own segment, so
	// a return to a range already read ahead is a hit.
	const std::uint64_t far = k_sectors / 2;
	(void)d.qd1(request(Op::read, 0, 8));
	d.now += 10ms; // the read-ahead fills 512 KiB in 3.6 ms
	(void)d.qd1(request(Op::read, far, 8));
	d.now += 10ms;
	EXPECT_LT(d.qd1(request(Op::read, 8, 8)), 100us);
	EXPECT_LT(d.qd1(request(Op::read, far + 8, 8)), 100us);
	EXPECT_EQ(d.hdd.stats()["read_misses"], 2);
}

// --- writes

TEST(HddWrite, cached_writes_run_at_the_interface_rate_until_the_cache_fills)
{
	HddConfig c;
	c.write_cache_size = 4 * 1024 * 1024;
	Drive d(c);
	const nanoseconds buffered =
		c.command_overhead + nanoseconds(static_cast<std::int64_t>(128 * 1024 / c.interface_rate * 1e9));
	// 4 MiB: the cache has room, every write completes from the buffer.
	for (int i = 0; i < 32; i++)
		ASSERT_NEAR(seconds(d.qd1(request(Op::write, 256ULL * i, 256))), seconds(buffered), 1e-6) << i;
	EXPECT_EQ(d.hdd.stats()["media_writes"], 0);

	// Past the cache's size the drive can take data only as fast as it
	// writes it out: the media rate.
	(void)sequential_rate(d, Op::write, 32 * 256, 256, 64);
	const double sustained = sequential_rate(d, Op::write, 96 * 256, 256, 256);
	EXPECT_NEAR(sustained, c.transfer_rate, 0.2 * c.transfer_rate) << sustained / k_mib << " MiB/s";
	EXPECT_LE(d.hdd.dirty_bytes(), c.write_cache_size);
}

TEST(HddWrite, a_flush_pays_for_the_destage)
{
	const HddConfig c;
	Drive d(c);
	// 8 MiB written at once (a queue of 64): the cache takes it all at
	// the interface rate.
	const nanoseconds t0 = d.now;
	nanoseconds last{0};
	for (int i = 0; i < 64; i++)
		last = d.submit(request(Op::write, 256ULL * i, 256), t0);
	EXPECT_LT(seconds(last), 64 * 128 * 1024 / c.interface_rate * 1.2 + 64 * seconds(c.command_overhead));

	// The flush ends when the 8 MiB are on the platter: the media time of
	// 8 MiB, begun in the background as the first write arrived.
	const nanoseconds flush = d.submit(request(Op::flush, 0, 0), t0);
	const double media = 8 * k_mib / c.transfer_rate;
	EXPECT_GT(seconds(flush), media);
	EXPECT_LT(seconds(flush), media * 1.2 + seconds(d.hdd.revolution()));
	EXPECT_EQ(d.hdd.dirty_bytes(), 0U);
	EXPECT_EQ(d.hdd.stats()["destaged_sectors"], 64 * 256);

	// Nothing left to write: the next flush is only a command.
	const nanoseconds again = d.submit(request(Op::flush, 0, 0), t0 + flush);
	EXPECT_EQ(again, c.command_overhead);
}

TEST(HddWrite, fua_writes_pay_the_media_cost)
{
	HddConfig c;
	c.seek_avg = 8500us;
	Drive d(c);
	// A cached 4 KiB write: the command and the interface only.
	EXPECT_LT(d.qd1(request(Op::write, k_sectors / 3, 8)), 100us);
	// FUA: seek and rotation, like a random read.
	const double iops = random_iops(d, Op::write, 1000, true);
	const double expect = 1.0 / (8.5e-3 + seconds(d.hdd.revolution()) / 2);
	EXPECT_NEAR(iops, expect, 0.2 * expect);
	EXPECT_EQ(d.hdd.stats()["media_writes"], 1000);
	EXPECT_EQ(d.hdd.stats()["cached_writes"], 1);
	// The cached write went to the platter while the head was idle
	// before the first FUA write arrived.
	EXPECT_EQ(d.hdd.dirty_bytes(), 0U);
	EXPECT_EQ(d.hdd.stats()["destaged_sectors"], 8);
}

TEST(HddWrite, with_the_write_cache_off_every_write_pays_the_media_cost)
{
	HddConfig c;
	c.write_cache = false;
	c.seek_avg = 8500us;
	Drive d(c);
	const double iops = random_iops(d, Op::write, 1000);
	const double expect = 1.0 / (8.5e-3 + seconds(d.hdd.revolution()) / 2);
	EXPECT_NEAR(iops, expect, 0.2 * expect);
	EXPECT_EQ(d.hdd.stats()["cached_writes"], 0);
	EXPECT_EQ(d.hdd.dirty_bytes(), 0U);
	EXPECT_EQ(d.qd1(request(Op::flush, 0, 0)), c.command_overhead);
}

TEST(HddWrite, a_read_of_dirty_data_comes_from_the_write_cache)
{
	const HddConfig c;
	Drive d(c);
	(void)d.qd1(request(Op::write, k_sectors / 2, 64));
	EXPECT_LT(d.qd1(request(Op::read, k_sectors / 2 + 8, 16)), 100us);
	EXPECT_EQ(d.hdd.stats()["read_hits"], 1);
	EXPECT_EQ(d.hdd.stats()["read_misses"], 0);
}

TEST(HddQueue, commands_are_served_one_after_the_other)
{
	Drive d(HddConfig{});
	const nanoseconds t = d.now;
	const nanoseconds first = d.submit(request(Op::read, 0, 8), t);
	const nanoseconds second = d.submit(request(Op::read, k_sectors - 8, 8), t); // at the same time
	EXPECT_GE(second, first + 800us);
	const nanoseconds discard = d.submit(request(Op::discard, 0, 8), t);
	EXPECT_EQ(discard, second + HddConfig{}.command_overhead);
	EXPECT_EQ(d.hdd.stats()["media_ops"], 2);
}

// --- options

/// The message set_hdd_option() gives for @p name = @p value.
std::string option_error(std::string_view name, std::string_view value)
{
	HddConfig c;
	try {
		set_hdd_option(c, name, value);
	} catch (const std::invalid_argument& e) {
		return e.what();
	}
	return "accepted";
}

TEST(HddOptions, values_need_units_and_ranges)
{
	HddConfig c;
	set_hdd_option(c, "--seek-full", "12ms");
	EXPECT_EQ(c.seek_full, 12ms);
	set_hdd_option(c, "--transfer-rate", "200M");
	EXPECT_EQ(c.transfer_rate, 200 * k_mib);
	set_hdd_option(c, "--transfer-rate", "100MiB/s");
	EXPECT_EQ(c.transfer_rate, 100 * k_mib);
	set_hdd_option(c, "--zbr", "");
	EXPECT_TRUE(c.zbr);
	set_hdd_option(c, "--zbr-ratio", "40%");
	EXPECT_DOUBLE_EQ(c.zbr_ratio, 0.4);
	set_hdd_option(c, "--write-cache", "off");
	EXPECT_FALSE(c.write_cache);
	set_hdd_option(c, "--read-ahead", "0");
	EXPECT_EQ(c.read_ahead, 0U);

	EXPECT_EQ(option_error("--seek-full", "15"), "--seek-full: \"15\" has no unit (write it as 15us or 15ms)");
	EXPECT_EQ(option_error("--seek-track", "200ms"), "--seek-track: 200ms is not from 0 to 100ms");
	EXPECT_EQ(option_error("--command-overhead", "-1us"),
		  "--command-overhead: invalid duration \"-1us\": durations cannot be negative");
	EXPECT_EQ(option_error("--transfer-rate", "150"),
		  "--transfer-rate: \"150\" has no unit (bytes per second: write it as 150M or 150K)");
	EXPECT_EQ(option_error("--transfer-rate", "20G"), "--transfer-rate: 20G is not from 1M/s to 10G/s");
	EXPECT_EQ(option_error("--rpm", "100"), "--rpm: 100 is not from 1000 to 30000");
	EXPECT_EQ(option_error("--zbr-ratio", "2"), "--zbr-ratio: 2 is not from 0.1 to 1");
	EXPECT_EQ(option_error("--zbr-ratio", "half"), "--zbr-ratio: \"half\" is not a fraction such as 0.5 or 50%");
	EXPECT_EQ(option_error("--zbr-zones", "1"), "--zbr-zones: 1 is not from 2 to 1024");
	EXPECT_EQ(option_error("--write-cache", "yes"), "--write-cache: \"yes\" is neither on nor off");
	EXPECT_EQ(option_error("--read-ahead", "1000"), "--read-ahead: 1000 is not a whole number of 512-byte sectors");
	EXPECT_EQ(option_error("--segment-size", "1K"), "--segment-size: 1K is not from 64 KiB to 64 MiB");
	EXPECT_EQ(option_error("--write-cache-size", "2G"), "--write-cache-size: 2G is not from 2 MiB to 1 GiB");
	// "zoned" means zoned block devices in Linux; the recording is --zbr.
	EXPECT_EQ(option_error("--zoned", ""), "--zoned: not an option of the hdd model");
}

TEST(HddOptions, every_listed_option_is_understood)
{
	const std::map<std::string_view, std::string_view> samples = {
		{"N", "16"}, {"DURATION", "1ms"}, {"RATE", "100M"}, {"FRACTION", "0.5"},
		{"SIZE", "256K"}, {"on|off", "on"}, {"", ""}};
	for (const HddOptionSpec& o : hdd_options()) {
		ASSERT_TRUE(samples.contains(o.type_name)) << o.name;
		std::string_view value = samples.at(o.type_name);
		if (o.name == "--rpm")
			value = "5400";
		if (o.name == "--write-cache-size")
			value = "32M";
		EXPECT_EQ(option_error(o.name, value), "accepted") << o.name;
		EXPECT_TRUE(o.help.starts_with("hdd: ")) << o.name;
	}
}

TEST(HddOptions, problems_between_options_are_named)
{
	EXPECT_EQ(hdd_config_problem(HddConfig{}), "");
	HddConfig c;
	c.seek_full = 1ms;
	c.seek_track = 2ms;
	EXPECT_EQ(hdd_config_problem(c), "--seek-full must be at least --seek-track");
	c = HddConfig{};
	c.seek_avg = 14ms;
	EXPECT_EQ(hdd_config_problem(c), "--seek-avg: 14ms is not from 5.53ms to 11.21ms (with --seek-track "
					 "800us and --seek-full 15ms, no seek curve that never falls has that mean)");
	c = HddConfig{};
	c.read_ahead = 2 * 1024 * 1024;
	EXPECT_EQ(hdd_config_problem(c), "--read-ahead: 2 MiB is not a whole number of sectors up to "
					 "--segment-size (1 MiB)");
	c = HddConfig{};
	c.rpm = 10;
	EXPECT_THROW(HddModel{c}, std::invalid_argument);
}

// --- the command line

/// `vbsim model run` against a FakeModelKernel whose disk 0 is a model disk.
struct ModelRun {
	FakeModule module;
	FakeModelKernel kernel;
	std::string out;
	std::string err;

	ModelRun() { kernel.add_disk(0, 256, 256); }

	int run(std::vector<std::string> args)
	{
		std::ostringstream o;
		std::ostringstream e;
		cli::Context ctx{
			.devices = module,
			.out = o,
			.err = e,
			.make_pacer = [] { return std::make_unique<test::FakePacer>(1, nullptr); },
			.sessions = &kernel,
		};
		const int status = cli::run(args, ctx);
		out = o.str();
		err = e.str();
		return status;
	}
};

TEST(HddCli, options_reach_the_model_and_bad_ones_are_one_line)
{
	ModelRun cli;
	ASSERT_EQ(cli.run({"model", "run", "hdd", "0", "--json", "--zbr", "--zbr-zones", "4", "--seek-avg", "9ms",
			   "--write-cache", "off", "--read-ahead", "256K"}),
		  0)
		<< cli.err;
	EXPECT_NE(cli.out.find("\"zones\": 1"), std::string::npos) << cli.out; // 1 MiB: one track

	EXPECT_EQ(cli.run({"model", "run", "hdd", "0", "--seek-full", "15"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --seek-full: \"15\" has no unit (write it as 15us or 15ms)\n");
	EXPECT_EQ(cli.run({"model", "run", "hdd", "0", "--zoned"}), 2);
	EXPECT_EQ(cli.run({"model", "run", "identity", "0", "--zbr"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --zbr is an option of the hdd model\n");
	EXPECT_EQ(cli.run({"model", "run", "hdd", "0", "--seek-avg", "1ms"}), 2);
	EXPECT_EQ(cli.err.substr(0, 24), "vbsim: --seek-avg: 1ms i");
}

} // namespace
} // namespace vbsim::model
