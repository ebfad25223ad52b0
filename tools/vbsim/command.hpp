// The shape of a vbsim subcommand, and the list of them.
//
// Each subcommand lives in its own cmd_<name>.cpp: a class that declares
// its options on a CLI11 subcommand when constructed and does its work in
// run(). Adding a subcommand means adding a file and a line to
// make_commands().
#pragma once

#include <CLI/App.hpp>
#include <memory>
#include <stdexcept>
#include <vector>

#include "context.hpp"

namespace vbsim::cli {

/// Exit statuses of vbsim.
inline constexpr int k_exit_success = 0;
inline constexpr int k_exit_failure = 1; ///< the operation failed
inline constexpr int k_exit_usage = 2;   ///< the command line was wrong

/// A mistake on the command line found after parsing (a missing --count,
/// an inconsistent configuration): reported like a parse error, exit 2.
class UsageError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

/// One subcommand.
class Command {
public:
	virtual ~Command() = default;
	Command(const Command&) = delete;
	Command& operator=(const Command&) = delete;

	/// True when the command line chose this subcommand.
	[[nodiscard]] bool selected() const { return app_.parsed(); }

	/// Does the work, once the options are parsed. Returns the exit
	/// status; failures throw (std::system_error, UsageError).
	virtual int run(Context& ctx) = 0;

protected:
	/// @p app is the command's CLI11 subcommand, owned by its parent.
	explicit Command(CLI::App& app) : app_(app) {}

	/// The command's CLI11 subcommand, to declare options on.
	[[nodiscard]] CLI::App& app() { return app_; }

private:
	CLI::App& app_;
};

// Each adds its subcommand to @p parent and returns the command.
std::unique_ptr<Command> make_list_command(CLI::App& parent);
std::unique_ptr<Command> make_add_command(CLI::App& parent);
std::unique_ptr<Command> make_remove_command(CLI::App& parent);
std::unique_ptr<Command> make_info_command(CLI::App& parent);
std::unique_ptr<Command> make_stats_command(CLI::App& parent);
std::unique_ptr<Command> make_read_command(CLI::App& parent);
std::unique_ptr<Command> make_write_command(CLI::App& parent);
std::unique_ptr<Command> make_features_command(CLI::App& parent);
std::unique_ptr<Command> make_sim_command(CLI::App& parent);
std::unique_ptr<Command> make_fault_command(CLI::App& parent);
std::unique_ptr<Command> make_powercut_command(CLI::App& parent);
std::unique_ptr<Command> make_model_command(CLI::App& parent);
std::unique_ptr<Command> make_trace_command(CLI::App& parent);

/// Every subcommand, added to @p parent in the order --help lists them.
std::vector<std::unique_ptr<Command>> make_commands(CLI::App& parent);

} // namespace vbsim::cli
