// ModelRunner and the built-in models against FakeModelKernel: data
// written through a model reads back, answers and page operations keep
// their order, statistics count what happened.
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include "test_bytes.hpp"
#include "vbsim/fake_model_kernel.hpp"
#include "vbsim/model_runner.hpp"
#include "vbsim/models.hpp"

namespace vbsim::model {
namespace {

using test::counting;
using test::filled;
using namespace std::chrono_literals;

constexpr std::uint32_t kPages = 64;

/// Runs @p model on a fresh disk 0 for the test's lifetime.
class Running {
public:
	Running(FakeModelKernel& kernel, Model& model, RunnerOptions options = {.poll = 20ms})
		: runner_(kernel, 0, model, options)
	{
		runner_.start();
	}
	~Running() { finish(); }

	/// Stops and joins; returns the final statistics.
	RunnerStats finish()
	{
		if (!done_) {
			runner_.stop();
			runner_.join();
			done_ = true;
		}
		return runner_.stats();
	}

	ModelRunner& runner() { return runner_; }

private:
	ModelRunner runner_;
	bool done_ = false;
};

TEST(ModelRunner, identity_reads_back_aligned_and_unaligned_writes)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, kPages, kPages);
	IdentityModel model;
	Running run(kernel, model);

	// A shadow of the disk, updated with every write.
	std::vector<std::byte> shadow(kPages * 4096, std::byte{0});
	const auto write = [&](std::uint64_t sector, std::vector<std::byte> data) {
		ASSERT_EQ(kernel.write(0, sector, data).status, 0);
		std::copy(data.begin(), data.end(), shadow.begin() + static_cast<std::ptrdiff_t>(sector * 512));
	};
	write(0, counting(3 * 4096, 1));   // aligned, three pages
	write(3, counting(512 * 5, 9));    // inside one page
	write(13, counting(512 * 20, 77)); // partial first and last pages
	write(8 * 63 + 7, filled(512, 0xee)); // the disk's last sector

	const HostResult all = kernel.read(0, 0, kPages * 8);
	ASSERT_EQ(all.status, 0);
	EXPECT_EQ(all.data, shadow);
	const HostResult part = kernel.read(0, 5, 17);
	ASSERT_EQ(part.status, 0);
	EXPECT_EQ(part.data, std::vector(shadow.begin() + 5 * 512, shadow.begin() + 22 * 512));
	// Identity: logical page 1 is physical page 1.
	EXPECT_EQ(kernel.physical_page(0, 1), std::vector(shadow.begin() + 4096, shadow.begin() + 8192));

	const RunnerStats s = run.finish();
	EXPECT_EQ(s.requests[static_cast<int>(Op::write)], 4U);
	EXPECT_EQ(s.requests[static_cast<int>(Op::read)], 2U);
	EXPECT_EQ(s.pages[static_cast<int>(Op::write)], 3U + 1 + 4 + 1);
	EXPECT_EQ(s.accepted, 6U);
	EXPECT_EQ(s.rejected, 0U);
	EXPECT_GE(s.batches, 1U);
	EXPECT_GE(s.exchanges, s.batches);
}

