// vbsim sim, fault and powercut against FakeModule: each option with good
// and bad values, exit statuses, text and JSON output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;
using test::Cli;

/// A Cli with disk 0 (64 blocks of 4096 bytes).
struct SimCli : Cli {
	SimCli() { add_disk(0); }

	SimParams sim() { return module.device(0).get_sim(); }
};

/// Runs @p args on a fresh SimCli; expects exit 2, nothing on stdout, and
/// @p message on stderr; the settings and rules stay untouched.
::testing::AssertionResult usage_error(const std::vector<std::string>& args, const std::string& message)
{
	SimCli cli;
	const int status = cli.run(args);
	if (status != 2 || !cli.out.empty() || cli.err.find(message) == std::string::npos ||
	    !(cli.sim() == SimParams{}) || !cli.module.device(0).list_faults().empty())
		return ::testing::AssertionFailure()
		       << "status " << status << ", stdout \"" << cli.out << "\", stderr \"" << cli.err << "\"";
	return ::testing::AssertionSuccess();
}

TEST(CliSim, set_changes_only_the_given_fields)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"sim", "0", "set", "--read-latency", "100us", "--read-jitter", "10us", "--seed", "42"}), 0)
		<< cli.err;
	EXPECT_TRUE(cli.out.empty());
	SimParams p = cli.sim();
	EXPECT_EQ(p.lat(SimClass::read).base, 100us);
	EXPECT_EQ(p.lat(SimClass::read).jitter, 10us);
	EXPECT_EQ(p.lat(SimClass::read).distribution, Jitter::uniform); // a jitter needs one
	EXPECT_EQ(p.seed, 42U);

	ASSERT_EQ(cli.run({"sim", "0", "set", "--write-latency", "1ms", "--flush-latency", "2ms", "--discard-latency",
			   "3ms", "--read-bw", "200M", "--write-bw", "100M", "--iops", "5000", "--write-iops", "7",
			   "--channels", "4", "--timeout", "5s", "--jitter", "exponential", "--slow-ppm", "10",
			   "--slow", "5ms", "--read-distribution", "uniform", "--flush-slow-ppm", "20",
			   "--discard-slow", "1s"}),
		  0)
		<< cli.err;
	p = cli.sim();
	EXPECT_EQ(p.lat(SimClass::read).base, 100us); // kept
	EXPECT_EQ(p.lat(SimClass::read).distribution, Jitter::uniform);
	EXPECT_EQ(p.lat(SimClass::write).distribution, Jitter::exponential);
	EXPECT_EQ(p.lat(SimClass::write).base, 1ms);
	EXPECT_EQ(p.lat(SimClass::flush).base, 2ms);
	EXPECT_EQ(p.lat(SimClass::discard).base, 3ms);
	EXPECT_EQ(p.lat(SimClass::read).slow_ppm, 10U);
	EXPECT_EQ(p.lat(SimClass::flush).slow_ppm, 20U);
	EXPECT_EQ(p.lat(SimClass::write).slow, 5ms);
	EXPECT_EQ(p.lat(SimClass::discard).slow, 1s);
	EXPECT_EQ(p.bandwidth[0], 200U << 20);
	EXPECT_EQ(p.bandwidth[1], 100U << 20);
	EXPECT_EQ(p.iops[0], 5000U);
	EXPECT_EQ(p.iops[1], 7U);
	EXPECT_EQ(p.channels, 4U);
	EXPECT_EQ(p.timeout, 5s);
	EXPECT_EQ(p.seed, 42U);

	ASSERT_EQ(cli.run({"sim", "0", "set", "--read-jitter", "0"}), 0) << cli.err;
	EXPECT_EQ(cli.sim().lat(SimClass::read).distribution, Jitter::none);
	ASSERT_EQ(cli.run({"sim", "0", "reset"}), 0) << cli.err;
	EXPECT_EQ(cli.sim(), SimParams{});
}

