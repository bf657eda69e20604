// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where a PHP binary keeps the frame it is executing, so that the PHP
 * guard can read the running PHP function from the process's memory when
 * it makes a syscall, instead of trapping every call and return.
 *
 * Debian's PHP has no BTF and its debug symbols are in a separate archive
 * we cannot count on, so the layout is found by observation: the binary
 * exports executor_globals (NTS builds); a PHP CLI of the same build is
 * started on a script that blocks in fgets() inside a known method, and
 * its executor_globals are searched for the current_execute_data pointer
 * whose frame runs fgets and whose caller runs BgphCalib::wait in
 * "Command line code". That one match confirms every offset the kernel
 * half uses (frame -> function, previous frame, function -> name, scope,
 * file; class -> name; string -> bytes) and finds the one that differs
 * between builds (current_execute_data in executor_globals). A binary
 * where it is not found is refused with the reason. See docs/php.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpfguard/php.h>

#include "core/log.h"
#include "sandbox/php_engine.h"
#include "core/sys.h"

#define CALIB_CLASS "BgphCalib"
#define CALIB_FN    "wait"
#define CALIB_CODE                                                                                 \
	"class " CALIB_CLASS " { static function " CALIB_FN                                        \
	"() { return fgets(STDIN); } } " CALIB_CLASS "::" CALIB_FN "();"

/* The PHP 8 layouts the kernel half reads; calibrate() checks them. */
static const struct bg_php_layout layout_php8 = {
	.off_ex_opline = 0,
	.off_ex_func = 24,
	.off_ex_prev = 48,
	.off_fn_type = 0,
	.off_fn_name = 8,
	.off_fn_scope = 16,
	.off_op_filename = 152,
	.off_opline_lineno = 24,
	.off_ce_name = 8,
	.off_str_val = 24,
};

/* executor_globals' address and the lowest executable segment's, from the
 * ELF file (the kernel's mm->start_code is the latter plus the load bias). */
static int elf_addrs(const char *path, uint64_t *eg, uint64_t *exec)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t n, i;
	int fd, err = -ENOENT;

	*eg = 0;
	*exec = UINT64_MAX;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || !gelf_getehdr(elf, &eh) || (eh.e_type != ET_DYN && eh.e_type != ET_EXEC) ||
	    elf_getphdrnum(elf, &n)) {
		err = -ENOEXEC;
		goto out;
	}
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    ph.p_vaddr < *exec)
			*exec = ph.p_vaddr;
	}
	while (!*eg && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB))
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, i, &sym) || !sym.st_value)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, "executor_globals")) {
				*eg = sym.st_value;
				break;
			}
		}
	}
	err = *eg && *exec != UINT64_MAX ? 0 : -ENOENT;
out:
	elf_end(elf);
	close(fd);
	return err;
}

