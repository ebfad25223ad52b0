// IoctlSessionFactory and its sessions: the model protocol on the running
// kernel. Each session owns one open file of the control node; closing it
// (destroying the session) is what detaches.
#include <cstdint>
#include <fcntl.h>
#include <fmt/format.h>
#include <vector>

#include "vbsim/error.hpp"
#include "vbsim/model_session.hpp"
#include "vbsim/unique_fd.hpp"

#include "abi.hpp"
#include "ioctl.hpp"

namespace vbsim::model {

namespace {

/// One attached control-node file. The ABI arrays are kept between calls
/// so a steady exchange loop does not allocate.
class IoctlSession final : public Session {
public:
	/// Opens @p path and attaches it to disk @p index.
	IoctlSession(const std::string& path, std::uint32_t index, bool recover)
		: fd_(UniqueFd::open(path, O_RDWR))
	{
		auto raw = detail::to_abi_attach(index, recover);
		detail::checked_ioctl(fd_, VBS_CTL_MODEL_ATTACH, &raw, [&] {
			return fmt::format("attaching a model to virtblkiosim{}", index);
		});
		info_ = detail::from_abi(raw);
		info_.index = index;
	}

	const SessionInfo& info() const override { return info_; }

	ExchangeResult exchange(std::span<const Answer> answers, std::span<const PageMap> maps,
				std::span<Request> reqs, Wait wait) override
	{
		raw_answers_.clear();
		for (const Answer& a : answers)
			raw_answers_.push_back(detail::to_abi(a));
		raw_maps_.clear();
		for (const PageMap& m : maps)
			raw_maps_.push_back(detail::to_abi(m));
		raw_reqs_.resize(reqs.size());

		auto x = detail::make_abi<struct vbs_model_exchange>();
		x.nr_answers = static_cast<std::uint32_t>(raw_answers_.size());
		x.nr_maps = static_cast<std::uint32_t>(raw_maps_.size());
		x.answers = reinterpret_cast<std::uintptr_t>(raw_answers_.data());
		x.maps = reinterpret_cast<std::uintptr_t>(raw_maps_.data());
		x.max_reqs = static_cast<std::uint32_t>(raw_reqs_.size());
		x.reqs = reinterpret_cast<std::uintptr_t>(raw_reqs_.data());
		x.timeout_ms = wait.timeout ? static_cast<std::uint32_t>(wait.timeout->count())
					    : VBS_MODEL_WAIT_FOREVER;
		const auto what = [&] {
			return fmt::format("exchanging {} answers for requests of virtblkiosim{}",
					   answers.size(), info_.index);
		};
		detail::checked_ioctl(fd_, VBS_CTL_MODEL_EXCHANGE, &x, what);
		const ExchangeResult result =
			detail::exchange_result(x, answers.size(), reqs.size(), what());
		for (std::uint32_t i = 0; i < result.nr_reqs; i++)
			reqs[i] = detail::from_abi(raw_reqs_[i], info_.geometry.sectors_per_page);
		return result;
	}

	std::uint32_t pages(std::span<const PageOp> ops) override
	{
		raw_ops_.clear();
		for (const PageOp& op : ops)
			raw_ops_.push_back(detail::to_abi(op));
		auto p = detail::make_abi<struct vbs_model_pages>();
		p.nr_ops = static_cast<std::uint32_t>(raw_ops_.size());
		p.ops = reinterpret_cast<std::uintptr_t>(raw_ops_.data());
		detail::checked_ioctl(fd_, VBS_CTL_MODEL_PAGES, &p, [&] {
			return fmt::format("{} page operations on virtblkiosim{}", ops.size(),
					   info_.index);
		});
		return p.done;
	}

private:
	UniqueFd fd_;
	SessionInfo info_;
	std::vector<struct vbs_model_answer> raw_answers_;
	std::vector<struct vbs_model_map> raw_maps_;
	std::vector<struct vbs_model_req> raw_reqs_;
	std::vector<struct vbs_model_page_op> raw_ops_;
};

} // namespace

IoctlSessionFactory::IoctlSessionFactory(std::string control_path)
	: control_path_(std::move(control_path))
{
}

std::unique_ptr<Session> IoctlSessionFactory::attach(std::uint32_t index, bool recover)
{
	return std::make_unique<IoctlSession>(control_path_, index, recover);
}

} // namespace vbsim::model
