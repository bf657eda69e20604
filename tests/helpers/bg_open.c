// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_open: open files the way the protected-files tests need, and say
 * what happened. Copied under other names, it is the "allowed" and the
 * "other" executable of tests/integration/agent_files*.sh (a copy is a new
 * inode, so a renamed copy of an allowed binary is a different program).
 *
 *   bg_open [--comm NAME] MODE PATH
 *
 * MODE: r (O_RDONLY), w (O_WRONLY|O_APPEND), rw (O_RDWR), trunc
 * (O_WRONLY|O_TRUNC), rdtrunc (O_RDONLY|O_TRUNC), creat (O_WRONLY|O_CREAT),
 * unlink, rename:NEWPATH, link:NEWPATH, truncate (truncate(2) to 0), chmod,
 * mkdir.
 * Prints "ok" or the errno name and exits 0 or 1. --comm sets the task
 * name with prctl(PR_SET_NAME) first.
 *
 *   bg_open loop:STOPFILE PATH
 *
 * opens PATH read-only in a loop (1 ms apart) until STOPFILE exists and prints
 * "opened N denied M" (for the reload test under LSM deny, where the
 * process survives each refusal).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

static int report(int rc)
{
	if (rc < 0) {
		printf("%s\n", errno == EPERM	 ? "EPERM"
			       : errno == EACCES ? "EACCES"
						 : strerror(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode, *path;
	char buf[64];
	int fd, flags;

	if (argc >= 3 && !strcmp(argv[1], "--comm")) {
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: bg_open [--comm NAME] MODE PATH\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strncmp(mode, "loop:", 5)) {
		unsigned long opened = 0, denied = 0, i;

		for (i = 0;; i++) {
			if (access(mode + 5, F_OK) == 0)
				break;
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				opened++;
				close(fd);
			} else {
				denied++;
			}
			/* Leave the CPU to the agent (a one-CPU VM): each
			 * refusal is an event it must format. */
			usleep(1000);
		}
		printf("opened %lu denied %lu\n", opened, denied);
		return 0;
	}
	if (!strcmp(mode, "unlink"))
		return report(unlink(path));
	if (!strncmp(mode, "rename:", 7))
		return report(rename(path, mode + 7));
	if (!strcmp(mode, "truncate"))
		return report(truncate(path, 0));
	if (!strcmp(mode, "chmod"))
		return report(chmod(path, 0600));
	if (!strcmp(mode, "mkdir"))
		return report(mkdir(path, 0700));
	if (!strncmp(mode, "link:", 5))
		return report(link(path, mode + 5));
	if (!strcmp(mode, "r"))
		flags = O_RDONLY;
	else if (!strcmp(mode, "w"))
		flags = O_WRONLY | O_APPEND;
	else if (!strcmp(mode, "rw"))
		flags = O_RDWR;
	else if (!strcmp(mode, "trunc"))
		flags = O_WRONLY | O_TRUNC;
	else if (!strcmp(mode, "rdtrunc"))
		flags = O_RDONLY | O_TRUNC;
	else if (!strcmp(mode, "creat"))
		flags = O_WRONLY | O_CREAT;
	else {
		fprintf(stderr, "bg_open: unknown mode %s\n", mode);
		return 2;
	}
	fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		return report(fd);
	/* Use the descriptor, so a kill that came too late would show. */
	if ((flags & O_ACCMODE) != O_WRONLY && read(fd, buf, sizeof(buf)) < 0)
		return report(-1);
	if ((flags & O_ACCMODE) != O_RDONLY && write(fd, "w\n", 2) < 0)
		return report(-1);
	close(fd);
	return report(0);
}
