// FakeModelKernel: the protocol's semantics as the kernel documents them,
// driven by hand through sessions (no runner).
#include <cerrno>
#include <gtest/gtest.h>
#include <thread>

#include "error_matchers.hpp"
#include "test_bytes.hpp"
#include "vbsim/fake_model_kernel.hpp"

namespace vbsim::model {
namespace {

using test::counting;
using test::filled;
using namespace std::chrono_literals;

/// A kernel with model disk 0 (16 logical / 20 physical pages) and plain disk 1.
class FakeModelKernelTest : public ::testing::Test {
protected:
	FakeModelKernelTest()
	{
		kernel.add_disk(0, 16, 20);
		kernel.add_disk(1, 16, 16, false);
	}

	/// Fetches exactly one request on @p s.
	Request fetch_one(Session& s)
	{
		std::array<Request, 1> reqs;
		const ExchangeResult r = s.exchange({}, {}, reqs, Wait{1000ms});
		EXPECT_EQ(r.nr_reqs, 1U);
		return reqs[0];
	}

	/// Answers @p req with status 0 and @p maps, returns the result.
	ExchangeResult answer(Session& s, const Request& req, std::vector<PageMap> maps,
			      std::chrono::nanoseconds delay = 0ns, int status = 0)
	{
		const Answer a{.id = req.id,
			       .status = status,
			       .delay = delay,
			       .map_index = 0,
			       .nr_maps = static_cast<std::uint32_t>(maps.size())};
		return s.exchange(std::span(&a, 1), maps, {}, Wait::none());
	}

	FakeModelKernel kernel;
};

TEST_F(FakeModelKernelTest, attach_refuses_a_plain_disk_and_a_missing_one)
{
	EXPECT_TRUE(test::throws_errno([&] { (void)kernel.attach(1, false); }, EINVAL,
				       "attaching a model to virtblkiosim1: Invalid argument"));
	EXPECT_TRUE(test::throws_errno([&] { (void)kernel.attach(7, false); }, ENODEV,
				       "attaching a model to virtblkiosim7: No such device"));
}

TEST_F(FakeModelKernelTest, attach_reports_geometry_and_numbers_sessions)
{
	auto a = kernel.attach(0, false);
	auto b = kernel.attach(0, false);
	EXPECT_EQ(a->info().session, 1U);
	EXPECT_EQ(b->info().session, 2U);
	EXPECT_EQ(a->info().geometry.logical_pages, 16U);
	EXPECT_EQ(a->info().geometry.physical_pages, 20U);
	EXPECT_EQ(a->info().geometry.sectors_per_page, 8U);
	EXPECT_EQ(a->info().geometry.max_req_pages, 257U);
	EXPECT_EQ(kernel.sessions(0), 2U);
	b.reset();
	EXPECT_EQ(kernel.sessions(0), 1U);
}

TEST_F(FakeModelKernelTest, io_without_a_model_fails_with_eio)
{
	EXPECT_EQ(kernel.read(0, 0, 8).status, -EIO);
}

TEST_F(FakeModelKernelTest, a_write_lands_where_the_map_says_and_reads_back)
{
	auto s = kernel.attach(0, false);
	const auto data = counting(2 * 4096, 3);
	const auto t = kernel.submit(0, Op::write, 8, 16, data);
	const Request w = fetch_one(*s);
	EXPECT_EQ(w.op, Op::write);
	EXPECT_EQ(w.first_page, 1U);
	EXPECT_EQ(w.nr_pages, 2U);
	EXPECT_FALSE(w.partial(0));
	EXPECT_EQ(answer(*s, w, {{.ppn = 10}, {.ppn = 17}}).accepted, 1U);
	EXPECT_EQ(kernel.wait(t).status, 0);
	EXPECT_EQ(kernel.physical_page(0, 10), std::vector(data.begin(), data.begin() + 4096));
	EXPECT_EQ(kernel.physical_page(0, 17), std::vector(data.begin() + 4096, data.end()));

	const auto r = kernel.submit(0, Op::read, 12, 8); // second half of page 1, first of page 2
	const Request rd = fetch_one(*s);
	EXPECT_EQ(rd.nr_pages, 2U);
	EXPECT_TRUE(rd.partial(0));
	EXPECT_TRUE(rd.partial(1));
	answer(*s, rd, {{.ppn = 10}, {.ppn = 17}});
	const HostResult got = kernel.wait(r);
	ASSERT_EQ(got.status, 0);
	EXPECT_EQ(got.data, std::vector(data.begin() + 2048, data.begin() + 6144));
}

TEST_F(FakeModelKernelTest, a_partial_write_fills_the_rest_from_src_ppn)
{
	auto s = kernel.attach(0, false);
	auto t = kernel.submit(0, Op::write, 0, 8, filled(4096, 0xaa));
	answer(*s, fetch_one(*s), {{.ppn = 3}});
	ASSERT_EQ(kernel.wait(t).status, 0);

	// Sectors 2..3 of logical page 0, moved to physical page 4.
	t = kernel.submit(0, Op::write, 2, 2, filled(1024, 0x55));
	const Request w = fetch_one(*s);
	EXPECT_TRUE(w.partial(0));
	answer(*s, w, {{.ppn = 4, .src_ppn = 3}});
	ASSERT_EQ(kernel.wait(t).status, 0);
	auto expect = filled(4096, 0xaa);
	std::fill_n(expect.begin() + 1024, 1024, std::byte{0x55});
	EXPECT_EQ(kernel.physical_page(0, 4), expect);
	EXPECT_EQ(kernel.physical_page(0, 3), filled(4096, 0xaa)); // the old copy stays

	// src_ppn none: the rest reads as zeros.
	t = kernel.submit(0, Op::write, 0, 1, filled(512, 0x11));
	answer(*s, fetch_one(*s), {{.ppn = 5, .src_ppn = kNoPage}});
	ASSERT_EQ(kernel.wait(t).status, 0);
	expect = filled(4096, 0);
	std::fill_n(expect.begin(), 512, std::byte{0x11});
	EXPECT_EQ(kernel.physical_page(0, 5), expect);
}

TEST_F(FakeModelKernelTest, a_read_of_no_page_returns_zeros)
{
	auto s = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::read, 0, 8);
	answer(*s, fetch_one(*s), {{.ppn = kNoPage}});
	EXPECT_EQ(kernel.wait(t).data, filled(4096, 0));
}

TEST_F(FakeModelKernelTest, stale_repeated_and_unknown_answers_are_rejected)
{
	auto s = kernel.attach(0, false);
	auto t = kernel.submit(0, Op::flush, 0, 0);
	const Request f = fetch_one(*s);
	EXPECT_EQ(f.nr_pages, 0U);
	EXPECT_EQ(answer(*s, f, {}).accepted, 1U);
	EXPECT_EQ(kernel.wait(t).status, 0);
	// The same id again, and once the slot holds a newer request.
	EXPECT_EQ(answer(*s, f, {}).rejected, 1U);
	t = kernel.submit(0, Op::flush, 0, 0);
	const Request g = fetch_one(*s);
	EXPECT_EQ(g.id & 0xffffffffU, f.id & 0xffffffffU); // same slot...
	EXPECT_NE(g.id, f.id);                            // ...new generation
	EXPECT_EQ(answer(*s, f, {}).rejected, 1U);
	Request bogus = g;
	bogus.id = 0xdead00000000beefULL;
	EXPECT_EQ(answer(*s, bogus, {}).rejected, 1U);
	EXPECT_EQ(answer(*s, g, {}).accepted, 1U);
	EXPECT_EQ(kernel.wait(t).status, 0);
}

TEST_F(FakeModelKernelTest, another_sessions_request_cannot_be_answered)
{
	auto a = kernel.attach(0, false);
	auto b = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::flush, 0, 0);
	const Request f = fetch_one(*a);
	EXPECT_EQ(answer(*b, f, {}).rejected, 1U);
	EXPECT_EQ(answer(*a, f, {}).accepted, 1U);
	EXPECT_EQ(kernel.wait(t).status, 0);
}

