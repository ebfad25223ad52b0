// Checking the std::system_error that libvbsim throws: its errno and its
// message together.
#pragma once

#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <system_error>

namespace vbsim::test {

/// Runs @p action and checks that it throws std::system_error with errno
/// @p err and what() equal to @p message.
inline ::testing::AssertionResult throws_errno(const std::function<void()>& action, int err,
					       const std::string& message)
{
	try {
		action();
	} catch (const std::system_error& e) {
		if (e.code().value() != err || e.what() != message)
			return ::testing::AssertionFailure()
			       << "threw errno " << e.code().value() << " \"" << e.what() << "\", expected errno "
			       << err << " \"" << message << "\"";
		return ::testing::AssertionSuccess();
	}
	return ::testing::AssertionFailure() << "did not throw, expected \"" << message << "\"";
}

} // namespace vbsim::test
