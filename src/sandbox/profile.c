// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard profile`: run a command (or watch a pid or cgroup) and write
 * what it did as a policy. Kernel half: bpf/profile.bpf.c, which aggregates
 * into maps; nothing here sees an event per syscall.
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/cgroup.h"
#include "core/cli.h"
#include "core/context.h"
#include "core/commands.h"
#include "events/output.h"
#include "events/ring.h"
#include "core/log.h"
#include "sandbox/php.h"
#include "policy/emit.h"
#include "policy/policy.h"
#include "profile.skel.h"

struct profile {
	const char *out;
	bool append;
	pid_t pid;
	const char *cgroup;
	char **cmd;
	struct bg_profile_bpf *skel;
	struct bg_cgroup cg;
	struct bg_php php; /* PHP functions, when the command is PHP */
	bool php_calls;	   /* --php-calls: the per-call mode */
};

/* /proc/1234/... of a profiled process is /proc/self/... to the policy:
 * the pid will differ on the next run. */
/* Names of entry operations are recorded as the process wrote them after
 * their directory's path: fold "//", "." and ".." without following links
 * (the directory part was resolved by the kernel already). */
static void fold_path(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == path)
		*out++ = '/';
	*out = 0;
}

static void normalise(char *path)
{
	char *p = path + 6;

	if (strncmp(path, "/proc/", 6) || *p < '0' || *p > '9')
		return;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '/' && *p)
		return;
	memmove(path + 10, p, strlen(p) + 1);
	memcpy(path + 6, "self", 4);
}

/*
 * The ELF interpreter (ld.so) of an executable is opened by the kernel
 * during execve, not by the program, so no open is seen for it; a policy
 * enforced with Landlock must still allow executing it.
 */
static int elf_interp(const char *path, char *out, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, err = -ENOENT;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		goto out;
	for (i = 0; i < eh.e_phnum && i < 64; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type != PT_INTERP || ph.p_filesz < 2 || ph.p_filesz >= len)
			continue;
		if (pread(fd, out, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz)
			break;
		out[ph.p_filesz - 1] = 0;
		err = 0;
		break;
	}
out:
	close(fd);
	return err;
}

static int add_interpreters(struct bg_policy *pol)
{
	size_t i, n = pol->n_execs;
	char interp[BG_PATH_MAX], real[BG_PATH_MAX];

	for (i = 0; i < n; i++) {
		int err;

		if (elf_interp(pol->execs[i], interp, sizeof(interp)))
			continue;
		if (!realpath(interp, real))
			continue;
		err = bg_policy_add_file(pol, real, BG_ACC_READ | BG_ACC_EXEC);
		if (err)
			return err;
	}
	return 0;
}

static bool is_exec(const struct bg_policy *pol, const char *path)
{
	size_t i;

	for (i = 0; i < pol->n_execs; i++)
		if (!strcmp(pol->execs[i], path))
			return true;
	return false;
}

/*
 * A script the command executed is opened by the kernel for execution and
 * then read by its interpreter; the tracepoint sees only the interpreter as
 * the program that ran, and the read as an open with r. Without x the
 * script could not be executed under the policy (Landlock's execute right,
 * BPF LSM's file_open). A file read with r, marked executable, whose "#!"
 * line names a program that ran, is taken as executed.
 */