TEST(CliSim, show_prints_every_setting)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"sim", "0"}), 0);
	EXPECT_NE(cli.out.find("/dev/virtblkiosim0\n"), std::string::npos);
	EXPECT_NE(cli.out.find("bandwidth: read unlimited, write unlimited\n"), std::string::npos) << cli.out;
	EXPECT_NE(cli.out.find("timeout: default (30s)\n"), std::string::npos);
	ASSERT_EQ(cli.run({"sim", "0", "set", "--read-latency", "100us", "--read-bw", "200M", "--timeout", "5s"}), 0);
	ASSERT_EQ(cli.run({"sim", "/dev/virtblkiosim0"}), 0);
	EXPECT_NE(cli.out.find("read"), std::string::npos);
	EXPECT_NE(cli.out.find("100us"), std::string::npos) << cli.out;
	EXPECT_NE(cli.out.find("bandwidth: read 200.0 MiB/s, write unlimited\n"), std::string::npos) << cli.out;
	EXPECT_NE(cli.out.find("timeout: 5s\n"), std::string::npos);
	EXPECT_NE(cli.out.find("seed: 0\n"), std::string::npos);
	EXPECT_NE(cli.out.find("delivery: 0ns\n"), std::string::npos) << cli.out;
}

TEST(CliSim, delivery_time_is_set_kept_and_shown)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"sim", "0", "set", "--read-latency", "10us", "--delivery", "4100ns"}), 0) << cli.err;
	EXPECT_EQ(cli.sim().delivery, 4100ns);
	ASSERT_EQ(cli.run({"sim", "0", "set", "--write-latency", "20us"}), 0) << cli.err;
	EXPECT_EQ(cli.sim().delivery, 4100ns);
	ASSERT_EQ(cli.run({"sim", "0"}), 0);
	EXPECT_NE(cli.out.find("delivery: 4100ns\n"), std::string::npos) << cli.out;
	ASSERT_EQ(cli.run({"sim", "0", "set", "--delivery", "1ms"}), 0) << cli.err;
	EXPECT_EQ(cli.sim().delivery, 1ms);
	ASSERT_EQ(cli.run({"sim", "0", "reset"}), 0);
	EXPECT_EQ(cli.sim().delivery, 0ns);
}

TEST(CliSim, json_shape)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"sim", "0", "set", "--flush-latency", "2ms", "--flush-jitter", "1us", "--flush-distribution",
			   "exponential", "--write-bw", "4K", "--read-iops", "3", "--channels", "2", "--timeout", "1500ms",
			   "--seed", "9"}),
		  0);
	ASSERT_EQ(cli.run({"sim", "0", "--json"}), 0);
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["device"], "/dev/virtblkiosim0");
	EXPECT_EQ(j["seed"], 9);
	EXPECT_EQ(j["latency"]["flush"]["base_ns"], 2'000'000);
	EXPECT_EQ(j["latency"]["flush"]["jitter_ns"], 1000);
	EXPECT_EQ(j["latency"]["flush"]["distribution"], "exponential");
	EXPECT_EQ(j["latency"]["read"]["distribution"], "none");
	EXPECT_EQ(j["latency"]["discard"]["slow_ppm"], 0);
	EXPECT_EQ(j["latency"]["discard"]["slow_ns"], 0);
	EXPECT_EQ(j["bandwidth_bps"]["write"], 4096);
	EXPECT_EQ(j["iops"]["read"], 3);
	EXPECT_EQ(j["channels"], 2);
	EXPECT_EQ(j["timeout_ms"], 1500);
	EXPECT_EQ(j["delivery_ns"], 0);
	EXPECT_EQ(j.size(), 8U);
}

TEST(CliSim, bad_values_are_usage_errors)
{
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-latency", "fast"}, "invalid duration \"fast\""));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-latency", "-1us"}, "cannot be negative"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-latency", "99999999999999999999s"}, "too long"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--write-latency", "61s"}, "write latency"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--flush-jitter", "2m"}, "flush jitter"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--slow", "1h"}, "slow time"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--jitter", "gaussian"}, "invalid distribution \"gaussian\""));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-distribution", "x"}, "invalid distribution"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-jitter", "1us", "--read-distribution", "none"},
				"needs a distribution"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--slow-ppm", "1000001"}, "slow ppm"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--read-bw", "1X"}, "invalid size"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--iops", "4294967296"}, "too large"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--channels", "4097"}, "channels 4097"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--timeout", "1500us"}, "whole number of milliseconds"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--timeout", "2h"}, "the most is 1h"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--seed", "x"}, "invalid seed"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--frobnicate"}, "--frobnicate"));
	EXPECT_TRUE(usage_error({"sim", "0", "reset", "--json"}, "--json"));
	EXPECT_TRUE(usage_error({"sim", "0", "set", "--delivery", "1001us"}, "delivery time 1001us is outside 0..1ms"));
	EXPECT_TRUE(usage_error({"sim", "0", "calibrate", "--latency", "9us"}, "calibration latency 9us is outside"));
	EXPECT_TRUE(usage_error({"sim", "0", "calibrate", "--latency", "0"}, "calibration latency 0ns is outside"));
	EXPECT_TRUE(usage_error({"sim", "0", "calibrate", "--reads", "0"}, "calibration reads 0"));
	EXPECT_TRUE(usage_error({"sim", "0", "calibrate", "--reads", "x"}, "invalid read count"));
	EXPECT_TRUE(usage_error({"sim"}, "DEV"));
}

