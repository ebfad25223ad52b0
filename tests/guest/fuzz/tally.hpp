// Tally: how often each command ended with each errno.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

namespace vbsim::fuzz {

/// Counts, per command name, the results of the calls: errno 0 for a
/// success. Printed at the end so a run shows what it actually exercised
/// (a fuzzer whose calls all fail with EINVAL at the first check tests
/// little).
class Tally {
public:
	/// Counts one call of @p command that ended with @p err (0: success)
	/// after @p ns nanoseconds.
	void add(const std::string& command, int err, std::int64_t ns = 0)
	{
		++counts_[command][err];
		ns_[command] += ns;
	}

	/// Adds every count of @p other.
	void merge(const Tally& other)
	{
		for (const auto& [cmd, errs] : other.counts_)
			for (const auto& [err, n] : errs)
				counts_[cmd][err] += n;
		for (const auto& [cmd, ns] : other.ns_)
			ns_[cmd] += ns;
	}

	/// Calls counted in all.
	[[nodiscard]] std::uint64_t total() const
	{
		std::uint64_t n = 0;
		for (const auto& [cmd, errs] : counts_)
			for (const auto& [err, k] : errs)
				n += k;
		return n;
	}

	/// Prints one line per command: its total, the seconds it took and
	/// "ERRNO=count" pairs.
	void print(std::FILE* out) const;

private:
	std::map<std::string, std::map<int, std::uint64_t>> counts_;
	std::map<std::string, std::int64_t> ns_; // time spent, per command
};

} // namespace vbsim::fuzz