TEST(ModelRunner, identity_with_threads_serves_concurrent_writers)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, kPages, kPages);
	IdentityModel model;
	Running run(kernel, model, {.threads = 3, .batch = 4, .poll = 20ms});

	// Four writers, each owning 16 pages, writing unaligned pieces.
	std::vector<std::thread> writers;
	std::vector<std::vector<std::byte>> expect(4, std::vector<std::byte>(16 * 4096, std::byte{0}));
	for (int w = 0; w < 4; w++)
		writers.emplace_back([&, w] {
			std::mt19937 rng(static_cast<unsigned>(w));
			for (int i = 0; i < 40; i++) {
				const std::uint32_t start = rng() % (16 * 8 - 1);
				const std::uint32_t len = 1 + rng() % std::min<std::uint32_t>(24, 16 * 8 - start);
				const auto data = filled(len * 512, static_cast<std::uint8_t>(w * 50 + i));
				const std::uint64_t sector = std::uint64_t(w) * 16 * 8 + start;
				if (kernel.write(0, sector, data).status != 0)
					return;
				std::copy(data.begin(), data.end(), expect[w].begin() + start * 512);
			}
		});
	for (auto& t : writers)
		t.join();
	for (int w = 0; w < 4; w++) {
		const HostResult r = kernel.read(0, std::uint64_t(w) * 16 * 8, 16 * 8);
		ASSERT_EQ(r.status, 0);
		EXPECT_EQ(r.data, expect[w]) << "writer " << w;
	}
	const RunnerStats s = run.finish();
	EXPECT_EQ(s.requests[static_cast<int>(Op::write)], 160U);
	EXPECT_EQ(kernel.sessions(0), 0U);
}

TEST(ModelRunner, refuses_bad_options_and_geometry)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, kPages, kPages - 1);
	IdentityModel identity;
	EXPECT_THROW(ModelRunner(kernel, 0, identity, {.threads = 0}), std::invalid_argument);
	EXPECT_THROW(ModelRunner(kernel, 0, identity, {.batch = 4097}), std::invalid_argument);
	EXPECT_THROW(ModelRunner(kernel, 0, identity, {}), std::invalid_argument); // 63 < 64 pages
	EXPECT_EQ(kernel.sessions(0), 0U);
}

/// A model that writes page N to physical page N and, on a flush, copies
/// page 0 to the last physical page: the copy must see the write that was
/// answered just before it in the same batch.
class CopyOnFlushModel final : public Model {
public:
	std::string_view name() const override { return "copy-on-flush"; }
	void start(const Geometry& g) override { last_ = g.physical_pages - 1; }
	void handle(const Request& r, std::chrono::nanoseconds, Reply& out, PageOps& ops) override
	{
		if (r.op == Op::flush) {
			ops.copy(0, last_);
			ops.trim(1);
		}
		identity_maps(r, out);
	}
	nlohmann::json stats() const override { return nlohmann::json::object(); }

private:
	std::uint64_t last_ = 0;
};

TEST(ModelRunner, page_ops_come_after_the_answers_before_them)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 16);
	CopyOnFlushModel model;
	// Queue write, write, flush before the model starts: one batch. A
	// session that fetches nothing keeps them pending meanwhile.
	auto holder = kernel.attach(0, false);
	const auto w0 = kernel.submit(0, Op::write, 0, 8, filled(4096, 0x42));
	const auto w1 = kernel.submit(0, Op::write, 8, 8, filled(4096, 0x43));
	const auto fl = kernel.submit(0, Op::flush, 0, 0);
	Running run(kernel, model, {.batch = 16, .poll = 20ms});
	holder.reset();
	EXPECT_EQ(kernel.wait(w0).status, 0);
	EXPECT_EQ(kernel.wait(w1).status, 0);
	EXPECT_EQ(kernel.wait(fl).status, 0);
	EXPECT_EQ(kernel.physical_page(0, 15), filled(4096, 0x42));
	EXPECT_EQ(kernel.physical_page(0, 1), filled(4096, 0)); // trimmed after its write
	const RunnerStats s = run.finish();
	EXPECT_EQ(s.page_copies, 1U);
	EXPECT_EQ(s.page_trims, 1U);
	EXPECT_EQ(s.page_calls, 1U);
	EXPECT_EQ(s.mean_batch(), 3.0);
}

/// A model that answers reads with a medium error.
class FailingReadsModel final : public Model {
public:
	std::string_view name() const override { return "failing"; }
	void start(const Geometry&) override {}
	void handle(const Request& r, std::chrono::nanoseconds, Reply& out, PageOps&) override
	{
		if (r.op == Op::read)
			out.status = -ENODATA;
		else
			identity_maps(r, out);
	}
	nlohmann::json stats() const override { return nlohmann::json::object(); }
};

