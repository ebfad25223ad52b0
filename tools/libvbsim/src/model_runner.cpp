#include "vbsim/model_runner.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <span>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <utility>

namespace vbsim::model {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<Op, 5> kOps = {Op::read, Op::write, Op::flush, Op::discard, Op::write_zeroes};

/// Whether @p op moves data, so a successful answer carries one map per page.
bool has_maps(Op op)
{
	return op == Op::read || op == Op::write || op == Op::write_zeroes;
}

/// The answer to a request whose operation this library does not know
/// (a newer kernel's): -EOPNOTSUPP, no maps, without asking the model,
/// which could not decide it either. The rest of the batch is served as
/// usual; throwing instead would leave the whole batch unanswered.
Answer unsupported(const Request& req, RunnerStats& stats)
{
	stats.unsupported++;
	return Answer{.id = req.id, .status = -EOPNOTSUPP, .delay = {}, .map_index = 0, .nr_maps = 0};
}

/// Adds @p from into @p to.
void accumulate(RunnerStats& to, const RunnerStats& from)
{
	for (std::size_t i = 0; i < kOps.size(); i++) {
		to.requests[i] += from.requests[i];
		to.pages[i] += from.pages[i];
		to.errors[i] += from.errors[i];
	}
	to.exchanges += from.exchanges;
	to.batches += from.batches;
	to.accepted += from.accepted;
	to.rejected += from.rejected;
	to.unsupported += from.unsupported;
	to.page_copies += from.page_copies;
	to.page_trims += from.page_trims;
	to.page_calls += from.page_calls;
}

/// The PageOps a handler gets, and the answers it shares the session with.
///
/// The kernel applies answers and page operations in the order it receives
/// them. A model decides both in one order (answer request A, then move
/// page P, then answer B) and relies on it: B may map onto the page the
/// copy just freed, and the copy must see the data A wrote. So before a
/// page operation the answers decided so far are committed (an exchange
/// that fetches nothing), and before the next answer the page operations
/// are sent. Runs of either kind are still batched.
class OrderedPageOps final : public PageOps {
public:
	OrderedPageOps(Session& session, std::vector<Answer>& answers, std::vector<PageMap>& maps,
		       RunnerStats& stats)
		: session_(session), answers_(answers), maps_(maps), stats_(stats)
	{
	}

	void copy(std::uint64_t src_ppn, std::uint64_t dst_ppn) override
	{
		push(PageOp{.kind = PageOp::Kind::copy, .src = src_ppn, .dst = dst_ppn});
		stats_.page_copies++;
	}

	void trim(std::uint64_t ppn) override
	{
		push(PageOp{.kind = PageOp::Kind::trim, .src = ppn, .dst = kNoPage});
		stats_.page_trims++;
	}

	/// Sends the page operations not yet sent.
	void flush()
	{
		if (ops_.empty())
			return;
		session_.pages(ops_);
		stats_.page_calls++;
		ops_.clear();
	}

private:
	void push(const PageOp& op)
	{
		if (!answers_.empty()) {
			const ExchangeResult r = session_.exchange(answers_, maps_, {}, Wait::none());
			stats_.exchanges++;
			stats_.accepted += r.accepted;
			stats_.rejected += r.rejected;
			answers_.clear();
			maps_.clear();
		}
		ops_.push_back(op);
		if (ops_.size() == kMaxBatch)
			flush();
	}

	Session& session_;
	std::vector<Answer>& answers_;
	std::vector<PageMap>& maps_;
	RunnerStats& stats_;
	std::vector<PageOp> ops_;
};

} // namespace

std::uint64_t RunnerStats::total_requests() const
{
	std::uint64_t total = 0;
	for (std::uint64_t n : requests)
		total += n;
	return total;
}

double RunnerStats::mean_batch() const
{
	return batches == 0 ? 0.0 : static_cast<double>(total_requests()) / static_cast<double>(batches);
}

double RunnerStats::exchanges_per_second() const
{
	const double secs = std::chrono::duration<double>(elapsed).count();
	return secs <= 0 ? 0.0 : static_cast<double>(exchanges) / secs;
}

nlohmann::json RunnerStats::to_json() const
{
	nlohmann::json by_op = nlohmann::json::object();
	for (std::size_t i = 0; i < kOps.size(); i++)
		by_op[std::string(op_name(kOps[i]))] = {
			{"requests", requests[i]}, {"pages", pages[i]}, {"errors", errors[i]}};
	return {
		{"requests", total_requests()},
		{"ops", by_op},
		{"exchanges", exchanges},
		{"batches", batches},
		{"mean_batch", mean_batch()},
		{"exchanges_per_second", exchanges_per_second()},
		{"accepted", accepted},
		{"rejected", rejected},
		{"unsupported", unsupported},
		{"page_copies", page_copies},
		{"page_trims", page_trims},
		{"page_calls", page_calls},
		{"elapsed_ns", elapsed.count()},
	};
}

