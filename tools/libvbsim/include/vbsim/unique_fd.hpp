// UniqueFd: sole owner of a file descriptor.
#pragma once

#include <string>

namespace vbsim {

/// Owns one file descriptor and closes it when destroyed.
///
/// Move-only, like std::unique_ptr: moving transfers ownership and leaves
/// the source empty. An empty UniqueFd holds -1.
class UniqueFd {
public:
	/// An empty handle (-1).
	UniqueFd() noexcept = default;

	/// Takes ownership of @p fd (which may be -1).
	explicit UniqueFd(int fd) noexcept : fd_(fd) {}

	UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
	UniqueFd& operator=(UniqueFd&& other) noexcept;
	UniqueFd(const UniqueFd&) = delete;
	UniqueFd& operator=(const UniqueFd&) = delete;
	~UniqueFd();

	/// Opens @p path with open(2) @p flags (O_CLOEXEC is always added).
	/// Throws std::system_error "opening <path>: <strerror>" on failure.
	static UniqueFd open(const std::string& path, int flags, unsigned mode = 0);

	/// The descriptor, still owned by this object; -1 when empty.
	[[nodiscard]] int get() const noexcept { return fd_; }

	/// True when a descriptor is held.
	[[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
	explicit operator bool() const noexcept { return valid(); }

	/// Gives up ownership: returns the descriptor and leaves this empty.
	[[nodiscard]] int release() noexcept;

	/// Closes the current descriptor (if any) and takes @p fd instead.
	void reset(int fd = -1) noexcept;

private:
	int fd_ = -1;
};

} // namespace vbsim
