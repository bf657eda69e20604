// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PHP guard's user half: find the PHP binary, check it carries PHP's
 * USDT probes, load and attach bpf/php.bpf.c for `profile` (record the
 * php: section) or `run` (enforce it), and print the guard's events.
 * See docs/php.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/php.h>

#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/log.h"
#include "core/probe.h"
#include "core/cgroup.h"
#include "sandbox/php.h"
#include "sandbox/php_builtins.h"
#include "policy/policy.h"
#include "core/sys.h"
#include "php.skel.h"

#define NT_STAPSDT 3

int bg_php_has_probe(const char *path, const char *provider, const char *name)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, found = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, noff, doff;
		const char *sname;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".note.stapsdt"))
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const char *desc = (const char *)d->d_buf + doff, *prov, *pname;
			size_t addrs = 3 * 8; /* pc, base, semaphore (ELF64) */

			if (nh.n_type != NT_STAPSDT || nh.n_descsz <= addrs ||
			    strncmp((const char *)d->d_buf + noff, "stapsdt", nh.n_namesz))
				continue;
			prov = desc + addrs;
			pname = memchr(prov, 0, nh.n_descsz - addrs);
			if (!pname)
				continue;
			pname++;
			if (!strcmp(prov, provider) && pname < desc + nh.n_descsz &&
			    !strncmp(pname, name, desc + nh.n_descsz - pname)) {
				found = 1;
				break;
			}
		}
	}
out:
	elf_end(elf);
	close(fd);
	return found;
}

/* Replace out with the first libphp*.so that pid maps, if any. */
static void mapped_libphp(pid_t pid, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		p = strchr(line, '/');
		if (p && strstr(p, "/libphp") && strlen(p) < len) {
			strcpy(out, p);
			break;
		}
	}
	fclose(f);
}

int bg_php_find(char *const *cmd, pid_t pid, char *out, size_t len)
{
	const char *env = getenv("BPFGUARD_PHP"), *base;
	char link[64];
	ssize_t n;
	int has;

	if (env) {
		if (!realpath(env, out))
			return -ENOENT;
	} else if (pid > 0) {
		snprintf(link, sizeof(link), "/proc/%d/exe", pid);
		n = readlink(link, out, len - 1);
		if (n <= 0)
			return -ENOENT;
		out[n] = 0;
		/* A server with PHP embedded (Apache's mod_php): its libphp. */
		if (bg_php_has_probe(out, "php", "function__entry") != 1)
			mapped_libphp(pid, out, len);
	} else if (!cmd || !cmd[0] || bg_php_which(cmd[0], out, len)) {
		return -ENOENT;
	}
	has = bg_php_has_probe(out, "php", "function__entry");
	if (has == 1)
		return 0;
	base = strrchr(out, '/');
	base = base ? base + 1 : out;
	if (!env && strncmp(base, "php", 3) && !strstr(base, "libphp"))
		return -ENOENT; /* not PHP at all */
	pr_err("%s has no PHP USDT probes (no php:function__entry in .note.stapsdt): PHP was "
	       "built without --enable-dtrace, so its PHP functions cannot be watched\n",
	       out);
	return -ENOTSUP;
}

static void report_errors(struct bg_php *ph)
{
	static const struct {
		enum bg_stat i;
		const char *what;
	} errs[] = {
		{BG_STAT_PHP_FUNCS_FULL, "functions that did not fit the kernel map"},
		{BG_STAT_PHP_NAME_TRUNC, "names truncated"},
		{BG_STAT_PHP_FILES_FULL, "files that did not fit the kernel map"},
		{BG_STAT_PHP_COMPAT, "ia32 syscalls (not attributed to functions)"},
	};
	uint64_t sums[BG_STAT_MAX];
	size_t k;

	if (bg_stats_sum(bpf_map__fd(ph->skel->maps.bg_stats), sums))
		return;
	for (k = 0; k < sizeof(errs) / sizeof(errs[0]); k++)
		if (sums[errs[k].i])
			pr_warn("php: %llu %s\n", (unsigned long long)sums[errs[k].i],
				errs[k].what);
}

/* Attach every probe to the binary; the uprobes reach all processes that
 * map it, the programs keep to the selected cgroups. */
