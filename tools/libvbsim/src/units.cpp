#include "vbsim/units.hpp"

#include <array>
#include <cctype>
#include <fmt/format.h>
#include <limits>
#include <optional>
#include <stdexcept>

#include "parse_number.hpp"

namespace vbsim {

namespace {

using Nanos = std::chrono::nanoseconds;

constexpr std::uint64_t k_u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::array<std::string_view, 6> k_size_units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

bool iequals(std::string_view a, std::string_view b)
{
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++) {
		const auto ca = static_cast<unsigned char>(a[i]);
		const auto cb = static_cast<unsigned char>(b[i]);
		if (std::tolower(ca) != std::tolower(cb))
			return false;
	}
	return true;
}

/// log2 of the multiplier a size unit stands for: "" and "B" are 0, "K",
/// "KiB" and "KB" are 10, and so on up to P; nullopt for anything else.
std::optional<unsigned> size_unit_shift(std::string_view unit)
{
	if (unit.empty() || iequals(unit, "B"))
		return 0;
	constexpr std::string_view letters = "KMGTP";
	const auto pos = letters.find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
	if (pos == std::string_view::npos)
		return std::nullopt;
	const std::string_view tail = unit.substr(1);
	if (!tail.empty() && !iequals(tail, "B") && !iequals(tail, "iB"))
		return std::nullopt;
	return static_cast<unsigned>(10 * (pos + 1));
}

/// Throws the std::invalid_argument every parser uses:
/// invalid <what> "<text>": <why>
[[noreturn]] void reject(std::string_view what, std::string_view text, std::string_view why)
{
	throw std::invalid_argument(fmt::format("invalid {} \"{}\": {}", what, text, why));
}

/// The checks every parser starts with: something to read, no sign.
void check_start(std::string_view what, std::string_view text, std::string_view plural)
{
	if (text.empty())
		reject(what, text, "empty");
	if (text.front() == '-')
		reject(what, text, fmt::format("{} cannot be negative", plural));
}

/// Nanoseconds per duration unit, or nullopt for an unknown unit.
std::optional<std::uint64_t> duration_unit(std::string_view unit)
{
	struct Unit {
		std::string_view name;
		std::uint64_t nanos;
	};
	static constexpr std::array<Unit, 7> units = {{
		{"", 1'000'000'000},
		{"ns", 1},
		{"us", 1'000},
		{"ms", 1'000'000},
		{"s", 1'000'000'000},
		{"m", 60'000'000'000},
		{"h", 3'600'000'000'000},
	}};
	for (const Unit& u : units) {
		if (u.name == unit)
			return u.nanos;
	}
	return std::nullopt;
}

} // namespace

std::uint64_t parse_size(std::string_view text)
{
	constexpr std::string_view what = "size";
	check_start(what, text, "sizes");

	const auto number = detail::leading_number(text);
	if (!number)
		reject(what, text, "expected a number of bytes with an optional unit, such as 4096, 512K or 4GiB");
	if (number->rest.starts_with('.'))
		reject(what, text, "fractions are not supported; use a smaller unit (1536M rather than 1.5G)");

	const auto shift = size_unit_shift(number->rest);
	if (!shift)
		reject(what, text, fmt::format("unknown unit \"{}\" (use K, M, G, T or P, optionally followed by iB or B)",
					       number->rest));
	if (number->overflow || number->value > (k_u64_max >> *shift))
		reject(what, text, fmt::format("too large (the most is {} bytes)", k_u64_max));
	return number->value << *shift;
}

std::uint64_t parse_uint(std::string_view text, std::uint64_t max, std::string_view what)
{
	check_start(what, text, "values");

	const bool hex = text.starts_with("0x") || text.starts_with("0X");
	const auto number = detail::leading_number(hex ? text.substr(2) : text, hex ? 16 : 10);
	if (!number || !number->rest.empty())
		reject(what, text, "expected a decimal number, or a hexadecimal one starting with 0x");
	if (number->overflow || number->value > max)
		reject(what, text, fmt::format("too large (the most is {})", max));
	return number->value;
}

Nanos parse_duration(std::string_view text)
{
	constexpr std::string_view what = "duration";
	check_start(what, text, "durations");

	const auto number = detail::leading_number(text);
	if (!number)
		reject(what, text, "expected a number with an optional unit, such as 1s, 500ms or 2");
	const auto nanos_per_unit = duration_unit(number->rest);
	if (!nanos_per_unit)
		reject(what, text, fmt::format("unknown unit \"{}\" (use ns, us, ms, s, m or h)", number->rest));

	constexpr auto max_nanos = static_cast<std::uint64_t>(std::numeric_limits<Nanos::rep>::max());
	if (number->overflow || number->value > max_nanos / *nanos_per_unit)
		reject(what, text, "too long");
	return Nanos(static_cast<Nanos::rep>(number->value * *nanos_per_unit));
}

std::string format_size(std::uint64_t bytes)
{
	if (bytes < 1024)
		return fmt::format("{} B", bytes);

	std::size_t unit = 0;
	while (unit + 1 < k_size_units.size() && bytes >> (10 * (unit + 1)) != 0)
		unit++;
	const unsigned shift = static_cast<unsigned>(10 * unit);
	if (bytes % (std::uint64_t{1} << shift) == 0)
		return fmt::format("{} {}", bytes >> shift, k_size_units[unit]);
	double value = static_cast<double>(bytes) / static_cast<double>(std::uint64_t{1} << shift);
	if (value >= 1023.95 && unit + 1 < k_size_units.size()) {
		value /= 1024; // would print as "1024.0 KiB"
		unit++;
	}
	return fmt::format("{:.1f} {}", value, k_size_units[unit]);
}

std::string format_rate(double bytes_per_sec)
{
	if (bytes_per_sec < 1024)
		return fmt::format("{:.0f} B/s", bytes_per_sec);
	std::size_t unit = 0;
	double value = bytes_per_sec;
	while (unit + 1 < k_size_units.size() && value >= 1024) {
		value /= 1024;
		unit++;
	}
	return fmt::format("{:.1f} {}/s", value, k_size_units[unit]);
}

std::string format_duration(Nanos d)
{
	using namespace std::chrono;
	const auto n = d.count();
	if (n != 0 && n % duration_cast<Nanos>(seconds(1)).count() == 0)
		return fmt::format("{}s", duration_cast<seconds>(d).count());
	if (n != 0 && n % duration_cast<Nanos>(milliseconds(1)).count() == 0)
		return fmt::format("{}ms", duration_cast<milliseconds>(d).count());
	if (n != 0 && n % duration_cast<Nanos>(microseconds(1)).count() == 0)
		return fmt::format("{}us", duration_cast<microseconds>(d).count());
	return fmt::format("{}ns", n);
}

} // namespace vbsim