static void mark_scripts(struct bg_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_files; i++) {
		struct bg_policy_file *f = &pol->files[i];
		char line[BG_PATH_MAX + 2], real[PATH_MAX], *p;
		struct stat st;
		ssize_t n;
		int fd;

		if ((f->acc & (BG_ACC_DIR | BG_ACC_EXEC)) || !(f->acc & BG_ACC_READ) ||
		    stat(f->path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		n = pread(fd, line, sizeof(line) - 1, 0);
		close(fd);
		if (n < 3 || line[0] != '#' || line[1] != '!')
			continue;
		line[n] = 0;
		p = line + 2 + strspn(line + 2, " \t");
		p[strcspn(p, " \t\n")] = 0;
		if (realpath(p, real) && is_exec(pol, real))
			f->acc |= BG_ACC_EXEC;
	}
}

/* A recorded name as the policy writes it: folded, /proc/<pid> as self. */
static void policy_name(const char *raw, char *path)
{
	memcpy(path, raw, BG_PATH_MAX);
	path[BG_PATH_MAX - 1] = 0;
	fold_path(path);
	normalise(path);
}

#define OPEN_BITS (BG_ACC_READ | BG_ACC_WRITE | BG_ACC_EXEC | BG_ACC_CREAT | BG_ACC_TRUNC)

/* A name only entry operations were recorded for, that was a directory:
 * made by mkdir, removed by rmdir, or one now on disk. */
static bool entry_is_dir(const struct bg_policy_file *f)
{
	struct stat st;

	if ((f->acc & (BG_ACC_DIR | OPEN_BITS)) || !(f->acc & BG_ACC_ENTRY_OPS))
		return false;
	if (f->acc & (BG_ACC_MKDIR | BG_ACC_RMDIR))
		return true;
	return !lstat(f->path, &st) && S_ISDIR(st.st_mode);
}

/* Give f the directory form ("D/name/", BG_ACC_DIR), merged with an entry
 * of that path if there is one (its opens, say). Returns false on ENOMEM. */
static bool make_dir_entry(struct bg_policy *pol, size_t i)
{
	struct bg_policy_file *f = &pol->files[i], *d;
	size_t len = strlen(f->path);
	char *p;

	if (len + 2 > BG_PATH_MAX)
		return true; /* no room for the slash: stays as it is */
	p = malloc(len + 2);
	if (!p)
		return false;
	memcpy(p, f->path, len);
	memcpy(p + len, "/", 2);
	d = bg_policy_find_file(pol, p);
	if (d) {
		d->acc |= f->acc | BG_ACC_DIR;
		free(p);
		free(f->path);
		memmove(f, f + 1, (pol->n_files - i - 1) * sizeof(*f));
		pol->n_files--;
		return true;
	}
	free(f->path);
	f->path = p;
	f->acc |= BG_ACC_DIR;
	return true;
}

/*
 * Landlock checks a renamed directory with MAKE_DIR and REMOVE_DIR, a file
 * with MAKE_REG and REMOVE_FILE, so the policy says which renamed names
 * were directories: a trailing '/'. The kernel half saw only names; a name
 * is a directory if mkdir made it, rmdir removed it or it is one now, and
 * the other end of each of its renames is the same object, so the same
 * kind (propagated along the recorded pairs).
 */
static int mark_dirs(struct profile *pr, struct bg_policy *pol)
{
	int fd = bpf_map__fd(pr->skel->maps.prof_renames);
	struct bg_prof_rename key, next;
	char(*pairs)[2][BG_PATH_MAX] = NULL, (*np)[2][BG_PATH_MAX];
	size_t n = 0, i, pass;
	bool *dir = NULL, changed, first;
	int err = 0;

	for (first = true; !bpf_map_get_next_key(fd, first ? NULL : &key, &next); first = false) {
		key = next;
		np = realloc(pairs, (n + 1) * sizeof(*pairs));
		if (!np) {
			err = -ENOMEM;
			goto out;
		}
		pairs = np;
		policy_name(key.from, pairs[n][0]);
		policy_name(key.to, pairs[n][1]);
		n++;
	}
	dir = calloc(pol->n_files + 1, sizeof(*dir));
	if (!dir) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < pol->n_files; i++)
		dir[i] = entry_is_dir(&pol->files[i]);
	for (pass = 0, changed = true; changed && pass <= n; pass++) {
		changed = false;
		for (i = 0; i < n; i++) {
			struct bg_policy_file *a = bg_policy_find_file(pol, pairs[i][0]);
			struct bg_policy_file *b = bg_policy_find_file(pol, pairs[i][1]);
			size_t ia, ib;

			if (!a || !b)
				continue;
			ia = a - pol->files, ib = b - pol->files;
			if (dir[ia] != dir[ib] && !(a->acc & OPEN_BITS) && !(b->acc & OPEN_BITS)) {
				dir[ia] = dir[ib] = true;
				changed = true;
			}
		}
	}
	/* From the end: make_dir_entry may drop entry i. */
	for (i = pol->n_files; i-- > 0;)
		if (dir[i] && !make_dir_entry(pol, i)) {
			err = -ENOMEM;
			break;
		}
out:
	free(pairs);
	free(dir);
	return err;
}

