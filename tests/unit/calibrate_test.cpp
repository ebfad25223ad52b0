// calibrate_delivery() against FakeDevice and a simulated host whose reads
// take a known time: the delivery time it finds, the check it makes, and
// the settings it leaves behind.
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

#include "vbsim/calibrate.hpp"
#include "vbsim/fake_device.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

FakeDevice small_disk()
{
	DeviceConfig c;
	c.capacity_bytes = 64 * 4096;
	c.logical_block_size = 4096;
	return FakeDevice(0, c);
}

/// A host like the one the kernel runs on: a read with the engine off
/// takes @p base; one the engine holds takes base + what it is held
/// (the read latency less the delivery time) + @p delivery, the cost of
/// the timer interrupt and the wake-up. With @p noise, each read is off
/// by a pseudo-random amount up to that much either way.
struct SimulatedHost {
	FakeDevice& dev;
	nanoseconds base;
	nanoseconds delivery;
	nanoseconds noise{0};
	std::mt19937_64 rng{42};
	std::uint32_t reads = 0;

	nanoseconds read()
	{
		reads++;
		const SimParams p = dev.get_sim();
		nanoseconds t = base;
		const nanoseconds hold = p.lat(SimClass::read).base - p.delivery;
		if (hold > 0ns)
			t += hold + delivery;
		if (noise > 0ns) {
			std::uniform_int_distribution<std::int64_t> d(-noise.count(), noise.count());
			t += nanoseconds(d(rng));
		}
		return t;
	}

	TimedRead reader()
	{
		return [this] { return read(); };
	}
};

/// Settings that calibration must keep as they are.
SimParams busy_settings()
{
	SimParams p;
	p.seed = 7;
	p.lat(SimClass::write).base = 50us;
	p.channels = 4;
	p.timeout = 5000ms;
	return p;
}

TEST(Calibrate, finds_the_hosts_delivery_time_and_sets_it)
{
	FakeDevice dev = small_disk();
	dev.set_sim(busy_settings());
	SimulatedHost host{dev, 7us, 4100ns};
	CalibrateOptions o;
	o.reads = 400;
	const CalibrateResult r = calibrate_delivery(dev, host.reader(), o);

	EXPECT_EQ(r.delivery, 4100ns);
	EXPECT_EQ(r.latency, 100us);
	EXPECT_EQ(r.off.median, 7us);
	EXPECT_EQ(r.on.median, 7us + 100us + 4100ns);
	// With the delivery time in force the reader sees the latency set.
	EXPECT_EQ(r.check.median, 107us);
	EXPECT_DOUBLE_EQ(r.mean_error(), 0.0);
	EXPECT_TRUE(r.applied);
	EXPECT_EQ(r.on.count, 400U);
	EXPECT_EQ(r.off.count, 800U); // before the delivery time and with it
	EXPECT_EQ(host.reads, 4U * 400U);

	SimParams expected = busy_settings();
	expected.delivery = 4100ns;
	EXPECT_EQ(dev.get_sim(), expected);
}

TEST(Calibrate, noise_averages_out)
{
	FakeDevice dev = small_disk();
	SimulatedHost host{dev, 20us, 30us, 3us};
	CalibrateOptions o;
	o.latency = 1ms;
	o.reads = 2001;
	o.rounds = 7;
	const CalibrateResult r = calibrate_delivery(dev, host.reader(), o);
	EXPECT_NEAR(static_cast<double>(r.delivery.count()), 30000.0, 400.0);
	EXPECT_LT(std::abs(r.mean_error()), 0.001);
	EXPECT_EQ(r.on.count, 2001U);
	EXPECT_EQ(dev.get_sim().delivery, r.delivery);
}

TEST(Calibrate, no_set_puts_every_setting_back)
{
	FakeDevice dev = small_disk();
	SimParams before = busy_settings();
	before.delivery = 1us;
	dev.set_sim(before);
	SimulatedHost host{dev, 7us, 4us};
	CalibrateOptions o;
	o.reads = 50;
	o.apply = false;
	const CalibrateResult r = calibrate_delivery(dev, host.reader(), o);
	EXPECT_EQ(r.delivery, 4us);
	EXPECT_FALSE(r.applied);
	EXPECT_EQ(dev.get_sim(), before);
}

TEST(Calibrate, the_delivery_time_stays_within_its_range)
{
	FakeDevice dev = small_disk();
	// A host that adds nothing (or reads that get faster): 0.
	SimulatedHost fast{dev, 7us, 0ns};
	CalibrateOptions o;
	o.reads = 20;
	EXPECT_EQ(calibrate_delivery(dev, fast.reader(), o).delivery, 0ns);
	// One that adds more than the kernel takes: the most it takes.
	SimulatedHost slow{dev, 7us, 5ms};
	o.latency = 10ms;
	const CalibrateResult r = calibrate_delivery(dev, slow.reader(), o);
	EXPECT_EQ(r.delivery, k_sim_max_delivery);
	EXPECT_EQ(dev.get_sim().delivery, k_sim_max_delivery);
}

TEST(Calibrate, a_failed_read_leaves_the_settings_as_they_were)
{
	FakeDevice dev = small_disk();
	dev.set_sim(busy_settings());
	int left = 30;
	const TimedRead failing = [&left]() -> nanoseconds {
		if (--left == 0)
			throw std::runtime_error("read failed");
		return 10us;
	};
	CalibrateOptions o;
	o.reads = 100;
	EXPECT_THROW((void)calibrate_delivery(dev, failing, o), std::runtime_error);
	EXPECT_EQ(dev.get_sim(), busy_settings());
}

TEST(Calibrate, bad_options_are_refused_before_anything_changes)
{
	FakeDevice dev = small_disk();
	dev.set_sim(busy_settings());
	int reads = 0;
	const TimedRead counting = [&reads] {
		reads++;
		return 10us;
	};
	const auto refused = [&](CalibrateOptions o, const std::string& message) {
		try {
			(void)calibrate_delivery(dev, counting, o);
		} catch (const std::invalid_argument& e) {
			return std::string(e.what()).find(message) != std::string::npos;
		}
		return false;
	};
	CalibrateOptions o;
	o.latency = 9us;
	EXPECT_TRUE(refused(o, "calibration latency 9us is outside 10us..10ms"));
	o.latency = 11ms;
	EXPECT_TRUE(refused(o, "outside 10us..10ms"));
	o = {};
	o.reads = 0;
	EXPECT_TRUE(refused(o, "calibration reads 0 is outside 1..1000000"));
	o.reads = 5;
	o.rounds = 6;
	EXPECT_TRUE(refused(o, "calibration rounds 6 is outside 1..5"));
	o.rounds = 0;
	EXPECT_TRUE(refused(o, "calibration rounds 0"));
	EXPECT_EQ(reads, 0);
	EXPECT_EQ(dev.get_sim(), busy_settings());
}

TEST(Calibrate, summaries)
{
	EXPECT_EQ(summarize({}).count, 0U);
	LatencySummary s = summarize({3us, 1us, 2us});
	EXPECT_EQ(s.median, 2us);
	EXPECT_EQ(s.mean, 2us);
	s = summarize({4us, 1us, 10us, 2us});
	EXPECT_EQ(s.median, 3us); // between 2 and 4
	EXPECT_EQ(s.mean, 4250ns);
	EXPECT_EQ(s.count, 4U);
}

} // namespace
} // namespace vbsim
