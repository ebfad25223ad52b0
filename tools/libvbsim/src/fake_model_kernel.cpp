#include "vbsim/fake_model_kernel.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>
#include <stdexcept>
#include <thread>

#include "vbsim/error.hpp"

#include "abi.hpp"

namespace vbsim::model {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kSectorsPerPage = kPageSize / kSectorSize;

/// The statuses an answer may carry (as the kernel's vbs_model_status()).
bool status_allowed(int status)
{
	return status == 0 || status == -EIO || status == -ENODATA || status == -ENOSPC ||
	       status == -ETIMEDOUT || status == -EOPNOTSUPP;
}

/// Whether @p op moves data and so needs one map per page.
bool has_maps(Op op)
{
	return op == Op::read || op == Op::write || op == Op::write_zeroes;
}

/// Logical pages the sectors [@p sector, @p sector + @p nr_sectors) touch.
std::uint32_t pages_touched(std::uint64_t sector, std::uint32_t nr_sectors)
{
	if (nr_sectors == 0)
		return 0;
	return static_cast<std::uint32_t>((sector + nr_sectors - 1) / kSectorsPerPage -
					  sector / kSectorsPerPage + 1);
}

} // namespace

/// A session of the fake: what an attached control-node file is to the
/// kernel. Destroying it detaches.
class FakeModelKernel::FakeSession final : public Session {
public:
	FakeSession(FakeModelKernel& kernel, SessionInfo info, bool recover)
		: kernel_(kernel), info_(info), recover_(recover)
	{
	}
	FakeSession(const FakeSession&) = delete;
	FakeSession& operator=(const FakeSession&) = delete;
	~FakeSession() override { kernel_.detach(info_.index, info_.session, recover_); }

	const SessionInfo& info() const override { return info_; }

	ExchangeResult exchange(std::span<const Answer> answers, std::span<const PageMap> maps,
				std::span<Request> reqs, Wait wait) override
	{
		return kernel_.exchange(info_.index, info_.session, answers, maps, reqs, wait);
	}

	std::uint32_t pages(std::span<const PageOp> ops) override
	{
		return kernel_.pages(info_.index, ops);
	}

private:
	FakeModelKernel& kernel_;
	SessionInfo info_;
	bool recover_;
};

FakeModelKernel::~FakeModelKernel() = default;

void FakeModelKernel::add_disk(std::uint32_t index, std::uint64_t logical_pages,
			       std::uint64_t physical_pages, bool model)
{
	std::lock_guard guard(lock_);
	Disk disk;
	disk.logical_pages = logical_pages;
	disk.physical_pages = physical_pages;
	disk.model = model;
	disks_[index] = std::move(disk);
}

FakeModelKernel::Disk& FakeModelKernel::disk_locked(std::uint32_t index)
{
	const auto it = disks_.find(index);
	if (it == disks_.end())
		throw_error(ENODEV, fmt::format("attaching a model to virtblkiosim{}", index));
	return it->second;
}

std::unique_ptr<Session> FakeModelKernel::attach(std::uint32_t index, bool recover)
{
	std::lock_guard guard(lock_);
	Disk& disk = disk_locked(index);
	if (!disk.model)
		throw_error(EINVAL, fmt::format("attaching a model to virtblkiosim{}", index));
	SessionInfo info{
		.index = index,
		.session = disk.next_session++,
		.geometry =
			Geometry{
				.logical_pages = disk.logical_pages,
				.physical_pages = disk.physical_pages,
				.sectors_per_page = kSectorsPerPage,
				.max_req_pages = kMaxReqPages,
			},
	};
	disk.sessions++;
	return std::make_unique<FakeSession>(*this, info, recover);
}

/// Mirrors vbs_model_detach(): held requests go back to the pending list
/// if someone can still serve them, else they and the pending ones fail.
void FakeModelKernel::detach(std::uint32_t index, std::uint32_t session, bool recover)
{
	std::lock_guard guard(lock_);
	Disk& disk = disks_.at(index);
	disk.sessions--;
	if (disk.sessions == 0)
		disk.recover = recover;
	const bool keep = disk.sessions > 0 || disk.recover;
	for (std::uint32_t i = 0; i < disk.slots.size(); i++) {
		Slot& slot = disk.slots[i];
		if (!slot.live)
			continue;
		if (slot.owner == session) {
			slot.owner = 0;
			if (keep) {
				disk.pending.push_back(i);
				continue;
			}
		} else if (keep || slot.owner != 0) {
			continue;
		}
		slot.live = false;
		disk.free_slots.push_back(i);
		complete_locked(slot.ticket, -EIO, {});
	}
	if (!keep)
		disk.pending.clear();
	requests_cv_.notify_all();
}