TEST(CliSim, a_missing_disk_is_a_runtime_error)
{
	SimCli cli;
	EXPECT_EQ(cli.run({"sim", "5"}), 1);
	EXPECT_EQ(cli.run({"sim", "5", "set", "--channels", "1"}), 1);
	EXPECT_EQ(cli.run({"fault", "5", "list"}), 1);
	EXPECT_EQ(cli.run({"powercut", "5"}), 1);
	EXPECT_TRUE(cli.err.starts_with("vbsim: "));
}

TEST(CliFault, add_prints_the_id_and_list_shows_counters)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--lba", "5", "--effect", "ioerr"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "1\n");
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "write,flush", "--lba", "10-19", "--effect", "lost-write",
			   "--trigger", "every:3", "--count", "2"}),
		  0)
		<< cli.err;
	EXPECT_EQ(cli.out, "2\n");
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--lba", "20+4", "--effect", "corrupt", "--trigger",
			   "prob:500000", "--json"}),
		  0)
		<< cli.err;
	EXPECT_EQ(nlohmann::json::parse(cli.out)["id"], 3);
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "all", "--effect", "timeout", "--trigger", "once"}), 0);
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--effect", "medium"}), 0);

	std::vector<std::byte> block(4096);
	EXPECT_THROW(cli.module.device(0).read_blocks(5, block), std::system_error);

	ASSERT_EQ(cli.run({"fault", "0", "list"}), 0);
	EXPECT_NE(cli.out.find("fired"), std::string::npos);
	EXPECT_NE(cli.out.find("10-19"), std::string::npos) << cli.out;
	EXPECT_NE(cli.out.find("every:3"), std::string::npos);
	EXPECT_NE(cli.out.find("write,flush"), std::string::npos);

	ASSERT_EQ(cli.run({"fault", "0", "list", "--json"}), 0);
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["device"], "/dev/virtblkiosim0");
	ASSERT_EQ(j["rules"].size(), 5U);
	const auto& r1 = j["rules"][0];
	EXPECT_EQ(r1["id"], 1);
	EXPECT_EQ(r1["ops"], nlohmann::json::array({"read"}));
	EXPECT_EQ(r1["effect"], "ioerr");
	EXPECT_EQ(r1["lba"], 5);
	EXPECT_EQ(r1["count"], 1);
	EXPECT_EQ(r1["trigger"], "always");
	EXPECT_EQ(r1["matched"], 1);
	EXPECT_EQ(r1["fired"], 1);
	EXPECT_EQ(r1["spent"], false);
	EXPECT_EQ(r1.size(), 12U);
	EXPECT_EQ(j["rules"][1]["every_n"], 3);
	EXPECT_EQ(j["rules"][1]["remaining"], 2);
	EXPECT_EQ(j["rules"][1]["count"], 10);
	EXPECT_EQ(j["rules"][2]["ppm"], 500000);
	EXPECT_EQ(j["rules"][2]["count"], 4);
	EXPECT_EQ(j["rules"][3]["ops"].size(), 5U);
	EXPECT_EQ(j["rules"][3]["remaining"], 1);
	EXPECT_EQ(j["rules"][4]["count"], 64); // the whole disk
}

TEST(CliFault, clear_one_or_all)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"fault", "0", "clear"}), 0) << cli.err; // nothing to clear is fine
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--effect", "ioerr"}), 0);
	ASSERT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--effect", "ioerr"}), 0);
	ASSERT_EQ(cli.run({"fault", "0", "clear", "1"}), 0) << cli.err;
	EXPECT_EQ(cli.module.device(0).list_faults().size(), 1U);
	EXPECT_EQ(cli.run({"fault", "0", "clear", "1"}), 1);
	EXPECT_EQ(cli.err, "vbsim: clearing fault rule 1 of /dev/virtblkiosim0: No such file or directory\n");
	ASSERT_EQ(cli.run({"fault", "0", "clear"}), 0);
	EXPECT_TRUE(cli.module.device(0).list_faults().empty());
}

