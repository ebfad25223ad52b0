// SparseStore: pages on first write, zeros elsewhere.
#include <gtest/gtest.h>

#include "test_bytes.hpp"
#include "vbsim/sparse_store.hpp"

namespace vbsim {
namespace {

constexpr std::size_t k_page = SparseStore::k_page_size;

TEST(SparseStore, unwritten_bytes_read_as_zeros_without_allocating)
{
	SparseStore store;
	auto out = test::filled(3 * k_page, 0xaa);
	store.read(12345, out);
	EXPECT_EQ(out, test::filled(3 * k_page, 0));
	EXPECT_EQ(store.pages_in_use(), 0U);
}

TEST(SparseStore, a_write_across_a_page_boundary_allocates_both_pages)
{
	SparseStore store;
	const auto data = test::counting(100);
	store.write(k_page - 50, data);
	EXPECT_EQ(store.pages_in_use(), 2U);

	auto out = test::filled(100, 0);
	store.read(k_page - 50, out);
	EXPECT_EQ(out, data);
}

TEST(SparseStore, bytes_around_a_partial_write_stay_zero)
{
	SparseStore store;
	store.write(10, test::filled(4, 0x55));
	auto out = test::filled(20, 0xee);
	store.read(0, out);
	auto expected = test::filled(20, 0);
	for (std::size_t i = 10; i < 14; i++)
		expected[i] = std::byte{0x55};
	EXPECT_EQ(out, expected);
}

TEST(SparseStore, rewriting_a_page_does_not_allocate_again)
{
	SparseStore store;
	store.write(0, test::filled(k_page, 1));
	store.write(0, test::filled(k_page, 2));
	EXPECT_EQ(store.pages_in_use(), 1U);
	auto out = test::filled(k_page, 0);
	store.read(0, out);
	EXPECT_EQ(out, test::filled(k_page, 2));
}

TEST(SparseStore, offsets_far_apart_cost_one_page_each)
{
	SparseStore store;
	store.write(0, test::filled(1, 1));
	store.write(std::uint64_t{1} << 49, test::filled(1, 2));
	EXPECT_EQ(store.pages_in_use(), 2U);
}

} // namespace
} // namespace vbsim