FakeModelKernel::Ticket FakeModelKernel::submit(std::uint32_t index, Op op, std::uint64_t sector,
						std::uint32_t nr_sectors,
						std::span<const std::byte> data, bool fua)
{
	std::lock_guard guard(lock_);
	return submit_locked(index, op, detail::to_abi(op), sector, nr_sectors, data, fua);
}

FakeModelKernel::Ticket FakeModelKernel::submit_unknown_op(std::uint32_t index, std::uint32_t abi_op,
							   std::uint64_t sector,
							   std::uint32_t nr_sectors)
{
	std::lock_guard guard(lock_);
	// Carried as a discard: no data, sectors kept.
	return submit_locked(index, Op::discard, abi_op, sector, nr_sectors, {}, false);
}

FakeModelKernel::Ticket FakeModelKernel::submit_locked(std::uint32_t index, Op op,
						       std::uint32_t abi_op, std::uint64_t sector,
						       std::uint32_t nr_sectors,
						       std::span<const std::byte> data, bool fua)
{
	Disk& disk = disks_.at(index);
	if (sector + nr_sectors > disk.logical_pages * kSectorsPerPage)
		throw std::invalid_argument(fmt::format("sectors {}+{} beyond the disk", sector,
							nr_sectors));
	if (op == Op::write && data.size() != std::size_t{nr_sectors} * kSectorSize)
		throw std::invalid_argument("a write's data must be nr_sectors * 512 bytes");

	const Ticket ticket = next_ticket_++;
	HostRequest& hr = host_[ticket];
	hr.disk = index;
	hr.op = op;
	hr.abi_op = abi_op;
	hr.fua = fua;
	hr.sector = op == Op::flush ? 0 : sector;
	hr.nr_sectors = op == Op::flush ? 0 : nr_sectors;
	if (op == Op::write)
		hr.data.assign(data.begin(), data.end());
	hr.result.submitted_at = Clock::now();

	if (disk.sessions == 0 && !disk.recover) {
		complete_locked(ticket, -EIO, {});
		return ticket;
	}
	std::uint32_t slot_nr;
	if (!disk.free_slots.empty()) {
		slot_nr = disk.free_slots.back();
		disk.free_slots.pop_back();
	} else {
		slot_nr = static_cast<std::uint32_t>(disk.slots.size());
		disk.slots.emplace_back();
	}
	Slot& slot = disk.slots[slot_nr];
	slot.live = true;
	slot.generation++;
	slot.owner = 0;
	slot.ticket = ticket;
	disk.pending.push_back(slot_nr);
	requests_cv_.notify_one();
	return ticket;
}

void FakeModelKernel::complete_locked(Ticket ticket, int status, std::chrono::nanoseconds delay)
{
	HostRequest& hr = host_.at(ticket);
	hr.done = true;
	hr.result.status = status;
	hr.result.completed_at = Clock::now() + delay;
	if (status != 0)
		hr.result.data.clear();
	completed_cv_.notify_all();
}

HostResult FakeModelKernel::wait(Ticket ticket)
{
	HostResult result;
	{
		std::unique_lock guard(lock_);
		completed_cv_.wait(guard, [&] { return host_.at(ticket).done; });
		result = std::move(host_.at(ticket).result);
		host_.erase(ticket);
	}
	std::this_thread::sleep_until(result.completed_at);
	return result;
}

std::optional<HostResult> FakeModelKernel::wait_for(Ticket ticket, std::chrono::milliseconds timeout)
{
	{
		std::unique_lock guard(lock_);
		if (!completed_cv_.wait_for(guard, timeout, [&] { return host_.at(ticket).done; }))
			return std::nullopt;
	}
	return wait(ticket);
}

HostResult FakeModelKernel::read(std::uint32_t index, std::uint64_t sector, std::uint32_t nr_sectors)
{
	return wait(submit(index, Op::read, sector, nr_sectors));
}

