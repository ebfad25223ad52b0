// The small non-virtual helpers of the model interface.
#include "vbsim/model.hpp"

namespace vbsim::model {

/// The fixed spelling of each operation, shared by the statistics, the
/// trace format and the messages, so that they agree.
std::string_view op_name(Op op)
{
	switch (op) {
	case Op::read:
		return "read";
	case Op::write:
		return "write";
	case Op::flush:
		return "flush";
	case Op::discard:
		return "discard";
	case Op::write_zeroes:
		return "write_zeroes";
	}
	return "unknown";
}

} // namespace vbsim::model
