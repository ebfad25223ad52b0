// Replaying a model trace (models.hpp, TraceRecord) against a block device
// or a file: `vbsim trace replay`.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vbsim/models.hpp"
#include "vbsim/unique_fd.hpp"

namespace vbsim::model {

/// Where the I/Os of a trace go. Offsets and lengths are in bytes. Each
/// call returns 0 or a negative errno (a failed I/O is counted, not
/// thrown: a replay reproduces failures too).
class ReplayTarget {
public:
	virtual ~ReplayTarget() = default;
	virtual int read(std::uint64_t offset, std::uint64_t length) = 0;
	virtual int write(std::uint64_t offset, std::uint64_t length, bool fua) = 0;
	virtual int flush() = 0;
	virtual int discard(std::uint64_t offset, std::uint64_t length) = 0;
	virtual int write_zeroes(std::uint64_t offset, std::uint64_t length) = 0;

protected:
	ReplayTarget() = default;
	ReplayTarget(const ReplayTarget&) = default;
	ReplayTarget& operator=(const ReplayTarget&) = default;
};

/// A block device or regular file. With @p direct (the default for
/// block devices) I/O bypasses the page cache (O_DIRECT), so every
/// recorded request reaches the device as one request. Writes carry a
/// recognisable pattern; FUA writes are followed by fdatasync(). Discard
/// and write-zeroes are BLKDISCARD / BLKZEROOUT on a block device and
/// hole punching / zero writes on a file. Throws std::system_error if
/// @p path cannot be opened.
class FileReplayTarget final : public ReplayTarget {
public:
	FileReplayTarget(const std::string& path, bool direct);
	int read(std::uint64_t offset, std::uint64_t length) override;
	int write(std::uint64_t offset, std::uint64_t length, bool fua) override;
	int flush() override;
	int discard(std::uint64_t offset, std::uint64_t length) override;
	int write_zeroes(std::uint64_t offset, std::uint64_t length) override;

private:
	/// An aligned buffer of at least @p length bytes.
	std::span<std::byte> buffer(std::uint64_t length);

	std::string path_;
	UniqueFd fd_;
	bool block_device_ = false;
	std::unique_ptr<std::byte, void (*)(void*)> buf_{nullptr, nullptr};
	std::uint64_t buf_size_ = 0;
};

/// How to pace a replay.
struct ReplayOptions {
	/// Recorded times are divided by this: 2 replays twice as fast.
	double speed = 1.0;
	/// Issue each I/O as soon as the previous one ends, ignoring times.
	bool as_fast_as_possible = false;
};

/// What a replay did.
struct ReplaySummary {
	std::array<std::uint64_t, 5> ios{};    ///< per Op
	std::array<std::uint64_t, 5> bytes{};  ///< per Op
	std::array<std::uint64_t, 5> errors{}; ///< per Op
	/// I/Os whose status differs from the recorded one.
	std::uint64_t status_mismatches = 0;
	std::chrono::nanoseconds elapsed{0};
	/// Sum and maximum of the replayed I/Os' own latencies.
	std::chrono::nanoseconds latency_sum{0};
	std::chrono::nanoseconds latency_max{0};
	/// Latest start behind the recorded schedule (the target was slower).
	std::chrono::nanoseconds max_lag{0};

	[[nodiscard]] std::uint64_t total_ios() const;
	[[nodiscard]] nlohmann::json to_json() const;
};

/// Issues @p records in order against @p target, each at its recorded time
/// (divided by options.speed) after the start, or back to back. @p
/// keep_going is asked before each I/O (a stop request ends the replay
/// early). std::invalid_argument for a speed that is not positive.
ReplaySummary replay(std::span<const TraceRecord> records, ReplayTarget& target,
		     const ReplayOptions& options, const std::function<bool()>& keep_going = {});

} // namespace vbsim::model
