// Runs the vbsim command line against a FakeModule, capturing what it
// prints: the CLI tests' window on the tool.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"
#include "vbsim/fake_device.hpp"

namespace vbsim::test {

/// A Pacer on a fake clock: each wait() advances it by the interval, runs
/// the test's hook (to make I/O happen between samples), and reports a
/// stop (as Ctrl-C would) after the given number of waits.
class FakePacer final : public cli::Pacer {
public:
	FakePacer(int waits_before_stop, std::function<void()> between)
		: waits_left_(waits_before_stop), between_(std::move(between))
	{
	}

	std::chrono::steady_clock::time_point now() override { return now_; }

	bool wait(std::chrono::nanoseconds interval) override
	{
		intervals.push_back(interval);
		if (waits_left_-- <= 0)
			return false;
		now_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
		if (between_)
			between_();
		return true;
	}

	std::vector<std::chrono::nanoseconds> intervals; ///< what wait() was asked

private:
	std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
	int waits_left_;
	std::function<void()> between_;
};

/// vbsim with a FakeModule behind it.
class Cli {
public:
	explicit Cli(FakeLimits limits = {}) : module(limits) {}

	FakeModule module;
	std::string out; ///< stdout of the last run
	std::string err; ///< stderr of the last run

	/// Samples stats --watch takes before "Ctrl-C", and what happens
	/// between samples.
	int watch_samples = 2;
	std::function<void()> between_samples;

	/// Runs "vbsim @p args..." and returns its exit status.
	int run(std::vector<std::string> args)
	{
		std::ostringstream out_stream;
		const int status = run_with(out_stream, args);
		out = out_stream.str();
		return status;
	}

	/// Runs "vbsim @p args..." with standard output going to the file
	/// @p path (/dev/full for a write error), and returns its exit
	/// status; out is left empty.
	int run_to_file(const std::string& path, std::vector<std::string> args)
	{
		std::ofstream out_stream(path);
		if (!out_stream)
			throw std::runtime_error("cannot open " + path);
		out.clear();
		return run_with(out_stream, args);
	}

	/// Runs "vbsim @p args..." with standard output going to @p out_stream.
	int run_with(std::ostream& out_stream, const std::vector<std::string>& args)
	{
		std::ostringstream err_stream;
		cli::Context ctx{
			.devices = module,
			.out = out_stream,
			.err = err_stream,
			.make_pacer = [this] { return std::make_unique<FakePacer>(watch_samples, between_samples); },
		};
		const int status = cli::run(args, ctx);
		err = err_stream.str();
		return status;
	}

	/// Adds a disk of @p blocks blocks of @p lbs bytes at @p index.
	void add_disk(std::uint32_t index, std::uint64_t blocks = 64, std::uint32_t lbs = 4096, bool read_only = false)
	{
		DeviceConfig c;
		c.capacity_bytes = blocks * lbs;
		c.logical_block_size = lbs;
		c.read_only = read_only;
		module.add(c, index);
	}
};

/// A directory of its own under the system's temporary directory, removed
/// with everything in it when the object goes.
class TempDir {
public:
	TempDir()
	{
		std::string pattern = (std::filesystem::temp_directory_path() / "vbsim-test-XXXXXX").string();
		if (::mkdtemp(pattern.data()) == nullptr)
			throw std::runtime_error("mkdtemp failed");
		path_ = pattern;
	}
	TempDir(const TempDir&) = delete;
	TempDir& operator=(const TempDir&) = delete;
	~TempDir()
	{
		std::error_code ignored;
		std::filesystem::remove_all(path_, ignored);
	}

	/// @p name inside the directory.
	[[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
	std::filesystem::path path_;
};

} // namespace vbsim::test
