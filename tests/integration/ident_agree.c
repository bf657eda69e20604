// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vm: also
 *
 * ident_agree: the (dev, ino) key user space computes from stat()
 * (src/core/ident.c) equals the one the kernel reports (bpf/lib/ident.bpf.h),
 * for files on the root filesystem (a real block device: major != 0, where
 * glibc's and the kernel's device encodings differ), on tmpfs-like
 * filesystems, through a hard link, and for the executable itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>

#include "core/ident.h"
#include "ident_probe.skel.h"
#include "tap.h"

/* Open path, let the probe record the kernel's key, compare with stat's. */
static void agree(struct ident_probe *skel, const char *path, const char *what)
{
	struct bg_ident user, kern;
	__u32 before = skel->bss->hits;
	int fd, err;

	err = bg_ident_from_path(path, &user);
	if (err) {
		check(0, "%s: stat %s: %s", what, path, strerror(-err));
		return;
	}
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		check(0, "%s: open %s: %s", what, path, strerror(errno));
		return;
	}
	kern = skel->bss->file_id;
	close(fd);
	check(skel->bss->hits > before, "%s: the probe saw the open", what);
	check(kern.ino == user.ino && kern.dev == user.dev,
	      "%s %s: kernel dev %u:%u ino %llu, user dev %u:%u ino %llu", what, path,
	      kern.dev >> 20, kern.dev & 0xfffff, (unsigned long long)kern.ino, user.dev >> 20,
	      user.dev & 0xfffff, (unsigned long long)user.ino);
}

int main(void)
{
	char dir[] = "/var/tmp/bg-ident-XXXXXX", file[64], lnk[64];
	struct ident_probe *skel;
	struct bg_ident user;
	struct stat st;
	int fd, major_seen = 0;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return EXIT_SKIP;
	}
	skel = ident_probe__open();
	if (!skel) {
		fprintf(stderr, "open skeleton failed\n");
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	if (ident_probe__load(skel) || ident_probe__attach(skel)) {
		fprintf(stderr, "load/attach ident_probe failed\n");
		ident_probe__destroy(skel);
		return 1;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		ident_probe__destroy(skel);
		return 1;
	}
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(lnk, sizeof(lnk), "%s/hard", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || link(file, lnk) < 0)
		check(0, "create %s and its hard link: %s", file, strerror(errno));

	agree(skel, file, "file on /var/tmp");
	agree(skel, lnk, "hard link");
	agree(skel, "/etc/passwd", "file on /etc");
	agree(skel, "/proc/self/status", "procfs");
	agree(skel, "/dev/null", "devtmpfs");
	if (access("/tmp", W_OK) == 0)
		agree(skel, "/tmp", "directory /tmp");
	if (stat(file, &st) == 0 && major(st.st_dev) != 0)
		major_seen = 1;
	if (stat("/etc/passwd", &st) == 0 && major(st.st_dev) != 0)
		major_seen = 1;
	printf("# a tested file is on a device with major != 0: %s\n", major_seen ? "yes" : "no");

	/* The executable: mm->exe_file against stat(/proc/self/exe). */
	if (bg_ident_from_path("/proc/self/exe", &user) == 0)
		check(skel->bss->exe_id.ino == user.ino && skel->bss->exe_id.dev == user.dev,
		      "executable: kernel ino %llu dev 0x%x, user ino %llu dev 0x%x",
		      (unsigned long long)skel->bss->exe_id.ino, skel->bss->exe_id.dev,
		      (unsigned long long)user.ino, user.dev);
	else
		check(0, "stat /proc/self/exe");

	unlink(lnk);
	unlink(file);
	rmdir(dir);
	ident_probe__destroy(skel);
	return failures ? 1 : 0;
}
