// TraceModel when its file cannot be written: the run ends with the
// reason, never with a silently truncated trace. /dev/full fails every
// write with ENOSPC once the stream's buffer is flushed.
#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "cli_harness.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/models.hpp"

namespace vbsim::model {
namespace {

constexpr const char* kFullWhat = "writing trace file /dev/full: No space left on device";

/// Page operations nobody asks for (the identity model does no GC).
class NoPageOps final : public PageOps {
public:
	void copy(std::uint64_t, std::uint64_t) override { ADD_FAILURE() << "copy"; }
	void trim(std::uint64_t) override { ADD_FAILURE() << "trim"; }
};

/// Runs @p call and checks that it throws ENOSPC, naming the trace file.
::testing::AssertionResult fails_with_enospc(const std::function<void()>& call)
{
	try {
		call();
	} catch (const std::system_error& e) {
		if (e.code() == std::errc::no_space_on_device && std::string(e.what()) == kFullWhat)
			return ::testing::AssertionSuccess();
		return ::testing::AssertionFailure() << "threw \"" << e.what() << "\"";
	}
	return ::testing::AssertionFailure() << "did not throw";
}

/// One flush request through @p model.
void handle_one(TraceModel& model)
{
	NoPageOps ops;
	Reply reply;
	model.handle(Request{.op = Op::flush}, std::chrono::nanoseconds(0), reply, ops);
}

TEST(TraceModelFile, a_full_disk_fails_start)
{
	TraceModel model(std::make_unique<IdentityModel>(), "/dev/full");
	EXPECT_TRUE(fails_with_enospc([&] { model.start(Geometry{.logical_pages = 8, .physical_pages = 8}); }));
}

TEST(TraceModelFile, a_full_disk_fails_the_requests_from_the_lost_record_on)
{
	TraceModel model(std::make_unique<IdentityModel>(), "/dev/full");
	// Records are written in chunks: somewhere in the first few hundred
	// the chunk is written, fails, and so does every request after it.
	int ok = 0;
	while (ok < 10000) {
		try {
			handle_one(model);
			ok++;
		} catch (const std::system_error&) {
			break;
		}
	}
	EXPECT_LT(ok, 10000) << "no request failed";
	EXPECT_TRUE(fails_with_enospc([&] { handle_one(model); }));
	EXPECT_TRUE(fails_with_enospc([&] { model.finish(); }));
}

TEST(TraceModelFile, finish_reports_the_records_the_last_flush_lost)
{
	TraceModel model(std::make_unique<IdentityModel>(), "/dev/full");
	EXPECT_NO_THROW(handle_one(model)); // only buffered so far
	EXPECT_TRUE(fails_with_enospc([&] { model.finish(); }));
}

TEST(TraceModelFile, vbsim_model_run_trace_to_a_full_disk_exits_1)
{
	FakeModule module;
	FakeModelKernel kernel;
	kernel.add_disk(0, 32, 40);
	std::ostringstream out;
	std::ostringstream err;
	cli::Context ctx{
		.devices = module,
		.out = out,
		.err = err,
		.make_pacer = [] { return std::make_unique<test::FakePacer>(1, nullptr); },
		.sessions = &kernel,
	};
	const std::vector<std::string> args = {"model", "run", "trace", "0", "--trace-file", "/dev/full"};
	EXPECT_EQ(cli::run(args, ctx), 1);
	EXPECT_EQ(err.str(), std::string("vbsim: ") + kFullWhat + "\n");
	EXPECT_EQ(out.str(), "");
}

} // namespace
} // namespace vbsim::model