HostResult FakeModelKernel::write(std::uint32_t index, std::uint64_t sector,
				  std::span<const std::byte> data, bool fua)
{
	return wait(submit(index, Op::write, sector,
			   static_cast<std::uint32_t>(data.size() / kSectorSize), data, fua));
}

/// The request descriptor the kernel would hand out for @p hr, as the
/// session reads it: built as struct vbs_model_req and converted the way
/// IoctlSession converts the kernel's.
Request FakeModelKernel::descriptor(std::uint32_t slot_nr, std::uint32_t generation,
				    const HostRequest& hr)
{
	struct vbs_model_req raw{};
	raw.id = (std::uint64_t{generation} << 32) | slot_nr;
	raw.op = hr.abi_op;
	raw.flags = hr.fua ? VBS_MODEL_REQ_FUA : 0;
	raw.sector = hr.sector;
	raw.nr_sectors = hr.nr_sectors;
	raw.first_page = hr.sector / kSectorsPerPage;
	raw.nr_pages = pages_touched(hr.sector, hr.nr_sectors);
	return detail::from_abi(raw, kSectorsPerPage);
}

/// Copies the request's data between its buffer and the pages named by
/// @p maps, as vbs_model_execute() does.
void FakeModelKernel::move_data_locked(Disk& disk, HostRequest& hr, std::span<const PageMap> maps)
{
	const std::uint64_t first_page = hr.sector / kSectorsPerPage;
	const std::uint64_t end_sector = hr.sector + hr.nr_sectors;
	if (hr.op == Op::read)
		hr.result.data.assign(std::size_t{hr.nr_sectors} * kSectorSize, std::byte{0});
	for (std::size_t i = 0; i < maps.size(); i++) {
		const std::uint64_t page_start = (first_page + i) * kSectorsPerPage;
		const std::uint64_t start = std::max(hr.sector, page_start);
		const std::uint64_t end = std::min(end_sector, page_start + kSectorsPerPage);
		const std::size_t offset = (start - page_start) * kSectorSize;
		const std::size_t len = (end - start) * kSectorSize;
		const std::size_t buf_offset = (start - hr.sector) * kSectorSize;

		if (hr.op == Op::read) {
			const auto it = disk.store.find(maps[i].ppn);
			if (maps[i].ppn != kNoPage && it != disk.store.end())
				std::copy_n(it->second.begin() + static_cast<std::ptrdiff_t>(offset), len,
					    hr.result.data.begin() + static_cast<std::ptrdiff_t>(buf_offset));
			continue;
		}
		// Read-modify-write: a partial page starts as a copy of src_ppn.
		std::vector<std::byte> page(kPageSize, std::byte{0});
		if (len != kPageSize && maps[i].src_ppn != kNoPage) {
			const auto src = disk.store.find(maps[i].src_ppn);
			if (src != disk.store.end())
				page = src->second;
		}
		if (hr.op == Op::write)
			std::copy_n(hr.data.begin() + static_cast<std::ptrdiff_t>(buf_offset), len,
				    page.begin() + static_cast<std::ptrdiff_t>(offset));
		else
			std::fill_n(page.begin() + static_cast<std::ptrdiff_t>(offset), len, std::byte{0});
		disk.store[maps[i].ppn] = std::move(page);
	}
}

/// One answer, as vbs_model_answer(). Returns true if accepted.
bool FakeModelKernel::answer_locked(Disk& disk, std::uint32_t session, const Answer& a,
				    std::span<const PageMap> maps)
{
	const auto slot_nr = static_cast<std::uint32_t>(a.id & 0xffffffffU);
	const auto generation = static_cast<std::uint32_t>(a.id >> 32);
	if (slot_nr >= disk.slots.size())
		return false;
	Slot& slot = disk.slots[slot_nr];
	if (!slot.live || slot.generation != generation || slot.owner != session)
		return false;
	// The request is ours now: out of its slot.
	slot.live = false;
	disk.free_slots.push_back(slot_nr);
	HostRequest& hr = host_.at(slot.ticket);

	const std::uint32_t nr_pages = hr.op == Op::flush ? 0 : pages_touched(hr.sector, hr.nr_sectors);
	const bool data = has_maps(hr.op) && hr.abi_op == detail::to_abi(hr.op);
	const std::uint32_t expected = a.status == 0 && data ? nr_pages : 0;
	bool ok = status_allowed(a.status) && a.delay >= std::chrono::nanoseconds::zero() &&
		  a.delay <= kMaxDelay && a.nr_maps == expected && a.map_index <= maps.size() &&
		  expected <= maps.size() - a.map_index;
	const auto mine = ok ? maps.subspan(a.map_index, expected) : std::span<const PageMap>{};
	for (const PageMap& m : mine) {
		const bool read = hr.op == Op::read;
		if (m.ppn == kNoPage ? !read : m.ppn >= disk.physical_pages)
			ok = false;
		if (!read && m.src_ppn != kNoPage && m.src_ppn >= disk.physical_pages)
			ok = false;
	}
	if (!ok) {
		complete_locked(slot.ticket, -EIO, {});
		return false;
	}
	if (a.status == 0)
		move_data_locked(disk, hr, mine);
	complete_locked(slot.ticket, a.status, a.delay);
	return true;
}

