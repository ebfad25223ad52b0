// Private: conversions between the ABI structures of
// <linux/virtblkiosim.h> and libvbsim's value types.
//
// Every ABI structure handed to the kernel starts value-initialised (all
// zero, padding and reserved fields included) and gets its @size set.
#pragma once

#include <linux/virtblkiosim.h>
#include <optional>

#include "vbsim/device_types.hpp"
#include "vbsim/model_session.hpp"
#include "vbsim/sim_types.hpp"
#include "vbsim/stats.hpp"

namespace vbsim::detail {

/// An ABI structure, zeroed, with its size field set to sizeof(T).
template <typename T>
T make_abi()
{
	T value{};
	value.size = sizeof(T);
	return value;
}

[[nodiscard]] struct vbs_dev_config to_abi(const DeviceConfig& config);
[[nodiscard]] DeviceConfig from_abi(const struct vbs_dev_config& raw);
[[nodiscard]] DeviceInfo from_abi(const struct vbs_info& raw);
[[nodiscard]] DeviceStats from_abi(const struct vbs_stats& raw);
[[nodiscard]] ModuleFeatures from_abi(const struct vbs_features& raw);
[[nodiscard]] struct vbs_sim_params to_abi(const SimParams& params);
[[nodiscard]] SimParams from_abi(const struct vbs_sim_params& raw);
/// The input fields of @p rule (the output ones stay zero).
[[nodiscard]] struct vbs_fault_rule to_abi(const FaultRule& rule);
[[nodiscard]] FaultRule from_abi(const struct vbs_fault_rule& raw);
/// The input fields of a VBS_IOC_POWERCUT argument.
[[nodiscard]] struct vbs_powercut to_abi(const PowercutOptions& options);
[[nodiscard]] PowercutResult powercut_result(const struct vbs_powercut& raw);

// The userland-model protocol.
/// The VBS_CTL_MODEL_ATTACH input: disk @p index, VBS_MODEL_RECOVER if
/// @p recover.
[[nodiscard]] struct vbs_model_attach to_abi_attach(std::uint32_t index, bool recover);
[[nodiscard]] model::SessionInfo from_abi(const struct vbs_model_attach& raw);
/// A request descriptor; @p sectors_per_page comes from the attach. An
/// operation this library does not know sets Request::unknown_op.
[[nodiscard]] model::Request from_abi(const struct vbs_model_req& raw,
				      std::uint32_t sectors_per_page);
/// The model operation a VBS_OP_* stands for; nullopt for an unknown one.
[[nodiscard]] std::optional<model::Op> known_model_op(std::uint32_t op);
/// The model operation a VBS_OP_* stands for; std::invalid_argument for
/// an unknown one.
[[nodiscard]] model::Op model_op_from_abi(std::uint32_t op);
[[nodiscard]] std::uint32_t to_abi(model::Op op);
/// What a VBS_CTL_MODEL_EXCHANGE did, from the kernel's @p raw output,
/// for a call that handed in @p answers answers and gave room for
/// @p room requests. A count beyond those (more requests than the room,
/// more answers applied and refused than handed in) is a protocol error:
/// std::system_error EPROTO, "<what>: the kernel reported ...".
[[nodiscard]] model::ExchangeResult exchange_result(const struct vbs_model_exchange& raw,
						   std::size_t answers, std::size_t room,
						   const std::string& what);
/// An answer; a negative delay is sent as 0.
[[nodiscard]] struct vbs_model_answer to_abi(const model::Answer& answer);
[[nodiscard]] struct vbs_model_map to_abi(const model::PageMap& map);
[[nodiscard]] struct vbs_model_page_op to_abi(const model::PageOp& op);

} // namespace vbsim::detail
