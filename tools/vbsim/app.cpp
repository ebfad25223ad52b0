#include "app.hpp"

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>
#include <exception>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <system_error>
#include <vector>

#include "command.hpp"
#include "vbsim/device_types.hpp"

#ifndef VBS_VERSION
#error "the build defines VBS_VERSION, the project's version"
#endif

namespace vbsim::cli {

std::vector<std::unique_ptr<Command>> make_commands(CLI::App& parent)
{
	std::vector<std::unique_ptr<Command>> commands;
	commands.push_back(make_list_command(parent));
	commands.push_back(make_add_command(parent));
	commands.push_back(make_remove_command(parent));
	commands.push_back(make_info_command(parent));
	commands.push_back(make_stats_command(parent));
	commands.push_back(make_read_command(parent));
	commands.push_back(make_write_command(parent));
	commands.push_back(make_features_command(parent));
	commands.push_back(make_sim_command(parent));
	commands.push_back(make_fault_command(parent));
	commands.push_back(make_powercut_command(parent));
	commands.push_back(make_model_command(parent));
	commands.push_back(make_trace_command(parent));
	return commands;
}

std::string version_text()
{
	return fmt::format("vbsim {} (virtblkiosim ABI {})", VBS_VERSION, k_abi_version);
}

namespace {

/// The one-line failure report every error path uses.
void report(Context& ctx, std::string_view message)
{
	fmt::print(ctx.err, "vbsim: {}\n", message);
}

/// Runs the subcommand the command line chose, turning each kind of
/// failure into its exit status.
int run_selected(std::vector<std::unique_ptr<Command>>& commands, Context& ctx)
{
	try {
		for (auto& command : commands) {
			if (command->selected())
				return command->run(ctx);
		}
		report(ctx, "a subcommand is required (see vbsim --help)");
		return k_exit_usage;
	} catch (const UsageError& e) {
		report(ctx, e.what());
		return k_exit_usage;
	} catch (const std::invalid_argument& e) {
		// A parse_*() helper rejected text the options did not check.
		report(ctx, e.what());
		return k_exit_usage;
	} catch (const std::exception& e) {
		// std::system_error: "<what was attempted>: <strerror>"
		report(ctx, e.what());
		return k_exit_failure;
	}
}

} // namespace

int run(std::span<const std::string> args, Context& ctx)
{
	CLI::App app("Drive virtblkiosim, the simulated Linux block device.", "vbsim");
	app.set_version_flag("--version", version_text());
	// At most one subcommand; none is reported by run_selected(), so that
	// an unknown word is reported as such, not as a missing subcommand.
	app.require_subcommand(0, 1);
	app.footer("Run 'vbsim COMMAND --help' for the options of a command; see vbsim(1).");
	std::vector<std::unique_ptr<Command>> commands = make_commands(app);

	try {
		// CLI11 takes the arguments last first.
		std::vector<std::string> reversed(args.rbegin(), args.rend());
		app.parse(reversed);
	} catch (const CLI::ParseError& e) {
		if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
			return app.exit(e, ctx.out, ctx.err); // --help, --version
		report(ctx, e.what());
		return k_exit_usage;
	}

	const int status = run_selected(commands, ctx);
	ctx.out.flush();
	return status;
}

} // namespace vbsim::cli