/* truncate(2) is recorded by the name passed; the policy, like the kernel's
 * checks, names the file it reached (opens are recorded resolved). */
static int resolve_truncated(struct bg_policy *pol)
{
	char real[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < pol->n_files; i++) {
		struct bg_policy_file *f = &pol->files[i];
		unsigned acc = f->acc;
		char *p;

		if (acc != BG_ACC_TRUNC || lstat(f->path, &st) || !S_ISLNK(st.st_mode) ||
		    !realpath(f->path, real) || strlen(real) >= BG_PATH_MAX)
			continue;
		p = strdup(real);
		if (!p)
			return -ENOMEM;
		free(f->path);
		f->path = p;
		/* Merged with the target's own entry, if any. */
		if (bg_policy_find_file(pol, p) != f) {
			bg_policy_find_file(pol, p)->acc |= acc;
			free(f->path);
			memmove(f, f + 1, (pol->n_files - i - 1) * sizeof(*f));
			pol->n_files--;
			i--;
		}
	}
	return 0;
}

/* The entry "D/" of the directory holding path (D/name), or NULL. */
static struct bg_policy_file *parent_entry(struct bg_policy *pol, const char *path)
{
	char dir[BG_PATH_MAX + 1];
	size_t len = strlen(path);

	if (len < 2 || len >= sizeof(dir))
		return NULL;
	memcpy(dir, path, len + 1);
	while (len && dir[len - 1] != '/')
		dir[--len] = 0;
	return len < 2 ? NULL : bg_policy_find_file(pol, dir); /* "/" is nobody's */
}

/*
 * The directories the program keeps its own files in (own-files): a
 * directory it made (mkdir) and created files in, git's .git/, .git/objects/
 * and .git/refs/heads/, a work tree. Names there are random (mkstemp's
 * .git/XXXXXX, objects/NN/tmp_obj_XXXXXX) or depend on the input; the
 * next run makes others. run lets new names be made there and only the
 * files it created in that run be used (docs/policy.md, "own-files").
 * A directory the program did not make is not marked, even where a name
 * created there did not last: nginx's pid file, created and removed in its
 * prefix, would open the whole prefix to the files nginx creates, and its
 * stable name is granted as it is. A symlink made under a temporary name
 * (git init's probe) gives symlinks in that directory.
 */
static void mark_own(struct bg_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_files; i++) {
		unsigned acc = pol->files[i].acc;
		bool temp = (acc & BG_ACC_CREAT) && (acc & (BG_ACC_REMOVE | BG_ACC_RENAME_FROM));
		struct bg_policy_file *d;

		if ((acc & BG_ACC_DIR) || !(acc & BG_ACC_CREAT))
			continue;
		d = parent_entry(pol, pol->files[i].path);
		if (!d || !(d->acc & BG_ACC_MKDIR))
			continue;
		d->acc |= BG_ACC_OWN;
		if (temp && (acc & BG_ACC_SYMLINK))
			d->acc |= BG_ACC_SYMLINK;
	}
}

