// parse_size(), parse_uint(), parse_duration() and the format_*() helpers.
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

#include "vbsim/units.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;

/// The message parse_*() threw for @p text, or "" if it did not throw.
template <typename Parse>
std::string rejection(Parse parse)
{
	try {
		parse();
	} catch (const std::invalid_argument& e) {
		return e.what();
	}
	return "";
}

TEST(ParseSize, plain_digits_are_bytes)
{
	EXPECT_EQ(parse_size("0"), 0U);
	EXPECT_EQ(parse_size("4096"), 4096U);
	EXPECT_EQ(parse_size("18446744073709551615"), 18446744073709551615ULL);
}

TEST(ParseSize, units_are_binary_with_optional_ib_or_b)
{
	EXPECT_EQ(parse_size("512K"), 512U * 1024);
	EXPECT_EQ(parse_size("512KiB"), 512U * 1024);
	EXPECT_EQ(parse_size("512KB"), 512U * 1024);
	EXPECT_EQ(parse_size("4M"), 4ULL << 20);
	EXPECT_EQ(parse_size("4G"), 4ULL << 30);
	EXPECT_EQ(parse_size("4GiB"), 4ULL << 30);
	EXPECT_EQ(parse_size("1T"), 1ULL << 40);
	EXPECT_EQ(parse_size("1P"), 1ULL << 50);
	EXPECT_EQ(parse_size("16383P"), 16383ULL << 50);
	EXPECT_EQ(parse_size("100B"), 100U);
}

TEST(ParseSize, units_ignore_case)
{
	EXPECT_EQ(parse_size("4g"), 4ULL << 30);
	EXPECT_EQ(parse_size("4gib"), 4ULL << 30);
	EXPECT_EQ(parse_size("8kb"), 8192U);
	EXPECT_EQ(parse_size("7b"), 7U);
}

TEST(ParseSize, rejects_negative_sizes)
{
	EXPECT_EQ(rejection([] { (void)parse_size("-1"); }), "invalid size \"-1\": sizes cannot be negative");
	EXPECT_EQ(rejection([] { (void)parse_size("-4G"); }), "invalid size \"-4G\": sizes cannot be negative");
}

TEST(ParseSize, rejects_empty_text)
{
	EXPECT_EQ(rejection([] { (void)parse_size(""); }), "invalid size \"\": empty");
}

TEST(ParseSize, rejects_unknown_units_naming_them)
{
	EXPECT_EQ(rejection([] { (void)parse_size("4X"); }),
		  "invalid size \"4X\": unknown unit \"X\" (use K, M, G, T or P, optionally followed by iB or B)");
	EXPECT_NE(rejection([] { (void)parse_size("4GG"); }).find("unknown unit \"GG\""), std::string::npos);
	EXPECT_NE(rejection([] { (void)parse_size("4iB"); }).find("unknown unit \"iB\""), std::string::npos);
	EXPECT_NE(rejection([] { (void)parse_size("4 G"); }).find("unknown unit \" G\""), std::string::npos);
	EXPECT_NE(rejection([] { (void)parse_size("4E"); }).find("unknown unit \"E\""), std::string::npos);
}

TEST(ParseSize, rejects_junk_without_digits)
{
	const std::string expected = "expected a number of bytes with an optional unit, such as 4096, 512K or 4GiB";
	for (const char* text : {"G", "abc", " 4G", "+4G", "0x10"}) {
		const std::string message = rejection([text] { (void)parse_size(text); });
		if (std::string(text) == "0x10")
			EXPECT_NE(message.find("unknown unit \"x10\""), std::string::npos) << message;
		else
			EXPECT_NE(message.find(expected), std::string::npos) << text << ": " << message;
	}
}

TEST(ParseSize, rejects_fractions_suggesting_a_smaller_unit)
{
	EXPECT_EQ(rejection([] { (void)parse_size("1.5G"); }),
		  "invalid size \"1.5G\": fractions are not supported; use a smaller unit (1536M rather than 1.5G)");
}

TEST(ParseSize, rejects_overflow)
{
	const std::string too_large = "too large (the most is 18446744073709551615 bytes)";
	EXPECT_NE(rejection([] { (void)parse_size("18446744073709551616"); }).find(too_large), std::string::npos);
	EXPECT_NE(rejection([] { (void)parse_size("16384P"); }).find(too_large), std::string::npos);
	EXPECT_NE(rejection([] { (void)parse_size("99999999999999999999999G"); }).find(too_large),
		  std::string::npos);
}

