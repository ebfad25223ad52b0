// The built-in models of `vbsim model run` (the ftl model lives in ftl.hpp):
//
//  * IdentityModel: logical page N is physical page N, no delay;
//  * HddModel: the identity mapping, timed like one spinning disk;
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

/// Parameters of HddModel.
struct HddConfig {
	double rpm = 7200;                                  ///< spindle speed
	std::chrono::nanoseconds seek_full{std::chrono::milliseconds(15)}; ///< full stroke
	std::chrono::nanoseconds seek_track{std::chrono::microseconds(800)}; ///< one track
	double transfer_rate = 150e6; ///< media rate, bytes/s (at the outer edge if zoned)
	/// When true the media rate falls linearly from transfer_rate at
	/// sector 0 (outer edge) to half of it at the last sector, as zoned
	/// recording does (constant angular density would keep it flat).
	bool zoned = false;
};

/// Why @p c cannot be used, or an empty string.
[[nodiscard]] std::string hdd_config_problem(const HddConfig& c);

/// One spinning disk with one head. The identity mapping, plus a service
/// time per request:
///
///   service = seek(distance) + rotational wait + transfer
///
///  - tracks are bytes_per_track = transfer_rate * one revolution long;
///    the distance is in tracks between the head and the request's first
///    byte; seek(0) = 0, seek(d) = seek_track + (seek_full - seek_track) *
///    sqrt((d - 1) / (tracks - 2)), so one track costs seek_track and a
///    full stroke seek_full;
///  - the spindle turns at rpm from time 0 of the steady clock; after the
///    seek the head waits until the request's first byte passes under it
///    (0 up to one revolution);
///  - transfer = bytes / media rate.
///
/// Requests are served one at a time in arrival order: each starts when
/// the previous one ends (the disk's timeline), and its delay is its end
/// minus now. A flush waits for the timeline to drain; a discard costs
/// nothing. handle() locks, so several threads may call it.
class HddModel final : public Model {
public:
	explicit HddModel(const HddConfig& config);
	[[nodiscard]] std::string_view name() const override { return "hdd"; }
	void start(const Geometry& g) override;
	void handle(const Request& r, std::chrono::nanoseconds now, Reply& out,
		    PageOps& ops) override;
	[[nodiscard]] unsigned threads_supported() const override { return 64; }
	[[nodiscard]] nlohmann::json stats() const override;

	/// One revolution.
	[[nodiscard]] std::chrono::nanoseconds revolution() const;
	/// Seek time over @p tracks tracks.
	[[nodiscard]] std::chrono::nanoseconds seek_time(std::uint64_t tracks) const;
	/// Bytes of one track.
	[[nodiscard]] std::uint64_t track_bytes() const { return track_bytes_; }
	/// Tracks of the attached disk.
	[[nodiscard]] std::uint64_t tracks() const { return tracks_; }

private:
	HddConfig config_;
	std::uint64_t capacity_ = 0;
	std::uint64_t track_bytes_ = 0;
	std::uint64_t tracks_ = 1;
	mutable std::mutex lock_; ///< guards everything below
	std::chrono::nanoseconds busy_until_{0};
	std::uint64_t head_track_ = 0;
	std::uint64_t media_ops_ = 0;
	std::uint64_t seeks_ = 0;
	std::chrono::nanoseconds seek_sum_{0};
	std::chrono::nanoseconds rotation_sum_{0};
	std::chrono::nanoseconds transfer_sum_{0};
	std::chrono::nanoseconds delay_sum_{0};
	std::chrono::nanoseconds delay_max_{0};
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
/// the inner model is.
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

private:
	std::unique_ptr<Model> inner_;
	std::string path_;
	mutable std::mutex lock_; ///< guards the file and the counters
	mutable std::ofstream file_;
	std::chrono::nanoseconds epoch_{-1};
	std::uint64_t records_ = 0;
};

} // namespace vbsim::model
