// Arena: the user memory the fuzzer hands to the kernel, good and bad.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rng.hpp"

namespace vbsim::fuzz {

/// Where an argument (or an address embedded in one) points.
enum class Where : std::uint8_t {
	good,       ///< readable and writable, aligned
	misaligned, ///< readable and writable, 1..7 bytes off alignment
	guard,      ///< starts mapped, ends inside an unmapped guard page
	read_only,  ///< mapped read-only: input works, output faults
	null,       ///< address 0
	unmapped,   ///< a user address with no access (reserved PROT_NONE: faults as a hole)
	kernel,     ///< a kernel-space or non-canonical address
	count_      ///< number of kinds (not a kind)
};

/// Short name of a Where, for logs.
const char* where_name(Where w);

/// Owns the mappings the fuzzer builds its arguments in, and hands out
/// addresses of each Where kind.
///
/// Every kind is deliberate: the kernel must answer each one with an errno
/// (EFAULT for the unusable ones) and never touch memory it was not given.
/// The guard page right after each writable region makes a copy that runs
/// past the structure the caller described fault instead of reading
/// whatever happens to follow.
class Arena {
public:
	/// Bytes of the region that data buffers (vbs_block_io.buf, the model
	/// arrays, ...) are placed in: enough for the largest transfer.
	static constexpr std::size_t k_data_bytes = 2U << 20;
	/// Bytes of the region structures are placed in.
	static constexpr std::size_t k_struct_bytes = 16U << 12;

	Arena();
	~Arena();
	Arena(const Arena&) = delete;
	Arena& operator=(const Arena&) = delete;
	Arena(Arena&&) = delete;
	Arena& operator=(Arena&&) = delete;

	/// Copies @p bytes to a place of kind @p where in the structure region
	/// (what fits of it, for guard and read_only) and returns the address
	/// to pass to ioctl(). The region is first cleared to zeros, so a
	/// kernel that reads past @p bytes (a larger size field) sees zeros
	/// unless it runs into the guard page.
	std::uintptr_t place_struct(std::span<const std::uint8_t> bytes, Where where,
				    Rng& rng);

	/// An address of kind @p where for an array of @p len bytes in the
	/// data region. good and misaligned addresses have @p len bytes
	/// mapped (when @p len fits the region; else the guard catches it),
	/// inside bytes [@p lo, @p hi) of the region, so that several arrays
	/// of one call do not overlap.
	std::uintptr_t data_addr(std::size_t len, Where where, Rng& rng, std::size_t lo = 0,
				 std::size_t hi = k_data_bytes);

	/// The writable data region, to read what the kernel wrote.
	[[nodiscard]] std::span<std::uint8_t> data() const { return {data_, k_data_bytes}; }

	/// True if @p addr .. @p addr + @p len lies in the writable data
	/// region (so the fuzzer may read what the kernel wrote there).
	[[nodiscard]] bool in_data(std::uintptr_t addr, std::size_t len) const;

private:
	/// An unusable address of kind @p where (null, unmapped, kernel).
	std::uintptr_t bad_addr(Where where, Rng& rng) const;

	std::uint8_t* structs_ = nullptr;   // k_struct_bytes + guard page
	std::uint8_t* data_ = nullptr;      // k_data_bytes + guard page
	std::uint8_t* read_only_ = nullptr; // k_data_bytes, PROT_READ
	std::uintptr_t unmapped_ = 0;       // k_data_bytes, PROT_NONE
};

} // namespace vbsim::fuzz