static int collect(struct profile *pr, struct bg_policy *pol)
{
	struct bg_prof_sys sys;
	struct bg_prof_file key, next;
	struct bg_prof_net nk, nnext;
	uint64_t acc, errs[BG_STAT_MAX] = {0};
	int fd, err;
	uint32_t zero = 0;
	bool first;

	if (bpf_map_lookup_elem(bpf_map__fd(pr->skel->maps.prof_sys), &zero, &sys))
		return -errno;
	memcpy(pol->sys_native, sys.native, sizeof(sys.native));
	memcpy(pol->sys_compat, sys.compat, sizeof(sys.compat));
	pol->has_syscalls = pol->has_files = pol->has_exec = pol->has_net = true;
	if (sys.x32_calls)
		pr_warn("%llu x32 ABI calls seen: x32 is not supported and stays denied\n",
			(unsigned long long)sys.x32_calls);

	fd = bpf_map__fd(pr->skel->maps.prof_files);
	/* Iterate with an untouched key: the path is rewritten in a copy. */
	for (first = true; !bpf_map_get_next_key(fd, first ? NULL : &key, &next); first = false) {
		char path[BG_PATH_MAX + 1];

		key = next;
		if (bpf_map_lookup_elem(fd, &key, &acc))
			continue;
		policy_name(key.path, path);
		if ((acc & BG_ACC_DIR) && strcmp(path, "/"))
			strcat(path, "/");
		if (acc & BG_ACC_EXECVE) {
			err = bg_policy_add_exec(pol, path);
			if (err)
				return err;
		}
		err = bg_policy_add_file(pol, path, acc & ~BG_ACC_EXECVE);
		if (err)
			return err;
	}
	fd = bpf_map__fd(pr->skel->maps.prof_net);
	for (first = true; !bpf_map_get_next_key(fd, first ? NULL : &nk, &nnext); first = false) {
		struct bg_policy_net pn = {0};

		nk = nnext;
		pn.op = nk.op;
		pn.family = nk.family;
		memcpy(pn.addr, nk.addr, sizeof(pn.addr));
		pn.prefix = nk.family == 2 ? 32 : 128;
		pn.port = nk.port;
		/* A bind to port 0 asks the kernel for any port. */
		err = bg_policy_add_net(pol, &pn);
		if (err)
			return err;
	}
	if (bg_stats_sum(bpf_map__fd(pr->skel->maps.bg_stats), errs))
		pr_warn("cannot read the profile's counters: %s\n", strerror(errno));
	err = mark_dirs(pr, pol);
	if (!err)
		err = resolve_truncated(pol);
	if (!err)
		err = add_interpreters(pol);
	if (err)
		return err;
	mark_scripts(pol);
	mark_own(pol);
	if (errs[BG_STAT_PROF_FILES_FULL] || errs[BG_STAT_PROF_NET_FULL])
		pr_warn("the profile is incomplete: %llu files and %llu peers did not fit the "
			"kernel maps\n",
			(unsigned long long)errs[BG_STAT_PROF_FILES_FULL],
			(unsigned long long)errs[BG_STAT_PROF_NET_FULL]);
	if (errs[BG_STAT_PROF_PATH_TRUNC])
		pr_warn("%llu paths were deeper or longer than bpfguard records (%d bytes)\n",
			(unsigned long long)errs[BG_STAT_PROF_PATH_TRUNC], BG_PATH_MAX);
	return 0;
}

/* Add a pid and all its descendants (already running) to the tgid set. */
static void add_tree(int map_fd, pid_t pid, int depth)
{
	char path[320], buf[4096], *tok, *save;
	uint8_t one = 1;
	uint32_t tgid = pid;
	DIR *d;
	struct dirent *de;

	bpf_map_update_elem(map_fd, &tgid, &one, BPF_ANY);
	if (depth > 64)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			for (tok = strtok_r(buf, " \n", &save); tok;
			     tok = strtok_r(NULL, " \n", &save))
				add_tree(map_fd, atoi(tok), depth + 1);
		fclose(f);
	}
	closedir(d);
}

static char *describe(struct profile *pr)
{
	char *s = NULL, when[32];
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;
	int i;

	if (!f)
		return NULL;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	uname(&u);
	fprintf(f, "profiled: ");
	/* argv and the cgroup path may hold any byte: a newline there would
	 * start a line of YAML, so each is escaped here, in its own line. */
	if (pr->cmd) {
		for (i = 0; pr->cmd[i]; i++) {
			fputs(i ? " " : "", f);
			bg_fput_printable(f, pr->cmd[i]);
		}
	} else if (pr->pid) {
		fprintf(f, "pid %d and its descendants", pr->pid);
	} else {
		fprintf(f, "cgroup ");
		bg_fput_printable(f, pr->cgroup);
	}
	fprintf(f, "\nrecorded: %s on %s %s (tp_btf sys_enter/sys_exit, sched_process_exec)", when,
		u.sysname, u.release);
	fclose(f);
	return s;
}

