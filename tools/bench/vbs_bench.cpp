// vbs-bench: micro-benchmarks of `make bench` (Google Benchmark).
//
// Three questions, each answered on the same disk in the same boot so that
// only the path differs:
//
//   io/*      4 KiB at queue depth 1, random offsets: a virtblkiosim disk
//             through libvbsim's IoctlDevice (VBS_IOC_READ / _WRITE)
//             against pread(2) / pwrite(2) with O_DIRECT. The raw_ioctl
//             variants issue the same ioctl without the library, so the
//             report can tell the library's per-call cost from the
//             kernel's.
//   memcpy/*  the guest's memory copy bandwidth: every byte a RAM disk
//             moves is one memcpy, so this is the ceiling of 1 MiB
//             sequential throughput on any of them.
//
// Usage (the benchmark library's own --benchmark_* flags come first):
//
//   vbs-bench [--benchmark_...]... [--dev /dev/virtblkiosimN] [--span BYTES]
//
// `make bench` runs it with --benchmark_repetitions=N and
// --benchmark_enable_random_interleaving=true: the library then runs the
// N repetitions of every benchmark in one shuffled sequence, so the ioctl
// and pread/pwrite variants alternate and drift in the machine hits them
// alike. Each repetition records when it ran (the counter start_s, seconds
// of CLOCK_MONOTONIC), because the library writes its JSON per benchmark,
// not in the order the repetitions ran: sorting by start_s gives that order.
//
// Without --dev only the memcpy benchmarks run. --span (default 256 MiB)
// bounds the random offsets: the bench writes that region before reading it,
// so reads move real pages on every device.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <benchmark/benchmark.h>
#include <linux/virtblkiosim.h>

#include "vbsim/error.hpp"
#include "vbsim/ioctl_device.hpp"
#include "vbsim/unique_fd.hpp"
#include "vbsim/units.hpp"

