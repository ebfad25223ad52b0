// SparseStore: bytes kept in pages that exist only once written.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

namespace vbsim {

/// A byte-addressed store that allocates a page on the first write to it
/// and reads unwritten bytes as zeros: the userland twin of the kernel
/// module's page store, used by FakeDevice.
///
/// Offsets are not range-checked here; the owner checks them against its
/// capacity.
class SparseStore {
public:
	/// Bytes per page, the kernel's PAGE_SIZE on x86-64.
	static constexpr std::size_t k_page_size = 4096;

	/// Copies out.size() bytes starting at @p offset into @p out.
	void read(std::uint64_t offset, std::span<std::byte> out) const;

	/// Copies @p in to @p offset, allocating pages as needed.
	void write(std::uint64_t offset, std::span<const std::byte> in);

	/// Pages that hold data.
	[[nodiscard]] std::size_t pages_in_use() const { return pages_.size(); }

private:
	using Page = std::array<std::byte, k_page_size>;

	/// page index (offset / k_page_size) -> page
	std::unordered_map<std::uint64_t, std::unique_ptr<Page>> pages_;
};

} // namespace vbsim
