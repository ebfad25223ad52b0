// The identity and trace models (the hdd model is hdd.cpp).
#include "vbsim/models.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "vbsim/error.hpp"

namespace vbsim::model {

namespace {

using std::chrono::nanoseconds;

/// Common check of the models that map page N to page N.
void require_identity_fits(std::string_view model, const Geometry& g)
{
	if (g.physical_pages < g.logical_pages)
		throw std::invalid_argument(fmt::format(
			"model {} maps logical page N to physical page N, but the disk has {} logical "
			"pages and only {} physical ones",
			model, g.logical_pages, g.physical_pages));
}

} // namespace

void identity_maps(const Request& r, Reply& out)
{
	for (std::uint32_t i = 0; i < out.maps.size(); i++) {
		const std::uint64_t lpn = r.first_page + i;
		out.maps[i].ppn = lpn;
		// Read-modify-write in place: the rest of the page is its own.
		out.maps[i].src_ppn = lpn;
	}
}

// --- identity

void IdentityModel::start(const Geometry& g)
{
	require_identity_fits(name(), g);
}

void IdentityModel::handle(const Request& r, nanoseconds /*now*/, Reply& out, PageOps& /*ops*/)
{
	identity_maps(r, out);
	handled_.fetch_add(1, std::memory_order_relaxed);
}

nlohmann::json IdentityModel::stats() const
{
	return {{"handled", handled_.load(std::memory_order_relaxed)}};
}

// --- trace

std::string format_trace_record(const TraceRecord& r)
{
	return fmt::format("{},{},{},{},{},{},{}", r.time_ns, op_name(r.op), r.sector, r.sectors,
			   r.fua ? 1 : 0, r.latency_ns, r.status);
}

namespace {

/// Parses one unsigned or signed decimal field of a trace line.
template <typename T>
T trace_number(std::string_view text, std::size_t line, std::string_view field)
{
	T value{};
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size())
		throw std::invalid_argument(
			fmt::format("trace line {}: {} '{}' is not a number", line, field, text));
	return value;
}

Op trace_op(std::string_view text, std::size_t line)
{
	for (Op op : {Op::read, Op::write, Op::flush, Op::discard, Op::write_zeroes})
		if (op_name(op) == text)
			return op;
	throw std::invalid_argument(fmt::format("trace line {}: unknown operation '{}'", line, text));
}

} // namespace

std::vector<TraceRecord> read_trace(std::istream& in)
{
	std::vector<TraceRecord> records;
	std::string text;
	std::size_t line = 0;
	bool header = false;
	while (std::getline(in, text)) {
		line++;
		if (!text.empty() && text.back() == '\r')
			text.pop_back();
		if (text.empty() || text.front() == '#')
			continue;
		if (!header) {
			if (text != kTraceHeader)
				throw std::invalid_argument(fmt::format(
					"trace line {}: expected the header '{}'", line, kTraceHeader));
			header = true;
			continue;
		}
		std::vector<std::string_view> f;
		std::string_view rest = text;
		for (;;) {
			const auto comma = rest.find(',');
			f.push_back(rest.substr(0, comma));
			if (comma == std::string_view::npos)
				break;
			rest.remove_prefix(comma + 1);
		}
		if (f.size() != 7)
			throw std::invalid_argument(
				fmt::format("trace line {}: {} fields, expected 7", line, f.size()));
		TraceRecord r;
		r.time_ns = trace_number<std::uint64_t>(f[0], line, "time_ns");
		r.op = trace_op(f[1], line);
		r.sector = trace_number<std::uint64_t>(f[2], line, "sector");
		r.sectors = trace_number<std::uint32_t>(f[3], line, "sectors");
		r.fua = trace_number<unsigned>(f[4], line, "fua") != 0;
		r.latency_ns = trace_number<std::uint64_t>(f[5], line, "latency_ns");
		r.status = trace_number<int>(f[6], line, "status");
		records.push_back(r);
	}
	if (!header)
		throw std::invalid_argument("trace has no header line");
	return records;
}

TraceModel::TraceModel(std::unique_ptr<Model> inner, const std::string& path)
	: inner_(std::move(inner)), path_(path), file_(path, std::ios::out | std::ios::trunc)
{
	if (!file_)
		throw_error(errno != 0 ? errno : EIO, fmt::format("creating trace file {}", path));
	file_ << "# vbsim trace v1 (see TraceRecord in vbsim/models.hpp)\n" << kTraceHeader << '\n';
}

TraceModel::~TraceModel()
{
	// What could not be written was reported by finish() or handle().
	std::lock_guard guard(lock_);
	file_.flush();
}

void TraceModel::write_locked(std::string_view text, bool flush) const
{
	if (error_ != 0)
		return;
	// errno is the failed write(2)'s only if nothing else set it since.
	errno = 0;
	file_ << text;
	if (flush)
		file_.flush();
	if (!file_.good())
		error_ = errno != 0 ? errno : EIO;
}

void TraceModel::check_locked() const
{
	if (error_ != 0)
		throw_error(error_, fmt::format("writing trace file {}", path_));
}

void TraceModel::start(const Geometry& g)
{
	inner_->start(g);
	epoch_ = std::chrono::steady_clock::now().time_since_epoch();
	std::lock_guard guard(lock_);
	write_locked(fmt::format("# inner model {}, {} logical / {} physical pages\n", inner_->name(),
				 g.logical_pages, g.physical_pages),
		     true);
	check_locked();
}

void TraceModel::handle(const Request& r, nanoseconds now, Reply& out, PageOps& ops)
{
	inner_->handle(r, now, out, ops);
	const TraceRecord rec{
		.time_ns = static_cast<std::uint64_t>(std::max(nanoseconds::zero(), now - epoch_).count()),
		.op = r.op,
		.sector = r.sector,
		.sectors = r.nr_sectors,
		.fua = r.fua,
		.latency_ns = static_cast<std::uint64_t>(std::max(nanoseconds::zero(), out.delay).count()),
		.status = out.status,
	};
	std::lock_guard guard(lock_);
	// A model may be killed: keep what is recorded readable, in chunks.
	write_locked(format_trace_record(rec) + '\n', (records_ + 1) % 256 == 0);
	// A record lost is a trace that lies: end the run (the runner stops
	// on the exception, and vbsim prints it).
	check_locked();
	records_++;
}

void TraceModel::finish()
{
	{
		std::lock_guard guard(lock_);
		write_locked({}, true);
		check_locked();
	}
	inner_->finish();
}

unsigned TraceModel::threads_supported() const
{
	return inner_->threads_supported();
}

nlohmann::json TraceModel::stats() const
{
	nlohmann::json s = inner_->stats();
	std::lock_guard guard(lock_);
	// A failure is kept for the next handle() or finish() to report.
	write_locked({}, true);
	s["trace"] = {{"file", path_}, {"records", records_}};
	return s;
}

} // namespace vbsim::model
