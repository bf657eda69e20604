// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Flood the shared ring buffer faster than it is drained and check the
 * reported drop count: drops == events produced - events received, where
 * "produced" is what the kernel program attempted, "received" the event
 * lines written, and "drops" the figure on the consumer's final stats line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events/ring.h"
#include "core/log.h"
#include "trigger.skel.h"

#define BATCH  4096
#define ROUNDS 8

static int run_batch(struct trigger *skel, __u64 n)
{
	__u64 args[1] = {n};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.trigger), &opts);
}

int main(void)
{
	char path[] = "/tmp/bg-flood-XXXXXX", line[4096];
	unsigned long long lines = 0, drops = ~0ULL, emitted = ~0ULL, received = ~0ULL;
	struct bg_events ev;
	struct bg_output out;
	struct trigger *skel;
	FILE *f;
	int fd, i, err;
	const unsigned long long produced = (unsigned long long)BATCH * ROUNDS;

	bg_log_libbpf();
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	/* 16 KiB holds about 40 test events: each batch overflows it. */
	if (bg_events_create(&ev, 16384) || bg_output_open(&out, path) ||
	    bg_events_start(&ev, &out, true, false))
		return 1;
	skel = trigger__open();
	if (!skel || bg_events_share(&ev, skel->obj) || trigger__load(skel)) {
		fprintf(stderr, "cannot load the trigger program\n");
		return 1;
	}
	for (i = 0; i < ROUNDS; i++) {
		err = run_batch(skel, BATCH);
		if (err) {
			fprintf(stderr, "test run: %s\n", strerror(-err));
			return 1;
		}
		bg_events_poll(&ev, 0); /* drain partway, as a busy consumer would */
	}
	bg_events_drain(&ev);
	bg_events_report(&ev, true);
	bg_output_close(&out);

	f = fopen(path, "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strstr(line, "\"type\":\"test\""))
			lines++;
		if ((p = strstr(line, "\"events-final\""))) {
			sscanf(strstr(line, "\"emitted\":"), "\"emitted\":%llu", &emitted);
			sscanf(strstr(line, "\"received\":"), "\"received\":%llu", &received);
			sscanf(strstr(line, "\"drops\":"), "\"drops\":%llu", &drops);
		}
	}
	fclose(f);
	unlink(path);
	trigger__destroy(skel);
	bg_events_close(&ev);
	printf("produced %llu, event lines %llu, reported received %llu emitted %llu drops %llu\n",
	       produced, lines, received, emitted, drops);
	if (drops == ~0ULL) {
		fprintf(stderr, "no final stats line\n");
		return 1;
	}
	if (drops == 0) {
		fprintf(stderr, "the flood did not overflow the ring buffer\n");
		return 1;
	}
	if (drops != produced - lines || received != lines || emitted != lines) {
		fprintf(stderr, "drop accounting is wrong\n");
		return 1;
	}
	return 0;
}
