// The human-readable output of list, add, info, stats and features.
#include <gtest/gtest.h>

#include "cli_harness.hpp"
#include "test_bytes.hpp"

namespace vbsim {
namespace {

using test::Cli;

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

TEST(CliOutput, add_prints_the_new_disks_path)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--size", "8M"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "/dev/virtblkiosim0\n");
	ASSERT_EQ(cli.run({"add", "--size", "8M"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "/dev/virtblkiosim1\n");
}

TEST(CliOutput, list_prints_nothing_without_disks)
{
	Cli cli;
	ASSERT_EQ(cli.run({"list"}), 0);
	EXPECT_EQ(cli.out, "");
}

TEST(CliOutput, list_prints_a_row_per_disk)
{
	FakeLimits limits;
	limits.features.bits |= static_cast<std::uint64_t>(Feature::poll);
	Cli cli(limits);
	ASSERT_EQ(cli.run({"add", "--size", "4G", "--lbs", "4K", "--queues", "2", "--poll-queues", "1", "--depth", "64",
			   "--index", "1"}),
		  0);
	ASSERT_EQ(cli.run({"add", "--size", "1M", "--no-discard", "--no-write-zeroes", "--read-only"}), 0);
	ASSERT_EQ(cli.run({"list"}), 0);
	EXPECT_EQ(cli.out,
		  "DEVICE                       SIZE   LBS QUEUES POLL DEPTH  FLAGS\n"
		  "/dev/virtblkiosim0          1 MiB   512      1    0   128  read_only\n"
		  "/dev/virtblkiosim1          4 GiB  4096      2    1    64  discard,write_zeroes\n");
}

TEST(CliOutput, info_shows_configuration_and_state)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--size", "1M", "--lbs", "4K", "--write-cache", "--rotational"}), 0);
	cli.module.device(0).write_blocks(0, test::filled(4096, 1), WriteMode::normal);
	ASSERT_EQ(cli.run({"info", "0"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "device:              /dev/virtblkiosim0\n"
		  "index:               0\n"
		  "state:               live\n"
		  "capacity:            1 MiB (1048576 bytes, 256 blocks)\n"
		  "logical block size:  4096\n"
		  "physical block size: 4096\n"
		  "hardware queues:     1\n"
		  "poll queues:         0\n"
		  "queue depth:         128\n"
		  "max partitions:      0\n"
		  "flags:               discard write_zeroes write_cache rotational\n"
		  "max ioctl transfer:  1 MiB\n"
		  "memory in use:       1 pages\n"
		  "abi version:         1\n"
		  "module features:     block_io stats control discard write_zeroes write_cache\n");
}

TEST(CliOutput, stats_shows_a_table_of_counters)
{
	Cli cli;
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "2"}), 0);
	ASSERT_EQ(cli.run({"read", "0", "--lba", "0", "--count", "1", "--out", "/dev/null"}), 0) << cli.err;
	ASSERT_EQ(cli.run({"stats", "0"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "/dev/virtblkiosim0\n"
		  "op                requests       bytes   errors   faults  via ioctl  mean latency\n"
		  "read                     1       4 KiB        0        0          1             -\n"
		  "write                    1       8 KiB        0        0          1             -\n"
		  "flush                    0         0 B        0        0          0             -\n"
		  "discard                  0         0 B        0        0          0             -\n"
		  "write_zeroes             0         0 B        0        0          0             -\n"
		  "in flight: 0 (peak 0)\n"
		  "memory in use: 2 pages (8 KiB), 0 not yet durable\n");
}

TEST(CliOutput, stats_shows_the_non_empty_latency_buckets)
{
	Cli cli;
	cli.add_disk(0);
	DeviceStats& s = cli.module.device(0).stats_for_test();
	s.op(Op::read).latency_histogram[0] = 2;
	s.op(Op::read).latency_histogram[3] = 5;
	s.op(Op::read).latency_histogram[11] = 1;
	s.op(Op::flush).latency_histogram[31] = 4;
	ASSERT_EQ(cli.run({"stats", "0"}), 0) << cli.err;
	EXPECT_NE(cli.out.find("write_zeroes             0         0 B        0        0          0             -\n"
			       "latency histogram:\n"
			       "  read:         <1us 2, 4us-8us 5, 1.02ms-2.05ms 1\n"
			       "  flush:        >=1074s 4\n"
			       "in flight: 0 (peak 0)\n"),
		  std::string::npos)
		<< cli.out;
}

TEST(CliOutput, watch_shows_the_buckets_of_each_interval)
{
	Cli cli;
	cli.add_disk(0);
	cli.watch_samples = 2;
	DeviceStats& s = cli.module.device(0).stats_for_test();
	s.op(Op::write).latency_histogram[5] = 10;
	cli.between_samples = [&] { s.op(Op::write).latency_histogram[5] += 3; };
	ASSERT_EQ(cli.run({"stats", "0", "--watch"}), 0) << cli.err;
	EXPECT_NE(cli.out.find("latency histogram:\n  write:        16us-32us 3\n"), std::string::npos) << cli.out;
	EXPECT_EQ(cli.out.find("16us-32us 1"), std::string::npos) << cli.out;
}

TEST(CliOutput, stats_reset_zeroes_the_counters_silently)
{
	Cli cli;
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "2"}), 0);
	ASSERT_EQ(cli.run({"stats", "0", "--reset"}), 0) << cli.err;
	EXPECT_EQ(cli.out, "");
	const DeviceStats s = cli.module.device(0).stats();
	EXPECT_EQ(s.op(Op::write), OpStats{});
	EXPECT_EQ(s.pages_in_use, 2U);
}

TEST(CliOutput, watch_prints_rates_every_interval_until_stopped)
{
	Cli cli;
	cli.add_disk(0);
	cli.watch_samples = 2;
	auto device = cli.module.open_device("0", Access::read_write);
	auto blocks = test::filled(2 * 4096, 0);
	cli.between_samples = [&] { device->read_blocks(0, blocks); };
	ASSERT_EQ(cli.run({"stats", "0", "--watch"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "/dev/virtblkiosim0 every 1s, Ctrl-C to stop\n"
		  "+1.0s  in flight 0  memory 0 B\n"
		  "op                   req/s         bytes/s  errors/s\n"
		  "read                   1.0       8.0 KiB/s       0.0\n"
		  "write                  0.0           0 B/s       0.0\n"
		  "flush                  0.0           0 B/s       0.0\n"
		  "discard                0.0           0 B/s       0.0\n"
		  "write_zeroes           0.0           0 B/s       0.0\n"
		  "+2.0s  in flight 0  memory 0 B\n"
		  "op                   req/s         bytes/s  errors/s\n"
		  "read                   1.0       8.0 KiB/s       0.0\n"
		  "write                  0.0           0 B/s       0.0\n"
		  "flush                  0.0           0 B/s       0.0\n"
		  "discard                0.0           0 B/s       0.0\n"
		  "write_zeroes           0.0           0 B/s       0.0\n");
}

TEST(CliOutput, features_summarises_the_module)
{
	Cli cli(FakeLimits{.max_devices = 8});
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"features"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "abi version:      1 (vbsim speaks 1)\n"
		  "features:         block_io stats control discard write_zeroes write_cache\n"
		  "disks:            1 of at most 8\n");
	EXPECT_TRUE(contains(cli.out, "1 of at most 8"));
}

} // namespace
} // namespace vbsim
