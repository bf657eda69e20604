// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uring_open PATH [PORT]: open PATH read-only with an io_uring
 * IORING_OP_OPENAT (no openat syscall), read a line from it, print
 * "open: 0 LINE" or "open: -ERRNO"; with PORT, then connect a TCP socket to
 * 127.0.0.1:PORT and print "connect: 0" or "connect: -ERRNO" (does the
 * io_uring open taint the process? tests/integration/taint_egress.sh).
 * The operation runs in the kernel's io_uring context: seccomp sees only
 * io_uring_setup/io_uring_enter, while file_open (BPF LSM and Landlock)
 * still sees the open. Exit 2 when io_uring is unavailable.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqe;
	unsigned *sq_tail, *sq_array, *cq_head, *sq_mask, *cq_mask;
	char *sq, *cq, line[128] = "";
	int ring, res;
	ssize_t n;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: uring_open PATH [PORT]\n");
		return 1;
	}
	memset(&p, 0, sizeof(p));
	ring = syscall(__NR_io_uring_setup, 1, &p);
	if (ring < 0) {
		printf("io_uring: -%d\n", errno);
		return 2;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return 1;
	sq_tail = (unsigned *)(sq + p.sq_off.tail);
	sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)(sq + p.sq_off.array);
	cq_head = (unsigned *)(cq + p.cq_off.head);
	cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);

	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (unsigned long)argv[1];
	sqes[0].open_flags = O_RDONLY;
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		printf("io_uring_enter: -%d\n", errno);
		return 2;
	}
	cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) +
	      (__atomic_load_n(cq_head, __ATOMIC_ACQUIRE) & *cq_mask);
	res = cqe->res;
	if (res < 0) {
		printf("open: %d\n", res);
		return 0;
	}
	n = read(res, line, sizeof(line) - 1);
	if (n > 0)
		line[strcspn(line, "\n")] = 0;
	printf("open: 0 %s\n", line);
	if (argc == 3) {
		struct sockaddr_in to = {.sin_family = AF_INET,
					 .sin_port = htons(atoi(argv[2])),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int s = socket(AF_INET, SOCK_STREAM, 0);

		res = s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) ? -errno : 0;
		printf("connect: %d\n", res);
	}
	return 0;
}
