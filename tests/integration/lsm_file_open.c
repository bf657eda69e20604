// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* needs: lsm */
/*
 * lsm_file_open: a BPF LSM program (tests/bpf/lsm_deny.bpf.c) denies one
 * file to one process, and only to that process.
 *
 * Two children are forked before load and wait on a pipe: the target, whose
 * thread group id goes into the program's .rodata, and a bystander. Once the
 * program is attached both try to open the denied file and a second file.
 * Expected: the target gets EPERM for the denied file and opens the other
 * one; the bystander (and this process) open both.
 *
 * Kernels that refuse BPF LSM (no CONFIG_BPF_LSM, `bpf` missing from lsm=,
 * or a sandbox that blocks it) make this test skip with exit 77, except in
 * the VM rig (BG_IN_VM=1), whose kernel must have it: there it fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "lsm_deny.skel.h"
#include "tap.h"

/* What an opener child saw: 0 if open() worked, else its errno. */
struct open_result {
	int denied_err;
	int other_err;
};

struct opener {
	pid_t pid;
	int go_fd;  /* write one byte to let the child open */
	int res_fd; /* the child's struct open_result */
};

static char dir[64];
static char denied_path[sizeof(dir) + 16];
static char other_path[sizeof(dir) + 16];

static int in_vm(void)
{
	const char *v = getenv("BG_IN_VM");

	return v && strcmp(v, "1") == 0;
}

static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static const char *err_name(int err)
{
	return err ? strerror(err) : "success";
}

/* The child: wait for the go byte (or EOF: the parent gave up), open, report. */
static void opener_main(int go_fd, int res_fd)
{
	struct open_result res;
	char c;

	if (read(go_fd, &c, 1) != 1)
		_exit(3);
	res.denied_err = try_open(denied_path);
	res.other_err = try_open(other_path);
	if (write(res_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(4);
	_exit(0);
}

static int opener_spawn(struct opener *o)
{
	int go[2], res[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		perror("pipe2");
		return -1;
	}
	fflush(NULL);
	o->pid = fork();
	if (o->pid < 0) {
		perror("fork");
		return -1;
	}
	if (o->pid == 0) {
		close(go[1]);
		close(res[0]);
		opener_main(go[0], res[1]);
	}
	close(go[0]);
	close(res[1]);
	o->go_fd = go[1];
	o->res_fd = res[0];
	return 0;
}

/* Let the child open, collect what it saw and reap it. */
static int opener_run(struct opener *o, struct open_result *res)
{
	ssize_t n = -1;
	int status = 0;

	if (write(o->go_fd, "g", 1) == 1)
		n = read(o->res_fd, res, sizeof(*res));
	close(o->go_fd);
	close(o->res_fd);
	o->go_fd = o->res_fd = -1;
	if (waitpid(o->pid, &status, 0) < 0)
		perror("waitpid");
	o->pid = 0;
	if (n != (ssize_t)sizeof(*res)) {
		fprintf(stderr, "opener child did not report (status 0x%x)\n", status);
		return -1;
	}
	return 0;
}

static void opener_kill(struct opener *o)
{
	if (o->pid <= 0)
		return;
	kill(o->pid, SIGKILL);
	waitpid(o->pid, NULL, 0);
	close(o->go_fd);
	close(o->res_fd);
	o->pid = 0;
}

static int write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, "bpfguard\n", 9) != 9) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void cleanup_files(void)
{
	if (!denied_path[0])
		return;
	unlink(denied_path);
	unlink(other_path);
	rmdir(dir);
}

/*
 * Pick a tmpfs for the files when there is one: on btrfs and overlayfs the
 * st_dev that stat() reports is not the super block's s_dev the program
 * compares with.
 */
static int make_files(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(dir, sizeof(dir), "%s/bg-lsm-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(denied_path, sizeof(denied_path), "%s/denied", dir);
	snprintf(other_path, sizeof(other_path), "%s/other", dir);
	if (write_file(denied_path) || write_file(other_path)) {
		cleanup_files();
		return -1;
	}
	return 0;
}

/* Is "bpf" in the active LSM list? 1 yes, 0 no, -1 cannot tell. */
static int bpf_lsm_active(char *list, size_t len)
{
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	char *tok, *save, copy[256];

	list[0] = '\0';
	if (!f)
		return -1;
	if (!fgets(list, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "bpf") == 0)
			return 1;
	return 0;
}

/* Skip natively; in the VM the kernel is known to have BPF LSM, so fail. */
static int refused(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (in_vm()) {
		printf("FAIL: %s (the VM kernel must allow BPF LSM)\n", why);
		return EXIT_FAILURE;
	}
	printf("SKIP: %s\n", why);
	return EXIT_SKIP;
}

int main(void)
{
	struct opener target = {0}, bystander = {0};
	struct open_result tres, bres;
	struct lsm_deny *skel = NULL;
	char lsm_list[256];
	struct stat st;
	int err, rc = EXIT_FAILURE;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN); /* a dead child shows as a failed write */
	if (bpf_lsm_active(lsm_list, sizeof(lsm_list)) == 0)
		return refused("BPF LSM not active (lsm=%s)", lsm_list);

	if (make_files())
		return EXIT_FAILURE;
	if (stat(denied_path, &st)) {
		perror(denied_path);
		goto out;
	}
	printf("# denied file %s: ino %llu dev %u:%u\n", denied_path, (unsigned long long)st.st_ino,
	       major(st.st_dev), minor(st.st_dev));

	if (opener_spawn(&target) || opener_spawn(&bystander))
		goto out;
	printf("# target pid %d, bystander pid %d\n", target.pid, bystander.pid);

	skel = lsm_deny__open();
	if (!skel) {
		fprintf(stderr, "lsm_deny__open: %s\n", strerror(errno));
		goto out;
	}
	skel->rodata->target_tgid = (__u32)target.pid;
	skel->rodata->target_ino = (__u64)st.st_ino;
	skel->rodata->target_dev = (major(st.st_dev) << 20) | minor(st.st_dev);

	err = lsm_deny__load(skel);
	if (err) {
		rc = refused("BPF LSM refused by this kernel (load: %s)", strerror(-err));
		goto out;
	}
	err = lsm_deny__attach(skel);
	if (err) {
		rc = refused("BPF LSM refused by this kernel (attach: %s)", strerror(-err));
		goto out;
	}

	if (opener_run(&target, &tres) || opener_run(&bystander, &bres))
		goto out;

	check(tres.denied_err == EPERM, "target: open(denied) fails with EPERM (got %s)",
	      err_name(tres.denied_err));
	check(tres.other_err == 0, "target: open(other) succeeds (got %s)",
	      err_name(tres.other_err));
	check(bres.denied_err == 0, "bystander: open(denied) succeeds (got %s)",
	      err_name(bres.denied_err));
	check(bres.other_err == 0, "bystander: open(other) succeeds (got %s)",
	      err_name(bres.other_err));
	err = try_open(denied_path);
	check(err == 0, "test process: open(denied) succeeds (got %s)", err_name(err));
	check(skel->bss->denied == 1, "program denied exactly once (denied=%llu, calls=%llu)",
	      (unsigned long long)skel->bss->denied, (unsigned long long)skel->bss->calls);

	lsm_deny__detach(skel);
	rc = failures ? EXIT_FAILURE : EXIT_SUCCESS;
	printf("%s: %d check(s) failed\n", rc ? "FAIL" : "PASS", failures);
out:
	opener_kill(&target);
	opener_kill(&bystander);
	lsm_deny__destroy(skel);
	cleanup_files();
	return rc;
}
