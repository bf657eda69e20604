// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_verdict LINK_PIN PORT: for each IPv4 source address read from stdin
 * (one a line), run the program behind a pinned XDP link on a UDP frame
 * from that source to PORT with BPF_PROG_TEST_RUN and print
 * "ADDR pass|drop". The filter under test is the one `bpfguard net`
 * attached, with its maps as the CLI wrote them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	unsigned char f[64] = {0};
	char line[64];
	int link, prog;

	if (argc != 3) {
		fprintf(stderr, "usage: xdp_verdict LINK_PIN PORT < addresses\n");
		return 2;
	}
	link = bpf_obj_get(argv[1]);
	if (link < 0 || bpf_obj_get_info_by_fd(link, &info, &len) ||
	    (prog = bpf_prog_get_fd_by_id(info.prog_id)) < 0) {
		perror(argv[1]);
		return 1;
	}
	f[12] = 0x08; /* IPv4, UDP, 10.0.0.2:PORT, total length 50 */
	f[14] = 0x45;
	f[17] = 50;
	f[22] = 64;
	f[23] = 17;
	inet_pton(AF_INET, "10.0.0.2", f + 30);
	f[34] = 0x9c, f[35] = 0x40;
	f[36] = atoi(argv[2]) >> 8, f[37] = atoi(argv[2]) & 255;
	f[39] = 30;
	while (fgets(line, sizeof(line), stdin)) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = sizeof(f));

		line[strcspn(line, "\n")] = 0;
		if (inet_pton(AF_INET, line, f + 26) != 1) {
			fprintf(stderr, "not an IPv4 address: %s\n", line);
			return 1;
		}
		if (bpf_prog_test_run_opts(prog, &o)) {
			perror("BPF_PROG_TEST_RUN");
			return 1;
		}
		printf("%s %s\n", line, o.retval == XDP_PASS ? "pass" : "drop");
	}
	return 0;
}
