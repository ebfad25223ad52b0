// HexDumper: the "hexdump -C" layout.
#include <gtest/gtest.h>
#include <sstream>

#include "test_bytes.hpp"
#include "vbsim/hexdump.hpp"

namespace vbsim {
namespace {

std::string dump(const std::vector<std::byte>& bytes, std::uint64_t base = 0)
{
	std::ostringstream out;
	HexDumper dumper(out, base);
	dumper.feed(bytes);
	dumper.finish();
	return out.str();
}

TEST(HexDump, prints_hex_and_ascii_like_hexdump_c)
{
	EXPECT_EQ(dump(test::bytes_of("Hello, virtblkiosim!\n")),
		  "00000000  48 65 6c 6c 6f 2c 20 76  69 72 74 62 6c 6b 69 6f  |Hello, virtblkio|\n"
		  "00000010  73 69 6d 21 0a                                    |sim!.|\n"
		  "00000015\n");
}

TEST(HexDump, squeezes_repeated_lines_into_one_star)
{
	EXPECT_EQ(dump(test::filled(64, 0)),
		  "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
		  "*\n"
		  "00000040\n");
}

TEST(HexDump, offsets_start_at_the_base)
{
	EXPECT_EQ(dump(test::filled(16, 0xff), 0x1000),
		  "00001000  ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff  |................|\n"
		  "00001010\n");
}

TEST(HexDump, offsets_grow_past_32_bits)
{
	EXPECT_EQ(dump(test::filled(1, 0x41), 0x123456789ULL),
		  "123456789  41                                                |A|\n"
		  "12345678a\n");
}

TEST(HexDump, pieces_fed_separately_dump_like_one_buffer)
{
	const auto bytes = test::counting(100);
	std::ostringstream out;
	HexDumper dumper(out);
	dumper.feed(std::span(bytes).first(7));
	dumper.feed(std::span(bytes).subspan(7, 40));
	dumper.feed(std::span(bytes).subspan(47));
	dumper.finish();
	EXPECT_EQ(out.str(), dump(bytes));
}

TEST(HexDump, a_changed_line_after_a_run_is_printed)
{
	auto bytes = test::filled(64, 0);
	bytes[63] = std::byte{1};
	EXPECT_EQ(dump(bytes),
		  "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
		  "*\n"
		  "00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 01  |................|\n"
		  "00000040\n");
}

TEST(HexDump, nothing_fed_prints_only_the_offset)
{
	EXPECT_EQ(dump({}), "00000000\n");
}

} // namespace
} // namespace vbsim
