// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bg_fdshare: does anything read a protected file through a descriptor
 * table shared with the opener, while the opener is being killed at its
 * open's return (the kill path without BPF LSM)? Driven by
 * tests/integration/files_sharers.sh and files_thread_race.sh (both
 * kernels; the VM has no python).
 *
 *   bg_fdshare [-n TRIES] [-g GOFILE] clone|clone-after|clone-late|thread PATH
 *
 * Each try: this process (the reporter) forks an opener; the opener starts
 * a sibling that shares its descriptor table and spins pread(2) of
 * descriptor 3 (the number the open will return: every call of the sibling
 * is a read of the file once it is open) straight into a MAP_SHARED page,
 * then opens PATH read-only. The shared page is the side channel: the reporter is a
 * separate process the kill does not reach, and a pread copies into it
 * in the kernel, so any byte that left the file is seen even if the reader
 * died before its next instruction.
 *   clone   the sibling is a process made with a raw clone(CLONE_FILES)
 *           without CLONE_THREAD (its own thread group; CLONE_PARENT makes
 *           it the reporter's child, so its fate is waited for)
 *   clone-after  the same sibling sleeps in poll(2) on a pidfd of the
 *           opener and reads only once the opener has exited: what it
 *           reads went through the shared table after the kill, never
 *           through the race below (the deterministic case the tests use)
 *   clone-late  the same sibling spins in user space, making no syscall,
 *           until the reporter has reaped the opener, then reads: its read
 *           is the first syscall it makes after the kill
 *   thread  the sibling is a thread of the opener (the race between
 *           fd_install and the kill at sys_exit)
 * -g: wait until GOFILE exists before the first try (a monitor attaches to
 * the waiting process by --pid).
 * An opener that survives its open waits (up to 2 s) for the sibling to
 * read, so that an allowed open shows the reads the tests look for.
 *
 * Prints one line:
 *   mode M tries N opener_killed N opener_denied N sibling_killed N
 *   sibling_alive N leaked N reads N ms N data "first bytes that leaked"
 * opener_denied: opens refused (EPERM under BPF LSM; the opener exits 4);
 * leaked: tries in which any byte reached the shared page; reads: preads
 * that returned data; sibling_alive: clone siblings still reading 5 s
 * after the opener ended (stopped through the page, then counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFD	    1 /* the opener's descriptor is 3: this process closes 3 and up */
#define STACK_SIZE  (256 * 1024)
#define DATA_SIZE   256
#define ALIVE_LIMIT 5000 /* ms a clone sibling may outlive its opener */

#define AFTER_FD 100 /* the pidfd, out of the way of the open's descriptor */

struct shared {
	volatile int ready; /* the sibling is spinning */
	volatile int stop;
	volatile int after;	  /* clone-after, clone-late */
	volatile int late;	  /* clone-late */
	volatile int opener_gone; /* set by the reporter once it reaped the opener */
	volatile pid_t opener;
	volatile pid_t sibling;
	volatile long reads;
	char data[DATA_SIZE]; /* the sibling's pread buffer */
};

static struct shared *sh;
static const char *path;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void spin_read(void)
{
	ssize_t n;
	int fd;

	sh->ready = 1;
	while (!sh->stop) {
		for (fd = 3; fd < 3 + NFD; fd++) {
			n = pread(fd, sh->data, sizeof(sh->data) - 1, 0);
			/* Its opener gone without a descriptor (refused by
			 * BPF LSM): there is nothing to wait for. */
			if (n < 0 && errno == EBADF && sh->after)
				return;
			if (n <= 0)
				continue;
			__atomic_add_fetch(&sh->reads, 1, __ATOMIC_RELAXED);
			if (sh->after) /* its opener is gone: nobody stops it */
				return;
		}
	}
}

static int clone_main(void *arg)
{
	struct pollfd p = {.fd = AFTER_FD, .events = POLLIN};
	int fd;

	(void)arg;
	if (sh->late) {
		sh->ready = 1;
		while (!sh->opener_gone)
			__asm__ __volatile__("pause" ::: "memory");
	} else if (sh->after) {
		fd = syscall(SYS_pidfd_open, sh->opener, 0);
		if (fd < 0 || dup2(fd, AFTER_FD) < 0)
			_exit(5);
		close(fd);
		sh->ready = 1;
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	spin_read();
	_exit(0);
}

static void *thread_main(void *arg)
{
	(void)arg;
	spin_read();
	return NULL;
}

static void opener(int thread)
{
	static char stack[STACK_SIZE] __attribute__((aligned(16)));
	pthread_t t;
	pid_t pid;
	long end;
	int fd;

	if (thread) {
		if (pthread_create(&t, NULL, thread_main, NULL))
			_exit(3);
	} else {
		sh->opener = getpid();
		pid = clone(clone_main, stack + sizeof(stack), CLONE_FILES | CLONE_PARENT | SIGCHLD,
			    NULL);
		if (pid < 0)
			_exit(3);
		sh->sibling = pid;
	}
	while (!sh->ready)
		sched_yield();
	fd = open(path, O_RDONLY);
	if (fd < 0) { /* refused (BPF LSM deny): nothing to read */
		sh->stop = 1;
		_exit(4);
	}
	/* Not killed: let the sibling show that it can read. */
	if (sh->after)
		_exit(0);
	for (end = now_ms() + 2000; !sh->reads && now_ms() < end;)
		sched_yield();
	sh->stop = 1;
	if (thread)
		pthread_join(t, NULL);
	_exit(0);
}

/* Wait for a clone sibling; stop it through the page if it outlives the bound. */
static int reap_sibling(pid_t pid, int *alive)
{
	long end = now_ms() + ALIVE_LIMIT;
	struct timespec tick = {0, 1000 * 1000};
	int status = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		if (now_ms() >= end)
			break;
		nanosleep(&tick, NULL);
	}
	(*alive)++;
	sh->stop = 1;
	waitpid(pid, &status, 0);
	return status;
}

static void put_data(const char *d)
{
	size_t i;

	putchar('"');
	for (i = 0; i < 32 && d[i]; i++)
		putchar(d[i] >= 0x20 && d[i] < 0x7f && d[i] != '"' && d[i] != '\\' ? d[i] : '.');
	putchar('"');
}

int main(int argc, char **argv)
{
	long tries = 1, t, reads = 0, start, killed = 0, denied = 0, sib_killed = 0, leaked = 0;
	char first[DATA_SIZE] = "";
	struct timespec tick = {0, 10 * 1000 * 1000};
	const char *go = NULL;
	int thread, after, late, status, alive = 0, opt;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:g:")) != -1) {
		if (opt == 'n')
			tries = strtol(optarg, NULL, 10);
		else if (opt == 'g')
			go = optarg;
		else
			goto usage;
	}
	if (argc - optind != 2 || tries < 1)
		goto usage;
	thread = !strcmp(argv[optind], "thread");
	late = !strcmp(argv[optind], "clone-late");
	after = late || !strcmp(argv[optind], "clone-after");
	if (!thread && !after && strcmp(argv[optind], "clone"))
		goto usage;
	path = argv[optind + 1];
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	/* The opener's first descriptor must be 3, where the sibling looks. */
	syscall(SYS_close_range, 3, ~0U, 0);
	while (go && access(go, F_OK))
		nanosleep(&tick, NULL);
	start = now_ms();
	for (t = 0; t < tries; t++) {
		memset(sh, 0, sizeof(*sh));
		sh->after = after;
		sh->late = late;
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			opener(thread);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		sh->opener_gone = 1;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
			denied++;
		else if (!WIFEXITED(status) || WEXITSTATUS(status) > 0)
			fprintf(stderr, "try %ld: opener status %#x\n", t, status);
		if (!thread && sh->sibling) {
			status = reap_sibling(sh->sibling, &alive);
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
				sib_killed++;
		}
		reads += sh->reads;
		if (sh->reads || sh->data[0]) {
			if (!leaked++)
				memcpy(first, sh->data, sizeof(first));
		}
	}
	first[DATA_SIZE - 1] = 0;
	printf("mode %s tries %ld opener_killed %ld opener_denied %ld sibling_killed %ld "
	       "sibling_alive %d leaked %ld reads %ld ms %ld data ",
	       argv[optind], tries, killed, denied, thread ? killed : sib_killed, alive, leaked,
	       reads, now_ms() - start);
	put_data(first);
	putchar('\n');
	return 0;
usage:
	fprintf(stderr, "usage: bg_fdshare [-n TRIES] [-g GOFILE] "
			"clone|clone-after|clone-late|thread PATH\n");
	return 2;
}
