// The --json documents: their exact keys, in order, and their values.
// These keys are vbsim's stable interface (vbsim(1), docs/ioctl.md).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using test::Cli;
using Json = nlohmann::ordered_json;

std::vector<std::string> keys(const Json& object)
{
	std::vector<std::string> out;
	for (const auto& item : object.items())
		out.push_back(item.key());
	return out;
}

using Keys = std::vector<std::string>;

const Keys k_config_keys = {"capacity_bytes", "logical_block_size", "physical_block_size", "nr_hw_queues",
			    "nr_poll_queues", "queue_depth",	    "max_partitions",	   "discard",
			    "write_zeroes",   "write_cache",	    "read_only",	   "rotational",
			    "model",	      "model_pages"};
const Keys k_op_names = {"read", "write", "flush", "discard", "write_zeroes"};
const Keys k_stats_keys = {"device",	"since_ns",    "in_flight",    "peak_in_flight",
			   "pages_in_use", "cache_pages", "bytes_in_use", "ops"};
const Keys k_op_stats_keys = {"requests",	"bytes",	   "errors",	       "ioctl_requests",
			      "faults",		"latency_sum_ns", "mean_latency_ns", "latency_histogram"};

TEST(CliJson, info_has_the_documented_keys_and_values)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--size", "1M", "--lbs", "4K", "--write-cache", "--index", "3"}), 0);
	ASSERT_EQ(cli.run({"info", "3", "--json"}), 0) << cli.err;
	const Json j = Json::parse(cli.out);
	EXPECT_EQ(keys(j), (Keys{"device", "index", "abi_version", "live", "features", "config", "block_count",
				 "max_io_bytes", "pages_in_use"}));
	EXPECT_EQ(keys(j["config"]), k_config_keys);
	EXPECT_EQ(j["device"], "/dev/virtblkiosim3");
	EXPECT_EQ(j["index"], 3);
	EXPECT_EQ(j["abi_version"], 1);
	EXPECT_EQ(j["live"], true);
	EXPECT_EQ(j["features"], Json::parse(R"(["block_io","stats","control","discard","write_zeroes","write_cache"])"));
	EXPECT_EQ(j["config"]["capacity_bytes"], 1 << 20);
	EXPECT_EQ(j["config"]["logical_block_size"], 4096);
	EXPECT_EQ(j["config"]["write_cache"], true);
	EXPECT_EQ(j["config"]["discard"], true);
	EXPECT_EQ(j["config"]["read_only"], false);
	EXPECT_EQ(j["block_count"], 256);
	EXPECT_EQ(j["pages_in_use"], 0);
}

TEST(CliJson, info_reports_the_poll_queues_and_the_poll_feature)
{
	FakeLimits limits;
	limits.features.bits |= static_cast<std::uint64_t>(Feature::poll);
	Cli cli(limits);
	ASSERT_EQ(cli.run({"add", "--queues", "2", "--poll-queues", "3"}), 0) << cli.err;
	ASSERT_EQ(cli.run({"info", "0", "--json"}), 0) << cli.err;
	const Json j = Json::parse(cli.out);
	EXPECT_EQ(j["config"]["nr_hw_queues"], 2);
	EXPECT_EQ(j["config"]["nr_poll_queues"], 3);
	EXPECT_EQ(j["features"].back(), "poll");
}