namespace vbsim::bench {
namespace {

constexpr std::size_t k_io_bytes = 4096;
// O_DIRECT wants the buffer aligned to the logical block size; a page
// covers every block size the disks of the bench use.
constexpr std::size_t k_align = 4096;
constexpr std::uint64_t k_default_span = 256ULL << 20;
// Offsets drawn once and replayed in a loop: every variant visits the same
// blocks in the same order, and drawing costs nothing inside the loop.
constexpr std::size_t k_offsets = 1U << 14;
constexpr std::uint64_t k_seed = 20261130;

/// Releases memory from std::aligned_alloc.
struct FreeDeleter {
	// std::aligned_alloc memory can only be released with std::free.
	void operator()(std::byte* p) const noexcept
	{
		std::free(p); // NOLINT(cppcoreguidelines-no-malloc)
	}
};

/// A zero-filled, page-aligned buffer of @p bytes, owned by the pointer.
using AlignedBuffer = std::unique_ptr<std::byte[], FreeDeleter>;

/// Allocates an AlignedBuffer of @p bytes (a multiple of k_align) filled
/// with @p fill, so that written blocks are not zero pages a driver could
/// treat specially.
AlignedBuffer aligned_buffer(std::size_t bytes, std::byte fill)
{
	AlignedBuffer buf(static_cast<std::byte*>(std::aligned_alloc(k_align, bytes)));
	if (!buf)
		throw std::bad_alloc();
	std::memset(buf.get(), static_cast<int>(fill), bytes);
	return buf;
}

/// The byte offsets of the random 4 KiB accesses inside [0, @p span).
std::vector<std::uint64_t> random_offsets(std::uint64_t span)
{
	if (span < k_io_bytes)
		throw std::invalid_argument("--span must be at least 4096 bytes");
	std::mt19937_64 rng(k_seed);
	std::uniform_int_distribution<std::uint64_t> block(0, span / k_io_bytes - 1);
	std::vector<std::uint64_t> out(k_offsets);
	std::generate(out.begin(), out.end(), [&] { return block(rng) * k_io_bytes; });
	return out;
}

/// What the io/* benchmarks share: the disk's path and the offsets.
struct IoSetup {
	std::string path;
	std::vector<std::uint64_t> offsets;
};

/// Seconds of CLOCK_MONOTONIC now (std::chrono::steady_clock on Linux; the
/// guest's clock, so instruction time under QEMU's -icount).
double monotonic_seconds()
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Records in @p state when its measured loop started (counter start_s),
/// so the order in which interleaved repetitions ran can be read back.
void mark_start(benchmark::State& state)
{
	state.counters["start_s"] = benchmark::Counter(monotonic_seconds());
}

/// Reports one finished io/* benchmark: requests and bytes per second.
void count_io(benchmark::State& state)
{
	const auto n = static_cast<std::int64_t>(state.iterations());
	state.SetItemsProcessed(n);
	state.SetBytesProcessed(n * static_cast<std::int64_t>(k_io_bytes));
}

/// io/ioctl_{read,write}: one 4 KiB transfer per iteration through
/// IoctlDevice, as a program using libvbsim would do it.
void bm_ioctl(benchmark::State& state, const IoSetup& setup, bool write)
{
	IoctlDevice dev(setup.path, write ? Access::read_write : Access::read_only);
	const std::uint64_t block = dev.info().config.logical_block_size;
	AlignedBuffer buf = aligned_buffer(k_io_bytes, std::byte{0x5a});
	const std::span<std::byte> io(buf.get(), k_io_bytes);
	std::size_t i = 0;
	mark_start(state);
	for (auto _ : state) {
		const std::uint64_t lba = setup.offsets[i++ % k_offsets] / block;
		if (write)
			dev.write_blocks(lba, io, WriteMode::normal);
		else
			dev.read_blocks(lba, io);
		benchmark::DoNotOptimize(buf.get());
	}
	count_io(state);
}

/// io/raw_ioctl_{read,write}: the same ioctl as bm_ioctl, filled in here
/// once and issued directly, without the library's per-call work.
void bm_raw_ioctl(benchmark::State& state, const IoSetup& setup, bool write)
{
	UniqueFd fd = UniqueFd::open(setup.path, write ? O_RDWR : O_RDONLY);
	const std::uint64_t block = IoctlDevice(setup.path, Access::read_only).info().config.logical_block_size;
	AlignedBuffer buf = aligned_buffer(k_io_bytes, std::byte{0x5a});
	struct vbs_block_io io {};
	io.size = sizeof(io);
	io.count = static_cast<std::uint32_t>(k_io_bytes / block);
	io.buf = reinterpret_cast<std::uintptr_t>(buf.get());
	const unsigned long cmd = write ? VBS_IOC_WRITE : VBS_IOC_READ;
	std::size_t i = 0;
	mark_start(state);
	for (auto _ : state) {
		io.lba = setup.offsets[i++ % k_offsets] / block;
		if (::ioctl(fd.get(), cmd, &io) < 0) {
			state.SkipWithError(std::strerror(errno));
			break;
		}
		benchmark::DoNotOptimize(buf.get());
	}
	count_io(state);
}

/// io/{pread,pwrite}_odirect: the block layer's normal path on the same
/// disk, bypassing the page cache as the ioctl does.
void bm_direct(benchmark::State& state, const IoSetup& setup, bool write)
{
	UniqueFd fd = UniqueFd::open(setup.path, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	AlignedBuffer buf = aligned_buffer(k_io_bytes, std::byte{0x5a});
	std::size_t i = 0;
	mark_start(state);
	for (auto _ : state) {
		const auto off = static_cast<off_t>(setup.offsets[i++ % k_offsets]);
		const ssize_t n = write ? ::pwrite(fd.get(), buf.get(), k_io_bytes, off)
					: ::pread(fd.get(), buf.get(), k_io_bytes, off);
		if (n != static_cast<ssize_t>(k_io_bytes)) {
			state.SkipWithError(n < 0 ? std::strerror(errno) : "short transfer");
			break;
		}
		benchmark::DoNotOptimize(buf.get());
	}
	count_io(state);
}

/// memcpy/<bytes>: copies state.range(0) bytes between two buffers per
/// iteration. 4 KiB stays in the cache (the cost of one page copy), 64 MiB
/// does not (the memory's own bandwidth).
void bm_memcpy(benchmark::State& state)
{
	const auto bytes = static_cast<std::size_t>(state.range(0));
	AlignedBuffer src = aligned_buffer(bytes, std::byte{0x11});
	AlignedBuffer dst = aligned_buffer(bytes, std::byte{0x22});
	mark_start(state);
	for (auto _ : state) {
		std::memcpy(dst.get(), src.get(), bytes);
		benchmark::ClobberMemory();
	}
	state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
				static_cast<std::int64_t>(bytes));
}

/// The options of ours left in argv after the benchmark library took its
/// own.
struct Options {
	std::string dev;
	std::uint64_t span = k_default_span;
};

/// Parses --dev and --span from @p args; throws std::invalid_argument on
/// anything else, so a mistyped benchmark flag does not pass unnoticed.
Options parse_options(std::span<char*> args)
{
	Options o;
	for (std::size_t i = 0; i < args.size(); ++i) {
		const std::string_view a = args[i];
		if ((a == "--dev" || a == "--span") && i + 1 < args.size()) {
			const std::string value = args[++i];
			if (a == "--dev")
				o.dev = value;
			else
				o.span = parse_size(value);
		} else {
			throw std::invalid_argument("unknown argument \"" + std::string(a) +
						    "\" (expected --dev PATH, --span BYTES "
						    "or --benchmark_* flags)");
		}
	}
	return o;
}

/// Registers every benchmark the options allow. @p setup must outlive
/// the run: the io/* benchmarks borrow it.
void register_all(const Options& o, IoSetup& setup)
{
	// Wall-clock time throughout: a blocked pread costs no CPU time, but it
	// is the time the program waits that the comparison is about.
	benchmark::RegisterBenchmark("memcpy", bm_memcpy)
		->Arg(4096)
		->Arg(1 << 20)
		->Arg(64 << 20)
		->UseRealTime();
	if (o.dev.empty())
		return;
	setup.path = o.dev;
	setup.offsets = random_offsets(o.span);
	for (const bool write : {false, true}) {
		const std::string op = write ? "write" : "read";
		benchmark::RegisterBenchmark(("io/ioctl_" + op + "/4k").c_str(),
					     [&setup, write](benchmark::State& s) {
						     bm_ioctl(s, setup, write);
					     })
			->UseRealTime();
		benchmark::RegisterBenchmark(("io/raw_ioctl_" + op + "/4k").c_str(),
					     [&setup, write](benchmark::State& s) {
						     bm_raw_ioctl(s, setup, write);
					     })
			->UseRealTime();
		benchmark::RegisterBenchmark(("io/p" + op + "_odirect/4k").c_str(),
					     [&setup, write](benchmark::State& s) {
						     bm_direct(s, setup, write);
					     })
			->UseRealTime();
	}
}

} // namespace
} // namespace vbsim::bench

/// Hands the --benchmark_* flags to the library, registers the benchmarks
/// our own flags ask for and runs them. Exit status 1 on a setup error
/// (with one line on stderr), 2 on a bad argument.
int main(int argc, char** argv)
{
	benchmark::Initialize(&argc, argv);
	vbsim::bench::Options options;
	try {
		options = vbsim::bench::parse_options(std::span<char*>(argv + 1, argv + argc));
	} catch (const std::invalid_argument& e) {
		std::cerr << "vbs-bench: " << e.what() << '\n';
		return 2;
	}
	vbsim::bench::IoSetup setup;
	try {
		vbsim::bench::register_all(options, setup);
		benchmark::RunSpecifiedBenchmarks();
	} catch (const std::exception& e) {
		std::cerr << "vbs-bench: " << e.what() << '\n';
		return 1;
	}
	benchmark::Shutdown();
	return 0;
}
