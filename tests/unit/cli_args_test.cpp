// The vbsim command line: what each subcommand accepts and refuses, and
// the exit statuses (0 success, 2 usage error).
#include <gtest/gtest.h>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using test::Cli;

/// Runs @p args and expects a usage error: exit 2, nothing on stdout, one
/// "vbsim: " line on stderr that contains @p message.
::testing::AssertionResult usage_error(const std::vector<std::string>& args, const std::string& message)
{
	Cli cli;
	cli.add_disk(0);
	const int status = cli.run(args);
	const bool one_line = cli.err.starts_with("vbsim: ") && cli.err.ends_with("\n") &&
			      cli.err.find('\n') == cli.err.size() - 1;
	if (status != 2 || !cli.out.empty() || !one_line || cli.err.find(message) == std::string::npos)
		return ::testing::AssertionFailure()
		       << "status " << status << ", stdout \"" << cli.out << "\", stderr \"" << cli.err << "\"";
	return ::testing::AssertionSuccess();
}

TEST(CliArgs, no_subcommand_is_a_usage_error)
{
	EXPECT_TRUE(usage_error({}, "a subcommand is required (see vbsim --help)"));
	EXPECT_TRUE(usage_error({"frobnicate"}, "frobnicate"));
	EXPECT_TRUE(usage_error({"--frobnicate"}, "--frobnicate"));
}

TEST(CliArgs, help_at_the_top_lists_every_subcommand)
{
	Cli cli;
	EXPECT_EQ(cli.run({"--help"}), 0);
	EXPECT_TRUE(cli.err.empty());
	for (const char* sub : {"list", "add", "remove", "info", "stats", "read", "write", "features", "sim", "fault", "powercut"})
		EXPECT_NE(cli.out.find(std::string("  ") + sub + " "), std::string::npos) << sub;
}

TEST(CliArgs, help_works_for_every_subcommand)
{
	for (const char* sub : {"list", "add", "remove", "info", "stats", "read", "write", "features", "sim", "fault", "powercut"}) {
		Cli cli;
		EXPECT_EQ(cli.run({sub, "--help"}), 0) << sub;
		EXPECT_NE(cli.out.find(std::string("Usage: vbsim ") + sub), std::string::npos) << cli.out;
		EXPECT_TRUE(cli.err.empty());
	}
}

TEST(CliArgs, version_names_the_tool_and_its_abi)
{
	Cli cli;
	EXPECT_EQ(cli.run({"--version"}), 0);
	EXPECT_EQ(cli.out, cli::version_text() + "\n");
	EXPECT_TRUE(cli.out.starts_with("vbsim "));
	EXPECT_NE(cli.out.find("ABI 1"), std::string::npos);
}

TEST(CliArgs, list_and_features_take_only_json)
{
	Cli cli;
	EXPECT_EQ(cli.run({"list"}), 0);
	EXPECT_EQ(cli.run({"list", "--json"}), 0);
	EXPECT_EQ(cli.run({"features"}), 0);
	EXPECT_EQ(cli.run({"features", "--json"}), 0);
	EXPECT_TRUE(usage_error({"list", "0"}, "0"));
	EXPECT_TRUE(usage_error({"features", "--all"}, "--all"));
}

TEST(CliArgs, add_with_every_option_builds_that_configuration)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--size", "4G", "--lbs", "4096", "--pbs", "8K", "--queues", "2", "--depth", "64",
			   "--partitions", "4", "--write-cache", "--read-only", "--no-discard", "--no-write-zeroes",
			   "--rotational", "--index", "7"}),
		  0)
		<< cli.err;
	EXPECT_EQ(cli.out, "/dev/virtblkiosim7\n");
	EXPECT_EQ(cli.module.device(7).info().config, (DeviceConfig{
							      .capacity_bytes = 4ULL << 30,
							      .logical_block_size = 4096,
							      .physical_block_size = 8192,
							      .nr_hw_queues = 2,
							      .queue_depth = 64,
							      .max_partitions = 4,
							      .discard = false,
							      .write_zeroes = false,
							      .write_cache = true,
							      .read_only = true,
							      .rotational = true,
						      }));
}