static int run_cmd(struct profile *pr, int *status)
{
	pid_t child;
	int err;

	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		if (bg_cgroup_enter(&pr->cg)) {
			fprintf(stderr, "bpfguard: cannot join %s: %s\n", pr->cg.path,
				strerror(errno));
			_exit(127);
		}
		execvp(pr->cmd[0], pr->cmd);
		fprintf(stderr, "bpfguard: cannot run %s: %s\n", pr->cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, status, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			return err;
		}
	}
	return 0;
}

static const struct bg_opt profile_opts[] = {
	BG_OPT_STR(struct profile, out, "output", 'o', "FILE",
		   "write the policy to FILE (default: stdout)"),
	BG_OPT_FLAG(struct profile, append, "append", 'a',
		    "merge into the policy already in --output"),
	BG_OPT_UINT(struct profile, pid, "pid", 'p', "PID", 1, INT_MAX,
		    "profile a running process and its descendants until Ctrl-C"),
	BG_OPT_STR(struct profile, cgroup, "cgroup", 'g', "PATH",
		   "profile everything in a cgroup v2 directory until Ctrl-C"),
	BG_OPT_FLAG(struct profile, php_calls, "php-calls", 256,
		    "PHP: see every built-in call, not only the first of each (slower: "
		    "docs/php.md)"),
	{0},
};

const struct bg_cmd_help profile_help = {
	.usage =
		"bpfguard profile [-o POLICY] [--append] (-- CMD [ARGS] | --pid N | --cgroup PATH)",
	.summary = "record what a program does (syscalls, executables, files, network peers) "
		   "as a policy",
	.opts = profile_opts,
	.operands = BG_OPERANDS_COMMAND,
	.more = "CMD runs in a cgroup of its own, so forks, threads and execs are followed;\n"
		"when it exits, what is left in the cgroup is killed. Recording is aggregated\n"
		"in the kernel. The policy is YAML for people to read and edit (docs/policy.md).\n"
		"A PHP CMD also gets a php: section: its PHP functions and the syscalls each\n"
		"made (USE_ZEND_DTRACE=1 is set for it; docs/php.md).",
};