static int attach(struct bg_php *ph, bool syscalls)
{
	struct bg_php_bpf *s = ph->skel;
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "dtrace_execute_internal");
	struct {
		struct bpf_program *prog;
		struct bpf_link **link;
		const char *name;
	} usdt[] = {
		{s->progs.php_compile, &s->links.php_compile, "compile__file__entry"},
		{s->progs.php_compiled, &s->links.php_compiled, "compile__file__return"},
	};
	LIBBPF_OPTS(bpf_uprobe_opts, eo, .func_name = "compile_string", .retprobe = true);
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(usdt) / sizeof(usdt[0]); i++) {
		*usdt[i].link = bpf_program__attach_usdt(usdt[i].prog, -1, ph->bin, "php",
							 usdt[i].name, NULL);
		if (!*usdt[i].link) {
			err = -errno;
			pr_err("php: cannot attach to USDT php:%s in %s: %s\n", usdt[i].name,
			       ph->bin, strerror(-err));
			return err;
		}
	}
	s->links.php_eval_compiled =
		bpf_program__attach_uprobe_opts(s->progs.php_eval_compiled, -1, ph->bin, 0, &eo);
	if (!s->links.php_eval_compiled) {
		err = -errno;
		pr_err("php: cannot attach to compile_string in %s: %s\n", ph->bin, strerror(-err));
		return err;
	}
	if (!ph->calls && ph->pol)
		err = bg_php_trap_builtins(ph, &ph->pol->php);
	else if (!ph->calls)
		err = bg_php_trap_all_builtins(ph);
	else if (!(s->links.php_int_entry = bpf_program__attach_uprobe_opts(s->progs.php_int_entry,
									    -1, ph->bin, 0, &uo)))
		err = -errno;
	if (err) {
		err = -errno;
		if (ph->calls)
			pr_err("php: cannot attach to dtrace_execute_internal in %s: %s\n", ph->bin,
			       strerror(-err));
		return err;
	}
	if (syscalls) {
		s->links.php_sys_enter = bpf_program__attach(s->progs.php_sys_enter);
		if (!s->links.php_sys_enter) {
			err = -errno;
			pr_err("php: cannot attach sys_enter: %s\n", strerror(-err));
			return err;
		}
	}
	return 0;
}

/* BPFGUARD_PHP_CALLS: "1" asks for per-call mode (profile --php-calls does
 * the same; run and monitor take it to compare, or on a kernel whose
 * uprobe_multi is broken), "0" for the handlers trapped even without
 * uprobe_multi (run --php-traps handlers does the same); -1 otherwise. */
static int calls_env(void)
{
	const char *e = getenv("BPFGUARD_PHP_CALLS");

	return !e ? -1 : !strcmp(e, "1") ? 1 : !strcmp(e, "0") ? 0 : -1;
}

