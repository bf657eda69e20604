// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A minimal BPF loader for the load-guard tests, with no library between
 * it and bpf(2): it loads a socket filter named NAME that calls helper
 * HELPER_ID COUNT times (helpers without arguments: 5 ktime_get_ns,
 * 7 get_prandom_u32) and returns 0.
 *
 *   bpf_loader NAME HELPER_ID COUNT [HOLD_SECONDS [mmap]]
 *
 * "mmap": the instructions are passed from a file mapping no page of
 * which this process has touched, so a non-faulting read of them (a BPF
 * program's bpf_probe_read_user) fails while the kernel's copy_from_user
 * faults them in and succeeds.
 *
 * Exit status: 0 loaded (then holds the fd HOLD_SECONDS), else the errno
 * of BPF_PROG_LOAD (1 for EPERM). Prints "loaded" or "load failed: ERR".
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CALLS 1000

int main(int argc, char **argv)
{
	static struct bpf_insn insns[MAX_CALLS + 2];
	union bpf_attr attr;
	void *code = insns;
	int id, count, hold, i, fd;

	if (argc < 4) {
		fprintf(stderr, "usage: bpf_loader NAME HELPER_ID COUNT [HOLD_SECONDS]\n");
		return 2;
	}
	id = atoi(argv[2]);
	count = atoi(argv[3]);
	hold = argc > 4 ? atoi(argv[4]) : 0;
	if (count < 0 || count > MAX_CALLS)
		return 2;
	for (i = 0; i < count; i++)
		insns[i] = (struct bpf_insn){.code = BPF_JMP | BPF_CALL, .imm = id};
	insns[i++] = (struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0};
	insns[i++] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};

	if (argc > 5 && !strcmp(argv[5], "mmap")) {
		char path[] = "/tmp/bpf_loader.XXXXXX";
		int tfd = mkstemp(path);

		if (tfd < 0 ||
		    write(tfd, insns, i * sizeof(insns[0])) != (ssize_t)(i * sizeof(insns[0])))
			return 2;
		unlink(path);
		code = mmap(NULL, i * sizeof(insns[0]), PROT_READ, MAP_PRIVATE, tfd, 0);
		if (code == MAP_FAILED)
			return 2;
		close(tfd);
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)code;
	attr.insn_cnt = i;
	attr.license = (unsigned long)"GPL";
	strncpy(attr.prog_name, argv[1], sizeof(attr.prog_name) - 1);
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		int e = errno;

		printf("load failed: %s\n", strerror(e));
		return e;
	}
	printf("loaded\n");
	fflush(stdout);
	if (hold > 0)
		sleep(hold);
	close(fd);
	return 0;
}