/* Run argv with stdout to a buffer; 0 on exit status 0. */
static int output_of(char *const argv[], char *out, size_t len)
{
	int fd[2], status, dn;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dn = open("/dev/null", O_RDWR);
		dup2(dn, 0);
		dup2(dn, 2);
		dup2(fd[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while (got < (ssize_t)len - 1 && (n = read(fd[0], out + got, len - 1 - got)) > 0)
		got += n;
	close(fd[0]);
	waitpid(pid, &status, 0);
	out[got] = 0;
	return WIFEXITED(status) && !WEXITSTATUS(status) && got ? 0 : -ENOEXEC;
}

static int rd(int fd, uint64_t addr, void *buf, size_t n)
{
	return addr && pread(fd, buf, n, (off_t)addr) == (ssize_t)n ? 0 : -1;
}

static uint64_t rd_ptr(int fd, uint64_t addr)
{
	uint64_t v = 0;

	return rd(fd, addr, &v, sizeof(v)) ? 0 : v;
}

/* Does the zend_string at zs hold exactly s? */
static bool zstr_is(int fd, const struct bg_php_layout *l, uint64_t zs, const char *s)
{
	char buf[64];
	size_t n = strlen(s) + 1;

	return zs && n <= sizeof(buf) && !rd(fd, zs + l->off_str_val, buf, n) && !memcmp(buf, s, n);
}

/* Is frame ex running function name (of class cls, in file) of type? */
static bool frame_is(int fd, const struct bg_php_layout *l, uint64_t ex, uint8_t type,
		     const char *name, const char *cls, const char *file)
{
	uint64_t func = rd_ptr(fd, ex + l->off_ex_func), scope;
	uint8_t t = 0;

	if (!func || rd(fd, func + l->off_fn_type, &t, 1) || t != type ||
	    !zstr_is(fd, l, rd_ptr(fd, func + l->off_fn_name), name))
		return false;
	scope = rd_ptr(fd, func + l->off_fn_scope);
	if (cls ? !zstr_is(fd, l, rd_ptr(fd, scope + l->off_ce_name), cls) : scope != 0)
		return false;
	return !file || zstr_is(fd, l, rd_ptr(fd, func + l->off_op_filename), file);
}

/* Does the HashTable at ht hold the pointer val? (PHP 8: arData at 16,
 * nNumUsed at 24; 32-byte Buckets whose zval's value comes first.) */
static bool ht_has(int fd, uint64_t ht, uint64_t val)
{
	uint64_t h[4], *b;
	uint32_t n, i;
	bool found = false;

	if (!ht || (ht & 7) || rd(fd, ht, h, sizeof(h)))
		return false;
	n = (uint32_t)h[BG_PHP_HT_USED / 8];
	if (!h[BG_PHP_HT_DATA / 8] || !n || n > 65536 || !(b = malloc((size_t)n * BG_PHP_BUCKET)))
		return false;
	if (!rd(fd, h[BG_PHP_HT_DATA / 8], b, (size_t)n * BG_PHP_BUCKET))
		for (i = 0; i < n && !found; i++)
			found = b[i * BG_PHP_BUCKET / 8] == val;
	free(b);
	return found;
}

/* The tables that hold what compiling defines: executor_globals'
 * function_table and class_table pointers (found as the pointers whose
 * tables hold fgets and BgphCalib), and the method table embedded in a
 * zend_class_entry (the one holding BgphCalib::wait). */
static int find_tables(int fd, struct bg_php_layout *l, const uint64_t *eg_words, unsigned n,
		       uint64_t ex)
{
	uint64_t fgets_fn = rd_ptr(fd, ex + l->off_ex_func);
	uint64_t wait_fn = rd_ptr(fd, rd_ptr(fd, ex + l->off_ex_prev) + l->off_ex_func);
	uint64_t ce = rd_ptr(fd, wait_fn + l->off_fn_scope);
	unsigned i;

	l->off_fn_table = l->off_cls_table = l->off_ce_fns = 0;
	for (i = 0; i < n && !(l->off_fn_table && l->off_cls_table); i++) {
		if (!l->off_fn_table && ht_has(fd, eg_words[i], fgets_fn))
			l->off_fn_table = i * 8;
		else if (!l->off_cls_table && ht_has(fd, eg_words[i], ce))
			l->off_cls_table = i * 8;
	}
	for (i = 8; i < 512 && !l->off_ce_fns; i += 8)
		if (ht_has(fd, ce + i, wait_fn))
			l->off_ce_fns = i;
	return l->off_fn_table && l->off_cls_table && l->off_ce_fns ? 0 : -ENOENT;
}

/* The file and file offset that address addr of pid maps (an executable
 * mapping of a file), from /proc/PID/maps. */
struct exec_map {
	uint64_t start, end, off;
	char path[PATH_MAX];
};

static size_t exec_maps(pid_t pid, struct exec_map *m, size_t max)
{
	char path[64], line[PATH_MAX + 128], perms[8];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		int pos = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*u %n", &m[n].start,
			   &m[n].end, perms, &m[n].off, &pos) == 4 &&
		    perms[2] == 'x' && pos && line[pos] == '/') {
			snprintf(m[n].path, sizeof(m[n].path), "%s", line + pos);
			m[n].path[strcspn(m[n].path, "\n")] = 0;
			n++;
		}
	}
	fclose(f);
	return n;
}

static const struct exec_map *map_of(const struct exec_map *m, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= m[i].start && addr < m[i].end)
			return &m[i];
	return NULL;
}