ModelRunner::ModelRunner(SessionFactory& sessions, std::uint32_t index, Model& model,
			 RunnerOptions options)
	: model_(model), options_(std::move(options))
{
	if (options_.threads == 0)
		throw std::invalid_argument("--threads must be at least 1");
	if (options_.threads > model_.threads_supported())
		throw std::invalid_argument(fmt::format("model {} supports at most {} thread{}",
							model_.name(), model_.threads_supported(),
							model_.threads_supported() == 1 ? "" : "s"));
	if (options_.batch == 0 || options_.batch > kMaxBatch)
		throw std::invalid_argument(
			fmt::format("--batch must be from 1 to {}, not {}", kMaxBatch, options_.batch));
	for (unsigned i = 0; i < options_.threads; i++)
		sessions_.push_back(sessions.attach(index, options_.recover));
	info_ = sessions_.front()->info();
	model_.start(info_.geometry);
}

ModelRunner::~ModelRunner()
{
	stop();
	for (std::thread& t : threads_)
		if (t.joinable())
			t.join();
}

void ModelRunner::start()
{
	started_ = Clock::now();
	for (std::size_t n = 0; n < sessions_.size(); n++)
		threads_.emplace_back([this, n] { worker(n); });
}

void ModelRunner::join()
{
	for (std::thread& t : threads_)
		if (t.joinable())
			t.join();
	bool first = false;
	{
		std::lock_guard guard(lock_);
		first = !joined_;
		if (first)
			ended_ = Clock::now();
		joined_ = true;
	}
	sessions_.clear();
	if (error_)
		std::rethrow_exception(error_);
	if (first)
		model_.finish();
}

RunnerStats ModelRunner::stats() const
{
	std::lock_guard guard(lock_);
	RunnerStats s = totals_;
	s.elapsed = (joined_ ? ended_ : Clock::now()) - started_;
	return s;
}

/// Marks the calling thread PR_SET_IO_FLUSHER (Linux 5.6): the kernel
/// gives it PF_MEMALLOC_NOIO and PF_LOCAL_THROTTLE. The thread serves a
/// block device, so memory reclaim in it must not write pages out to a
/// filesystem or disk (perhaps the very disk that waits for this thread's
/// answer), and its own writes must not be throttled for dirty pages it
/// is there to clean. Loop and nbd servers do the same (tcmu-runner,
/// nbd-client). Needs CAP_SYS_RESOURCE: without it the runner still
/// works, with one warning per run.
void ModelRunner::become_io_flusher()
{
	if (::prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0) == 0)
		return;
	const int err = errno;
	if (warned_.exchange(true))
		return;
	const std::string text = fmt::format(
		"the model's threads are not I/O flushers (PR_SET_IO_FLUSHER: {}{}); memory reclaim "
		"in them may write to the disk they serve",
		std::strerror(err),
		err == EPERM ? ", needs CAP_SYS_RESOURCE" : err == EINVAL ? ", needs Linux 5.6" : "");
	if (options_.warn)
		options_.warn(text);
	else
		fmt::print(stderr, "vbsim: warning: {}\n", text);
}

/// One session's loop. Its own counters are added to the totals after
/// every batch, so stats() sees progress without locking per request.
void ModelRunner::worker(std::size_t n)
{
	become_io_flusher();
	Session& session = *sessions_[n];
	std::vector<Request> reqs(options_.batch);
	std::vector<Answer> answers;
	std::vector<PageMap> maps;
	std::vector<PageMap> reply_maps;
	RunnerStats local;
	OrderedPageOps ops(session, answers, maps, local);
	try {
		for (;;) {
			const bool stopping = stop_.load();
			ops.flush();
			const ExchangeResult r = session.exchange(
				answers, maps, stopping ? std::span<Request>{} : std::span<Request>(reqs),
				Wait{options_.poll});
			local.exchanges++;
			local.accepted += r.accepted;
			local.rejected += r.rejected;
			answers.clear();
			maps.clear();
			if (r.nr_reqs > 0)
				local.batches++;
			{
				std::lock_guard guard(lock_);
				accumulate(totals_, local);
			}
			local = RunnerStats{};
			if (stopping)
				return;

			const auto now = Clock::now().time_since_epoch();
			for (std::uint32_t i = 0; i < r.nr_reqs; i++) {
				const Request& req = reqs[i];
				if (req.unknown_op) {
					answers.push_back(unsupported(req, local));
					continue;
				}
				const bool data = has_maps(req.op);
				reply_maps.assign(data ? req.nr_pages : 0, PageMap{});
				Reply reply;
				reply.maps = reply_maps;
				model_.handle(req, now, reply, ops);
				ops.flush();

				const auto op = static_cast<std::size_t>(req.op);
				local.requests[op]++;
				local.pages[op] += req.nr_pages;
				Answer a{.id = req.id, .status = reply.status, .delay = reply.delay};
				if (reply.status != 0) {
					local.errors[op]++;
				} else if (data) {
					a.map_index = static_cast<std::uint32_t>(maps.size());
					a.nr_maps = req.nr_pages;
					maps.insert(maps.end(), reply_maps.begin(), reply_maps.end());
				}
				answers.push_back(a);
			}
			// Counted before the answers go in, so a host that saw its
			// request complete also sees it in the statistics.
			std::lock_guard guard(lock_);
			accumulate(totals_, local);
			local = RunnerStats{};
		}
	} catch (...) {
		std::lock_guard guard(lock_);
		accumulate(totals_, local);
		if (!error_)
			error_ = std::current_exception();
		failed_.store(true);
		stop_.store(true);
	}
}

} // namespace vbsim::model
