// The built-in models of `vbsim model run` (the ftl model lives in ftl.hpp):
//
//  * IdentityModel: logical page N is physical page N, no delay;
//  * HddModel: the identity mapping, timed like one spinning disk
//    (vbsim/hdd.hpp, included here);
//  * TraceModel: wraps another model and writes every request it decides
//    to a CSV file (format below) that `vbsim trace replay` re-issues.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vbsim/hdd.hpp"
#include "vbsim/model.hpp"

namespace vbsim::model {

/// Fills @p out.maps with the identity mapping (ppn = lpn; a partial
/// page of a write is updated in place, src_ppn = ppn). Shared by the
/// models that keep data where the host put it.
void identity_maps(const Request& r, Reply& out);

/// Logical page N lives in physical page N. A page never written reads
/// from its own (empty) physical page: zeros. Stateless, so any number of
/// threads may call handle().
class IdentityModel final : public Model {
public:
	[[nodiscard]] std::string_view name() const override { return "identity"; }
	/// std::invalid_argument when the store has fewer pages than the disk.
	void start(const Geometry& g) override;
	void handle(const Request& r, std::chrono::nanoseconds now, Reply& out,
		    PageOps& ops) override;
	[[nodiscard]] unsigned threads_supported() const override { return 64; }
	[[nodiscard]] nlohmann::json stats() const override;

private:
	std::atomic<std::uint64_t> handled_{0};
};

/// One line of a trace file.
///
/// The file is CSV: lines starting with '#' are comments, the first other
/// line is the header
///
///   time_ns,op,sector,sectors,fua,latency_ns,status
///
/// and each further line one request, in the order the model decided
/// them: its fetch time in nanoseconds since the model started, the
/// operation (read, write, flush, discard, write_zeroes), the first
/// 512-byte sector, the number of sectors, 1 for a FUA write else 0, the
/// service time the model assigned (ns), and the status it answered (0 or
/// a negative errno).
struct TraceRecord {
	std::uint64_t time_ns = 0;
	Op op = Op::read;
	std::uint64_t sector = 0;
	std::uint32_t sectors = 0;
	bool fua = false;
	std::uint64_t latency_ns = 0;
	int status = 0;

	friend bool operator==(const TraceRecord&, const TraceRecord&) = default;
};

/// The header line of the trace format.
inline constexpr std::string_view kTraceHeader = "time_ns,op,sector,sectors,fua,latency_ns,status";

/// The record as one CSV line (no newline).
[[nodiscard]] std::string format_trace_record(const TraceRecord& r);

/// Reads a trace file's records. std::invalid_argument naming the line
/// for anything that is not the format above.
[[nodiscard]] std::vector<TraceRecord> read_trace(std::istream& in);

/// Records every request another model decides. Thread-safe as far as
/// the inner model is. A record that cannot be written (a full disk)
/// fails start(), handle() or finish() with std::system_error, "writing
/// trace file PATH: <reason>", and every call after it: the run ends
/// rather than leave a trace that silently lacks requests.
class TraceModel final : public Model {
public:
	/// Decorates @p inner, writing to @p path (created or truncated;
	/// std::system_error if it cannot be).
	TraceModel(std::unique_ptr<Model> inner, const std::string& path);
	~TraceModel() override;
	TraceModel(const TraceModel&) = delete;
	TraceModel& operator=(const TraceModel&) = delete;

	[[nodiscard]] std::string_view name() const override { return "trace"; }
	void start(const Geometry& g) override;
	void handle(const Request& r, std::chrono::nanoseconds now, Reply& out,
		    PageOps& ops) override;
	[[nodiscard]] unsigned threads_supported() const override;
	/// The inner model's statistics, plus "trace": records written. Also
	/// flushes the file, so live statistics mean a readable trace.
	[[nodiscard]] nlohmann::json stats() const override;
	/// Flushes the file, then the inner model's finish().
	void finish() override;

private:
	/// Writes @p text, then flushes if @p flush; keeps the errno of the
	/// first failure in error_ (and writes nothing more after it).
	void write_locked(std::string_view text, bool flush) const;
	/// Throws error_, if set.
	void check_locked() const;

	std::unique_ptr<Model> inner_;
	std::string path_;
	mutable std::mutex lock_; ///< guards the file and the counters
	mutable std::ofstream file_;
	std::chrono::nanoseconds epoch_{-1};
	std::uint64_t records_ = 0; ///< records written (buffered or on disk)
	mutable int error_ = 0;     ///< errno of the first failed write, 0 = none
};

} // namespace vbsim::model