/* procs_fd >= 0 (monitor): the processes watched are that bitmap's. */
static int open_load(struct bg_php *ph, bool enforce, struct bg_events *ev, uint64_t cgroup_id,
		     int procs_fd)
{
	const struct bg_php_layout *l = &ph->layout;
	uint8_t one = 1;
	int err;

	err = bg_php_layout(ph->bin, &ph->layout);
	if (err)
		return err;
	ph->skel = bg_php_bpf__open();
	if (!ph->skel) {
		err = -errno;
		pr_err("php: cannot open the PHP guard: %s\n", strerror(-err));
		return err;
	}
	ph->skel->rodata->enforce = enforce;
	ph->skel->rodata->action = ph->action;
	ph->skel->rodata->rule_call = BG_EV_PHP_CALL;
	ph->skel->rodata->rule_sys = BG_EV_PHP_SYSCALL;
	ph->skel->rodata->rule_file = BG_PHP_RULE_FILES;
	ph->skel->rodata->check_files = enforce && ph->pol && ph->pol->php.check_files;
	ph->skel->rodata->by_procs = procs_fd >= 0;
	ph->skel->rodata->off_ex_opline = l->off_ex_opline;
	ph->skel->rodata->off_ex_func = l->off_ex_func;
	ph->skel->rodata->off_ex_prev = l->off_ex_prev;
	ph->skel->rodata->off_fn_type = l->off_fn_type;
	ph->skel->rodata->off_fn_name = l->off_fn_name;
	ph->skel->rodata->off_fn_scope = l->off_fn_scope;
	ph->skel->rodata->off_op_filename = l->off_op_filename;
	ph->skel->rodata->off_opline_lineno = l->off_opline_lineno;
	ph->skel->rodata->off_ce_name = l->off_ce_name;
	ph->skel->rodata->off_str_val = l->off_str_val;
	ph->skel->rodata->php_ino = l->ino;
	ph->skel->rodata->php_dev = l->dev;
	ph->skel->rodata->eg_delta = l->eg_delta;
	ph->skel->rodata->eg_base = l->eg_delta - l->off_cur_ex;
	ph->skel->rodata->off_fn_table = l->off_fn_table;
	ph->skel->rodata->off_cls_table = l->off_cls_table;
	ph->skel->rodata->off_ce_fns = l->off_ce_fns;
	/* Built-ins' handlers are trapped with one uprobe_multi link per
	 * file (its attach type must be set before load). Without it (before
	 * 6.6) every built-in call is seen instead (per-call mode): a single
	 * uprobe per handler is quick to attach but each detach waits for
	 * RCU under the kernel's event_mutex, one after the other (1172 of
	 * them took 87 s to detach on 6.18; docs/php.md). */
	ph->multi = !ph->calls && bg_php_uprobe_multi();
	if (!ph->multi && !ph->calls) {
		if (enforce && ph->handler_traps) {
			pr_info("php: no uprobe_multi (kernel 6.6+): one uprobe per built-in "
				"outside the policy, as asked; detaching them at the end waits for "
				"the kernel, one after the other (tens of ms each)\n");
		} else {
			ph->calls = true;
			pr_info("php: no uprobe_multi (kernel 6.6+): every built-in call is "
				"checked (per-call mode)\n");
		}
	}
	if (ph->multi)
		bpf_program__set_expected_attach_type(ph->skel->progs.php_int_multi,
						      BG_ATTACH_UPROBE_MULTI);
	else
		bpf_program__set_autoload(ph->skel->progs.php_int_multi, false);
	err = procs_fd >= 0 ? bpf_map__reuse_fd(ph->skel->maps.php_procs, procs_fd) : 0;
	if (!err && ev)
		err = bg_events_share(ev, ph->skel->obj);
	if (!err)
		err = bg_php_bpf__load(ph->skel);
	if (err) {
		pr_err("php: cannot load the PHP guard: %s\n", strerror(-err));
		return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(ph->skel->maps.php_cgroups), &cgroup_id, &one, BPF_ANY))
		return -errno;
	/* PHP fires its probes only with this set; children inherit it. */
	setenv("USE_ZEND_DTRACE", "1", 1);
	return 0;
}

/* 1 if /proc/PID/environ has USE_ZEND_DTRACE=1, 0 if not, -errno;
 * -EUCLEAN when it holds no NAME=VALUE at all (php-fpm writes its process
 * title over its argv and environment: it cannot be told). */
static int has_dtrace_env(pid_t pid)
{
	char path[64], buf[65536];
	size_t n, off;
	bool any = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (off = 0; off < n; off += strlen(buf + off) + 1) {
		if (!strcmp(buf + off, "USE_ZEND_DTRACE=1"))
			return 1;
		any |= strchr(buf + off, '=') != NULL;
	}
	return any ? 0 : -EUCLEAN;
}

/* The cgroup v2 id of a running process (its whole cgroup is watched:
 * php-fpm's workers are forked into their master's). */
static int pid_cgroup(pid_t pid, uint64_t *id)
{
	char path[PATH_MAX], mnt[PATH_MAX], line[PATH_MAX];
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		err = bg_find_mount("cgroup2", mnt, sizeof(mnt));
		if (!err &&
		    snprintf(path, sizeof(path), "%s%s", mnt, line + 3) >= (int)sizeof(path))
			err = -ENAMETOOLONG;
		if (!err)
			err = bg_cgroup_id(path, id);
		break;
	}
	fclose(f);
	return err;
}

static void check_dtrace_env(pid_t pid, bool enforce);

