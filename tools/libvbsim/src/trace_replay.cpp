#include "vbsim/trace_replay.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "vbsim/error.hpp"

#include "ioctl.hpp"

namespace vbsim::model {

namespace {

using Clock = std::chrono::steady_clock;

/// O_DIRECT wants buffers aligned to the logical block size; a page
/// covers every block size the module allows.
constexpr std::size_t kAlign = 4096;

/// Retries @p op (a pread/pwrite-like call) until @p length bytes moved.
template <typename Io>
int full_io(Io&& io, std::uint64_t length)
{
	std::uint64_t done = 0;
	while (done < length) {
		const ssize_t n = io(done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; // past the end
		done += static_cast<std::uint64_t>(n);
	}
	return 0;
}

} // namespace

FileReplayTarget::FileReplayTarget(const std::string& path, bool direct)
	: path_(path), fd_(UniqueFd::open(path, O_RDWR | (direct ? O_DIRECT : 0)))
{
	struct stat st{};
	if (fstat(fd_.get(), &st) == 0)
		block_device_ = S_ISBLK(st.st_mode);
}

std::span<std::byte> FileReplayTarget::buffer(std::uint64_t length)
{
	if (length > buf_size_) {
		const std::uint64_t size = (length + kAlign - 1) / kAlign * kAlign;
		void* p = nullptr;
		if (posix_memalign(&p, kAlign, size) != 0)
			throw std::bad_alloc();
		buf_ = std::unique_ptr<std::byte, void (*)(void*)>(static_cast<std::byte*>(p), std::free);
		buf_size_ = size;
	}
	return {buf_.get(), static_cast<std::size_t>(length)};
}

int FileReplayTarget::read(std::uint64_t offset, std::uint64_t length)
{
	auto buf = buffer(length);
	return full_io([&](std::uint64_t done) {
		return ::pread(fd_.get(), buf.data() + done, length - done,
			       static_cast<off_t>(offset + done));
	}, length);
}

int FileReplayTarget::write(std::uint64_t offset, std::uint64_t length, bool fua)
{
	auto buf = buffer(length);
	// A pattern that names the offset, so replayed data can be told apart.
	for (std::uint64_t i = 0; i < length; i += 8) {
		const std::uint64_t word = offset + i;
		std::memcpy(buf.data() + i, &word, std::min<std::uint64_t>(8, length - i));
	}
	const int ret = full_io([&](std::uint64_t done) {
		return ::pwrite(fd_.get(), buf.data() + done, length - done,
				static_cast<off_t>(offset + done));
	}, length);
	if (ret == 0 && fua && ::fdatasync(fd_.get()) != 0)
		return -errno;
	return ret;
}

int FileReplayTarget::flush()
{
	return ::fdatasync(fd_.get()) == 0 ? 0 : -errno;
}

int FileReplayTarget::discard(std::uint64_t offset, std::uint64_t length)
{
	if (block_device_) {
		std::uint64_t range[2] = {offset, length};
		return detail::try_ioctl(fd_, BLKDISCARD, range);
	}
	return ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   static_cast<off_t>(offset), static_cast<off_t>(length)) == 0
		       ? 0
		       : -errno;
}

int FileReplayTarget::write_zeroes(std::uint64_t offset, std::uint64_t length)
{
	if (block_device_) {
		std::uint64_t range[2] = {offset, length};
		return detail::try_ioctl(fd_, BLKZEROOUT, range);
	}
	auto buf = buffer(length);
	std::fill(buf.begin(), buf.end(), std::byte{0});
	return full_io([&](std::uint64_t done) {
		return ::pwrite(fd_.get(), buf.data() + done, length - done,
				static_cast<off_t>(offset + done));
	}, length);
}

std::uint64_t ReplaySummary::total_ios() const
{
	std::uint64_t total = 0;
	for (std::uint64_t n : ios)
		total += n;
	return total;
}

nlohmann::json ReplaySummary::to_json() const
{
	nlohmann::json by_op = nlohmann::json::object();
	for (std::size_t i = 0; i < ios.size(); i++)
		by_op[std::string(op_name(static_cast<Op>(i)))] = {
			{"ios", ios[i]}, {"bytes", bytes[i]}, {"errors", errors[i]}};
	const std::uint64_t n = total_ios();
	return {
		{"ios", n},
		{"ops", by_op},
		{"status_mismatches", status_mismatches},
		{"elapsed_ns", elapsed.count()},
		{"mean_latency_ns", n == 0 ? 0 : latency_sum.count() / static_cast<std::int64_t>(n)},
		{"max_latency_ns", latency_max.count()},
		{"max_lag_ns", max_lag.count()},
	};
}

ReplaySummary replay(std::span<const TraceRecord> records, ReplayTarget& target,
		     const ReplayOptions& options, const std::function<bool()>& keep_going)
{
	if (!(options.speed > 0))
		throw std::invalid_argument(fmt::format("--speed must be positive, not {}", options.speed));
	ReplaySummary s;
	const auto start = Clock::now();
	for (const TraceRecord& r : records) {
		if (keep_going && !keep_going())
			break;
		if (!options.as_fast_as_possible) {
			const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
							 static_cast<double>(r.time_ns) / options.speed));
			const auto now = Clock::now();
			if (now < due)
				std::this_thread::sleep_until(due);
			else
				s.max_lag = std::max(s.max_lag, std::chrono::nanoseconds(now - due));
		}
		const std::uint64_t offset = r.sector * kSectorSize;
		const std::uint64_t length = std::uint64_t{r.sectors} * kSectorSize;
		const auto issued = Clock::now();
		int status = 0;
		switch (r.op) {
		case Op::read:
			status = target.read(offset, length);
			break;
		case Op::write:
			status = target.write(offset, length, r.fua);
			break;
		case Op::flush:
			status = target.flush();
			break;
		case Op::discard:
			status = target.discard(offset, length);
			break;
		case Op::write_zeroes:
			status = target.write_zeroes(offset, length);
			break;
		}
		const std::chrono::nanoseconds latency = Clock::now() - issued;
		const auto op = static_cast<std::size_t>(r.op);
		s.ios[op]++;
		s.bytes[op] += length;
		if (status != 0)
			s.errors[op]++;
		if ((status != 0) != (r.status != 0))
			s.status_mismatches++;
		s.latency_sum += latency;
		s.latency_max = std::max(s.latency_max, latency);
	}
	s.elapsed = Clock::now() - start;
	return s;
}

} // namespace vbsim::model
