// FTL options and geometry: every spelling the vbsim command passes on,
// and a clear message for every configuration that cannot work.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "vbsim/ftl.hpp"

namespace vbsim::ftl {
namespace {

using namespace std::chrono_literals;

/// Whether @p text contains @p part, showing both when not.
::testing::AssertionResult contains(const std::string& text, const std::string& part)
{
	if (text.find(part) != std::string::npos)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

/// The message @p f threw as std::invalid_argument, or "" if it did not.
template <typename F>
std::string rejection(F f)
{
	try {
		f();
	} catch (const std::invalid_argument& e) {
		return e.what();
	}
	return "";
}

/// parse_ftl_options() over @p options.
FtlConfig parse(std::vector<std::string> options)
{
	return parse_ftl_options(options);
}

TEST(FtlConfig, parses_every_option)
{
	const FtlConfig c = parse({"channels=8", "--luns=4", "pages_per_block=256", "gc=cost-benefit",
				   "gc-low=3", "gc-high=5", "read-lat=50us", "prog-lat=1ms", "erase-lat=3ms",
				   "xfer-lat=5us", "flush-lat=0", "gc-stream=shared", "op=28%"});
	EXPECT_EQ(c.channels, 8U);
	EXPECT_EQ(c.luns_per_channel, 4U);
	EXPECT_EQ(c.pages_per_block, 256U);
	EXPECT_EQ(c.gc, GcPolicy::cost_benefit);
	EXPECT_EQ(c.gc_low, 3U);
	EXPECT_EQ(c.gc_high, 5U);
	EXPECT_EQ(c.read_lat, 50us);
	EXPECT_EQ(c.prog_lat, 1ms);
	EXPECT_EQ(c.erase_lat, 3ms);
	EXPECT_EQ(c.xfer_lat, 5us);
	EXPECT_EQ(c.flush_lat, 0ns);
	EXPECT_FALSE(c.gc_separate);
	ASSERT_TRUE(c.op.has_value());
	EXPECT_DOUBLE_EQ(*c.op, 0.28);
	EXPECT_DOUBLE_EQ(*parse({"op=0.07"}).op, 0.07);
	EXPECT_EQ(parse({"blocks-per-lun=100"}).blocks_per_lun, 100U);
}

TEST(FtlConfig, defaults_are_femus_latencies)
{
	const FtlConfig c = parse({});
	EXPECT_EQ(c.read_lat, 40us);
	EXPECT_EQ(c.prog_lat, 200us);
	EXPECT_EQ(c.erase_lat, 2ms);
	EXPECT_EQ(c.gc, GcPolicy::greedy);
	EXPECT_FALSE(c.op.has_value());
}

TEST(FtlConfig, rejects_bad_options_with_the_option_named)
{
	EXPECT_TRUE(contains(rejection([] { parse({"chanels=8"}); }), "unknown option \"chanels\""));
	EXPECT_TRUE(contains(rejection([] { parse({"channels"}); }), "not key=value"));
	EXPECT_TRUE(contains(rejection([] { parse({"gc=lru"}); }), "use greedy or cost-benefit"));
	EXPECT_TRUE(contains(rejection([] { parse({"gc-stream=both"}); }), "use separate or shared"));
	EXPECT_TRUE(contains(rejection([] { parse({"op=abc"}); }), "invalid op \"abc\""));
	EXPECT_TRUE(contains(rejection([] { parse({"op=0%"}); }), "invalid op"));
	EXPECT_TRUE(contains(rejection([] { parse({"op=-5%"}); }), "invalid op"));
	EXPECT_TRUE(contains(rejection([] { parse({"op=2000%"}); }), "at most 1000%"));
	EXPECT_TRUE(contains(rejection([] { parse({"channels=0"}); }), "channels=0 is out of range"));
	EXPECT_TRUE(contains(rejection([] { parse({"luns=300"}); }), "luns=300 is out of range"));
	EXPECT_TRUE(contains(rejection([] { parse({"pages-per-block=1"}); }), "pages-per-block=1"));
	EXPECT_TRUE(contains(rejection([] { parse({"channels=x"}); }), "channels value"));
	EXPECT_TRUE(contains(rejection([] { parse({"read-lat=fast"}); }), "fast"));
	EXPECT_TRUE(contains(rejection([] { parse({"gc-stream=shared", "gc-low=0"}); }), "gc-low=0 is out of range 1..1024"));
	EXPECT_TRUE(contains(rejection([] { parse({"gc-low=1"}); }), "gc-low must be at least 2"));
	EXPECT_TRUE(contains(rejection([] { parse({"gc-low=4", "gc-high=3"}); }), "gc-high=3 is below gc-low=4"));
	EXPECT_TRUE(contains(rejection([] { parse({"op=10%", "blocks-per-lun=8"}); }), "not both"));
}

/// One option's range, as docs/models.md gives it: the spellings of its
/// least and greatest values and of values just outside them ("" where
/// there is none), and @p also, options that make the extremes valid
/// together.
struct Range {
	std::string key;
	std::string min, max, below, above;
	bool duration = false;
	std::vector<std::string> also = {};
};

TEST(FtlConfig, every_option_has_a_range_and_a_unit)
{
	const std::vector<Range> ranges = {
		{"channels", "1", "256", "0", "257"},
		{"luns", "1", "256", "0", "257"},
		{"pages-per-block", "2", "65536", "1", "65537"},
		{"blocks-per-lun", "0", "1048576", "", "1048577"},
		{"gc-low", "1", "1024", "0", "1025", false, {"gc-stream=shared", "gc-high=1024"}},
		{"gc-high", "1", "1024", "0", "1025", false, {"gc-stream=shared", "gc-low=1"}},
		{"read-lat", "0ns", "100ms", "", "100001us", true},
		{"prog-lat", "0ns", "100ms", "", "100001us", true},
		{"xfer-lat", "0ns", "100ms", "", "100001us", true},
		{"erase-lat", "0ns", "1s", "", "1000001us", true},
		{"flush-lat", "0ns", "1s", "", "1000001us", true},
	};
	for (const Range& r : ranges) {
		SCOPED_TRACE(r.key);
		const auto with = [&](const std::string& value) {
			std::vector<std::string> options = r.also;
			options.push_back(r.key + "=" + value);
			return options;
		};
		EXPECT_EQ(rejection([&] { parse(with(r.min)); }), "");
		EXPECT_EQ(rejection([&] { parse(with(r.max)); }), "");
		const std::string range = r.duration ? "0.." + r.max : r.min + ".." + r.max;
		if (!r.below.empty()) {
			EXPECT_TRUE(contains(rejection([&] { parse(with(r.below)); }),
					     "ftl: " + r.key + "=" + r.below + " is out of range " + range));
		}
		EXPECT_TRUE(contains(rejection([&] { parse(with(r.above)); }),
				     "ftl: " + r.key + "=" + r.above + " is out of range " + range));
		if (r.duration) {
			const std::string message = rejection([&] { parse(with("200")); });
			EXPECT_TRUE(contains(message, "ftl: " + r.key + "=200 needs a unit (ns, us, ms or s)"));
			EXPECT_TRUE(contains(message, "from 0 to " + r.max));
			EXPECT_EQ(message.find('\n'), std::string::npos) << message;
		}
	}
	// The finding: 200 would have been 200 seconds of every program.
	EXPECT_EQ(rejection([] { parse({"prog-lat=200"}); }),
		  "ftl: prog-lat=200 needs a unit (ns, us, ms or s): a duration from 0 to 100ms, such as 200us");
}

TEST(FtlLayout, derives_blocks_per_lun_from_the_store)
{
	FtlConfig c; // 2 x 2 LUNs of 64-page blocks
	const FtlLayout l = plan_ftl_layout(c, 10000, 12345);
	EXPECT_EQ(l.luns(), 4U);
	EXPECT_EQ(l.blocks_per_lun, 48U); // 12345 / 256
	EXPECT_EQ(l.physical_pages, 48U * 256);
	EXPECT_LE(l.physical_pages, 12345U);
	EXPECT_NEAR(l.over_provisioning(), 0.2288, 1e-4);
}

TEST(FtlLayout, op_uses_part_of_a_larger_store)
{
	FtlConfig c;
	c.op = 0.25;
	const FtlLayout l = plan_ftl_layout(c, 10000, 40000);
	EXPECT_EQ(l.blocks_per_lun, 48U); // ceil(12500) / 256 whole blocks
	EXPECT_LE(l.physical_pages, 12500U);

	c.op = 0.5;
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(c, 10000, 12000); }),
		    "op=50% needs 15000 physical pages but the disk has 12000: create it with "
			      "model_pages >= 15000"));
}