TEST(ModelRunner, a_failure_status_is_delivered_and_counted)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 8);
	FailingReadsModel model;
	Running run(kernel, model);
	EXPECT_EQ(kernel.read(0, 0, 8).status, -ENODATA);
	EXPECT_EQ(kernel.write(0, 0, filled(4096, 1)).status, 0);
	const RunnerStats s = run.finish();
	EXPECT_EQ(s.errors[static_cast<int>(Op::read)], 1U);
	EXPECT_EQ(s.errors[static_cast<int>(Op::write)], 0U);
	EXPECT_EQ(s.to_json()["ops"]["read"]["errors"], 1);
}

TEST(ModelRunner, stopping_answers_what_was_fetched_and_detaches)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 8);
	IdentityModel model;
	{
		Running run(kernel, model);
		EXPECT_EQ(kernel.sessions(0), 1U);
		EXPECT_EQ(kernel.write(0, 0, filled(4096, 1)).status, 0);
	}
	EXPECT_EQ(kernel.sessions(0), 0U);
	EXPECT_EQ(kernel.read(0, 0, 8).status, -EIO); // no model any more
}

/// How @p ticket ended, or a status of 1 (and a failure) if it was still
/// unanswered after 2 s.
HostResult answered(FakeModelKernel& kernel, FakeModelKernel::Ticket ticket)
{
	std::optional<HostResult> r = kernel.wait_for(ticket, 2s);
	EXPECT_TRUE(r.has_value()) << "request left unanswered";
	if (r)
		return std::move(*r);
	HostResult missing;
	missing.status = 1;
	return missing;
}

TEST(ModelRunner, an_unknown_operation_fails_alone_and_serving_goes_on)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 8);
	IdentityModel model;
	ModelRunner runner(kernel, 0, model, {.batch = 8, .poll = 20ms});
	// One batch: a write, an operation only a newer kernel knows (5),
	// and a read of what the write wrote.
	const auto data = counting(4096, 3);
	const auto write = kernel.submit(0, Op::write, 8, 8, data);
	const auto unknown = kernel.submit_unknown_op(0, 5, 0, 8);
	const auto read = kernel.submit(0, Op::read, 8, 8);
	runner.start();
	EXPECT_EQ(answered(kernel, write).status, 0);
	EXPECT_EQ(answered(kernel, unknown).status, -EOPNOTSUPP);
	const HostResult r = answered(kernel, read);
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.data, data);
	// A later batch is served too.
	EXPECT_EQ(answered(kernel, kernel.submit(0, Op::flush, 0, 0)).status, 0);

	EXPECT_FALSE(runner.failed());
	runner.stop();
	EXPECT_NO_THROW(runner.join());
	const RunnerStats s = runner.stats();
	EXPECT_EQ(s.unsupported, 1U);
	EXPECT_EQ(s.total_requests(), 3U); // the three the model decided
	EXPECT_EQ(s.to_json()["unsupported"], 1);
}

