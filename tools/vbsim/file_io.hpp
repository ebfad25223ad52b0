// Files that read and write feed and drain, with errors in libvbsim's
// style ("reading data.bin: Is a directory").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "vbsim/unique_fd.hpp"

namespace vbsim::cli {

/// A file opened for reading from its start.
class InputFile {
public:
	/// Opens @p path. Throws std::system_error.
	explicit InputFile(std::string path);

	[[nodiscard]] const std::string& path() const { return path_; }

	/// The size of a regular file; nullopt for a pipe, a terminal or
	/// anything else whose size cannot be known in advance.
	[[nodiscard]] std::optional<std::uint64_t> size() const;

	/// Fills @p out from the file; returns the bytes read, fewer than
	/// out.size() only at end of file. Throws std::system_error.
	std::size_t read(std::span<std::byte> out);

private:
	std::string path_;
	UniqueFd fd_;
};

/// A file created (or truncated) for writing.
class OutputFile {
public:
	/// Creates or truncates @p path. Throws std::system_error.
	explicit OutputFile(std::string path);

	[[nodiscard]] const std::string& path() const { return path_; }

	/// Writes all of @p bytes. Throws std::system_error.
	void write(std::span<const std::byte> bytes);

private:
	std::string path_;
	UniqueFd fd_;
};

} // namespace vbsim::cli
