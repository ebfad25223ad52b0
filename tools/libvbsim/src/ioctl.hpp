// Private: the one place where an ioctl() call is made and its failure
// turned into an exception.
#pragma once

#include <cerrno>
#include <concepts>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <system_error>

#include "vbsim/device_provider.hpp"
#include "vbsim/error.hpp"
#include "vbsim/unique_fd.hpp"

namespace vbsim::detail {

/// ioctl(@p fd, @p request, @p arg), retried if a signal interrupted it
/// before it started. On failure throws std::system_error carrying errno
/// and describe(), which is only called then ("reading 8 blocks at LBA
/// 100 of /dev/virtblkiosim0").
template <std::invocable Describe>
void checked_ioctl(const UniqueFd& fd, unsigned long request, void* arg, Describe&& describe)
{
	int ret;
	do {
		ret = ::ioctl(fd.get(), request, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		const int err = errno;
		throw_error(err, std::string(describe()));
	}
}

/// ioctl(@p fd, @p request, @p arg), retried on EINTR, for callers that
/// count failures instead of throwing (a trace replay reproduces them).
/// Returns 0 or the negative errno.
inline int try_ioctl(const UniqueFd& fd, unsigned long request, void* arg)
{
	int ret;
	do {
		ret = ::ioctl(fd.get(), request, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/// Opens a disk or the control node for @p access. When a read-write open
/// is refused because the disk is read-only (EROFS) or the node's mode
/// does not let this user write (EACCES), falls back to read-only: the
/// ioctls that change state then reach the kernel and fail with its own
/// errno (EROFS, EPERM) instead of failing at open.
inline UniqueFd open_node(const std::string& path, Access access)
{
	if (access == Access::read_write) {
		try {
			return UniqueFd::open(path, O_RDWR);
		} catch (const std::system_error& e) {
			if (e.code() != std::errc::read_only_file_system &&
			    e.code() != std::errc::permission_denied)
				throw;
		}
	}
	return UniqueFd::open(path, O_RDONLY);
}

} // namespace vbsim::detail
