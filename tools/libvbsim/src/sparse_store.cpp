#include "vbsim/sparse_store.hpp"

#include <algorithm>

namespace vbsim {

void SparseStore::read(std::uint64_t offset, std::span<std::byte> out) const
{
	while (!out.empty()) {
		const std::uint64_t index = offset / k_page_size;
		const std::size_t in_page = offset % k_page_size;
		const std::size_t len = std::min(out.size(), k_page_size - in_page);

		const auto it = pages_.find(index);
		if (it == pages_.end())
			std::fill_n(out.begin(), len, std::byte{0});
		else
			std::copy_n(it->second->begin() + static_cast<std::ptrdiff_t>(in_page), len, out.begin());

		offset += len;
		out = out.subspan(len);
	}
}

void SparseStore::write(std::uint64_t offset, std::span<const std::byte> in)
{
	while (!in.empty()) {
		const std::uint64_t index = offset / k_page_size;
		const std::size_t in_page = offset % k_page_size;
		const std::size_t len = std::min(in.size(), k_page_size - in_page);

		// A new page starts as zeros, so the bytes around a partial
		// write read back as they did before it.
		std::unique_ptr<Page>& page = pages_[index];
		if (!page)
			page = std::make_unique<Page>();
		std::copy_n(in.begin(), len, page->begin() + static_cast<std::ptrdiff_t>(in_page));

		offset += len;
		in = in.subspan(len);
	}
}

} // namespace vbsim