TEST(ParseUint, reads_decimal_and_hexadecimal)
{
	EXPECT_EQ(parse_uint("0", 10, "count"), 0U);
	EXPECT_EQ(parse_uint("10", 10, "count"), 10U);
	EXPECT_EQ(parse_uint("0x10", 100, "count"), 16U);
	EXPECT_EQ(parse_uint("0XfF", 255, "pattern"), 255U);
	// A leading zero is decimal, never octal.
	EXPECT_EQ(parse_uint("010", 100, "LBA"), 10U);
}

TEST(ParseUint, rejects_negative_junk_and_values_above_the_maximum)
{
	EXPECT_EQ(rejection([] { (void)parse_uint("-1", 10, "LBA"); }), "invalid LBA \"-1\": values cannot be negative");
	EXPECT_EQ(rejection([] { (void)parse_uint("11", 10, "count"); }),
		  "invalid count \"11\": too large (the most is 10)");
	EXPECT_EQ(rejection([] { (void)parse_uint("12abc", 100, "count"); }),
		  "invalid count \"12abc\": expected a decimal number, or a hexadecimal one starting with 0x");
	EXPECT_NE(rejection([] { (void)parse_uint("0x", 100, "count"); }), "");
	EXPECT_NE(rejection([] { (void)parse_uint("", 100, "count"); }), "");
	EXPECT_NE(rejection([] { (void)parse_uint("99999999999999999999", UINT64_MAX, "LBA"); }).find("too large"),
		  std::string::npos);
}

TEST(ParseDuration, reads_units_and_plain_seconds)
{
	EXPECT_EQ(parse_duration("1s"), 1s);
	EXPECT_EQ(parse_duration("2"), 2s);
	EXPECT_EQ(parse_duration("500ms"), 500ms);
	EXPECT_EQ(parse_duration("250us"), 250us);
	EXPECT_EQ(parse_duration("42ns"), 42ns);
	EXPECT_EQ(parse_duration("3m"), 180s);
	EXPECT_EQ(parse_duration("1h"), 3600s);
	EXPECT_EQ(parse_duration("0"), 0s);
}

TEST(ParseDuration, rejects_negative_unknown_units_and_overflow)
{
	EXPECT_EQ(rejection([] { (void)parse_duration("-1s"); }),
		  "invalid duration \"-1s\": durations cannot be negative");
	EXPECT_EQ(rejection([] { (void)parse_duration("1x"); }),
		  "invalid duration \"1x\": unknown unit \"x\" (use ns, us, ms, s, m or h)");
	EXPECT_EQ(rejection([] { (void)parse_duration("9999999999999h"); }),
		  "invalid duration \"9999999999999h\": too long");
	EXPECT_NE(rejection([] { (void)parse_duration("s"); }), "");
	EXPECT_NE(rejection([] { (void)parse_duration("1.5s"); }), "");
}

TEST(FormatSize, picks_the_largest_unit_and_one_decimal)
{
	EXPECT_EQ(format_size(0), "0 B");
	EXPECT_EQ(format_size(1023), "1023 B");
	EXPECT_EQ(format_size(1024), "1 KiB");
	EXPECT_EQ(format_size(1536), "1.5 KiB");
	EXPECT_EQ(format_size(4ULL << 30), "4 GiB");
	EXPECT_EQ(format_size(1ULL << 50), "1 PiB");
	EXPECT_EQ(format_size((1ULL << 20) - 1), "1.0 MiB");
}

TEST(FormatRate, shows_bytes_per_second)
{
	EXPECT_EQ(format_rate(0), "0 B/s");
	EXPECT_EQ(format_rate(512), "512 B/s");
	EXPECT_EQ(format_rate(4 * 1024 * 1024), "4.0 MiB/s");
}

TEST(FormatDuration, uses_the_largest_exact_unit_and_reads_back)
{
	EXPECT_EQ(format_duration(1s), "1s");
	EXPECT_EQ(format_duration(1500ms), "1500ms");
	EXPECT_EQ(format_duration(100us), "100us");
	EXPECT_EQ(format_duration(42ns), "42ns");
	EXPECT_EQ(format_duration(0ns), "0ns");
	for (auto d : {1s, std::chrono::seconds(90)})
		EXPECT_EQ(parse_duration(format_duration(d)), d);
	EXPECT_EQ(parse_duration(format_duration(1500ms)), 1500ms);
}

} // namespace
} // namespace vbsim
