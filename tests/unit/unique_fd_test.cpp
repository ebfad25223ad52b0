// UniqueFd: ownership of a file descriptor.
#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "error_matchers.hpp"
#include "vbsim/unique_fd.hpp"

namespace vbsim {
namespace {

bool is_open(int fd)
{
	return ::fcntl(fd, F_GETFD) != -1;
}

TEST(UniqueFd, closes_on_destruction)
{
	int raw = -1;
	{
		UniqueFd fd = UniqueFd::open("/dev/null", O_RDONLY);
		raw = fd.get();
		EXPECT_TRUE(fd.valid());
		EXPECT_TRUE(is_open(raw));
	}
	EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, open_sets_close_on_exec)
{
	const UniqueFd fd = UniqueFd::open("/dev/null", O_RDONLY);
	EXPECT_NE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(UniqueFd, move_transfers_ownership)
{
	UniqueFd a = UniqueFd::open("/dev/null", O_RDONLY);
	const int raw = a.get();
	UniqueFd b(std::move(a));
	EXPECT_FALSE(a.valid()); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
	EXPECT_EQ(b.get(), raw);

	UniqueFd c;
	c = std::move(b);
	EXPECT_EQ(c.get(), raw);
	EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, move_assignment_closes_the_old_descriptor)
{
	UniqueFd a = UniqueFd::open("/dev/null", O_RDONLY);
	UniqueFd b = UniqueFd::open("/dev/null", O_RDONLY);
	const int old = a.get();
	a = std::move(b);
	EXPECT_FALSE(is_open(old));
}

TEST(UniqueFd, release_gives_up_ownership)
{
	UniqueFd fd = UniqueFd::open("/dev/null", O_RDONLY);
	const int raw = fd.release();
	EXPECT_FALSE(fd.valid());
	EXPECT_TRUE(is_open(raw));
	::close(raw);
}

TEST(UniqueFd, open_failure_names_the_path_and_errno)
{
	EXPECT_TRUE(test::throws_errno([] { (void)UniqueFd::open("/nonexistent/x", O_RDONLY); }, ENOENT,
				       "opening /nonexistent/x: No such file or directory"));
}

} // namespace
} // namespace vbsim