int bg_php_profile_start(struct bg_php *ph, char *const *cmd, pid_t pid, const char *cgroup,
			 uint64_t cgroup_id)
{
	int err = bg_php_find(cmd, pid, ph->bin, sizeof(ph->bin));

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (!cgroup_id && cgroup)
		err = bg_cgroup_id(cgroup, &cgroup_id);
	else if (!cgroup_id && pid > 0)
		err = pid_cgroup(pid, &cgroup_id);
	if (err) {
		pr_err("php: cannot find the cgroup of the processes to watch: %s\n",
		       strerror(err < 0 ? -err : err));
		return err < 0 ? err : -err;
	}
	/* A running PHP process fires no probes without it: say so. */
	if (pid > 0)
		check_dtrace_env(pid, false);
	ph->action = BG_ACT_NONE;
	/* Per-call mode, when asked (profile --php-calls, or
	 * BPFGUARD_PHP_CALLS=1): every built-in call (methods too) is seen
	 * through dtrace_execute_internal. Otherwise each built-in's handler
	 * is trapped until its first call is recorded. */
	ph->calls = ph->calls || calls_env() == 1;
	err = open_load(ph, false, NULL, cgroup_id, -1);
	if (!err)
		err = attach(ph, true);
	if (err)
		bg_php_stop(ph);
	return err;
}

static void fn_name(const struct bg_php_fn *k, char *out, size_t len)
{
	if (k->cls[0])
		snprintf(out, len, "%.*s::%.*s", BG_PHP_NAME, k->cls, BG_PHP_NAME, k->fn);
	else
		snprintf(out, len, "%.*s", BG_PHP_NAME, k->fn);
}

int bg_php_profile_collect(struct bg_php *ph, struct bg_policy *pol)
{
	struct bg_php_fn key, next;
	struct bg_php_file fk, fnext;
	struct bg_php_sys sys;
	char name[2 * BG_PHP_NAME + 4];
	uint32_t id;
	int fd, err;
	bool first;

	if (!ph->skel)
		return 0;
	pol->has_php = true;
	pol->php.check_files = true;
	fd = bpf_map__fd(ph->skel->maps.php_funcs);
	for (first = true; !bpf_map_get_next_key(fd, first ? NULL : &key, &next); first = false) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &id) ||
		    bpf_map_lookup_elem(bpf_map__fd(ph->skel->maps.php_fsys), &id, &sys))
			continue;
		fn_name(&key, name, sizeof(name));
		err = bg_policy_php_add_fn(pol, name, (const uint64_t *)sys.bits);
		if (err)
			return err;
	}
	fd = bpf_map__fd(ph->skel->maps.php_files);
	for (first = true; !bpf_map_get_next_key(fd, first ? NULL : &fk, &fnext); first = false) {
		fk = fnext;
		fk.path[BG_PATH_MAX - 1] = 0;
		err = bg_policy_php_add_file(pol, fk.path);
		if (err)
			return err;
	}
	err = bg_php_builtin_aliases(ph, pol);
	if (err)
		return err;
	report_errors(ph);
	return 0;
}

/* kill-user: the event reached us; kill now and say how late that was. */
static int kill_user_hook(void *ctx, const void *data, size_t size)
{
	const struct bg_php_event *e = data;
	struct bg_php *ph = ctx;
	struct timespec ts;
	double late_us;

	if (ph->prev_hook && ph->prev_hook(ph->prev_ctx, data, size))
		return 1;
	if (size < sizeof(*e) ||
	    (e->hdr.type != BG_EV_PHP_CALL && e->hdr.type != BG_EV_PHP_SYSCALL) ||
	    e->hdr.action != BG_ACT_KILL_USER)
		return 0;
	kill(e->proc.pid, SIGKILL);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	late_us = ((double)ts.tv_sec * 1e9 + ts.tv_nsec - (double)e->hdr.ktime_ns) / 1e3;
	fprintf(stderr, "bpfguard: kill-user: SIGKILL sent to pid %u %.0f us after the PHP %s\n",
		e->proc.pid, late_us, e->hdr.type == BG_EV_PHP_CALL ? "call" : "syscall");
	return 0;
}

static void split_name(const char *name, struct bg_php_fn *k)
{
	const char *sep = strstr(name, "::");

	memset(k, 0, sizeof(*k));
	if (sep) {
		snprintf(k->cls, sizeof(k->cls), "%.*s", (int)(sep - name), name);
		snprintf(k->fn, sizeof(k->fn), "%s", sep + 2);
	} else {
		snprintf(k->fn, sizeof(k->fn), "%s", name);
	}
}