TEST(CliJson, stats_has_every_op_with_the_same_counters)
{
	Cli cli;
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "2"}), 0);
	ASSERT_EQ(cli.run({"stats", "0", "--json"}), 0) << cli.err;
	const Json j = Json::parse(cli.out);
	EXPECT_EQ(keys(j), k_stats_keys);
	EXPECT_EQ(keys(j["ops"]), k_op_names);
	for (const auto& op : j["ops"]) {
		EXPECT_EQ(keys(op), k_op_stats_keys);
		EXPECT_EQ(op["latency_histogram"].size(), 32U);
	}
	// The fake has no simulation engine: no latency samples.
	EXPECT_TRUE(j["ops"]["write"]["mean_latency_ns"].is_null());
	EXPECT_EQ(j["ops"]["write"]["latency_sum_ns"], 0);
	EXPECT_EQ(j["peak_in_flight"], 0);
	EXPECT_EQ(j["cache_pages"], 0);
	EXPECT_EQ(j["ops"]["write"]["requests"], 1);
	EXPECT_EQ(j["ops"]["write"]["bytes"], 8192);
	EXPECT_EQ(j["ops"]["write"]["ioctl_requests"], 1);
	EXPECT_EQ(j["pages_in_use"], 2);
	EXPECT_EQ(j["bytes_in_use"], 8192);
	EXPECT_TRUE(j["since_ns"].is_number_integer());
}

TEST(CliJson, watch_prints_one_object_per_line_with_rates)
{
	Cli cli;
	cli.add_disk(0);
	cli.watch_samples = 3;
	auto device = cli.module.open_device("0", Access::read_write);
	const auto block = std::vector<std::byte>(4096);
	cli.between_samples = [&] { device->write_blocks(0, block, WriteMode::normal); };
	ASSERT_EQ(cli.run({"stats", "0", "--watch", "--json", "--interval", "500ms"}), 0) << cli.err;

	std::istringstream lines(cli.out);
	std::string line;
	int count = 0;
	while (std::getline(lines, line)) {
		const Json j = Json::parse(line);
		Keys expected = k_stats_keys;
		expected.push_back("interval_ns");
		expected.push_back("rates");
		EXPECT_EQ(keys(j), expected);
		EXPECT_EQ(keys(j["rates"]), k_op_names);
		EXPECT_EQ(keys(j["rates"]["read"]), (Keys{"requests_per_sec", "bytes_per_sec", "errors_per_sec"}));
		EXPECT_EQ(j["interval_ns"], 500'000'000);
		// One 4 KiB write per half second.
		EXPECT_DOUBLE_EQ(j["rates"]["write"]["requests_per_sec"].get<double>(), 2.0);
		EXPECT_DOUBLE_EQ(j["rates"]["write"]["bytes_per_sec"].get<double>(), 8192.0);
		EXPECT_EQ(j["ops"]["write"]["requests"], count + 1);
		count++;
	}
	EXPECT_EQ(count, 3);
}

TEST(CliJson, features_reports_module_and_tool_abi)
{
	Cli cli(FakeLimits{.max_devices = 16});
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"features", "--json"}), 0);
	const Json j = Json::parse(cli.out);
	EXPECT_EQ(keys(j), (Keys{"abi_version", "tool_abi_version", "features", "max_devices", "nr_devices"}));
	EXPECT_EQ(j["abi_version"], 1);
	EXPECT_EQ(j["tool_abi_version"], 1);
	EXPECT_EQ(j["max_devices"], 16);
	EXPECT_EQ(j["nr_devices"], 1);
	EXPECT_TRUE(j["features"].is_array());
}

TEST(CliJson, list_names_each_disk)
{
	Cli cli;
	ASSERT_EQ(cli.run({"list", "--json"}), 0);
	EXPECT_EQ(Json::parse(cli.out), Json::parse(R"({"devices": []})"));
	cli.add_disk(0);
	cli.add_disk(4);
	ASSERT_EQ(cli.run({"list", "--json"}), 0);
	EXPECT_EQ(Json::parse(cli.out), Json::parse(R"({"devices": [
		{"index": 0, "device": "/dev/virtblkiosim0"},
		{"index": 4, "device": "/dev/virtblkiosim4"}]})"));
}

TEST(CliJson, add_reports_index_and_device)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--json"}), 0);
	EXPECT_EQ(Json::parse(cli.out), Json::parse(R"({"index": 0, "device": "/dev/virtblkiosim0"})"));
}

} // namespace
} // namespace vbsim