static int add_method(struct bg_php_layout *l, const char *name, const char *path, uint64_t off)
{
	struct bg_php_method *nm = realloc(l->methods, (l->n_methods + 1) * sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	l->methods = nm;
	nm += l->n_methods;
	nm->off = off;
	snprintf(nm->name, sizeof(nm->name), "%s", name);
	if (!(nm->path = strdup(path)))
		return -ENOMEM;
	l->n_methods++;
	return 0;
}

/* Read the string of zend_string zs into buf (NUL-ended); false if none. */
static bool zstr_read(int fd, const struct bg_php_layout *l, uint64_t zs, char *buf, size_t len)
{
	uint64_t n;

	if (!zs || rd(fd, zs + 16, &n, sizeof(n)) || n >= len ||
	    rd(fd, zs + l->off_str_val, buf, n))
		return false;
	buf[n] = 0;
	return true;
}

/* Built-in methods have no entry in the modules' function lists: their
 * handlers are read from the calibration process's class table (each
 * built-in class's own methods), the handler's place in a zend_function
 * found as the one pointer of fgets's that lies in executable code. */
static int find_methods(int fd, pid_t pid, struct bg_php_layout *l, uint64_t fgets_fn)
{
	static struct exec_map maps[64];
	size_t n_maps = exec_maps(pid, maps, 64);
	uint64_t words[16], h[4], ht = rd_ptr(fd, l->eg_base_addr + l->off_cls_table), *cb = NULL;
	uint32_t off_handler = 0, i, j, nc;
	int err = 0;

	if (!n_maps || rd(fd, fgets_fn, words, sizeof(words)))
		return -ENOENT;
	for (i = 4; i < 16 && !off_handler; i++)
		if (map_of(maps, n_maps, words[i]))
			off_handler = i * 8;
	if (!off_handler || !ht || rd(fd, ht, h, sizeof(h)))
		return -ENOENT;
	nc = (uint32_t)h[BG_PHP_HT_USED / 8];
	if (nc > 65536 || !(cb = malloc((size_t)nc * BG_PHP_BUCKET + 1)) ||
	    rd(fd, h[BG_PHP_HT_DATA / 8], cb, (size_t)nc * BG_PHP_BUCKET)) {
		free(cb);
		return -ENOENT;
	}
	for (i = 0; !err && i < nc; i++) {
		uint64_t ce = cb[i * BG_PHP_BUCKET / 8], mh[4], *mb;
		char cls[BG_PHP_NAME];
		uint8_t type = 0;
		uint32_t nm;

		if (!ce || rd(fd, ce, &type, 1) || type != 1 /* ZEND_INTERNAL_CLASS */ ||
		    !zstr_read(fd, l, rd_ptr(fd, ce + l->off_ce_name), cls, sizeof(cls)) ||
		    rd(fd, ce + l->off_ce_fns, mh, sizeof(mh)))
			continue;
		nm = (uint32_t)mh[BG_PHP_HT_USED / 8];
		if (!nm || nm > 4096 || !(mb = malloc((size_t)nm * BG_PHP_BUCKET)))
			continue;
		for (j = 0; !rd(fd, mh[BG_PHP_HT_DATA / 8], mb, (size_t)nm * BG_PHP_BUCKET) &&
			    !err && j < nm;
		     j++) {
			uint64_t fn = mb[j * BG_PHP_BUCKET / 8], hd;
			char m[BG_PHP_NAME], full[2 * BG_PHP_NAME + 2];
			const struct exec_map *em;

			/* Its own methods only: an inherited one is its scope's. */
			if (!fn || rd(fd, fn, &type, 1) || type != 1 ||
			    rd_ptr(fd, fn + l->off_fn_scope) != ce ||
			    !zstr_read(fd, l, rd_ptr(fd, fn + l->off_fn_name), m, sizeof(m)) ||
			    !(hd = rd_ptr(fd, fn + off_handler)) ||
			    !(em = map_of(maps, n_maps, hd)))
				continue;
			snprintf(full, sizeof(full), "%s::%s", cls, m);
			err = add_method(l, full, em->path, hd - em->start + em->off);
		}
		free(mb);
	}
	free(cb);
	return err;
}

/* /proc/PID/stat's startcode (field 26). */
static uint64_t start_code(pid_t pid)
{
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (bg_read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return 0;
	for (i = 2; i < 26 && p; i++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Is pid blocked in read(0, ...)? /proc/PID/syscall: "0 0x0 ...". */
static bool in_read_stdin(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	return !bg_read_file(path, buf, sizeof(buf)) && !strncmp(buf, "0 0x0 ", 6);
}

/* Start cli on the calibration script, wait (by observing it) until it
 * blocks in fgets(), and find current_execute_data in its globals. */
static int calibrate(const char *cli, struct bg_php_layout *l)
{
	/* With the CLI's ini (not -n): the classes of the extensions it loads
	 * are read too (find_methods), but nothing that runs code first. */
	char *argv[] = {(char *)cli, "-d", "auto_prepend_file=", "-d", "opcache.enable_cli=0", "-r",
			CALIB_CODE,  NULL};
	uint64_t eg_vaddr, exec_vaddr, eg, words[512], code;
	int in[2], memfd = -1, err = -ETIMEDOUT, i, status;
	struct timespec ts = {0, 1000000};
	char path[64];
	pid_t pid;

	err = elf_addrs(cli, &eg_vaddr, &exec_vaddr);
	if (err)
		return err;
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(in[0]);
		close(in[1]);
		return err;
	}
	if (pid == 0) {
		int dn = open("/dev/null", O_RDWR);

		dup2(in[0], 0);
		dup2(dn, 1);
		dup2(dn, 2);
		execv(cli, argv);
		_exit(127);
	}
	close(in[0]);
	err = -ETIMEDOUT;
	for (i = 0; i < 10000; i++) { /* 10 s at most, on a loaded machine */
		if (in_read_stdin(pid)) {
			err = 0;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			err = -ENOEXEC;
			break;
		}
		nanosleep(&ts, NULL);
	}
	code = err || pid < 0 ? 0 : start_code(pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	if (!err && (!code || (memfd = open(path, O_RDONLY | O_CLOEXEC)) < 0))
		err = -EACCES;
	eg = code - exec_vaddr + eg_vaddr;
	if (!err && rd(memfd, eg, words, sizeof(words)))
		err = -EFAULT;
	for (i = 0, err = err ? err : -ENOENT; err == -ENOENT && i < 512; i++) {
		uint64_t ex = words[i];

		if (ex && !(ex & 7) && frame_is(memfd, l, ex, 1, "fgets", NULL, NULL) &&
		    frame_is(memfd, l, rd_ptr(memfd, ex + l->off_ex_prev), 2, CALIB_FN, CALIB_CLASS,
			     "Command line code")) {
			l->off_cur_ex = i * 8;
			l->eg_base_addr = eg;
			err = find_tables(memfd, l, words, 512, ex);
			if (!err)
				err = find_methods(memfd, pid, l,
						   rd_ptr(memfd, ex + l->off_ex_func));
		}
	}
	if (memfd >= 0)
		close(memfd);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(in[1]);
	return err;
}

/* "PHP 8.2.36 (cli) (built: ...) (NTS)": the version and the build kind. */
static int php_build(const char *bin, char *ver, size_t vlen, bool *cli, bool *nts)
{
	char *argv[] = {(char *)bin, "-n", "-v", NULL}, buf[1024], *line, *sp, *built, *end;
	int err = output_of(argv, buf, sizeof(buf));

	/* Startup warnings (a bad date.timezone) may come first. */
	for (line = buf; !err && strncmp(line, "PHP ", 4); line = sp + 1)
		if (!(sp = strchr(line, '\n')))
			return -ENOEXEC;
	if (err)
		return -ENOEXEC;
	line[strcspn(line, "\n")] = 0;
	/* ver: "8.2.36 (built: Nov 18 2026 20:02:04)", without the SAPI. */
	sp = strchr(line + 4, ' ');
	built = strstr(line, "(built:");
	if (!sp || !built || !(end = strchr(built, ')')))
		return -ENOEXEC;
	snprintf(ver, vlen, "%.*s %.*s", (int)(sp - line - 4), line + 4, (int)(end + 1 - built),
		 built);
	*cli = strstr(line, "(cli)") != NULL;
	/* Only the CLI says NTS or ZTS; the others take the CLI's word. */
	*nts = strstr(line, "(NTS") != NULL;
	return 0;
}

/* A PHP CLI of the same build as bin (php-fpm8.2 -> php8.2, php), to
 * calibrate with: the engine's structures do not depend on the SAPI. */
static int same_build_cli(const char *bin, const char *ver, char *out, size_t len)
{
	const char *base = strrchr(bin, '/'), *v;
	char cand[2][64], path[PATH_MAX], cver[128];
	char *const cmd[2][2] = {{cand[0], NULL}, {cand[1], NULL}};
	bool cli, nts;
	int i;

	base = base ? base + 1 : bin;
	v = strpbrk(base, "0123456789");
	snprintf(cand[0], sizeof(cand[0]), "php%s", v ? v : "");
	snprintf(cand[1], sizeof(cand[1]), "php");
	for (i = 0; i < 2; i++) {
		if (bg_php_which(cmd[i][0], path, sizeof(path)) ||
		    php_build(path, cver, sizeof(cver), &cli, &nts) || !cli || !nts ||
		    strcmp(cver, ver))
			continue;
		snprintf(out, len, "%s", path);
		return 0;
	}
	return -ENOENT;
}

/* PHP_EXTENSION_DIR of the CLI, and the module API it ends with
 * (/usr/lib/php/20220829, .../no-debug-non-zts-20220829). */
static int ext_dir(const char *cli, struct bg_php_layout *l)
{
	char *argv[] = {(char *)cli, "-n", "-r", "echo \"\\n\", PHP_EXTENSION_DIR, \"\\n\";", NULL};
	char buf[PATH_MAX + 1024], *line, *end;
	size_t len;

	if (output_of(argv, buf, sizeof(buf)))
		return -ENOEXEC;
	/* The last non-empty line: startup warnings may come first. */
	for (end = buf + strlen(buf); end > buf && end[-1] == '\n';)
		*--end = 0;
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	len = strlen(line);
	if (len < 8 || len >= sizeof(l->ext_dir) || strspn(line + len - 8, "0123456789") != 8) {
		pr_err("php: %s gave no extension directory ending in its module API number "
		       "(\"%s\")\n",
		       cli, line);
		return -ENOTSUP;
	}
	strcpy(l->ext_dir, line);
	l->api = strtoul(line + len - 8, NULL, 10);
	return 0;
}

int bg_php_layout(const char *bin, struct bg_php_layout *l)
{
	char ver[128], cli_path[PATH_MAX];
	uint64_t exec_vaddr, eg_vaddr;
	bool cli, nts;
	struct stat st;
	int err;

	*l = layout_php8;
	err = elf_addrs(bin, &eg_vaddr, &exec_vaddr);
	if (err) {
		pr_err("php: %s exports no executor_globals (a thread-safe build, or PHP embedded "
		       "in a library): its running PHP function cannot be read\n",
		       bin);
		return -ENOTSUP;
	}
	if (stat(bin, &st))
		return -errno;
	err = php_build(bin, ver, sizeof(ver), &cli, &nts);
	if (!err && cli && !nts)
		err = -ENOTSUP;
	if (err) {
		pr_err("php: %s does not run as a non-thread-safe PHP (`%s -v`): its engine "
		       "layout cannot be measured\n",
		       bin, bin);
		return -ENOTSUP;
	}
	snprintf(cli_path, sizeof(cli_path), "%s", bin);
	if (!cli && same_build_cli(bin, ver, cli_path, sizeof(cli_path))) {
		pr_err("php: %s is PHP %s but not its CLI, and no non-thread-safe CLI of that "
		       "build is in PATH to measure the engine layout with\n",
		       bin, ver);
		return -ENOTSUP;
	}
	err = calibrate(cli_path, l);
	if (err) {
		pr_err("php: cannot find current_execute_data in %s's executor_globals (a "
		       "PHP 8 layout was expected; %s): its running PHP function cannot be read\n",
		       cli_path, strerror(-err));
		return -ENOTSUP;
	}
	err = ext_dir(cli_path, l);
	if (err)
		return err;
	l->eg_delta = (int64_t)(eg_vaddr + l->off_cur_ex) - (int64_t)exec_vaddr;
	l->ino = st.st_ino;
	/* The kernel's dev_t: MKDEV(major, minor) = major << 20 | minor. */
	l->dev = major(st.st_dev) << 20 | minor(st.st_dev);
	return 0;
}

void bg_php_layout_free(struct bg_php_layout *l)
{
	size_t i;

	for (i = 0; i < l->n_methods; i++)
		free(l->methods[i].path);
	free(l->methods);
	l->methods = NULL;
	l->n_methods = 0;
}

int bg_php_which(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return realpath(cmd, out) && strlen(out) < len ? 0 : -ENOENT;
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, cmd);
		if (access(buf, X_OK) == 0 && realpath(buf, out))
			return 0;
	}
	return -ENOENT;
}
