#!/usr/bin/env python3
# same-writes.py - apply one seeded sequence of direct writes, discards-free,
# of 512-byte-granular sizes and offsets to several block devices, so a test
# can then compare them byte for byte (tests/guest/t/702-*.sh).
#
#   same-writes.py SEED COUNT SPAN_MB DEV...
#
# Every write is O_DIRECT from a page-aligned buffer, 512 B .. 64 KiB at a
# 512-byte-aligned offset inside the first SPAN_MB MiB, so most of them
# cover logical pages only partly and exercise read-modify-write.
import mmap
import os
import random
import sys

seed, count, span_mb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
devs = sys.argv[4:]
rng = random.Random(seed)
fds = [os.open(d, os.O_RDWR | os.O_DIRECT) for d in devs]
buf = mmap.mmap(-1, 64 * 1024)
span = span_mb << 20
for _ in range(count):
    sectors = rng.randint(1, 128)
    offset = rng.randrange(0, span // 512 - sectors) * 512
    data = rng.randbytes(sectors * 512)
    buf[: len(data)] = data
    view = memoryview(buf)[: len(data)]
    for fd in fds:
        if os.pwrite(fd, view, offset) != len(data):
            sys.exit("short write")
    view.release()
for fd in fds:
    os.fsync(fd)
    os.close(fd)