TEST(CliArgs, add_poll_queues_reach_the_configuration)
{
	FakeLimits limits;
	limits.features.bits |= static_cast<std::uint64_t>(Feature::poll);
	Cli cli(limits);
	ASSERT_EQ(cli.run({"add", "--queues", "2", "--poll-queues", "3"}), 0) << cli.err;
	EXPECT_EQ(cli.module.device(0).info().config.nr_hw_queues, 2U);
	EXPECT_EQ(cli.module.device(0).info().config.nr_poll_queues, 3U);
	ASSERT_EQ(cli.run({"add", "--poll-queues", "0"}), 0) << cli.err;
	EXPECT_EQ(cli.module.device(1).info().config.nr_poll_queues, 0U);
}

TEST(CliArgs, add_without_options_asks_for_defaults_with_discard_and_write_zeroes)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "/dev/virtblkiosim0\n");
	const DeviceConfig c = cli.module.device(0).info().config;
	EXPECT_TRUE(c.discard);
	EXPECT_TRUE(c.write_zeroes);
	EXPECT_FALSE(c.write_cache);
	EXPECT_FALSE(c.read_only);
	EXPECT_FALSE(c.rotational);
}

TEST(CliArgs, add_refuses_bad_values)
{
	EXPECT_TRUE(usage_error({"add", "--size", "4X"}, "--size: invalid size \"4X\": unknown unit \"X\""));
	EXPECT_TRUE(usage_error({"add", "--size", "-1"}, "sizes cannot be negative"));
	EXPECT_TRUE(usage_error({"add", "--size", "1.5G"}, "fractions are not supported"));
	EXPECT_TRUE(usage_error({"add", "--size", "99999P"}, "too large"));
	EXPECT_TRUE(usage_error({"add", "--size"}, "--size"));
	EXPECT_TRUE(usage_error({"add", "--lbs", "1000"}, "logical block size 1000 is not a power of two"));
	EXPECT_TRUE(usage_error({"add", "--lbs", "8G"}, "--lbs: invalid size \"8G\": too large"));
	EXPECT_TRUE(usage_error({"add", "--lbs", "4K", "--pbs", "2K"}, "physical block size 2048"));
	EXPECT_TRUE(usage_error({"add", "--size", "1001"}, "not a multiple of the logical block size"));
	EXPECT_TRUE(usage_error({"add", "--size", "2P"}, "more than 1125899906842624 (1 PiB)"));
	EXPECT_TRUE(usage_error({"add", "--queues", "0"}, "--queues: invalid queue count \"0\": must be at least 1"));
	EXPECT_TRUE(usage_error({"add", "--poll-queues", "abc"}, "--poll-queues: invalid poll queue count \"abc\""));
	EXPECT_TRUE(usage_error({"add", "--poll-queues", "-1"}, "--poll-queues: invalid poll queue count \"-1\""));
	EXPECT_TRUE(usage_error({"add", "--depth", "abc"}, "--depth: invalid queue depth \"abc\""));
	EXPECT_TRUE(usage_error({"add", "--depth", "5000"}, "queue depth 5000 is more than 4096"));
	EXPECT_TRUE(usage_error({"add", "--partitions", "256"}, "256 partitions is more than 255"));
	EXPECT_TRUE(usage_error({"add", "--index", "-1"}, "--index: invalid index \"-1\": values cannot be negative"));
	EXPECT_TRUE(usage_error({"add", "--index", "4294967296"}, "too large"));
	EXPECT_TRUE(usage_error({"add", "--read-only=maybe"}, "--read-only"));
	EXPECT_TRUE(usage_error({"add", "--frob"}, "--frob"));
}

TEST(CliArgs, remove_takes_one_disk_with_an_index)
{
	for (const char* spelling : {"0", "virtblkiosim0", "/dev/virtblkiosim0"}) {
		Cli cli;
		cli.add_disk(0);
		EXPECT_EQ(cli.run({"remove", spelling}), 0) << cli.err;
		EXPECT_TRUE(cli.out.empty());
		EXPECT_TRUE(cli.module.list().empty());
	}
	EXPECT_TRUE(usage_error({"remove"}, "DEV is required"));
	EXPECT_TRUE(usage_error({"remove", "sda"}, "invalid device \"sda\""));
	EXPECT_TRUE(usage_error({"remove", "/dev/disk/by-id/x"}, "cannot tell the index of /dev/disk/by-id/x"));
	EXPECT_TRUE(usage_error({"remove", "0", "1"}, "1"));
}

