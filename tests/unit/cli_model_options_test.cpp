// The ranges and units of the `vbsim model run` options shared by every
// model (--threads, --batch, --stats-interval): each at its least and
// greatest value, just outside them, and a duration without a unit.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "cli_harness.hpp"

namespace vbsim {
namespace {

using test::Cli;

/// Runs `vbsim model run identity 0 OPTION VALUE` (no model kernel here,
/// so an accepted command line fails at run time with status 1).
int run_with(Cli& cli, const std::string& option, const std::string& value)
{
	return cli.run({"model", "run", "identity", "0", option, value});
}

constexpr const char* kAccepted = "vbsim: model sessions are not available here\n";

TEST(CliModelOptions, threads_and_batch_have_ranges)
{
	struct Case {
		std::string option, min, max, below, above;
	};
	for (const Case& c : {Case{"--threads", "1", "64", "0", "65"},
			      Case{"--batch", "1", "4096", "0", "4097"}}) {
		SCOPED_TRACE(c.option);
		Cli cli;
		EXPECT_EQ(run_with(cli, c.option, c.min), 1);
		EXPECT_EQ(cli.err, kAccepted);
		EXPECT_EQ(run_with(cli, c.option, c.max), 1);
		EXPECT_EQ(cli.err, kAccepted);
		for (const auto& [bad, limit] : {std::pair{c.below, "at least " + c.min},
						  std::pair{c.above, "the most is " + c.max}}) {
			EXPECT_EQ(run_with(cli, c.option, bad), 2);
			EXPECT_NE(cli.err.find(c.option), std::string::npos) << cli.err;
			EXPECT_NE(cli.err.find("\"" + bad + "\""), std::string::npos) << cli.err;
			EXPECT_NE(cli.err.find(limit), std::string::npos) << cli.err;
			EXPECT_EQ(cli.err.find('\n'), cli.err.size() - 1) << cli.err;
		}
	}
}

TEST(CliModelOptions, stats_interval_needs_a_unit_and_a_range)
{
	Cli cli;
	EXPECT_EQ(run_with(cli, "--stats-interval", "10ms"), 1);
	EXPECT_EQ(cli.err, kAccepted);
	EXPECT_EQ(run_with(cli, "--stats-interval", "1h"), 1);
	EXPECT_EQ(cli.err, kAccepted);
	for (const std::string bad : {"9ms", "3601s", "5"}) {
		SCOPED_TRACE(bad);
		EXPECT_EQ(run_with(cli, "--stats-interval", bad), 2);
		EXPECT_NE(cli.err.find("--stats-interval"), std::string::npos) << cli.err;
		EXPECT_NE(cli.err.find("from 10ms to 3600s"), std::string::npos) << cli.err;
		EXPECT_EQ(cli.err.find('\n'), cli.err.size() - 1) << cli.err;
	}
	EXPECT_EQ(run_with(cli, "--stats-interval", "5"), 2);
	EXPECT_NE(cli.err.find("needs a unit"), std::string::npos) << cli.err;
}

} // namespace
} // namespace vbsim
