// How libvbsim reports failures.
//
// Every operation that can fail throws std::system_error whose code is the
// errno (in std::system_category()) and whose what() reads
//
//     <what was attempted>: <strerror(errno)>
//
// for example "reading 8 blocks at LBA 100 of /dev/virtblkiosim0:
// Input/output error". Compare codes with std::errc:
//
//     catch (const std::system_error& e) {
//             if (e.code() == std::errc::read_only_file_system) ...
//     }
//
// Malformed text handed to the parse_*() helpers (units.hpp, device_name.hpp)
// is a different kind of mistake and throws std::invalid_argument instead.
#pragma once

#include <string>
#include <system_error>

namespace vbsim {

/// The error for errno @p err while doing @p what ("opening /dev/x").
[[nodiscard]] std::system_error make_error(int err, const std::string& what);

/// Throws make_error(@p err, @p what).
[[noreturn]] void throw_error(int err, const std::string& what);

} // namespace vbsim
