#!/bin/bash
#
# model_data_through_c_models_is_exact: data written through a model reads
# back exactly, for an identity mapping and for a copy-on-write mapping
# that puts every write on a new physical page and trims the old one (so
# partial-page writes take the read-modify-write path with a moved page).
# fio verifies 4 KiB random writes at QD32 and odd-sized (512 B..16 KiB)
# synchronous writes; then one seeded sequence of 512-byte-granular direct
# writes goes to an in-kernel disk and to the model disk, which must then
# hold the same bytes. With the cow mapping, trimmed pages are freed: the
# store holds about one page per logical page written.
#
# Needs: fio, python3, the module, vbs-modeltool.
# vbs-timeout: 600
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_need_fio
command -v python3 >/dev/null || vbs_skip "python3 not installed"
vbs_load nr_devices=1 capacity_mb=64
ref=$(vbs_dev 0)

for map in identity cow; do
	vbs_step "$map mapping: fio verify, 4 KiB QD32 and 512 B..16 KiB QD1"
	idx=$(model_add 64 model_pages=20000)
	dev=$(vbs_dev "$idx")
	model_start "$map" "$idx" map="$map"
	engine=$(vbs_fio_async_engine "$dev")
	verify=(--filename="$dev" --direct=1 --verify=crc32c --do_verify=1
		--verify_fatal=1)
	vbs_fio "$map-qd32" "${verify[@]}" --name=qd32 --ioengine="$engine" \
		--rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=4M \
		--offset_increment=8M
	vbs_expect_eq $((8 << 20)) "$VBS_FIO_READ" "bytes verified (QD32)"
	vbs_fio "$map-odd" "${verify[@]}" --name=odd --ioengine=psync \
		--rw=randwrite --bsrange=512-16k --size=2M --offset=32M
	vbs_expect_eq $((2 << 20)) "$VBS_FIO_READ" "bytes verified (odd sizes)"

	vbs_step "$map mapping: the same 1500 direct writes as an in-kernel disk"
	vbs_run dd if=/dev/zero of="$ref" bs=1M count=16 oflag=direct
	vbs_run dd if=/dev/zero of="$dev" bs=1M count=16 oflag=direct
	vbs_run python3 "$VBS_ROOT/tests/guest/model/same-writes.py" 42 1500 16 \
		"$ref" "$dev"
	a=$(dd if="$ref" bs=1M count=16 iflag=direct 2>/dev/null | md5sum)
	b=$(dd if="$dev" bs=1M count=16 iflag=direct 2>/dev/null | md5sum)
	vbs_expect_eq "$a" "$b" "md5 of the first 16 MiB, in-kernel vs $map model"

	pages=$(vbs_pages_in_use "$idx")
	vbs_note "$map: pages in use $pages"
	if [[ $map == cow ]]; then
		# Written: [0, 16 MiB) (fio, dd, same-writes) and [32, 34 MiB)
		# (fio): 4608 logical pages, each held once as every dead
		# copy was trimmed; without trims it would be thousands more.
		vbs_expect_ge "$pages" 4608 "pages in use with trims (cow)"
	fi
	model_stop TERM
	vbs_expect_eq 0 "$MODEL_RC" "model exit status"
	vbs_expect_eq 0 "$(model_attr "$idx" model_rejected)" "answers rejected"
	vbs_run "$VBS_VBSIM" remove "$idx"
done
vbs_unload
