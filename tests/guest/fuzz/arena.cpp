// Arena: mappings with guard pages, read-only and inaccessible regions.
#include "arena.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace vbsim::fuzz {

namespace {

constexpr std::size_t k_page = 4096;

/// Maps @p bytes of anonymous memory with protection @p prot; throws on
/// failure, naming @p what.
std::uint8_t* map_or_throw(std::size_t bytes, int prot, const char* what)
{
	void* p = mmap(nullptr, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		throw std::system_error(errno, std::generic_category(), what);
	return static_cast<std::uint8_t*>(p);
}

/// Turns the page at @p page into a guard page: any access faults.
void make_guard(std::uint8_t* page)
{
	if (mprotect(page, k_page, PROT_NONE) != 0)
		throw std::system_error(errno, std::generic_category(), "mprotect guard page");
}

/// Addresses no user process can hand to copy_from_user(): the start of
/// the direct map, the kernel text, the top page, a non-canonical address
/// and the last user page boundary crossing into kernel space.
constexpr std::array<std::uintptr_t, 6> k_kernel_addrs = {
	0xffff888000000000ULL, 0xffffffff81000000ULL, 0xfffffffffffff000ULL,
	0x8000000000000000ULL, 0x00007ffffffff000ULL, 0xffffc90000000000ULL,
};

} // namespace

const char* where_name(Where w)
{
	switch (w) {
	case Where::good: return "good";
	case Where::misaligned: return "misaligned";
	case Where::guard: return "guard";
	case Where::read_only: return "read-only";
	case Where::null: return "null";
	case Where::unmapped: return "unmapped";
	case Where::kernel: return "kernel";
	case Where::count_: break;
	}
	return "?";
}

Arena::Arena()
	: structs_(map_or_throw(k_struct_bytes + k_page, PROT_READ | PROT_WRITE, "mmap structures")),
	  data_(map_or_throw(k_data_bytes + k_page, PROT_READ | PROT_WRITE, "mmap data")),
	  read_only_(map_or_throw(k_data_bytes, PROT_READ, "mmap read-only"))
{
	make_guard(structs_ + k_struct_bytes);
	make_guard(data_ + k_data_bytes);
	// The "unmapped" region stays reserved, inaccessible: an address in it
	// passes access_ok() and the copy then faults, exactly as for a hole in
	// the address space. A real hole would not stay one: the next mmap of
	// this process (the I/O thread's buffer, a large vector's storage) is
	// placed there, and the kernel, handed an "unmapped" address, would
	// then write into the fuzzer's own memory.
	std::uint8_t* gone = map_or_throw(k_data_bytes, PROT_NONE, "mmap hole");
	unmapped_ = reinterpret_cast<std::uintptr_t>(gone);
}

Arena::~Arena()
{
	munmap(reinterpret_cast<void*>(unmapped_), k_data_bytes);
	munmap(structs_, k_struct_bytes + k_page);
	munmap(data_, k_data_bytes + k_page);
	munmap(read_only_, k_data_bytes);
}

std::uintptr_t Arena::bad_addr(Where where, Rng& rng) const
{
	switch (where) {
	case Where::null:
		// Mostly NULL itself, sometimes a small offset from it.
		return rng.chance(3, 4) ? 0 : rng.below(k_page);
	case Where::unmapped:
		return unmapped_ + rng.below(k_data_bytes);
	default:
		return k_kernel_addrs[rng.below(k_kernel_addrs.size())] +
		       (rng.chance(1, 2) ? 0 : rng.below(k_page));
	}
}

std::uintptr_t Arena::place_struct(std::span<const std::uint8_t> bytes, Where where,
				   Rng& rng)
{
	// Zero what a kernel may read past the structure (a size field says at
	// most 4096 bytes) and what the last placement left: the first two
	// pages and the page before the guard. Clearing all 64 KiB on every
	// call would cost more than the ioctl under emulation.
	std::memset(structs_, 0, 2 * k_page);
	std::memset(structs_ + k_struct_bytes - k_page, 0, k_page);
	const std::size_t len = std::min(bytes.size(), k_struct_bytes);
	switch (where) {
	case Where::good:
	case Where::misaligned: {
		const std::size_t off = where == Where::good ? 0 : rng.range(1, 7);
		std::memcpy(structs_ + off, bytes.data(), len);
		return reinterpret_cast<std::uintptr_t>(structs_ + off);
	}
	case Where::guard: {
		// Keep 1 .. len - 1 bytes before the guard page (0 for an
		// empty structure: the address is the guard page itself).
		const std::size_t keep = len > 1 ? rng.range(1, len - 1) : 0;
		std::uint8_t* at = structs_ + k_struct_bytes - keep;
		std::memcpy(at, bytes.data(), keep);
		return reinterpret_cast<std::uintptr_t>(at);
	}
	case Where::read_only: {
		const std::size_t fit = std::min(len, k_page);
		if (mprotect(read_only_, k_page, PROT_READ | PROT_WRITE) != 0)
			throw std::system_error(errno, std::generic_category(), "mprotect");
		std::memset(read_only_, 0, k_page);
		std::memcpy(read_only_, bytes.data(), fit);
		if (mprotect(read_only_, k_page, PROT_READ) != 0)
			throw std::system_error(errno, std::generic_category(), "mprotect");
		return reinterpret_cast<std::uintptr_t>(read_only_);
	}
	default:
		return bad_addr(where, rng);
	}
}

std::uintptr_t Arena::data_addr(std::size_t len, Where where, Rng& rng, std::size_t lo,
				std::size_t hi)
{
	const auto base = reinterpret_cast<std::uintptr_t>(data_) + lo;
	const std::size_t region = std::min(hi, k_data_bytes) - lo;
	switch (where) {
	case Where::good:
	case Where::misaligned: {
		const std::size_t skew = where == Where::good ? 0 : rng.range(1, 7);
		if (len + skew >= region)
			return base + skew;
		const std::size_t room = region - len - skew;
		// Page-aligned for good addresses: O_DIRECT-like, the common case.
		const std::size_t off = where == Where::good ? rng.below(room / k_page + 1) * k_page
							     : rng.below(room + 1);
		return base + off + skew;
	}
	case Where::guard: {
		const std::size_t keep = len > 1 ? rng.range(1, std::min(len - 1, k_data_bytes)) : 0;
		return reinterpret_cast<std::uintptr_t>(data_) + k_data_bytes - keep;
	}
	case Where::read_only:
		return reinterpret_cast<std::uintptr_t>(read_only_) +
		       (len < k_data_bytes ? rng.below(k_data_bytes - len + 1) & ~std::size_t{7} : 0);
	default:
		return bad_addr(where, rng);
	}
}

bool Arena::in_data(std::uintptr_t addr, std::size_t len) const
{
	const auto base = reinterpret_cast<std::uintptr_t>(data_);
	return addr >= base && len <= k_data_bytes && addr - base <= k_data_bytes - len;
}

} // namespace vbsim::fuzz