TEST(FtlLayout, rejects_geometries_that_do_not_fit)
{
	FtlConfig c;
	c.blocks_per_lun = 100;
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(c, 10000, 20000); }),
		    "4 LUNs x 100 blocks x 64 pages = 25600 physical pages, but the disk has 20000"));

	// The disk's default 7% over 16384 pages is 1146 spare pages (and
	// whole blocks round them away); 32 LUNs x 4 blocks of 64 pages
	// would need 8192.
	FtlConfig big;
	big.channels = 8;
	big.luns_per_channel = 4;
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(big, 16384, 17530); }),
		    "leaves too few spare blocks: each LUN needs 4"));
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(big, 16384, 16384); }),
		    "too few spare blocks"));
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(big, 16384, 1000); }),
		    "do not make one block"));
	EXPECT_TRUE(contains(rejection([&] { (void)plan_ftl_layout(c, 0, 1000); }), "no logical page"));
}

TEST(FtlModelStart, throws_for_a_geometry_that_does_not_fit)
{
	FtlModel m(FtlConfig{});
	EXPECT_TRUE(contains(rejection([&] { m.start({16384, 16500, 8, 257}); }), "ftl: "));
	EXPECT_EQ(m.engine(), nullptr);
	FtlConfig bad;
	bad.gc_low = 0;
	EXPECT_TRUE(contains(rejection([&] { FtlModel m2(bad); }), "gc-low"));
}

} // namespace
} // namespace vbsim::ftl
