// The vbsim command line: parse, run the chosen subcommand, map failures to
// a one-line message and an exit status.
#pragma once

#include <span>
#include <string>

#include "context.hpp"

namespace vbsim::cli {

/// The text of "vbsim --version".
[[nodiscard]] std::string version_text();

/// Runs vbsim with @p args (the arguments after the program name).
///
/// Prints results to ctx.out; on failure prints one line
///
///     vbsim: <what was attempted>: <reason>
///
/// to ctx.err. Returns 0 on success (and for --help, --version), 1 when the
/// operation failed, 2 when the command line was wrong.
[[nodiscard]] int run(std::span<const std::string> args, Context& ctx);

} // namespace vbsim::cli
