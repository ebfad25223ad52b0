#include "app.hpp"

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <ostream>
#include <streambuf>
#include <system_error>
#include <type_traits>
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

/// A stream buffer in front of the results' own that remembers why the
/// first write through it failed: by the time the command ends errno has
/// long been overwritten, and the report should say "No space left on
/// device", not only that something failed. Unbuffered: every write goes
/// straight through, so the reason is caught where it happens.
class ReasonKeepingBuf final : public std::streambuf {
public:
	explicit ReasonKeepingBuf(std::streambuf& target) : target_(target) {}

	/// The errno of the first failed write or flush, 0 if none failed.
	[[nodiscard]] int error() const { return error_; }

protected:
	int_type overflow(int_type ch) override
	{
		if (traits_type::eq_int_type(ch, traits_type::eof()))
			return sync() == 0 ? traits_type::not_eof(ch) : traits_type::eof();
		return checked([&] { return target_.sputc(traits_type::to_char_type(ch)); },
			       [](int_type r) { return traits_type::eq_int_type(r, traits_type::eof()); });
	}

	std::streamsize xsputn(const char_type* s, std::streamsize n) override
	{
		return checked([&] { return target_.sputn(s, n); },
			       [n](std::streamsize done) { return done < n; });
	}

	int sync() override
	{
		return checked([&] { return target_.pubsync(); }, [](int r) { return r != 0; });
	}

private:
	/// Runs @p write with errno cleared; if @p failed says it failed,
	/// keeps its errno (EIO when it set none). errno is left as it was
	/// otherwise, so the commands never see this buffer.
	template <typename Write, typename Failed>
	std::invoke_result_t<Write> checked(Write write, Failed failed)
	{
		const int saved = errno;
		errno = 0;
		const auto result = write();
		if (failed(result) && error_ == 0)
			error_ = errno != 0 ? errno : EIO;
		errno = saved;
		return result;
	}

	std::streambuf& target_;
	int error_ = 0;
};

/// Puts a ReasonKeepingBuf in front of @p out's buffer for its lifetime.
class KeepWriteErrors {
public:
	explicit KeepWriteErrors(std::ostream& out) : out_(out), original_(*out.rdbuf()), buf_(original_)
	{
		out_.rdbuf(&buf_);
	}
	KeepWriteErrors(const KeepWriteErrors&) = delete;
	KeepWriteErrors& operator=(const KeepWriteErrors&) = delete;
	~KeepWriteErrors() { out_.rdbuf(&original_); }

	[[nodiscard]] int error() const { return buf_.error(); }

private:
	std::ostream& out_;
	std::streambuf& original_;
	ReasonKeepingBuf buf_;
};

/// Flushes the results and checks that every byte of them was written:
/// output lost to a full disk or a closed pipe is a failure of the
/// command, however it went otherwise (as coreutils' close_stdout()).
/// Returns @p status, or k_exit_failure after a one-line report.
int check_output(Context& ctx, const KeepWriteErrors& writes, int status)
{
	ctx.out.flush();
	if (writes.error() == 0 && ctx.out.good())
		return status;
	report(ctx, fmt::format("write error on standard output: {}",
				std::strerror(writes.error() != 0 ? writes.error() : EIO)));
	return k_exit_failure;
}

/// Parses @p args and runs the command they choose.
int parse_and_run(std::span<const std::string> args, Context& ctx)
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

	return run_selected(commands, ctx);
}

} // namespace

int run(std::span<const std::string> args, Context& ctx)
{
	const KeepWriteErrors writes(ctx.out);
	const int status = parse_and_run(args, ctx);
	return check_output(ctx, writes, status);
}

} // namespace vbsim::cli
