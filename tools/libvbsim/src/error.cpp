#include "vbsim/error.hpp"

namespace vbsim {

std::system_error make_error(int err, const std::string& what)
{
	// system_error::what() becomes "<what>: <strerror(err)>".
	return std::system_error(err, std::system_category(), what);
}

void throw_error(int err, const std::string& what)
{
	throw make_error(err, what);
}

} // namespace vbsim
