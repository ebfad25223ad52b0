#include "vbsim/unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

#include "vbsim/error.hpp"

namespace vbsim {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept
{
	if (this != &other)
		reset(other.release());
	return *this;
}

UniqueFd::~UniqueFd()
{
	reset();
}

UniqueFd UniqueFd::open(const std::string& path, int flags, unsigned mode)
{
	int fd;
	do {
		fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		throw_error(errno, "opening " + path);
	return UniqueFd(fd);
}

int UniqueFd::release() noexcept
{
	return std::exchange(fd_, -1);
}

void UniqueFd::reset(int fd) noexcept
{
	// close() is not retried on EINTR: on Linux the descriptor is gone
	// either way, and a retry could close a descriptor another thread
	// has just been given.
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

} // namespace vbsim
