// vbsim read and write: the data that moves, in whole blocks, split into
// transfers the disk accepts.
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

#include "cli_harness.hpp"
#include "test_bytes.hpp"

namespace vbsim {
namespace {

using test::Cli;

std::vector<std::byte> file_bytes(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	return test::bytes_of(text);
}

void write_file(const std::string& path, const std::vector<std::byte>& bytes)
{
	std::ofstream out(path, std::ios::binary);
	out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

/// Blocks @p lba.. of disk @p index, read straight from the fake.
std::vector<std::byte> disk_bytes(Cli& cli, std::uint32_t index, std::uint64_t lba, std::size_t bytes)
{
	std::vector<std::byte> out(bytes);
	cli.module.device(index).read_blocks(lba, out);
	return out;
}

TEST(CliIo, a_pattern_written_reads_back_into_a_file)
{
	Cli cli;
	cli.add_disk(0);
	test::TempDir dir;
	ASSERT_EQ(cli.run({"write", "0", "--lba", "3", "--pattern", "0xab", "--count", "2"}), 0) << cli.err;
	EXPECT_TRUE(cli.out.empty());
	ASSERT_EQ(cli.run({"read", "0", "--lba", "3", "--count", "2", "--out", dir.file("out.bin")}), 0) << cli.err;
	EXPECT_TRUE(cli.out.empty());
	EXPECT_EQ(file_bytes(dir.file("out.bin")), test::filled(2 * 4096, 0xab));
}

TEST(CliIo, a_single_digit_pattern_is_that_byte_value)
{
	Cli cli;
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "7", "--count", "1"}), 0) << cli.err;
	EXPECT_EQ(disk_bytes(cli, 0, 0, 4096), test::filled(4096, 7));
}

TEST(CliIo, read_without_out_prints_a_hexdump_at_disk_offsets)
{
	Cli cli;
	cli.add_disk(0);
	auto block = test::filled(4096, 0);
	for (std::size_t i = 0; i < 5; i++)
		block[i] = static_cast<std::byte>("vbsim"[i]);
	cli.module.device(0).write_blocks(2, block, WriteMode::normal);

	ASSERT_EQ(cli.run({"read", "0", "--lba", "2", "--count", "1"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "00002000  76 62 73 69 6d 00 00 00  00 00 00 00 00 00 00 00  |vbsim...........|\n"
		  "00002010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
		  "*\n"
		  "00003000\n");
}

TEST(CliIo, an_input_file_is_padded_with_zeros_to_whole_blocks)
{
	Cli cli;
	cli.add_disk(0);
	test::TempDir dir;
	const auto data = test::counting(5000, 1);
	write_file(dir.file("in.bin"), data);
	auto before = test::filled(3 * 4096, 0xee);
	cli.module.device(0).write_blocks(10, before, WriteMode::normal);

	ASSERT_EQ(cli.run({"write", "0", "--lba", "10", "--in", dir.file("in.bin")}), 0) << cli.err;
	auto expected = data;
	expected.resize(2 * 4096, std::byte{0});
	EXPECT_EQ(disk_bytes(cli, 0, 10, 2 * 4096), expected);
	// The block after the file's two is untouched.
	EXPECT_EQ(disk_bytes(cli, 0, 12, 4096), test::filled(4096, 0xee));
}

TEST(CliIo, count_cuts_or_pads_an_input_file)
{
	Cli cli;
	cli.add_disk(0);
	test::TempDir dir;
	write_file(dir.file("in.bin"), test::filled(3 * 4096, 0x33));

	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--in", dir.file("in.bin"), "--count", "1"}), 0) << cli.err;
	EXPECT_EQ(disk_bytes(cli, 0, 0, 4096), test::filled(4096, 0x33));
	EXPECT_EQ(disk_bytes(cli, 0, 1, 4096), test::filled(4096, 0));

	ASSERT_EQ(cli.run({"write", "0", "--lba", "20", "--in", dir.file("in.bin"), "--count", "4"}), 0) << cli.err;
	EXPECT_EQ(disk_bytes(cli, 0, 20, 3 * 4096), test::filled(3 * 4096, 0x33));
	EXPECT_EQ(disk_bytes(cli, 0, 23, 4096), test::filled(4096, 0));
}

TEST(CliIo, long_transfers_are_split_at_max_io_bytes)
{
	Cli cli(FakeLimits{.max_io_bytes = 8192});
	cli.add_disk(0);
	test::TempDir dir;
	const auto data = test::counting(5 * 4096, 9);
	write_file(dir.file("in.bin"), data);

	ASSERT_EQ(cli.run({"write", "0", "--lba", "1", "--in", dir.file("in.bin")}), 0) << cli.err;
	ASSERT_EQ(cli.run({"read", "0", "--lba", "1", "--count", "5", "--out", dir.file("out.bin")}), 0) << cli.err;
	EXPECT_EQ(file_bytes(dir.file("out.bin")), data);

	const DeviceStats s = cli.module.device(0).stats();
	EXPECT_EQ(s.op(Op::write).ioctl_requests, 3U); // 2 + 2 + 1 blocks
	EXPECT_EQ(s.op(Op::read).ioctl_requests, 3U);
}

TEST(CliIo, small_logical_blocks_work_too)
{
	Cli cli;
	cli.add_disk(0, 128, 512);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "1", "--pattern", "0x5a", "--count", "1"}), 0) << cli.err;
	ASSERT_EQ(cli.run({"read", "0", "--lba", "0", "--count", "2"}), 0) << cli.err;
	EXPECT_EQ(cli.out,
		  "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
		  "*\n"
		  "00000200  5a 5a 5a 5a 5a 5a 5a 5a  5a 5a 5a 5a 5a 5a 5a 5a  |ZZZZZZZZZZZZZZZZ|\n"
		  "*\n"
		  "00000400\n");
}

TEST(CliIo, fua_is_passed_with_every_transfer)
{
	Cli cli(FakeLimits{.max_io_bytes = 4096});
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "3", "--fua"}), 0) << cli.err;
	EXPECT_EQ(cli.module.device(0).fua_writes(), 3U);
	ASSERT_EQ(cli.run({"write", "0", "--lba", "0", "--pattern", "1", "--count", "1"}), 0) << cli.err;
	EXPECT_EQ(cli.module.device(0).fua_writes(), 3U);
}

TEST(CliIo, a_read_only_disk_can_be_read)
{
	Cli cli;
	cli.add_disk(0, 64, 4096, true);
	EXPECT_EQ(cli.run({"read", "0", "--lba", "63", "--count", "1"}), 0) << cli.err;
}

TEST(CliIo, handles_are_closed_when_a_command_ends)
{
	Cli cli;
	cli.add_disk(0);
	ASSERT_EQ(cli.run({"read", "0", "--lba", "0", "--count", "1"}), 0);
	ASSERT_EQ(cli.run({"read", "0", "--lba", "64", "--count", "1"}), 1);
	EXPECT_EQ(cli.module.open_count(0), 0U);
	EXPECT_EQ(cli.run({"remove", "0"}), 0) << cli.err;
}

} // namespace
} // namespace vbsim
