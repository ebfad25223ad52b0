// What vbsim does when an operation fails: one line "vbsim: <what was
// attempted>: <reason>" on stderr, nothing on stdout, exit status 1.
#include <fstream>
#include <gtest/gtest.h>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using test::Cli;

/// Expects the last run of @p cli to have failed at run time with
/// exactly @p line on stderr.
::testing::AssertionResult failed_with(const Cli& cli, int status, const std::string& line)
{
	if (status != 1 || !cli.out.empty() || cli.err != line + "\n")
		return ::testing::AssertionFailure()
		       << "status " << status << ", stdout \"" << cli.out << "\", stderr \"" << cli.err << "\"";
	return ::testing::AssertionSuccess();
}

TEST(CliErrors, a_missing_disk_cannot_be_opened)
{
	Cli cli;
	const int status = cli.run({"info", "3"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: opening /dev/virtblkiosim3: No such file or directory"));
}

TEST(CliErrors, reading_past_the_end_is_the_disks_einval)
{
	Cli cli;
	cli.add_disk(0, 64);
	const int status = cli.run({"read", "0", "--lba", "64", "--count", "1"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: reading 1 block at LBA 64 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(CliErrors, a_range_that_straddles_the_end_fails_without_output)
{
	Cli cli;
	cli.add_disk(0, 64);
	const int status = cli.run({"read", "0", "--lba", "60", "--count", "8"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: reading 8 blocks at LBA 60 of /dev/virtblkiosim0: Invalid argument"));
}

TEST(CliErrors, writing_a_read_only_disk_is_erofs)
{
	Cli cli;
	cli.add_disk(0, 64, 4096, true);
	const int status = cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "2"});
	EXPECT_TRUE(failed_with(cli, status,
				"vbsim: writing 2 blocks at LBA 0 of /dev/virtblkiosim0: Read-only file system"));
}

TEST(CliErrors, removing_an_open_disk_is_ebusy)
{
	Cli cli;
	cli.add_disk(0);
	const auto held = cli.module.open_device("0", Access::read_only);
	const int status = cli.run({"remove", "0"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: removing virtblkiosim0: Device or resource busy"));
}

TEST(CliErrors, removing_a_missing_disk_is_enodev)
{
	Cli cli;
	const int status = cli.run({"remove", "virtblkiosim9"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: removing virtblkiosim9: No such device"));
}

TEST(CliErrors, adding_at_a_taken_index_is_eexist)
{
	Cli cli;
	cli.add_disk(2);
	const int status = cli.run({"add", "--index", "2"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: adding virtblkiosim2: File exists"));
}

TEST(CliErrors, adding_beyond_max_devices_is_the_modules_einval)
{
	Cli cli(FakeLimits{.max_devices = 2});
	const int status = cli.run({"add", "--index", "2"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: adding virtblkiosim2: Invalid argument"));
}

TEST(CliErrors, poll_queues_need_a_module_with_polled_io)
{
	Cli cli; // the fake module's features lack "poll"
	const int status = cli.run({"add", "--poll-queues", "2"});
	EXPECT_TRUE(failed_with(cli, status,
				"vbsim: --poll-queues: the loaded module does not support polled I/O "
				"(no \"poll\" in 'vbsim features')"));
	EXPECT_TRUE(cli.module.list().empty());
	// 0 asks for the module's default, which any module takes.
	EXPECT_EQ(cli.run({"add", "--poll-queues", "0"}), 0) << cli.err;
}

TEST(CliErrors, more_poll_queues_than_cpus_is_the_modules_einval)
{
	FakeLimits limits;
	limits.nr_cpus = 4;
	limits.features.bits |= static_cast<std::uint64_t>(Feature::poll);
	Cli cli(limits);
	const int status = cli.run({"add", "--poll-queues", "5"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: adding a disk: Invalid argument"));
}

TEST(CliErrors, a_missing_input_file_is_reported_before_touching_the_disk)
{
	Cli cli;
	cli.add_disk(0);
	const int status = cli.run({"write", "0", "--lba", "0", "--in", "/nonexistent/data.bin"});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: opening /nonexistent/data.bin: No such file or directory"));
	EXPECT_EQ(cli.module.device(0).stats().op(Op::write).requests, 0U);
}

TEST(CliErrors, an_output_path_that_is_a_directory_is_eisdir)
{
	Cli cli;
	cli.add_disk(0);
	test::TempDir dir;
	const std::string path = dir.file("");
	const int status = cli.run({"read", "0", "--lba", "0", "--count", "1", "--out", path});
	EXPECT_TRUE(failed_with(cli, status, "vbsim: opening " + path + ": Is a directory"));
}

TEST(CliErrors, an_empty_input_file_is_a_usage_error)
{
	Cli cli;
	cli.add_disk(0);
	test::TempDir dir;
	const std::string path = dir.file("empty");
	std::ofstream(path).close();
	EXPECT_EQ(cli.run({"write", "0", "--lba", "0", "--in", path}), 2);
	EXPECT_EQ(cli.err, "vbsim: " + path + " is empty: nothing to write\n");
}

TEST(CliErrors, an_input_of_unknown_size_needs_a_count)
{
	Cli cli;
	cli.add_disk(0);
	EXPECT_EQ(cli.run({"write", "0", "--lba", "0", "--in", "/dev/null"}), 2);
	EXPECT_EQ(cli.err, "vbsim: cannot tell the size of /dev/null (not a regular file): give --count\n");
	// With a count, /dev/null is read as empty and the blocks are zeros.
	EXPECT_EQ(cli.run({"write", "0", "--lba", "0", "--in", "/dev/null", "--count", "1"}), 0) << cli.err;
}

TEST(CliErrors, a_disk_missing_for_list_rows_is_marked_not_fatal)
{
	// The fake opens every listed disk; a row that cannot be read shows
	// "?" (here: none, so every row has data) and list still succeeds.
	Cli cli;
	cli.add_disk(0);
	cli.add_disk(1);
	EXPECT_EQ(cli.run({"list"}), 0);
	EXPECT_EQ(cli.out.find('?'), std::string::npos);
}

} // namespace
} // namespace vbsim
