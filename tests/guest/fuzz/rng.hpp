// Rng: the fuzzer's only source of randomness, reproducible per seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace vbsim::fuzz {

/// A seeded generator with the few draws the fuzzer needs.
///
/// std::mt19937_64's output is fixed by the standard; the distributions of
/// <random> are not (they differ between standard libraries), so the draws
/// below are written out here to keep a seed's sequence the same
/// everywhere.
class Rng {
public:
	explicit Rng(std::uint64_t seed) : gen_(seed) {}

	/// 64 random bits.
	std::uint64_t u64() { return gen_(); }

	/// 32 random bits.
	std::uint32_t u32() { return static_cast<std::uint32_t>(gen_() >> 32U); }

	/// A number in [0, @p n); 0 when @p n is 0. The bias of the modulo is
	/// below 2^-40 for the small @p n used here, irrelevant for fuzzing.
	std::uint64_t below(std::uint64_t n) { return n ? gen_() % n : 0; }

	/// A number in [@p lo, @p hi].
	std::uint64_t range(std::uint64_t lo, std::uint64_t hi)
	{
		return lo + below(hi - lo + 1);
	}

	/// True with probability @p num / @p den.
	bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }

	/// One element of @p items (which must not be empty).
	template <typename T>
	const T& pick(std::span<const T> items)
	{
		return items[below(items.size())];
	}

	/// A value that tends to find boundary bugs: 0, 1, all ones, powers
	/// of two and their neighbours, or random bits, cut to @p width bytes.
	std::uint64_t interesting(std::size_t width)
	{
		std::uint64_t v = 0;
		switch (below(8)) {
		case 0: v = 0; break;
		case 1: v = 1; break;
		case 2: v = ~std::uint64_t{0}; break;
		case 3: v = std::uint64_t{1} << below(64); break;
		case 4: v = (std::uint64_t{1} << below(64)) - 1; break;
		case 5: v = (std::uint64_t{1} << below(64)) + 1; break;
		case 6: v = below(4097); break;
		default: v = u64(); break;
		}
		return width >= 8 ? v : v & ((std::uint64_t{1} << (8 * width)) - 1);
	}

private:
	std::mt19937_64 gen_;
};

} // namespace vbsim::fuzz