TEST_F(FakeModelKernelTest, a_bad_answer_fails_its_request_with_eio)
{
	auto s = kernel.attach(0, false);
	auto t = kernel.submit(0, Op::write, 0, 8, filled(4096, 1));
	EXPECT_EQ(answer(*s, fetch_one(*s), {{.ppn = 20}}).rejected, 1U); // out of range
	EXPECT_EQ(kernel.wait(t).status, -EIO);

	t = kernel.submit(0, Op::write, 0, 16, filled(8192, 1));
	EXPECT_EQ(answer(*s, fetch_one(*s), {{.ppn = 1}}).rejected, 1U); // one map short
	EXPECT_EQ(kernel.wait(t).status, -EIO);

	t = kernel.submit(0, Op::read, 0, 8);
	EXPECT_EQ(answer(*s, fetch_one(*s), {}, 0ns, -EPERM).rejected, 1U); // not a protocol status
	EXPECT_EQ(kernel.wait(t).status, -EIO);

	t = kernel.submit(0, Op::read, 0, 8);
	EXPECT_EQ(answer(*s, fetch_one(*s), {{.ppn = 0}}, 61s).rejected, 1U); // too long
	EXPECT_EQ(kernel.wait(t).status, -EIO);
	EXPECT_EQ(kernel.pages_in_use(0), 0U);
}

TEST_F(FakeModelKernelTest, a_failure_status_moves_no_data)
{
	auto s = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::write, 0, 8, filled(4096, 1));
	EXPECT_EQ(answer(*s, fetch_one(*s), {}, 0ns, -ENOSPC).accepted, 1U);
	EXPECT_EQ(kernel.wait(t).status, -ENOSPC);
	EXPECT_EQ(kernel.pages_in_use(0), 0U);
}