int cmd_profile(int argc, char **argv)
{
	struct profile pr = {0};
	struct bg_policy pol, old;
	char err_s[600], **operands;
	int rc, n, err, status = 0;
	FILE *f, *mem;
	char *text = NULL;
	size_t text_len = 0;

	pr.cg.fd = -1;
	rc = bg_cli_parse(argc, argv, &profile_help, &pr, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	if (n)
		pr.cmd = operands;
	if (!!pr.cmd + !!pr.pid + !!pr.cgroup != 1)
		return bg_cli_usage_error(&profile_help,
					  "give exactly one of -- CMD, --pid, --cgroup");
	if (pr.append && !pr.out)
		return bg_cli_usage_error(&profile_help, "--append needs --output FILE");
	bg_policy_init(&pol);
	bg_policy_init(&old);
	if (pr.append && access(pr.out, F_OK) == 0 &&
	    bg_policy_load(pr.out, &old, err_s, sizeof(err_s))) {
		fprintf(stderr, "bpfguard: cannot append: %s\n", err_s);
		return 1;
	}

	err = 1;
	pr.skel = bg_profile_bpf__open();
	if (!pr.skel) {
		pr_err("cannot open the profiler: %s\n", strerror(errno));
		goto cleanup;
	}
	pr.skel->rodata->filter_cgroup = !pr.pid;
	pr.skel->rodata->filter_tgid = !!pr.pid;
	bpf_program__set_autoload(pr.skel->progs.prof_fork, !!pr.pid);
	if (bg_profile_bpf__load(pr.skel)) {
		pr_err("cannot load the profiler (tp_btf programs needed: see bpfguard probe)\n");
		goto cleanup;
	}
	if (pr.cmd) {
		uint8_t one = 1;

		if (bg_cgroup_create(&pr.cg, "profile", NULL))
			goto cleanup;
		bpf_map_update_elem(bpf_map__fd(pr.skel->maps.prof_cgroups), &pr.cg.id, &one,
				    BPF_ANY);
	} else if (pr.cgroup) {
		uint64_t id;
		uint8_t one = 1;

		if (bg_cgroup_id(pr.cgroup, &id)) {
			pr_err("%s: not a cgroup v2 directory: %s\n", pr.cgroup, strerror(errno));
			goto cleanup;
		}
		bpf_map_update_elem(bpf_map__fd(pr.skel->maps.prof_cgroups), &id, &one, BPF_ANY);
	}
	pr.php.calls = pr.php_calls;
	if (bg_php_profile_start(&pr.php, pr.cmd, pr.pid, pr.cgroup, pr.cmd ? pr.cg.id : 0))
		goto cleanup;
	if (bg_profile_bpf__attach(pr.skel)) {
		pr_err("cannot attach the profiler: %s\n", strerror(errno));
		goto cleanup;
	}
	if (pr.pid)
		add_tree(bpf_map__fd(pr.skel->maps.prof_tgids), pr.pid, 0);

	/* Ctrl-C reaches the command too; we stop when it has gone. */
	bg_sig_catch(SIGINT);
	bg_sig_catch(SIGTERM);
	if (pr.cmd) {
		if (run_cmd(&pr, &status))
			goto cleanup;
	} else {
		fprintf(stderr, "bpfguard: profiling; Ctrl-C to stop and write the policy\n");
		while (!bg_sig_stop())
			pause();
	}
	bg_profile_bpf__detach(pr.skel);
	pol.comment = describe(&pr);
	if (collect(&pr, &pol) || bg_php_profile_collect(&pr.php, &pol)) {
		pr_err("cannot read the profile maps\n");
		goto cleanup;
	}
	if (pr.append && bg_policy_merge(&pol, &old))
		goto cleanup;
	/* Rendered first, so that a policy refused (a name that is not UTF-8)
	 * leaves the old file as it was. */
	mem = open_memstream(&text, &text_len);
	if (!mem) {
		pr_err("cannot write the policy: %s\n", strerror(errno));
		goto cleanup;
	}
	err = bg_policy_write(&pol, mem, err_s, sizeof(err_s));
	if (fclose(mem) && !err)
		err = -ENOMEM;
	if (err) {
		pr_err("cannot write the policy: %s\n", err_s[0] ? err_s : strerror(-err));
		err = 1;
		goto cleanup;
	}
	err = 1;
	/* Root writes the policy where -o says, after the command ran: the
	 * checks of an event output file but the directories' (a policy is
	 * written once, often into the user's own directory), then truncated. */
	if (pr.out) {
		int fd = bg_output_open_path(pr.out, false);

		if (fd < 0)
			goto cleanup;
		f = ftruncate(fd, 0) ? NULL : fdopen(fd, "a");
		if (!f) {
			pr_err("cannot write %s: %s\n", pr.out, strerror(errno));
			close(fd);
			goto cleanup;
		}
	} else {
		f = stdout;
	}
	err = fwrite(text, 1, text_len, f) == text_len ? 0 : -EIO;
	if (fflush(f) && !err)
		err = -errno;
	if (f != stdout && fclose(f) && !err)
		err = -errno;
	if (err) {
		pr_err("writing the policy failed: %s\n", strerror(-err));
		err = 1;
		goto cleanup;
	}
	if (pr.out)
		fprintf(stderr,
			"bpfguard: policy written to %s (%zu files, %zu executables, %zu peers)\n",
			pr.out, pol.n_files, pol.n_execs, pol.n_net);
	err = 0;
	/* The command's own failure is reported, not hidden. */
	if (pr.cmd && WIFEXITED(status) && WEXITSTATUS(status))
		fprintf(stderr, "bpfguard: note: %s exited with status %d\n", pr.cmd[0],
			WEXITSTATUS(status));
cleanup:
	bg_php_stop(&pr.php);
	bg_cgroup_destroy(&pr.cg);
	bg_profile_bpf__destroy(pr.skel);
	bg_policy_free(&pol);
	bg_policy_free(&old);
	free(text);
	return err;
}
