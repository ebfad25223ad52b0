// ModelRunner: the event loop of a userland model. It attaches one session
// per thread, then each thread loops: hand in the answers of the last
// batch and fetch the next (one VBS_CTL_MODEL_EXCHANGE), call
// Model::handle() for every request fetched, and keep the page operations
// the model asks for in order with its answers.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "vbsim/model.hpp"
#include "vbsim/model_session.hpp"

namespace vbsim::model {

/// How the runner runs.
struct RunnerOptions {
	unsigned threads = 1;     ///< sessions, one thread each
	std::uint32_t batch = 64; ///< most requests fetched per exchange, 1..kMaxBatch
	bool recover = false;     ///< attach with VBS_MODEL_RECOVER
	/// How long one exchange waits for a request: the longest a stop
	/// request waits to be noticed by an idle thread.
	std::chrono::milliseconds poll{100};
	/// Where the runner's warnings go (one line each, no newline); empty
	/// means standard error, as "vbsim: warning: <text>". May be called
	/// from the runner's threads.
	std::function<void(std::string_view)> warn{};
};

/// Counters of a run, summed over the threads.
struct RunnerStats {
	/// Per Op (indexed by its value): requests, pages touched, failed.
	std::array<std::uint64_t, 5> requests{};
	std::array<std::uint64_t, 5> pages{};
	std::array<std::uint64_t, 5> errors{};
	std::uint64_t exchanges = 0; ///< VBS_CTL_MODEL_EXCHANGE calls
	std::uint64_t batches = 0;   ///< exchanges that fetched at least one request
	std::uint64_t accepted = 0;  ///< answers the kernel applied
	std::uint64_t rejected = 0;  ///< answers the kernel refused
	/// Requests of an operation this library does not know, answered
	/// -EOPNOTSUPP by the runner (not in requests, pages, errors).
	std::uint64_t unsupported = 0;
	std::uint64_t page_copies = 0;
	std::uint64_t page_trims = 0;
	std::uint64_t page_calls = 0; ///< VBS_CTL_MODEL_PAGES calls
	std::chrono::nanoseconds elapsed{0};

	[[nodiscard]] std::uint64_t total_requests() const;
	/// Requests per batch, 0 before the first.
	[[nodiscard]] double mean_batch() const;
	/// Exchanges per second of elapsed time.
	[[nodiscard]] double exchanges_per_second() const;
	/// The counters as JSON ("requests": {"read": ...}, ...).
	[[nodiscard]] nlohmann::json to_json() const;
};

/// Runs @p model on disk @p index. Construction attaches every session
/// and starts the model; start() launches the threads; stop() asks them
/// to finish; join() waits, and rethrows what failed a thread. Each thread
/// marks itself PR_SET_IO_FLUSHER first (see docs/models.md; without
/// CAP_SYS_RESOURCE it warns once and serves all the same).
class ModelRunner {
public:
	/// Attaches options.threads sessions through @p sessions (std::
	/// system_error as SessionFactory::attach() throws), then calls
	/// model.start() with the geometry. std::invalid_argument for bad
	/// options (threads 0 or more than the model supports, batch out of
	/// range) or a model that refuses the geometry.
	ModelRunner(SessionFactory& sessions, std::uint32_t index, Model& model,
		    RunnerOptions options);
	ModelRunner(const ModelRunner&) = delete;
	ModelRunner& operator=(const ModelRunner&) = delete;
	/// Stops and joins the threads (errors are dropped), then detaches.
	~ModelRunner();

	/// What the first session's attach reported.
	[[nodiscard]] const SessionInfo& info() const { return info_; }

	/// Launches the threads.
	void start();

	/// Asks every thread to stop: each answers what it fetched, then
	/// returns. Safe from any thread; does not wait.
	void stop() { stop_.store(true); }

	/// True once a thread has ended on an error (the others are stopped).
	[[nodiscard]] bool failed() const { return failed_.load(); }

	/// Waits for the threads and detaches every session; then rethrows
	/// the first error a thread hit, or, when none did, calls the model's
	/// finish() (which may throw too).
	void join();

	/// A snapshot of the counters.
	[[nodiscard]] RunnerStats stats() const;

private:
	void worker(std::size_t n);
	void become_io_flusher();

	Model& model_;
	RunnerOptions options_;
	SessionInfo info_;
	std::vector<std::unique_ptr<Session>> sessions_;
	std::vector<std::thread> threads_;
	std::atomic<bool> stop_{false};
	std::atomic<bool> failed_{false};
	std::atomic<bool> warned_{false}; ///< the I/O flusher warning was given
	std::chrono::steady_clock::time_point started_;
	std::chrono::steady_clock::time_point ended_;
	mutable std::mutex lock_; ///< guards totals_, error_, ended_
	RunnerStats totals_;
	std::exception_ptr error_;
	bool joined_ = false;
};

} // namespace vbsim::model