TEST(CliArgs, info_takes_one_disk_and_json)
{
	Cli cli;
	cli.add_disk(0);
	EXPECT_EQ(cli.run({"info", "0"}), 0);
	EXPECT_EQ(cli.run({"info", "virtblkiosim0", "--json"}), 0);
	EXPECT_EQ(cli.run({"info", "--json", "/dev/virtblkiosim0"}), 0);
	EXPECT_TRUE(usage_error({"info"}, "DEV is required"));
	EXPECT_TRUE(usage_error({"info", "disk0"}, "invalid device \"disk0\""));
	EXPECT_TRUE(usage_error({"info", "0", "--watch"}, "--watch"));
}

TEST(CliArgs, stats_options_depend_on_each_other)
{
	Cli cli;
	cli.add_disk(0);
	EXPECT_EQ(cli.run({"stats", "0"}), 0);
	EXPECT_EQ(cli.run({"stats", "0", "--json"}), 0);
	EXPECT_EQ(cli.run({"stats", "0", "--watch"}), 0);
	EXPECT_EQ(cli.run({"stats", "0", "--watch", "--interval", "250ms"}), 0);
	EXPECT_EQ(cli.run({"stats", "0", "--watch", "--json", "--interval", "2"}), 0);
	EXPECT_EQ(cli.run({"stats", "0", "--reset"}), 0);
	EXPECT_TRUE(usage_error({"stats", "0", "--interval", "1s"}, "--interval requires --watch"));
	EXPECT_TRUE(usage_error({"stats", "0", "--watch", "--interval", "0"}, "must be more than 0"));
	EXPECT_TRUE(usage_error({"stats", "0", "--watch", "--interval", "1x"}, "unknown unit \"x\""));
	EXPECT_TRUE(usage_error({"stats", "0", "--watch", "--interval", "-1s"}, "cannot be negative"));
	EXPECT_TRUE(usage_error({"stats", "0", "--reset", "--watch"}, "excludes"));
	EXPECT_TRUE(usage_error({"stats", "0", "--reset", "--json"}, "excludes"));
	EXPECT_TRUE(usage_error({"stats"}, "DEV is required"));
}

TEST(CliArgs, read_needs_lba_and_a_positive_count)
{
	Cli cli;
	cli.add_disk(0);
	EXPECT_EQ(cli.run({"read", "0", "--lba", "0x3", "--count", "1"}), 0) << cli.err;
	EXPECT_TRUE(usage_error({"read", "0", "--count", "1"}, "--lba is required"));
	EXPECT_TRUE(usage_error({"read", "0", "--lba", "1"}, "--count is required"));
	EXPECT_TRUE(usage_error({"read", "0", "--lba", "1", "--count", "0"}, "must be at least 1"));
	EXPECT_TRUE(usage_error({"read", "0", "--lba", "-1", "--count", "1"}, "invalid LBA \"-1\""));
	EXPECT_TRUE(usage_error({"read", "0", "--lba", "abc", "--count", "1"}, "invalid LBA \"abc\""));
	EXPECT_TRUE(usage_error({"read", "--lba", "1", "--count", "1"}, "DEV is required"));
	EXPECT_TRUE(usage_error({"read", "0", "--lba", "1", "--count", "1", "--out"}, "--out"));
}

TEST(CliArgs, write_needs_a_source_and_a_count_for_patterns)
{
	Cli cli;
	cli.add_disk(0);
	EXPECT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "0xff", "--count", "1"}), 0) << cli.err;
	EXPECT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "255", "--count", "1", "--fua"}), 0);
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0"}, "write needs --in FILE or --pattern BYTE"));
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0", "--pattern", "1"}, "--pattern needs --count"));
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0", "--in", "x", "--pattern", "1", "--count", "1"},
				"excludes"));
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0", "--pattern", "256", "--count", "1"},
				"invalid pattern \"256\": too large (the most is 255)"));
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0", "--pattern", "0x100", "--count", "1"}, "too large"));
	EXPECT_TRUE(usage_error({"write", "0", "--lba", "0", "--pattern", "1", "--count", "0"}, "must be at least 1"));
	EXPECT_TRUE(usage_error({"write", "0", "--pattern", "1", "--count", "1"}, "--lba is required"));
}

} // namespace
} // namespace vbsim
