// The private conversions between the model protocol's ABI structures and
// libvbsim's model types.
#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "abi.hpp"

namespace vbsim::detail {
namespace {

TEST(AbiModelConvert, attach_sets_index_and_recover)
{
	const auto raw = to_abi_attach(3, true);
	EXPECT_EQ(raw.size, sizeof(struct vbs_model_attach));
	EXPECT_EQ(raw.index, 3U);
	EXPECT_EQ(raw.flags, VBS_MODEL_RECOVER);
	EXPECT_EQ(to_abi_attach(0, false).flags, 0U);
}

TEST(AbiModelConvert, attach_output_becomes_session_info)
{
	struct vbs_model_attach raw{};
	raw.index = 2;
	raw.session = 5;
	raw.logical_pages = 100;
	raw.physical_pages = 107;
	raw.sectors_per_page = 8;
	raw.max_req_pages = 257;
	const model::SessionInfo info = from_abi(raw);
	EXPECT_EQ(info.index, 2U);
	EXPECT_EQ(info.session, 5U);
	EXPECT_EQ(info.geometry.logical_pages, 100U);
	EXPECT_EQ(info.geometry.physical_pages, 107U);
	EXPECT_EQ(info.geometry.sectors_per_page, 8U);
	EXPECT_EQ(info.geometry.max_req_pages, 257U);
}

TEST(AbiModelConvert, request_descriptor_keeps_every_field)
{
	struct vbs_model_req raw{};
	raw.id = 0x0000000700000003ULL;
	raw.op = VBS_OP_WRITE;
	raw.flags = VBS_MODEL_REQ_FUA | VBS_MODEL_REQ_IOCTL;
	raw.sector = 13;
	raw.nr_sectors = 20;
	raw.nr_pages = 4;
	raw.first_page = 1;
	const model::Request r = from_abi(raw, 8);
	EXPECT_EQ(r.id, raw.id);
	EXPECT_EQ(r.op, model::Op::write);
	EXPECT_TRUE(r.fua);
	EXPECT_TRUE(r.from_ioctl);
	EXPECT_EQ(r.sector, 13U);
	EXPECT_EQ(r.nr_sectors, 20U);
	EXPECT_EQ(r.first_page, 1U);
	EXPECT_EQ(r.nr_pages, 4U);
	// Sectors 13..32 cover page 1 from sector 13 (partial) to page 4 (sector 32 only).
	EXPECT_TRUE(r.partial(0));
	EXPECT_FALSE(r.partial(1));
	EXPECT_FALSE(r.partial(2));
	EXPECT_TRUE(r.partial(3));
	raw.flags = 0;
	EXPECT_FALSE(from_abi(raw, 8).fua);
}

TEST(AbiModelConvert, unknown_operation_is_kept_not_thrown)
{
	struct vbs_model_req raw{};
	raw.id = 9;
	raw.op = 5; // a newer kernel's
	raw.sector = 8;
	raw.nr_sectors = 8;
	model::Request r;
	ASSERT_NO_THROW(r = from_abi(raw, 8));
	EXPECT_EQ(r.id, 9U);
	EXPECT_EQ(r.unknown_op, 5U);
	raw.op = VBS_OP_DISCARD;
	EXPECT_EQ(from_abi(raw, 8).unknown_op, std::nullopt);
}

TEST(AbiModelConvert, every_operation_maps_both_ways)
{
	for (std::uint32_t op : {VBS_OP_READ, VBS_OP_WRITE, VBS_OP_FLUSH, VBS_OP_DISCARD, VBS_OP_WRITE_ZEROES})
		EXPECT_EQ(to_abi(model_op_from_abi(op)), op);
	EXPECT_THROW((void)model_op_from_abi(7), std::invalid_argument);
}

TEST(AbiModelConvert, exchange_result_reports_the_kernel_counts)
{
	auto raw = make_abi<struct vbs_model_exchange>();
	raw.nr_reqs = 64;
	raw.accepted = 3;
	raw.rejected = 1;
	const model::ExchangeResult r = exchange_result(raw, 4, 64, "exchanging");
	EXPECT_EQ(r.nr_reqs, 64U);
	EXPECT_EQ(r.accepted, 3U);
	EXPECT_EQ(r.rejected, 1U);
}

/// The kernel's counts index the caller's arrays: one beyond them is a
/// protocol error, never a read past the buffer.
TEST(AbiModelConvert, exchange_result_beyond_the_buffers_is_a_protocol_error)
{
	const auto expect_eproto = [](const struct vbs_model_exchange& raw) {
		try {
			(void)exchange_result(raw, 4, 64, "exchanging 4 answers for requests of virtblkiosim0");
			ADD_FAILURE() << "no error for nr_reqs " << raw.nr_reqs << ", accepted "
				      << raw.accepted << ", rejected " << raw.rejected;
		} catch (const std::system_error& e) {
			EXPECT_EQ(e.code(), std::errc::protocol_error);
			EXPECT_NE(std::string(e.what()).find("virtblkiosim0"), std::string::npos) << e.what();
		}
	};
	auto raw = make_abi<struct vbs_model_exchange>();
	raw.nr_reqs = 65; // room for 64
	expect_eproto(raw);
	raw.nr_reqs = 0xffffffffU;
	expect_eproto(raw);
	raw.nr_reqs = 0;
	raw.accepted = 3;
	raw.rejected = 2; // 5 of 4 answers
	expect_eproto(raw);
}

TEST(AbiModelConvert, answer_map_and_page_op)
{
	const model::Answer a{.id = 42, .status = -5, .delay = std::chrono::microseconds(3), .map_index = 7, .nr_maps = 2};
	const struct vbs_model_answer raw = to_abi(a);
	EXPECT_EQ(raw.id, 42U);
	EXPECT_EQ(raw.status, -5);
	EXPECT_EQ(raw.delay_ns, 3000U);
	EXPECT_EQ(raw.map_index, 7U);
	EXPECT_EQ(raw.nr_maps, 2U);
	EXPECT_EQ(raw.reserved0, 0U);
	EXPECT_EQ(raw.reserved, 0U);
	EXPECT_EQ(to_abi(model::Answer{.delay = std::chrono::nanoseconds(-5)}).delay_ns, 0U);

	const struct vbs_model_map m = to_abi(model::PageMap{.ppn = 1, .src_ppn = model::kNoPage});
	EXPECT_EQ(m.ppn, 1U);
	EXPECT_EQ(m.src_ppn, VBS_PPN_NONE);

	const auto copy = to_abi(model::PageOp{.kind = model::PageOp::Kind::copy, .src = 4, .dst = 9});
	EXPECT_EQ(copy.op, static_cast<std::uint32_t>(VBS_PAGE_OP_COPY));
	EXPECT_EQ(copy.src, 4U);
	EXPECT_EQ(copy.dst, 9U);
	const auto trim = to_abi(model::PageOp{.kind = model::PageOp::Kind::trim, .src = 4, .dst = 9});
	EXPECT_EQ(trim.op, static_cast<std::uint32_t>(VBS_PAGE_OP_TRIM));
	EXPECT_EQ(trim.dst, VBS_PPN_NONE); // the kernel requires it
	EXPECT_EQ(trim.reserved0, 0U);
}

TEST(AbiModelConvert, model_disk_config_round_trips)
{
	DeviceConfig c;
	c.capacity_bytes = 1 << 20;
	c.model = true;
	c.model_pages = 300;
	const struct vbs_dev_config raw = to_abi(c);
	EXPECT_EQ(raw.flags & VBS_CFG_MODEL, static_cast<std::uint32_t>(VBS_CFG_MODEL));
	EXPECT_EQ(raw.model_pages, 300U);
	EXPECT_EQ(from_abi(raw), c);
}

} // namespace
} // namespace vbsim::detail