/// Whether the calling thread has capability @p cap in its effective set.
bool has_effective_cap(unsigned cap)
{
	__user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	std::array<__user_cap_data_struct, 2> data{};
	if (::syscall(SYS_capget, &header, data.data()) != 0)
		return false;
	return (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

/// Drops @p cap from the calling thread's effective set (capabilities are
/// per thread; threads it starts inherit the set).
void drop_effective_cap(unsigned cap)
{
	__user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	std::array<__user_cap_data_struct, 2> data{};
	ASSERT_EQ(::syscall(SYS_capget, &header, data.data()), 0);
	data[cap / 32].effective &= ~(1U << (cap % 32));
	ASSERT_EQ(::syscall(SYS_capset, &header, data.data()), 0) << std::strerror(errno);
}

/// Records, from the runner's thread that serves it, whether that thread
/// is an I/O flusher (PR_GET_IO_FLUSHER: 1 or 0; -1 without
/// CAP_SYS_RESOURCE, which reading the flag needs too).
class FlusherProbeModel final : public Model {
public:
	std::string_view name() const override { return "probe"; }
	void start(const Geometry&) override {}
	void handle(const Request& r, std::chrono::nanoseconds, Reply& out, PageOps&) override
	{
		identity_maps(r, out);
		flusher.store(::prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0));
	}
	unsigned threads_supported() const override { return 4; }
	nlohmann::json stats() const override { return nlohmann::json::object(); }

	std::atomic<int> flusher{-2}; ///< -2 until a request came
};

// Reclaim in a thread that serves a disk must not write to a disk (maybe
// that one): the runner's threads are I/O flushers.
TEST(ModelRunner, serving_threads_are_io_flushers)
{
	if (!has_effective_cap(CAP_SYS_RESOURCE))
		GTEST_SKIP() << "PR_SET_IO_FLUSHER needs CAP_SYS_RESOURCE (run as root)";
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 8);
	FlusherProbeModel model;
	std::vector<std::string> warnings;
	Running run(kernel, model,
		    {.poll = 20ms, .warn = [&](std::string_view w) { warnings.emplace_back(w); }});
	EXPECT_EQ(answered(kernel, kernel.submit(0, Op::flush, 0, 0)).status, 0);
	EXPECT_EQ(model.flusher.load(), 1);
	// The flag is the thread's, not the process's.
	EXPECT_EQ(::prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), 0);
	run.finish();
	EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST(ModelRunner, without_the_capability_it_warns_once_and_serves)
{
	// In a thread of its own without CAP_SYS_RESOURCE, so the test's
	// other threads keep it if they have it.
	std::thread([] {
		if (has_effective_cap(CAP_SYS_RESOURCE))
			drop_effective_cap(CAP_SYS_RESOURCE);
		FakeModelKernel kernel;
		kernel.add_disk(0, 8, 8);
		FlusherProbeModel model;
		std::mutex lock;
		std::vector<std::string> warnings;
		Running run(kernel, model,
			    {.threads = 3, .poll = 20ms, .warn = [&](std::string_view w) {
				     std::lock_guard guard(lock);
				     warnings.emplace_back(w);
			     }});
		const auto data = counting(4096, 9);
		EXPECT_EQ(answered(kernel, kernel.submit(0, Op::write, 0, 8, data)).status, 0);
		EXPECT_EQ(answered(kernel, kernel.submit(0, Op::read, 0, 8)).data, data);
		run.finish();
		ASSERT_EQ(warnings.size(), 1U);
		EXPECT_NE(warnings[0].find("PR_SET_IO_FLUSHER"), std::string::npos) << warnings[0];
		EXPECT_NE(warnings[0].find("Operation not permitted"), std::string::npos) << warnings[0];
	}).join();
}

/// A model that throws: the runner stops and join() rethrows.
class ThrowingModel final : public Model {
public:
	std::string_view name() const override { return "throwing"; }
	void start(const Geometry&) override {}
	void handle(const Request&, std::chrono::nanoseconds, Reply&, PageOps&) override
	{
		throw std::runtime_error("model bug");
	}
	nlohmann::json stats() const override { return nlohmann::json::object(); }
};

TEST(ModelRunner, a_model_error_fails_the_run)
{
	FakeModelKernel kernel;
	kernel.add_disk(0, 8, 8);
	ThrowingModel model;
	ModelRunner runner(kernel, 0, model, {.poll = 20ms});
	runner.start();
	const auto t = kernel.submit(0, Op::flush, 0, 0);
	while (!runner.failed())
		std::this_thread::sleep_for(5ms);
	EXPECT_THROW(runner.join(), std::runtime_error);
	EXPECT_EQ(kernel.wait(t).status, -EIO); // the session went away
}

} // namespace
} // namespace vbsim::model
