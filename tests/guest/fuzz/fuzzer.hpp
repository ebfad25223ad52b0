// Fuzzer: random, structure-aware ioctls on the disks and the control node.
#pragma once

#include <linux/virtblkiosim.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <vbsim/unique_fd.hpp>

#include "arena.hpp"
#include "rng.hpp"
#include "tally.hpp"
#include "watchdog.hpp"

namespace vbsim::fuzz {

/// What the command line sets.
struct Options {
	std::uint64_t seed = 1;             ///< every random choice follows from it
	std::uint64_t calls = 100000;       ///< ioctls of the fuzzing phase
	unsigned max_disks = 4;             ///< most disks of ours at once
	std::uint64_t max_capacity = 32ULL << 20; ///< largest disk we create, bytes
	unsigned call_limit_s = 30;         ///< a call running longer is a hang
	bool io_worker = true;              ///< second thread doing block I/O
	unsigned kmsg_every = 5000;         ///< progress marker in the kernel log
	std::string log_path;               ///< one line per call ("" = none)
};

/// One ioctl, built before it is made.
struct Call {
	unsigned long cmd = 0;       ///< the request number
	std::string name;            ///< how the tally names it
	std::vector<std::uint8_t> bytes; ///< the argument structure, if any
	Where where = Where::good;   ///< where the structure goes
	bool by_value = false;       ///< @value is the argument itself
	std::uintptr_t value = 0;    ///< argument when @by_value
	bool interruptible = false;  ///< may block waiting: the watchdog nudges it
};

/// A disk the fuzzer knows of.
struct Disk {
	bool ours = false;             ///< created by this run: we may remove it
	bool model = false;            ///< VBS_CFG_MODEL
	bool busy_keep = false;        ///< the I/O worker uses it: never closed
	UniqueFd fd;                   ///< open (read-write if ours), or empty
	std::uint32_t lbs = 512;       ///< logical block size
	std::uint64_t capacity = 0;    ///< bytes
	std::uint64_t max_io = 4096;   ///< vbs_info.max_io_bytes
};

/// The fuzzer itself: sets up its disks, makes Options::calls ioctls,
/// removes its disks, and tells whether everything behaved.
///
/// It never harms what it did not create: disks that existed before it
/// started ("foreign" disks) get only commands that read state, and a
/// VBS_CTL_REMOVE aimed at one is redirected. Values that the kernel would
/// accept but that would make the run itself stall (a latency of 60 s, a
/// 1 byte/s bandwidth limit, a 30 s request timeout, a 1 PiB disk) are
/// pulled into a range that keeps every call short; values the kernel
/// must reject are left as they are.
class Fuzzer {
public:
	Fuzzer(Options opts, Watchdog& watchdog);

	/// Runs setup, the calls and the teardown. Returns the exit status:
	/// 0 when every check held, 1 otherwise (reasons on stderr).
	int run();

private:
	// Setup and teardown.
	void setup();
	void teardown();
	void refresh_disks();
	void adopt(std::uint32_t index);
	std::optional<std::uint32_t> create_disk(std::uint32_t flags, std::uint64_t capacity,
						 std::uint64_t model_pages);
	void set_short_timeout(Disk& disk);
	int open_disk(std::uint32_t index, Disk& disk) const;

	// One step of the fuzzing phase.
	void step();
	void model_step();
	Call build_block(Disk& disk);
	Call build_control();
	Call build_generic(const Disk* disk);
	Call build_valid(unsigned long cmd, const Disk* disk);
	Call wrong_shape(unsigned long cmd);
	Call random_magic();
	void mutate(Call& call, const std::vector<std::pair<std::size_t, std::size_t>>& fields);
	void sanitize(Call& call, const Disk* disk, int& fd);
	int execute(int fd, Call& call, std::uintptr_t* placed = nullptr);

	// The model protocol.
	Call build_attach();
	Call build_exchange();
	Call build_pages();
	void after_exchange(const Call& call, std::uintptr_t placed, int err);

	// Helpers.
	Where pick_where(unsigned good_percent);
	std::uint32_t pick_size(std::uint32_t ver0, std::uint32_t full);
	std::uintptr_t data_for(std::size_t len, std::span<const std::uint8_t> content,
				std::size_t lo, std::size_t hi);
	Disk* pick_disk(bool ours_only);
	void fail(const std::string& why);

	Options opts_;
	Watchdog& watchdog_;
	Watchdog::Slot* slot_ = nullptr;
	Rng rng_;
	Arena arena_;
	Tally tally_;
	UniqueFd ctl_;
	std::map<std::uint32_t, Disk> disks_;
	std::optional<std::uint32_t> model_index_;
	std::optional<std::uint32_t> plain_index_;
	bool model_supported_ = false;

	/// The model session: a control node attached to the model disk.
	struct Session {
		UniqueFd fd;
		bool attached = false;
		std::uint64_t logical_pages = 0;
		std::uint64_t physical_pages = 0;
		std::vector<vbs_model_req> pending; ///< fetched, not answered yet
	} session_;

	std::FILE* log_ = nullptr;
	std::uint64_t calls_made_ = 0;
	std::uint64_t anomalies_ = 0;
	bool failed_ = false;
};

} // namespace vbsim::fuzz
