// A result vbsim could not write is a failure: every command checks its
// standard output at the end, and a write error there (a full disk, a
// closed pipe) makes it print one line on stderr and exit 1, as
// coreutils' tools do.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using test::Cli;

constexpr const char* kFullMessage = "vbsim: write error on standard output: No space left on device\n";

TEST(CliStdout, help_and_version_to_a_full_disk_fail)
{
	Cli cli;
	for (const std::vector<std::string>& args :
	     {std::vector<std::string>{"--help"}, {"--version"}, {"add", "--help"}}) {
		SCOPED_TRACE(args.front());
		EXPECT_EQ(cli.run_to_file("/dev/full", args), 1);
		EXPECT_EQ(cli.err, kFullMessage);
	}
}

TEST(CliStdout, every_result_to_a_full_disk_fails)
{
	Cli cli;
	cli.add_disk(0);
	for (const std::vector<std::string>& args :
	     {std::vector<std::string>{"list"}, {"list", "--json"}, {"info", "0"}, {"stats", "0"},
	      {"features"}, {"read", "0", "--lba", "0", "--count", "1"}}) {
		SCOPED_TRACE(args.front());
		EXPECT_EQ(cli.run_to_file("/dev/full", args), 1);
		EXPECT_EQ(cli.err, kFullMessage);
	}
}

TEST(CliStdout, a_failed_command_keeps_its_own_message_and_status)
{
	Cli cli;
	// Nothing written, so nothing to fail on: the usage error stands.
	EXPECT_EQ(cli.run_to_file("/dev/full", {"info"}), 2);
	EXPECT_EQ(cli.err.find("write error"), std::string::npos) << cli.err;
	// Written and flushed fine: success.
	EXPECT_EQ(cli.run_to_file("/dev/null", {"--help"}), 0);
	EXPECT_EQ(cli.err, "");
}

/// The vbsim program itself, stdout on /dev/full: main() hands std::cout
/// to the same check.
TEST(CliStdout, the_program_reports_a_full_stdout)
{
	test::TempDir dir;
	const std::string err_file = dir.file("stderr");
	const std::string command =
		std::string("'") + VBSIM_PROGRAM + "' --help >/dev/full 2>'" + err_file + "'";
	const int status = std::system(command.c_str());
	ASSERT_TRUE(WIFEXITED(status)) << command;
	EXPECT_EQ(WEXITSTATUS(status), 1);
	std::ifstream in(err_file);
	std::stringstream text;
	text << in.rdbuf();
	EXPECT_EQ(text.str(), kFullMessage);
}

} // namespace
} // namespace vbsim
