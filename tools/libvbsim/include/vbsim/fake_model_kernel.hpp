// FakeModelKernel: the kernel's side of the userland-model protocol, in
// memory, for host tests of sessions, the runner and the models.
//
// It keeps the semantics <linux/virtblkiosim.h> documents and src/model.c
// implements: a disk of N logical pages over a store of M physical pages;
// host I/O (byte ranges at sectors) becomes pending requests with ids made
// of a slot and a generation; answers are applied in order, stale,
// repeated or foreign ids are ignored and counted as rejected, a bad answer
// to a live request (page out of range, wrong map count, bad status or
// delay) fails that request with EIO; partial pages of a write are filled
// from src_ppn first (read-modify-write); a delay becomes the completion
// time; page copy/trim are checked all first, then done in order; a
// detaching session's requests go back to the pending list, or fail with
// EIO when no session (and no recovering model) is left. Requests reach
// the session as descriptors of the kernel's format, converted as
// IoctlSession converts the kernel's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "vbsim/model_session.hpp"

namespace vbsim::model {

/// How one host request ended.
struct HostResult {
	int status = 0;               ///< 0 or a negative errno
	std::vector<std::byte> data;  ///< a read's bytes (empty on failure)
	std::chrono::steady_clock::time_point submitted_at;
	std::chrono::steady_clock::time_point completed_at; ///< answer + delay
};

/// An in-memory module with model disks. Thread-safe: host threads submit
/// and wait while runner threads exchange.
class FakeModelKernel final : public SessionFactory {
public:
	/// A host request's handle, for wait().
	using Ticket = std::uint64_t;

	FakeModelKernel() = default;
	FakeModelKernel(const FakeModelKernel&) = delete;
	FakeModelKernel& operator=(const FakeModelKernel&) = delete;
	~FakeModelKernel() override;

	/// Creates disk @p index with @p logical_pages pages the host sees
	/// and @p physical_pages in the store. @p model false makes a plain
	/// disk, which attach() refuses with EINVAL.
	void add_disk(std::uint32_t index, std::uint64_t logical_pages,
		      std::uint64_t physical_pages, bool model = true);

	/// VBS_CTL_MODEL_ATTACH: ENODEV for no such disk, EINVAL for a disk
	/// that is not a model disk.
	[[nodiscard]] std::unique_ptr<Session> attach(std::uint32_t index, bool recover) override;

	/// Queues a host request, as ->queue_rq would: @p data is a write's
	/// bytes (nr_sectors * 512 of them; ignored for other operations).
	/// With no session attached and no recovering model it fails at once
	/// with EIO. Throws std::invalid_argument for sectors beyond the disk.
	Ticket submit(std::uint32_t index, Op op, std::uint64_t sector, std::uint32_t nr_sectors,
		      std::span<const std::byte> data = {}, bool fua = false);

	/// Queues a request whose operation is @p abi_op, a VBS_OP_* number
	/// this library does not know, as a newer kernel could send: the
	/// model side must answer it (-EOPNOTSUPP) and go on serving.
	Ticket submit_unknown_op(std::uint32_t index, std::uint32_t abi_op, std::uint64_t sector,
				 std::uint32_t nr_sectors);

	/// Waits until @p ticket's request is answered and its completion
	/// time has come, and returns how it ended.
	HostResult wait(Ticket ticket);
	/// wait(), giving up after @p timeout (nullopt; the ticket stays
	/// valid).
	std::optional<HostResult> wait_for(Ticket ticket, std::chrono::milliseconds timeout);

	/// submit() then wait(): a synchronous read of @p nr_sectors sectors.
	HostResult read(std::uint32_t index, std::uint64_t sector, std::uint32_t nr_sectors);
	/// submit() then wait(): a synchronous write of @p data.
	HostResult write(std::uint32_t index, std::uint64_t sector, std::span<const std::byte> data,
			 bool fua = false);

	/// A copy of physical page @p ppn (zeros when never written).
	[[nodiscard]] std::vector<std::byte> physical_page(std::uint32_t index, std::uint64_t ppn);
	/// Physical pages that hold data.
	[[nodiscard]] std::size_t pages_in_use(std::uint32_t index);
	/// Requests queued and not fetched.
	[[nodiscard]] std::size_t pending(std::uint32_t index);
	/// Sessions attached.
	[[nodiscard]] std::uint32_t sessions(std::uint32_t index);

private:
	class FakeSession;
	friend class FakeSession;

	/// One request in the slot table.
	struct Slot {
		bool live = false;
		std::uint32_t generation = 0;
		std::uint32_t owner = 0; ///< session that fetched it, 0 = pending
		Ticket ticket = 0;
	};

	/// A host request from submit() to wait().
	struct HostRequest {
		std::uint32_t disk = 0;
		Op op = Op::read;
		/// The VBS_OP_* the session is told; not op's for
		/// submit_unknown_op().
		std::uint32_t abi_op = 0;
		bool fua = false;
		std::uint64_t sector = 0;
		std::uint32_t nr_sectors = 0;
		std::vector<std::byte> data;
		bool done = false;
		HostResult result;
	};

	struct Disk {
		std::uint64_t logical_pages = 0;
		std::uint64_t physical_pages = 0;
		bool model = true;
		std::unordered_map<std::uint64_t, std::vector<std::byte>> store;
		std::vector<Slot> slots;
		std::vector<std::uint32_t> free_slots;
		std::deque<std::uint32_t> pending; ///< slot numbers, oldest first
		std::uint32_t sessions = 0;
		std::uint32_t next_session = 1;
		bool recover = false;
	};

	Disk& disk_locked(std::uint32_t index);
	Ticket submit_locked(std::uint32_t index, Op op, std::uint32_t abi_op, std::uint64_t sector,
			     std::uint32_t nr_sectors, std::span<const std::byte> data, bool fua);
	static Request descriptor(std::uint32_t slot_nr, std::uint32_t generation,
				  const HostRequest& hr);
	void complete_locked(Ticket ticket, int status, std::chrono::nanoseconds delay);
	void detach(std::uint32_t index, std::uint32_t session, bool recover);
	ExchangeResult exchange(std::uint32_t index, std::uint32_t session,
				std::span<const Answer> answers, std::span<const PageMap> maps,
				std::span<Request> reqs, Wait wait);
	std::uint32_t pages(std::uint32_t index, std::span<const PageOp> ops);
	bool answer_locked(Disk& disk, std::uint32_t session, const Answer& a,
			   std::span<const PageMap> maps);
	void move_data_locked(Disk& disk, HostRequest& hr, std::span<const PageMap> maps);

	std::mutex lock_;
	std::condition_variable requests_cv_;  ///< a request became pending
	std::condition_variable completed_cv_; ///< a host request completed
	std::map<std::uint32_t, Disk> disks_;
	std::unordered_map<Ticket, HostRequest> host_;
	Ticket next_ticket_ = 1;
};

} // namespace vbsim::model
