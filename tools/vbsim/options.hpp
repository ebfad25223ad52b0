// Option helpers shared by the subcommands, so that a size, a number or a
// disk name is spelled and checked the same way everywhere. Malformed
// values are CLI11 validation errors: "vbsim: --size: invalid size ...",
// exit status 2.
#pragma once

#include <CLI/App.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace vbsim::cli {

namespace detail {

/// Validator that rewrites a size (parse_size) as plain bytes, at most @p max.
CLI::Validator size_transform(std::uint64_t max);
/// Validator that rewrites a number (parse_uint) as decimal, in [@p min, @p max].
CLI::Validator uint_transform(std::string what, std::uint64_t min, std::uint64_t max);
/// Validator that rewrites a positive duration (parse_duration) as nanoseconds.
CLI::Validator positive_duration_transform();
/// Validator that rewrites a duration of 0 or more (parse_duration) as nanoseconds.
CLI::Validator duration_transform();
/// Validator that rewrites a duration with its unit in [@p min, @p max] as
/// nanoseconds; a bare number is refused (it would mean seconds).
CLI::Validator ranged_duration_transform(std::chrono::nanoseconds min, std::chrono::nanoseconds max);

} // namespace detail

/// --name SIZE: a byte count such as 4096, 512K or 4GiB, into @p target.
template <typename T>
CLI::Option* add_size_option(CLI::App& app, const std::string& name, T& target,
			     const std::string& description)
{
	return app.add_option(name, target, description)
		->type_name("SIZE")
		->transform(detail::size_transform(std::numeric_limits<T>::max()));
}

/// --name N: a decimal or 0x-hexadecimal number from @p min to @p max (at
/// most what T holds), into @p target. @p what names it in messages
/// ("count").
template <typename T>
CLI::Option* add_uint_option(CLI::App& app, const std::string& name, T& target,
			     const std::string& description, const std::string& what,
			     std::uint64_t min = 0,
			     std::uint64_t max = std::numeric_limits<std::uint64_t>::max())
{
	return app.add_option(name, target, description)
		->type_name("N")
		->transform(detail::uint_transform(
			what, min, std::min<std::uint64_t>(max, std::numeric_limits<T>::max())));
}

/// --name DURATION: a duration of more than 0 such as 1s or 250ms, into
/// @p target_ns as nanoseconds.
inline CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
					std::int64_t& target_ns, const std::string& description)
{
	return app.add_option(name, target_ns, description)
		->type_name("DURATION")
		->transform(detail::positive_duration_transform());
}

/// --name DURATION: a duration with its unit (ns, us, ms, s, m or h; "5"
/// alone is refused) from @p min to @p max, into @p target_ns as
/// nanoseconds.
inline CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
					std::int64_t& target_ns, const std::string& description,
					std::chrono::nanoseconds min, std::chrono::nanoseconds max)
{
	return app.add_option(name, target_ns, description)
		->type_name("DURATION")
		->transform(detail::ranged_duration_transform(min, max));
}

/// --name DURATION: a duration of 0 or more such as 0, 100us or 5ms, into
/// @p target_ns as nanoseconds.
inline CLI::Option* add_time_option(CLI::App& app, const std::string& name, std::int64_t& target_ns,
				    const std::string& description)
{
	return app.add_option(name, target_ns, description)
		->type_name("DURATION")
		->transform(detail::duration_transform());
}

/// The positional DEV every per-disk command takes: "0", "virtblkiosim0"
/// or a path (parse_device_name()).
CLI::Option* add_device_argument(CLI::App& app, std::string& target);

/// --json.
CLI::Option* add_json_flag(CLI::App& app, bool& target);

} // namespace vbsim::cli