TEST(CliFault, bad_values_are_usage_errors)
{
	const std::vector<std::string> add = {"fault", "0", "add"};
	const auto with = [&](std::vector<std::string> extra) {
		std::vector<std::string> args = add;
		args.insert(args.end(), extra.begin(), extra.end());
		return args;
	};
	EXPECT_TRUE(usage_error(with({"--effect", "ioerr"}), "--op"));
	EXPECT_TRUE(usage_error(with({"--op", "read"}), "--effect"));
	EXPECT_TRUE(usage_error(with({"--op", "reed", "--effect", "ioerr"}), "invalid operation \"reed\""));
	EXPECT_TRUE(usage_error(with({"--op", "read,", "--effect", "ioerr"}), "invalid operation"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "boom"}), "invalid effect \"boom\""));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--lba", "x"}), "invalid LBA"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--lba", "9-3"}), "must not be below"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--lba", "9+0"}), "at least 1"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--lba", "99999999999999999999"}),
				"too large"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--trigger", "sometimes"}),
				"invalid trigger \"sometimes\""));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--trigger", "every:0"}), "at least 1"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--trigger", "prob:1000001"}),
				"too large"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--trigger", "prob:0"}), "at least 1"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--count", "0"}), "at least 1"));
	EXPECT_TRUE(usage_error(with({"--op", "read", "--effect", "ioerr", "--trigger", "once", "--count", "2"}),
				"--count must be 1"));
	EXPECT_TRUE(usage_error(with({"--op", "write", "--effect", "corrupt"}), "reads only"));
	EXPECT_TRUE(usage_error(with({"--op", "read,write", "--effect", "lost-write"}), "does not apply to reads"));
	EXPECT_TRUE(usage_error({"fault", "0", "clear", "0"}, "at least 1"));
	EXPECT_TRUE(usage_error({"fault", "0"}, "subcommand"));
}

TEST(CliFault, a_range_outside_the_disk_is_the_kernels_einval)
{
	SimCli cli;
	EXPECT_EQ(cli.run({"fault", "0", "add", "--op", "read", "--effect", "ioerr", "--lba", "60+5"}), 1);
	EXPECT_EQ(cli.err, "vbsim: adding a fault rule of /dev/virtblkiosim0: Invalid argument\n");
}

TEST(CliPowercut, prints_pages_and_checks_options)
{
	SimCli cli;
	ASSERT_EQ(cli.run({"powercut", "0"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "/dev/virtblkiosim0: 0 cache pages dropped, 0 kept\n");
	ASSERT_EQ(cli.run({"powercut", "0", "--keep", "random", "--keep-ppm", "250000", "--seed", "7", "--json"}), 0)
		<< cli.err;
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["device"], "/dev/virtblkiosim0");
	EXPECT_EQ(j["pages_dropped"], 0);
	EXPECT_EQ(j["pages_kept"], 0);
	EXPECT_EQ(j.size(), 3U);
	ASSERT_EQ(cli.run({"powercut", "0", "--keep", "none"}), 0);

	EXPECT_TRUE(usage_error({"powercut", "0", "--keep", "some"}, "--keep"));
	EXPECT_TRUE(usage_error({"powercut", "0", "--seed", "3"}, "add --keep random"));
	EXPECT_TRUE(usage_error({"powercut", "0", "--keep-ppm", "3"}, "add --keep random"));
	EXPECT_TRUE(usage_error({"powercut", "0", "--keep", "random", "--keep-ppm", "1000001"}, "too large"));
	EXPECT_TRUE(usage_error({"powercut", "0", "--keep", "random", "--keep-ppm", "0"}, "at least 1"));
	EXPECT_TRUE(usage_error({"powercut", "0", "--keep", "random", "--seed", "-1"}, "cannot be negative"));
}

TEST(CliSim, help_works_for_the_new_subcommands)
{
	for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
		     {"sim", "--help"}, {"sim", "0", "set", "--help"}, {"fault", "0", "add", "--help"},
		     {"powercut", "--help"}}) {
		Cli cli;
		EXPECT_EQ(cli.run(args), 0) << args[0];
		EXPECT_NE(cli.out.find("Usage: vbsim " + args[0]), std::string::npos) << cli.out;
	}
}

} // namespace
} // namespace vbsim
