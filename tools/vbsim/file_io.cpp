#include "file_io.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vbsim/error.hpp"

namespace vbsim::cli {

InputFile::InputFile(std::string path)
	: path_(std::move(path)), fd_(UniqueFd::open(path_, O_RDONLY))
{
}

std::optional<std::uint64_t> InputFile::size() const
{
	struct stat st {};
	if (::fstat(fd_.get(), &st) < 0)
		throw_error(errno, "reading " + path_);
	if (!S_ISREG(st.st_mode))
		return std::nullopt;
	return static_cast<std::uint64_t>(st.st_size);
}

std::size_t InputFile::read(std::span<std::byte> out)
{
	std::size_t done = 0;
	while (done < out.size()) {
		const ssize_t n = ::read(fd_.get(), out.data() + done, out.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw_error(errno, "reading " + path_);
		if (n == 0)
			break;
		done += static_cast<std::size_t>(n);
	}
	return done;
}

OutputFile::OutputFile(std::string path)
	: path_(std::move(path)), fd_(UniqueFd::open(path_, O_WRONLY | O_CREAT | O_TRUNC, 0666))
{
}

void OutputFile::write(std::span<const std::byte> bytes)
{
	while (!bytes.empty()) {
		const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw_error(errno, "writing " + path_);
		bytes = bytes.subspan(static_cast<std::size_t>(n));
	}
}

} // namespace vbsim::cli
