// IoWorker: O_DIRECT I/O from a second thread, results counted.
#include "io_worker.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vbsim/unique_fd.hpp>

#include "rng.hpp"

namespace vbsim::fuzz {

namespace {

constexpr std::size_t k_max_io = 64U << 10;

} // namespace

IoWorker::IoWorker(std::vector<IoTarget> targets, std::uint64_t seed, Watchdog& watchdog)
	: targets_(std::move(targets)), seed_(seed), watchdog_(watchdog),
	  thread_([this] { run(); })
{
}

IoWorker::~IoWorker()
{
	if (thread_.joinable()) {
		stop_.store(true);
		thread_.join();
	}
}

Tally IoWorker::stop()
{
	stop_.store(true);
	if (thread_.joinable())
		thread_.join();
	return tally_;
}

void IoWorker::run()
{
	Watchdog::Slot& slot = watchdog_.watch_this_thread("io-worker");
	Rng rng(seed_);
	std::vector<UniqueFd> fds;
	for (const auto& t : targets_) {
		const int fd = ::open(t.path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
		tally_.add("io:open", fd < 0 ? errno : 0);
		fds.emplace_back(fd);
	}
	// O_DIRECT wants an aligned buffer: one mapping, page aligned.
	void* mem = mmap(nullptr, k_max_io, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		tally_.add("io:mmap", errno);
		return;
	}
	auto* buf = static_cast<std::uint8_t*>(mem);
	std::memset(buf, 0xa5, k_max_io);
	while (!stop_.load()) {
		const std::size_t i = rng.below(targets_.size());
		if (!fds[i])
			continue;
		const int fd = fds[i].get();
		const std::uint64_t pages = targets_[i].capacity / 4096;
		const std::size_t len = rng.range(1, k_max_io / 4096) * 4096;
		const std::uint64_t off = rng.below(pages > len / 4096 ? pages - len / 4096 : 1) * 4096;
		const unsigned op = static_cast<unsigned>(rng.below(20));
		int err = 0;
		std::string name;
		const std::int64_t t0 = now_ns();
		if (op < 9) {
			name = "io:pread";
			slot.begin(fmt::format("pread {} bytes at {} of {}", len, off, targets_[i].path), false);
			err = ::pread(fd, buf, len, static_cast<off_t>(off)) < 0 ? errno : 0;
		} else if (op < 18) {
			name = "io:pwrite";
			slot.begin(fmt::format("pwrite {} bytes at {} of {}", len, off, targets_[i].path), false);
			err = ::pwrite(fd, buf, len, static_cast<off_t>(off)) < 0 ? errno : 0;
		} else if (op < 19) {
			name = "io:fsync";
			slot.begin(fmt::format("fsync {}", targets_[i].path), false);
			err = ::fsync(fd) < 0 ? errno : 0;
		} else {
			name = "io:BLKDISCARD";
			std::uint64_t range[2] = {off, len};
			slot.begin(fmt::format("BLKDISCARD {} bytes at {} of {}", len, off, targets_[i].path), false);
			err = ::ioctl(fd, BLKDISCARD, range) < 0 ? errno : 0;
		}
		slot.end();
		tally_.add(name, err, now_ns() - t0);
	}
	munmap(mem, k_max_io);
}

} // namespace vbsim::fuzz