/* Load the allowlist of pol into the guard and attach it to ph->bin. */
static int enforce_start(struct bg_php *ph, const struct bg_policy *pol, int action,
			 struct bg_events *ev, uint64_t cgroup_id, int procs_fd)
{
	const struct bg_policy_php *pp = &pol->php;
	uint32_t id;
	size_t i;
	int err;

	if (pp->n_fns >= BG_PHP_FUNCS_MAX) {
		pr_err("php: %zu functions; at most %d are supported\n", pp->n_fns,
		       BG_PHP_FUNCS_MAX - 1);
		return -E2BIG;
	}
	/* A PHP call cannot be made to fail from BPF: deny kills. */
	if (action == BG_ACT_DENY)
		pr_warn("php: a PHP call cannot be denied; out-of-policy PHP calls are killed\n");
	ph->action = action == BG_ACT_DENY ? BG_ACT_KILL : action;
	ph->pol = pol;
	/* Asked by the command (run --php-traps), else by the environment. */
	if (!ph->calls && !ph->handler_traps) {
		ph->calls = calls_env() == 1;
		ph->handler_traps = calls_env() == 0;
	}
	err = open_load(ph, true, ev, cgroup_id, procs_fd);
	for (i = 0; !err && i < pp->n_fns; i++) {
		struct bg_php_fn k;
		struct bg_php_sys sys;

		id = i + 1;
		split_name(pp->fns[i].name, &k);
		memcpy(sys.bits, pp->fns[i].sys, sizeof(sys.bits));
		if (bpf_map_update_elem(bpf_map__fd(ph->skel->maps.php_funcs), &k, &id, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(ph->skel->maps.php_fsys), &id, &sys, BPF_ANY))
			err = -errno;
	}
	for (i = 0; !err && i < pp->n_files; i++) {
		struct bg_php_file fk = {};
		uint8_t one = 1;

		if (strlen(pp->files[i]) >= sizeof(fk.path)) {
			pr_warn("php: %s: path too long for the kernel map, not allowed\n",
				pp->files[i]);
			continue;
		}
		strcpy(fk.path, pp->files[i]);
		if (bpf_map_update_elem(bpf_map__fd(ph->skel->maps.php_files), &fk, &one, BPF_ANY))
			err = -errno;
	}
	if (!err)
		err = attach(ph, true);
	if (err) {
		bg_php_stop(ph);
		return err;
	}
	if (ph->action == BG_ACT_KILL_USER) {
		ph->prev_hook = ev->hook; /* run's LSM guard kills its own events */
		ph->prev_ctx = ev->hook_ctx;
		ev->hook = kill_user_hook;
		ev->hook_ctx = ph;
	}
	return 0;
}

int bg_php_run_start(struct bg_php *ph, char *const *cmd, const struct bg_policy *pol, int action,
		     struct bg_events *ev, uint64_t cgroup_id)
{
	int err = bg_php_find(cmd, 0, ph->bin, sizeof(ph->bin));

	if (err == -ENOENT)
		pr_err("the policy has a php: section but %s is not a PHP binary (set "
		       "BPFGUARD_PHP=/path/to/php or libphp.so)\n",
		       cmd && cmd[0] ? cmd[0] : "?");
	return err ? err : enforce_start(ph, pol, action, ev, cgroup_id, -1);
}

/* Whether a running PHP process fires the probes: said once per process. */
static void check_dtrace_env(pid_t pid, bool enforce)
{
	int env = has_dtrace_env(pid);

	if (env == -EUCLEAN)
		pr_warn("php: cannot tell whether process %d has USE_ZEND_DTRACE=1 (its "
			"environment was overwritten, as php-fpm does); without it PHP fires no "
			"probes and no PHP function is %s\n",
			pid, enforce ? "checked" : "recorded");
	else if (env == 0)
		pr_warn("php: process %d was started without USE_ZEND_DTRACE=1: PHP fires no "
			"USDT probes, so its PHP functions are NOT %s (restart it with "
			"USE_ZEND_DTRACE=1 in its environment)\n",
			pid, enforce ? "checked against the php: section" : "recorded");
}

