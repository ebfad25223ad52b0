// SPDX-License-Identifier: GPL-2.0
/*
 * vbs-failnth - make the N-th fault-injection point of one system call
 * fail, for the allocation-failure guest tests (tests/guest/t/9NN-*.sh) on
 * the debug kernel.
 *
 * The kernel's per-task fail-nth knob (/proc/thread-self/fail-nth, with
 * CONFIG_FAULT_INJECTION) makes the N-th failslab / fail_page_alloc check
 * of the writing task fail.  A shell cannot use it: everything it runs
 * between the write and the system call under test (fork, exec, page
 * faults) would count.  This tool opens and prepares everything first, arms
 * the knob, makes exactly one system call, reads the knob back and disarms
 * it, so the count covers that call alone:
 *
 *   vbs-failnth N load KO [PARAMS]        finit_module(KO, PARAMS)
 *   vbs-failnth N add CAPACITY LBS        VBS_CTL_ADD on the control node
 *   vbs-failnth N write DEV OFFSET LEN BYTE
 *                                         one O_DIRECT pwrite of LEN bytes
 *                                         of BYTE at byte OFFSET of DEV
 *   vbs-failnth 0 remove INDEX            VBS_CTL_REMOVE (no injection)
 *
 * N = 0 injects nothing.  Prints one line:
 *   result=ok|error errno=NAME injected=0|1 calls=C [index=I]
 * injected=1: the N-th check was reached and failed; calls: the checks the
 * call went through when nothing was injected (so N = 1..calls covers every
 * allocation the call makes), 0 otherwise.  Exit status: 0 the call
 * succeeded, 1 it failed, 2 a usage or setup error.
 *
 * Build: make -C tests/debug   (-> build/debug/vbs-failnth)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/virtblkiosim.h>

/* The knob is per thread; this tool has one. */
#define FAIL_NTH "/proc/thread-self/fail-nth"
#define CONTROL "/dev/" VBS_CONTROL_NAME

/**
 * die() - print a setup error and exit with status 2
 * @what: what failed; errno describes why.
 */
static void die(const char *what)
{
	fprintf(stderr, "vbs-failnth: %s: %s\n", what, strerror(errno));
	exit(2);
}

/**
 * usage() - print the synopsis and exit with status 2
 */
static void usage(void)
{
	fprintf(stderr,
		"usage: vbs-failnth N load KO [PARAMS]\n"
		"       vbs-failnth N add CAPACITY LBS\n"
		"       vbs-failnth N write DEV OFFSET LEN BYTE\n"
		"       vbs-failnth 0 remove INDEX\n");
	exit(2);
}

/**
 * number() - parse an unsigned decimal (or 0x hex) argument
 * @s: the argument.
 *
 * Return: its value; exits through usage() if @s is not a number.
 */
static uint64_t number(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

/**
 * arm() - set this thread's fail-nth knob
 * @fd: the knob, opened read-write.
 * @n: the check to fail, 0 to disarm.
 *
 * Writing needs no allocation once the file is open, so arming does not
 * use up any of the count itself.
 */
static void arm(int fd, uint64_t n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu64, n);

	if (pwrite(fd, buf, len, 0) != len)
		die("write " FAIL_NTH);
}

/**
 * remaining() - read this thread's fail-nth knob
 * @fd: the knob.
 *
 * Return: the checks still to go before the failure, 0 once it happened.
 */
static uint64_t remaining(int fd)
{
	char buf[32];
	ssize_t len = pread(fd, buf, sizeof(buf) - 1, 0);

	if (len <= 0)
		die("read " FAIL_NTH);
	buf[len] = '\0';
	return strtoull(buf, NULL, 10);
}

/**
 * main() - prepare one system call, run it with the knob armed, report
 * @argc: argument count.
 * @argv: N, the operation and its arguments (see the top of the file).
 *
 * Return: 0 if the call succeeded, 1 if it failed, 2 on a setup error.
 */
int main(int argc, char **argv)
{
	struct vbs_ctl_add add;
	const char *params = "";
	uint64_t n, left, off = 0;
	size_t len = 0;
	void *buf = NULL;
	int knob, fd, err;
	__u32 index = 0;
	long rc;
	enum { LOAD, ADD, WRITE, REMOVE } op;

	if (argc < 3)
		usage();
	n = number(argv[1]);
	if (!strcmp(argv[2], "load") && (argc == 4 || argc == 5)) {
		op = LOAD;
		fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(argv[3]);
		if (argc == 5)
			params = argv[4];
	} else if (!strcmp(argv[2], "add") && argc == 5) {
		op = ADD;
		memset(&add, 0, sizeof(add));
		add.size = sizeof(add);
		add.index = VBS_INDEX_ANY;
		add.config.size = sizeof(add.config);
		add.config.capacity = number(argv[3]);
		add.config.logical_block_size = number(argv[4]);
		fd = open(CONTROL, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			die(CONTROL);
	} else if (!strcmp(argv[2], "write") && argc == 7) {
		op = WRITE;
		off = number(argv[4]);
		len = number(argv[5]);
		if (!len || posix_memalign(&buf, 4096, len))
			usage();
		/* Touched now: no page fault inside the armed call. */
		memset(buf, (int)number(argv[6]), len);
		fd = open(argv[3], O_RDWR | O_DIRECT | O_CLOEXEC);
		if (fd < 0)
			die(argv[3]);
	} else if (!strcmp(argv[2], "remove") && argc == 4 && n == 0) {
		op = REMOVE;
		index = number(argv[3]);
		fd = open(CONTROL, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			die(CONTROL);
	} else {
		usage();
	}

	knob = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (knob < 0)
		die(FAIL_NTH);

	arm(knob, n);
	switch (op) {
	case LOAD:
		rc = syscall(SYS_finit_module, fd, params, 0);
		break;
	case ADD:
		rc = ioctl(fd, VBS_CTL_ADD, &add);
		break;
	case WRITE:
		rc = pwrite(fd, buf, len, off);
		if (rc >= 0 && (size_t)rc != len) {
			/* A short direct write: report it as EIO. */
			rc = -1;
			errno = EIO;
		}
		break;
	default:
		rc = ioctl(fd, VBS_CTL_REMOVE, &index);
		break;
	}
	err = rc < 0 ? errno : 0;
	left = n ? remaining(knob) : 0;
	arm(knob, 0);

	printf("result=%s errno=%s injected=%d calls=%" PRIu64,
	       err ? "error" : "ok", err ? strerrorname_np(err) : "0",
	       n && !left, n && left ? n - left : 0);
	if (op == ADD && !err)
		printf(" index=%u", add.index);
	printf("\n");
	free(buf);
	return err ? 1 : 0;
}
