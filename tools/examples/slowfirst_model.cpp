// An example userland model for virtblkiosim, built with the project so it
// cannot rot (see docs/models.md, "Writing a model").
//
// "slowfirst": logical page N lives in physical page N, and the first read
// of a page costs 2 ms (as if fetched from a slow tier) while every later
// read of it, and every write, costs 20 us. Run it with
//
//   vbsim add --size 64M --model          # prints /dev/virtblkiosimN
//   example-model N                       # Ctrl-C to stop
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "vbsim/model.hpp"
#include "vbsim/model_runner.hpp"
#include "vbsim/model_session.hpp"

namespace {

using namespace vbsim::model;

/// The model: one decision per request, nothing else.
class SlowFirstModel final : public Model {
public:
	std::string_view name() const override { return "slowfirst"; }

	void start(const Geometry& g) override
	{
		if (g.physical_pages < g.logical_pages)
			throw std::invalid_argument("needs a physical page per logical page");
	}

	void handle(const Request& r, std::chrono::nanoseconds, Reply& out, PageOps&) override
	{
		bool cold = false;
		for (std::uint32_t i = 0; i < out.maps.size(); i++) {
			const std::uint64_t lpn = r.first_page + i;
			out.maps[i] = PageMap{.ppn = lpn, .src_ppn = lpn}; // in place
			std::lock_guard guard(lock_);
			cold |= warm_.insert(lpn).second && r.op == Op::read;
		}
		out.delay = std::chrono::microseconds{cold ? 2000 : 20};
		(cold ? cold_reads_ : other_).fetch_add(1);
	}

	nlohmann::json stats() const override
	{
		return {{"cold_reads", cold_reads_.load()}, {"other", other_.load()}};
	}

private:
	std::mutex lock_;
	std::unordered_set<std::uint64_t> warm_;
	std::atomic<std::uint64_t> cold_reads_{0}, other_{0};
};

std::atomic<bool> stop_requested{false};

} // namespace

int main(int argc, char** argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s DISK-INDEX\n", argv[0]);
		return 2;
	}
	std::signal(SIGINT, [](int) { stop_requested = true; });
	std::signal(SIGTERM, [](int) { stop_requested = true; });
	try {
		IoctlSessionFactory sessions;
		SlowFirstModel model;
		ModelRunner runner(sessions, static_cast<std::uint32_t>(std::atoi(argv[1])), model,
				   RunnerOptions{.threads = 1, .batch = 64});
		runner.start();
		while (!stop_requested && !runner.failed())
			std::this_thread::sleep_for(std::chrono::milliseconds{100});
		runner.stop();
		runner.join();
		std::printf("%s\n", model.stats().dump().c_str());
	} catch (const std::exception& e) {
		std::fprintf(stderr, "example-model: %s\n", e.what());
		return 1;
	}
	return 0;
}