ExchangeResult FakeModelKernel::exchange(std::uint32_t index, std::uint32_t session,
					 std::span<const Answer> answers,
					 std::span<const PageMap> maps, std::span<Request> reqs,
					 Wait wait)
{
	std::unique_lock guard(lock_);
	Disk& disk = disks_.at(index);
	if (answers.size() > kMaxBatch || reqs.size() > kMaxBatch ||
	    maps.size() > std::size_t{kMaxBatch} * kMaxReqPages)
		throw_error(EINVAL, fmt::format("exchanging {} answers for requests of virtblkiosim{}",
						answers.size(), index));
	ExchangeResult result;
	for (const Answer& a : answers) {
		if (answer_locked(disk, session, a, maps))
			result.accepted++;
		else
			result.rejected++;
	}
	if (reqs.empty())
		return result;

	const auto has_work = [&] { return !disk.pending.empty(); };
	if (!wait.timeout)
		requests_cv_.wait(guard, has_work);
	else if (wait.timeout->count() > 0)
		requests_cv_.wait_for(guard, *wait.timeout, has_work);

	while (!disk.pending.empty() && result.nr_reqs < reqs.size()) {
		const std::uint32_t slot_nr = disk.pending.front();
		disk.pending.pop_front();
		Slot& slot = disk.slots[slot_nr];
		slot.owner = session;
		reqs[result.nr_reqs++] = descriptor(slot_nr, slot.generation, host_.at(slot.ticket));
	}
	return result;
}

std::uint32_t FakeModelKernel::pages(std::uint32_t index, std::span<const PageOp> ops)
{
	std::lock_guard guard(lock_);
	Disk& disk = disks_.at(index);
	const auto what = [&] {
		return fmt::format("{} page operations on virtblkiosim{}", ops.size(), index);
	};
	if (ops.empty() || ops.size() > kMaxBatch)
		throw_error(EINVAL, what());
	for (const PageOp& op : ops) {
		const bool ok = op.src < disk.physical_pages &&
				(op.kind == PageOp::Kind::copy ? op.dst < disk.physical_pages
							       : op.dst == kNoPage);
		if (!ok)
			throw_error(EINVAL, what());
	}
	for (const PageOp& op : ops) {
		const auto src = disk.store.find(op.src);
		if (op.kind == PageOp::Kind::trim) {
			if (src != disk.store.end())
				disk.store.erase(src);
		} else if (src == disk.store.end()) {
			disk.store.erase(op.dst);
		} else {
			disk.store[op.dst] = src->second;
		}
	}
	return static_cast<std::uint32_t>(ops.size());
}

std::vector<std::byte> FakeModelKernel::physical_page(std::uint32_t index, std::uint64_t ppn)
{
	std::lock_guard guard(lock_);
	const Disk& disk = disks_.at(index);
	const auto it = disk.store.find(ppn);
	return it == disk.store.end() ? std::vector<std::byte>(kPageSize, std::byte{0}) : it->second;
}

std::size_t FakeModelKernel::pages_in_use(std::uint32_t index)
{
	std::lock_guard guard(lock_);
	return disks_.at(index).store.size();
}

std::size_t FakeModelKernel::pending(std::uint32_t index)
{
	std::lock_guard guard(lock_);
	return disks_.at(index).pending.size();
}

std::uint32_t FakeModelKernel::sessions(std::uint32_t index)
{
	std::lock_guard guard(lock_);
	return disks_.at(index).sessions;
}

} // namespace vbsim::model
