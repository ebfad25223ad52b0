// Feature names and config_problem().
#include <gtest/gtest.h>

#include "vbsim/device_types.hpp"

namespace vbsim {
namespace {

TEST(FeatureSet, names_known_bits_and_numbers_unknown_ones)
{
	EXPECT_EQ(FeatureSet{0x3ff}.names(),
		  (std::vector<std::string>{"block_io", "stats", "control", "discard", "write_zeroes", "write_cache",
					    "sim", "faults", "powercut", "latency_stats"}));
	EXPECT_EQ(FeatureSet{0xc00}.names(), (std::vector<std::string>{"model", "poll"}));
	EXPECT_EQ(FeatureSet{(1ULL << 63) | 0x2}.names(), (std::vector<std::string>{"stats", "bit63"}));
	EXPECT_TRUE(FeatureSet{}.names().empty());
}

TEST(FeatureSet, has_tests_one_bit)
{
	const FeatureSet set{0x9};
	EXPECT_TRUE(set.has(Feature::block_io));
	EXPECT_TRUE(set.has(Feature::discard));
	EXPECT_FALSE(set.has(Feature::stats));
}

TEST(DeviceInfo, block_count_is_capacity_over_logical_block_size)
{
	DeviceInfo info;
	EXPECT_EQ(info.block_count(), 0U);
	info.config.capacity_bytes = 1 << 20;
	info.config.logical_block_size = 4096;
	EXPECT_EQ(info.block_count(), 256U);
}

TEST(ConfigProblem, all_defaults_are_acceptable)
{
	EXPECT_EQ(config_problem(DeviceConfig{}), std::nullopt);
}

TEST(ConfigProblem, the_documented_limits_are_acceptable)
{
	DeviceConfig c;
	c.capacity_bytes = std::uint64_t{1} << 50;
	c.logical_block_size = 4096;
	c.physical_block_size = 65536;
	c.queue_depth = 4096;
	c.max_partitions = 255;
	EXPECT_EQ(config_problem(c), std::nullopt);
}

TEST(ConfigProblem, names_what_is_out_of_range)
{
	const auto problem = [](DeviceConfig c) { return config_problem(c).value_or("(none)"); };
	EXPECT_EQ(problem({.logical_block_size = 1000}), "logical block size 1000 is not a power of two from 512 to 4096");
	EXPECT_EQ(problem({.logical_block_size = 256}), "logical block size 256 is not a power of two from 512 to 4096");
	EXPECT_EQ(problem({.logical_block_size = 4096, .physical_block_size = 512}),
		  "physical block size 512 is not a power of two from 4096 to 65536");
	EXPECT_EQ(problem({.capacity_bytes = 1000}),
		  "capacity of 1000 bytes is not a multiple of the logical block size (512)");
	EXPECT_EQ(problem({.capacity_bytes = 6144, .logical_block_size = 4096}),
		  "capacity of 6144 bytes is not a multiple of the logical block size (4096)");
	EXPECT_EQ(problem({.capacity_bytes = (std::uint64_t{1} << 50) + 512}),
		  "capacity of 1125899906843136 bytes is more than 1125899906842624 (1 PiB)");
	EXPECT_EQ(problem({.queue_depth = 4097}), "queue depth 4097 is more than 4096");
	EXPECT_EQ(problem({.max_partitions = 256}), "256 partitions is more than 255");
}

} // namespace
} // namespace vbsim
