#include "options.hpp"

#include <cctype>
#include <fmt/format.h>
#include <stdexcept>

#include "vbsim/device_name.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace detail {

// A CLI11 validator returns an empty string to accept, a message to reject.

CLI::Validator size_transform(std::uint64_t max)
{
	return CLI::Validator(
		[max](std::string& text) -> std::string {
			try {
				const std::uint64_t bytes = parse_size(text);
				if (bytes > max)
					return fmt::format("invalid size \"{}\": too large (the most is {} bytes)",
							   text, max);
				text = std::to_string(bytes);
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

CLI::Validator uint_transform(std::string what, std::uint64_t min, std::uint64_t max)
{
	return CLI::Validator(
		[what = std::move(what), min, max](std::string& text) -> std::string {
			try {
				const std::uint64_t value = parse_uint(text, max, what);
				if (value < min)
					return fmt::format("invalid {} \"{}\": must be at least {}", what, text,
							   min);
				text = std::to_string(value);
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

CLI::Validator positive_duration_transform()
{
	return CLI::Validator(
		[](std::string& text) -> std::string {
			try {
				const auto d = parse_duration(text);
				if (d.count() == 0)
					return fmt::format("invalid duration \"{}\": must be more than 0", text);
				text = std::to_string(d.count());
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

CLI::Validator duration_transform()
{
	return CLI::Validator(
		[](std::string& text) -> std::string {
			try {
				text = std::to_string(parse_duration(text).count());
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

CLI::Validator ranged_duration_transform(std::chrono::nanoseconds min, std::chrono::nanoseconds max)
{
	return CLI::Validator(
		[min, max](std::string& text) -> std::string {
			const std::string range =
				fmt::format("from {} to {}", format_duration(min), format_duration(max));
			if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.back())) != 0)
				return fmt::format("invalid duration \"{}\": needs a unit (ns, us, ms, s, m "
						   "or h): a duration {}",
						   text, range);
			try {
				const auto d = parse_duration(text);
				if (d < min || d > max)
					return fmt::format("invalid duration \"{}\": must be {}", text, range);
				text = std::to_string(d.count());
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

} // namespace detail

CLI::Option* add_device_argument(CLI::App& app, std::string& target)
{
	const CLI::Validator device_name(
		[](std::string& text) -> std::string {
			try {
				(void)parse_device_name(text);
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
	return app.add_option("DEV", target, "The disk: 0, virtblkiosim0 or /dev/virtblkiosim0")
		->required()
		->check(device_name);
}

CLI::Option* add_json_flag(CLI::App& app, bool& target)
{
	return app.add_flag("--json", target, "Print JSON (keys documented in vbsim(1))");
}

} // namespace vbsim::cli