TEST_F(FakeModelKernelTest, a_delay_becomes_the_completion_time)
{
	auto s = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::flush, 0, 0);
	const Request f = fetch_one(*s);
	const auto before = std::chrono::steady_clock::now();
	answer(*s, f, {}, 30ms);
	const HostResult r = kernel.wait(t);
	EXPECT_GE(r.completed_at - before, 30ms);
	EXPECT_GE(std::chrono::steady_clock::now() - before, 30ms);
}

TEST_F(FakeModelKernelTest, detaching_requeues_to_the_other_session)
{
	auto a = kernel.attach(0, false);
	auto b = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::flush, 0, 0);
	const Request f = fetch_one(*a);
	a.reset();
	const Request again = fetch_one(*b);
	EXPECT_EQ(again.id, f.id);
	answer(*b, again, {});
	EXPECT_EQ(kernel.wait(t).status, 0);
}

TEST_F(FakeModelKernelTest, the_last_detach_fails_held_and_pending_requests)
{
	auto s = kernel.attach(0, false);
	const auto held = kernel.submit(0, Op::flush, 0, 0);
	(void)fetch_one(*s);
	const auto pending = kernel.submit(0, Op::flush, 0, 0);
	s.reset();
	EXPECT_EQ(kernel.wait(held).status, -EIO);
	EXPECT_EQ(kernel.wait(pending).status, -EIO);
}

TEST_F(FakeModelKernelTest, recover_keeps_requests_for_the_next_model)
{
	auto s = kernel.attach(0, true);
	const auto held = kernel.submit(0, Op::flush, 0, 0);
	(void)fetch_one(*s);
	s.reset();
	const auto later = kernel.submit(0, Op::flush, 0, 0); // no model now, but waits
	EXPECT_EQ(kernel.pending(0), 2U);
	auto next = kernel.attach(0, false);
	std::array<Request, 4> reqs;
	const ExchangeResult r = next->exchange({}, {}, reqs, Wait::none());
	ASSERT_EQ(r.nr_reqs, 2U);
	std::array<Answer, 2> answers = {Answer{.id = reqs[0].id}, Answer{.id = reqs[1].id}};
	EXPECT_EQ(next->exchange(answers, {}, {}, Wait::none()).accepted, 2U);
	EXPECT_EQ(kernel.wait(held).status, 0);
	EXPECT_EQ(kernel.wait(later).status, 0);
}

TEST_F(FakeModelKernelTest, exchange_waits_up_to_its_timeout)
{
	auto s = kernel.attach(0, false);
	std::array<Request, 1> reqs;
	const auto before = std::chrono::steady_clock::now();
	EXPECT_EQ(s->exchange({}, {}, reqs, Wait{50ms}).nr_reqs, 0U);
	EXPECT_GE(std::chrono::steady_clock::now() - before, 50ms);
	std::thread host([&] {
		std::this_thread::sleep_for(20ms);
		(void)kernel.submit(0, Op::flush, 0, 0);
	});
	EXPECT_EQ(s->exchange({}, {}, reqs, Wait::forever()).nr_reqs, 1U);
	host.join();
}

TEST_F(FakeModelKernelTest, page_copy_and_trim)
{
	auto s = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::write, 0, 8, filled(4096, 7));
	answer(*s, fetch_one(*s), {{.ppn = 2}});
	ASSERT_EQ(kernel.wait(t).status, 0);

	const std::array<PageOp, 3> ops = {
		PageOp{.kind = PageOp::Kind::copy, .src = 2, .dst = 9},
		PageOp{.kind = PageOp::Kind::copy, .src = 9, .dst = 11}, // a chain
		PageOp{.kind = PageOp::Kind::trim, .src = 2},
	};
	EXPECT_EQ(s->pages(ops), 3U);
	EXPECT_EQ(kernel.physical_page(0, 11), filled(4096, 7));
	EXPECT_EQ(kernel.physical_page(0, 2), filled(4096, 0));
	EXPECT_EQ(kernel.pages_in_use(0), 2U);

	// Copying an empty page empties the destination.
	const std::array<PageOp, 1> empty = {PageOp{.kind = PageOp::Kind::copy, .src = 2, .dst = 9}};
	s->pages(empty);
	EXPECT_EQ(kernel.pages_in_use(0), 1U);
}

TEST_F(FakeModelKernelTest, one_bad_page_op_does_nothing_of_the_batch)
{
	auto s = kernel.attach(0, false);
	const auto t = kernel.submit(0, Op::write, 0, 8, filled(4096, 7));
	answer(*s, fetch_one(*s), {{.ppn = 2}});
	ASSERT_EQ(kernel.wait(t).status, 0);
	const std::array<PageOp, 2> ops = {
		PageOp{.kind = PageOp::Kind::trim, .src = 2},
		PageOp{.kind = PageOp::Kind::copy, .src = 2, .dst = 20},
	};
	EXPECT_TRUE(test::throws_errno([&] { s->pages(ops); }, EINVAL,
				       "2 page operations on virtblkiosim0: Invalid argument"));
	EXPECT_EQ(kernel.physical_page(0, 2), filled(4096, 7));
}

} // namespace
} // namespace vbsim::model