int bg_php_monitor_start(struct bg_php *ph, const struct bg_policy *pol, int action,
			 struct bg_events *ev, int procs_fd, const char *exe)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), w;
	char bin[PATH_MAX];
	unsigned n_php = 0;
	uint64_t bits;
	int err, b;

	ph->bin[0] = 0;
	if (bpf_obj_get_info_by_fd(procs_fd, &info, &len))
		return -errno;
	for (w = 0; w < info.max_entries; w++) {
		if (bpf_map_lookup_elem(procs_fd, &w, &bits) || !bits)
			continue;
		for (b = 0; b < 64; b++) {
			pid_t pid = w * 64 + b;

			if (!(bits >> b & 1) || bg_php_find(NULL, pid, bin, sizeof(bin)))
				continue;
			if (!ph->bin[0])
				strcpy(ph->bin, bin);
			else if (strcmp(bin, ph->bin))
				pr_warn("php: process %d runs %s; only %s is watched\n", pid, bin,
					ph->bin);
			if (n_php++ < 8)
				check_dtrace_env(pid, true);
		}
	}
	if (!ph->bin[0] && exe) {
		char *cmd[] = {(char *)exe, NULL};

		err = bg_php_find(cmd, 0, ph->bin, sizeof(ph->bin));
		if (err && err != -ENOENT)
			return err;
	}
	if (!ph->bin[0]) {
		pr_err("the policy has a php: section but none of the monitored processes runs a "
		       "PHP with USDT probes (set BPFGUARD_PHP=/path/to/php or libphp.so)\n");
		return -ENOENT;
	}
	fprintf(stderr, "bpfguard: php: watching %u running PHP processes of %s\n", n_php, ph->bin);
	return enforce_start(ph, pol, action, ev, 0, procs_fd);
}

void bg_php_stop(struct bg_php *ph)
{
	if (ph->skel && ph->pol)
		report_errors(ph);
	bg_php_untrap_builtins(ph);
	bg_php_layout_free(&ph->layout);
	bg_php_bpf__destroy(ph->skel);
	ph->skel = NULL;
}

/* ---- how the events of this guard are printed -------------------------- */

static void php_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_php_event *e = rec;
	char name[2 * BG_PHP_NAME + 4];

	(void)f;
	fn_name(&e->func, name, sizeof(name));
	bg_json_kobj(j, "php");
	bg_json_kstr(j, "function", name);
	bg_json_kbool(j, "builtin", e->internal);
	bg_json_key(j, "file");
	bg_json_strn(j, e->file, bg_kstrlen(e->file, sizeof(e->file)));
	bg_json_ku64(j, "line", e->line);
	bg_json_ku64(j, "depth", e->depth);
	if (e->hdr.type == BG_EV_PHP_SYSCALL) {
		const char *sc = bg_syscall_name(false, e->nr);

		bg_json_kstr(j, "syscall", sc ? sc : "unknown");
		bg_json_ku64(j, "syscall_nr", e->nr);
	}
	bg_json_obj_end(j);
}

static void php_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_php_event *e = rec;
	char name[2 * BG_PHP_NAME + 4];

	(void)f;
	fn_name(&e->func, name, sizeof(name));
	bg_buf_printf(out, " %s()", name);
	if (e->hdr.type == BG_EV_PHP_SYSCALL) {
		const char *sc = bg_syscall_name(false, e->nr);

		bg_buf_printf(out, " syscall %s(#%u)", sc ? sc : "?", e->nr);
	}
	bg_buf_printf(out, " at ");
	bg_text_escape(out, e->file, bg_kstrlen(e->file, sizeof(e->file)));
	bg_buf_printf(out, ":%u", e->line);
}

const struct bg_event_desc bg_php_call_desc = {
	.type = BG_EV_PHP_CALL,
	.name = "php_call",
	.size = sizeof(struct bg_php_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "php-call",
	.has_proc = true,
	.json = php_json,
	.text = php_text,
	.color = "\033[35m",
};

const struct bg_event_desc bg_php_syscall_desc = {
	.type = BG_EV_PHP_SYSCALL,
	.name = "php_syscall",
	.size = sizeof(struct bg_php_event),
	.category = "process",
	.ecs_type = "denied",
	.action = "php-syscall",
	.has_proc = true,
	.json = php_json,
	.text = php_text,
	.color = "\033[35m",
};
