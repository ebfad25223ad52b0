// Private helpers shared by the parsers of units.cpp and device_name.cpp.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace vbsim::detail {

/// Result of reading the leading digits of a text.
struct LeadingNumber {
	std::uint64_t value = 0;
	std::string_view rest;  ///< what follows the digits
	bool overflow = false;  ///< the digits do not fit 64 bits
};

/// Reads the decimal (or, with @p base 16, hexadecimal) digits at the
/// start of @p text; nullopt when there are none.
inline std::optional<LeadingNumber> leading_number(std::string_view text, int base = 10)
{
	LeadingNumber n;
	const char* end = text.data() + text.size();
	const auto [ptr, ec] = std::from_chars(text.data(), end, n.value, base);
	if (ec == std::errc::invalid_argument)
		return std::nullopt;
	n.overflow = ec == std::errc::result_out_of_range;
	n.rest = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
	return n;
}

/// @p text as a whole decimal number without sign or spaces; nullopt for
/// anything else, including values beyond 64 bits.
inline std::optional<std::uint64_t> whole_decimal(std::string_view text)
{
	const auto n = leading_number(text);
	if (!n || n->overflow || !n->rest.empty())
		return std::nullopt;
	return n->value;
}

} // namespace vbsim::detail
