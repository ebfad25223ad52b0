// vbsim add --model, vbsim model run and vbsim trace replay: parsing,
// errors, and a run against FakeModelKernel.
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "test_bytes.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/models.hpp"

namespace vbsim::test {
namespace {

/// vbsim with a FakeModule and a FakeModelKernel behind it. Disk 0 of the
/// model kernel is a model disk (32 logical / 40 physical pages), disk 1 a
/// plain one.
class ModelCli {
public:
	ModelCli()
	{
		kernel.add_disk(0, 32, 40);
		kernel.add_disk(1, 32, 32, false);
	}

	FakeModule module;
	model::FakeModelKernel kernel;
	std::string out;
	std::string err;
	/// Waits before the pacer reports Ctrl-C, and what happens during them.
	int waits = 1;
	std::function<void()> between;

	int run(std::vector<std::string> args)
	{
		std::ostringstream out_stream;
		std::ostringstream err_stream;
		cli::Context ctx{
			.devices = module,
			.out = out_stream,
			.err = err_stream,
			.make_pacer = [this] { return std::make_unique<FakePacer>(waits, between); },
			.sessions = &kernel,
		};
		const int status = cli::run(args, ctx);
		out = out_stream.str();
		err = err_stream.str();
		return status;
	}
};

TEST(CliModelAdd, model_disk_gets_flag_and_pages)
{
	Cli cli;
	ASSERT_EQ(cli.run({"add", "--size", "1M", "--model"}), 0) << cli.err;
	DeviceInfo info = cli.module.open_device("0", Access::read_only)->info();
	EXPECT_TRUE(info.config.model);
	EXPECT_EQ(info.config.model_pages, 256U + 18); // the default, logical + 7% rounded up

	ASSERT_EQ(cli.run({"add", "--size", "1M", "--model", "--op", "25%"}), 0) << cli.err;
	info = cli.module.open_device("1", Access::read_only)->info();
	EXPECT_EQ(info.config.model_pages, 320U);

	ASSERT_EQ(cli.run({"add", "--size", "1M", "--model", "--model-pages", "300"}), 0) << cli.err;
	EXPECT_EQ(cli.module.open_device("2", Access::read_only)->info().config.model_pages, 300U);
}

TEST(CliModelAdd, bad_model_options_are_usage_errors)
{
	Cli cli;
	EXPECT_EQ(cli.run({"add", "--size", "1M", "--op", "7%"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --model-pages and --op need --model\n");
	EXPECT_EQ(cli.run({"add", "--model", "--op", "7%"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --op needs --size (the logical page count it is a percentage of)\n");
	EXPECT_EQ(cli.run({"add", "--size", "1M", "--model", "--op", "seven"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --op 'seven' is not a percentage from 0% to 1000%\n");
	EXPECT_EQ(cli.run({"add", "--size", "1M", "--model", "--model-pages", "100"}), 2);
	EXPECT_EQ(cli.err, "vbsim: 100 model pages hold less than the disk's 1048576 bytes\n");
	EXPECT_EQ(cli.run({"add", "--size", "1M", "--model", "--model-pages", "300", "--op", "7"}), 2);
}

TEST(CliModelRun, identity_serves_io_until_stopped_and_prints_json)
{
	ModelCli cli;
	cli.waits = 1;
	cli.between = [&] {
		ASSERT_EQ(cli.kernel.write(0, 3, filled(512 * 9, 0x5a)).status, 0);
		const model::HostResult r = cli.kernel.read(0, 0, 16);
		ASSERT_EQ(r.status, 0);
		EXPECT_EQ(r.data[3 * 512], std::byte{0x5a});
		EXPECT_EQ(r.data[0], std::byte{0});
	};
	ASSERT_EQ(cli.run({"model", "run", "identity", "/dev/virtblkiosim0", "--threads", "2", "--json"}), 0)
		<< cli.err;
	EXPECT_EQ(cli.err, "model identity attached to virtblkiosim0 (session 1, 32 logical / 40 physical pages)\n");
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["model"], "identity");
	EXPECT_EQ(j["device"], "/dev/virtblkiosim0");
	EXPECT_EQ(j["threads"], 2);
	EXPECT_EQ(j["runner"]["ops"]["write"]["requests"], 1);
	EXPECT_EQ(j["runner"]["ops"]["write"]["pages"], 2);
	EXPECT_EQ(j["runner"]["ops"]["read"]["requests"], 1);
	EXPECT_EQ(j["runner"]["rejected"], 0);
	EXPECT_EQ(j["model_stats"]["handled"], 2);
	EXPECT_EQ(cli.kernel.sessions(0), 0U); // detached on exit
}

TEST(CliModelRun, live_statistics_go_to_stderr)
{
	ModelCli cli;
	cli.waits = 2;
	cli.between = [&] { ASSERT_EQ(cli.kernel.write(0, 0, filled(4096, 1)).status, 0); };
	ASSERT_EQ(cli.run({"model", "run", "hdd", "0", "--stats-interval", "1s", "--rpm", "5400"}), 0)
		<< cli.err;
	EXPECT_NE(cli.err.find("requests (r 0 w 1 f 0 d 0 z 0)"), std::string::npos) << cli.err;
	EXPECT_NE(cli.err.find("requests (r 0 w 2 f 0 d 0 z 0)"), std::string::npos) << cli.err;
	EXPECT_NE(cli.out.find("model hdd on /dev/virtblkiosim0: 2 requests"), std::string::npos) << cli.out;
	EXPECT_NE(cli.out.find("\"media_ops\":2"), std::string::npos) << cli.out;
}

TEST(CliModelRun, errors_are_one_line)
{
	ModelCli cli;
	EXPECT_EQ(cli.run({"model", "run", "identity", "1"}), 1);
	EXPECT_EQ(cli.err, "vbsim: virtblkiosim1 is not a model disk (create one with 'vbsim add --model'): "
			   "attaching a model to virtblkiosim1: Invalid argument\n");
	EXPECT_EQ(cli.run({"model", "run", "identity", "9"}), 1);
	EXPECT_EQ(cli.err, "vbsim: there is no disk virtblkiosim9: attaching a model to virtblkiosim9: No such device\n");
	EXPECT_EQ(cli.run({"model", "run", "magic", "0"}), 2);
	EXPECT_EQ(cli.run({"model", "run", "identity"}), 2);
	EXPECT_EQ(cli.run({"model", "run", "identity", "0", "--rpm", "5400"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --rpm is an option of the hdd model\n");
	EXPECT_EQ(cli.run({"model", "run", "hdd", "0", "--trace-file", "x"}), 2);
	EXPECT_EQ(cli.run({"model", "run", "hdd", "0", "--seek-full", "1ms", "--seek-track", "2ms"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --seek-full must be at least --seek-track\n");
	EXPECT_EQ(cli.run({"model", "run", "identity", "0", "--batch", "5000"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --batch: invalid batch size \"5000\": too large (the most is 4096)\n");
	EXPECT_EQ(cli.run({"model", "run", "identity", "0", "--threads", "0"}), 2);
	EXPECT_EQ(cli.run({"model"}), 2);
	EXPECT_EQ(cli.kernel.sessions(0), 0U);
}

TEST(CliModelRun, a_model_that_does_not_fit_the_disk_is_a_usage_error)
{
	ModelCli cli;
	cli.kernel.add_disk(2, 32, 16);
	EXPECT_EQ(cli.run({"model", "run", "identity", "2"}), 2);
	EXPECT_EQ(cli.err, "vbsim: model identity maps logical page N to physical page N, but the disk has 32 "
			   "logical pages and only 16 physical ones\n");
}

TEST(CliModelRun, ftl_keeps_data_and_reports_its_statistics)
{
	ModelCli cli;
	cli.kernel.add_disk(3, 1024, 1280);
	cli.between = [&] {
		for (std::uint64_t round = 0; round < 3; round++)
			for (std::uint64_t page = 0; page < 1024; page += 64)
				ASSERT_EQ(cli.kernel.write(3, page * 8 + 1, filled(4096 * 3, static_cast<std::uint8_t>(round + page))).status, 0);
		const model::HostResult r = cli.kernel.read(3, 64 * 8, 16);
		ASSERT_EQ(r.status, 0);
		EXPECT_EQ(r.data[0], std::byte{0});   // sector 0 of page 64 never written
		EXPECT_EQ(r.data[512], std::byte{66}); // round 2 + page 64
	};
	ASSERT_EQ(cli.run({"model", "run", "ftl", "3", "--ftl", "pages-per-block=16", "--json"}), 0) << cli.err;
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["model"], "ftl");
	EXPECT_EQ(j["runner"]["ops"]["write"]["requests"], 48);
	EXPECT_FALSE(j["model_stats"].empty());
}

TEST(CliModelRun, ftl_options_are_checked_before_attaching)
{
	ModelCli cli;
	EXPECT_EQ(cli.run({"model", "run", "ftl", "0", "--ftl", "bogus=1"}), 2);
	EXPECT_NE(cli.err.find("bogus"), std::string::npos) << cli.err;
	EXPECT_EQ(cli.run({"model", "run", "identity", "0", "--ftl", "channels=4"}), 2);
	EXPECT_EQ(cli.err, "vbsim: --ftl is an option of the ftl model\n");
	EXPECT_EQ(cli.kernel.sessions(0), 0U);
}

TEST(CliTrace, record_with_the_trace_model_then_replay_into_a_file)
{
	TempDir dir;
	const std::string trace = dir.file("t.csv");
	ModelCli cli;
	cli.between = [&] {
		ASSERT_EQ(cli.kernel.write(0, 8, filled(4096, 1)).status, 0);
		ASSERT_EQ(cli.kernel.read(0, 8, 8).status, 0);
	};
	ASSERT_EQ(cli.run({"model", "run", "trace", "0", "--trace-file", trace, "--base", "hdd"}), 0) << cli.err;
	EXPECT_EQ(cli.err.rfind("model trace attached to virtblkiosim0", 0), 0U) << cli.err;

	const std::string image = dir.file("disk.img");
	std::ofstream(image, std::ios::binary) << std::string(32 * 4096, '\0');
	ASSERT_EQ(cli.run({"trace", "replay", trace, image, "--buffered", "--as-fast-as-possible", "--json"}), 0)
		<< cli.err;
	const auto j = nlohmann::json::parse(cli.out);
	EXPECT_EQ(j["ios"], 2);
	EXPECT_EQ(j["ops"]["write"]["ios"], 1);
	EXPECT_EQ(j["ops"]["write"]["bytes"], 4096);
	EXPECT_EQ(j["ops"]["read"]["ios"], 1);
	EXPECT_EQ(j["status_mismatches"], 0);

	ASSERT_EQ(cli.run({"trace", "replay", trace, image, "--buffered", "--speed", "100"}), 0) << cli.err;
	EXPECT_NE(cli.out.find("replayed 2 I/Os"), std::string::npos) << cli.out;
}

TEST(CliTrace, replay_errors)
{
	TempDir dir;
	ModelCli cli;
	EXPECT_EQ(cli.run({"trace", "replay", dir.file("missing.csv"), "0"}), 1);
	EXPECT_NE(cli.err.find("opening trace"), std::string::npos) << cli.err;
	const std::string bad = dir.file("bad.csv");
	std::ofstream(bad) << "hello\n";
	EXPECT_EQ(cli.run({"trace", "replay", bad, "0"}), 2);
	EXPECT_EQ(cli.err, "vbsim: trace line 1: expected the header 'time_ns,op,sector,sectors,fua,latency_ns,status'\n");
	EXPECT_EQ(cli.run({"trace", "replay", bad, "0", "--speed", "0"}), 2);
}

} // namespace
} // namespace vbsim::test
