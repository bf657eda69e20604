// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench/php: the cost of the PHP guard, in one run, interleaved rounds,
 * medians, on two PHP programs:
 *   calls  500 user functions, a hot loop of 10 user calls and 1 built-in
 *          (ns per PHP call)
 *   twig   a namespaced app: PDO sqlite query, Twig (Debian's php-twig)
 *          rendering a template with a loop, filters and a macro (ns per
 *          request-like iteration)
 * each timed inside PHP (hrtime around the hot loop, after a warm-up and
 * a 0.5 s pause in which profile detaches the built-ins it has seen) in
 * four modes:
 *   bare     php, no probes enabled
 *   dtrace   USE_ZEND_DTRACE=1 alone (PHP's probed call path; no probe
 *            attached)
 *   run      `bpfguard run --action kill` with the profiled php: section
 *   run-calls the same in per-call mode (BPFGUARD_PHP_CALLS=1), what a
 *            kernel without uprobe_multi (before 6.6) gets
 *   profile  `bpfguard profile` of the same program
 * The goals (issue 15): run / dtrace <= 1.5, profile / dtrace <= 10.
 * The policy is recorded first by `bpfguard profile` on the same program.
 * Usage: bench_php [BPFGUARD] [ITERATIONS] [ROUNDS]
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFUNCS 500
#define HOT    10 /* user functions called per loop iteration, plus one built-in */

static char dir[] = "/tmp/bgph-bench.XXXXXX";
static char script[128], full[128], policy[128], prof_out[128];

static int write_calls(void)
{
	FILE *f = fopen(script, "w");
	int i;

	if (!f)
		return -errno;
	fprintf(f, "<?php\n");
	for (i = 0; i < NFUNCS; i++)
		fprintf(f, "function f%d($x) { return $x + %d; }\n", i, i);
	fprintf(f,
		"$n = (int)$argv[1];\n$s = 0;\nfor ($i = 0; $i < %d; $i++) "
		"$s += ('f' . $i)($i);\n",
		NFUNCS);
	/* Then a pause: profile's detacher leaves out the handlers seen so
	 * far (50 ms period, plus a relink); the loop measures the steady
	 * state of a long-running program. */
	fprintf(f, "$s += abs(-1);\nusleep(500000);\n$t = hrtime(true);\nfor ($i = 0; $i < $n; "
		   "$i++) {\n");
	for (i = 0; i < HOT; i++)
		fprintf(f, "\t$s += f%d($i);\n", i * 37);
	fprintf(f, "\t$s += abs($i);\n}\n");
	fprintf(f, "$t = hrtime(true) - $t;\nprintf(\"%%.2f %%d\\n\", $t / ($n * %d), $s);\n",
		HOT + 1);
	return fclose(f) ? -errno : 0;
}

/* A small real application: Twig from Debian's php-twig (autoloaded from
 * /usr/share/php), PDO sqlite, namespaced classes; the template is
 * compiled by Twig into a PHP class and eval'd (no cache directory), as
 * an application without a writable cache does. */
static const char twig_app[] =
	"<?php\n"
	"namespace Bgph\\App;\n"
	"require_once '/usr/share/php/Twig/autoload.php';\n"
	"final class Repo {\n"
	"  private \\PDO $db;\n"
	"  function __construct() {\n"
	"    $this->db = new \\PDO('sqlite::memory:');\n"
	"    $this->db->setAttribute(\\PDO::ATTR_ERRMODE, \\PDO::ERRMODE_EXCEPTION);\n"
	"    $this->db->exec('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price "
	"REAL)');\n"
	"    $ins = $this->db->prepare('INSERT INTO item (name, price) VALUES (?, ?)');\n"
	"    for ($i = 0; $i < 40; $i++) $ins->execute([\"item $i\", $i * 1.25]);\n"
	"  }\n"
	"  function items(int $min): array {\n"
	"    $q = $this->db->prepare('SELECT id, name, price FROM item WHERE id > ? ORDER BY "
	"id');\n"
	"    $q->execute([$min]);\n"
	"    return $q->fetchAll(\\PDO::FETCH_ASSOC);\n"
	"  }\n"
	"}\n"
	"final class Page {\n"
	"  function __construct(private Repo $repo, private \\Twig\\Environment $twig) {}\n"
	"  function render(int $i): string {\n"
	"    return $this->twig->render('page.twig', ['title' => \"page $i\", "
	"'items' => $this->repo->items($i % 10)]);\n"
	"  }\n"
	"}\n"
	"$loader = new \\Twig\\Loader\\ArrayLoader([\n"
	"  'page.twig' => '{% import \"m.twig\" as m %}<h1>{{ title|title }}</h1><ul>'\n"
	"    . '{% for it in items %}{{ m.row(it) }}{% endfor %}</ul>'\n"
	"    . '<p>{{ items|length }} items, {{ items|map(i => i.price)|reduce((a, b) => a + b)'\n"
	"    . '|number_format(2) }}</p>',\n"
	"  'm.twig' => '{% macro row(it) %}<li id=\"{{ it.id }}\">{{ it.name|upper|e }}: '\n"
	"    . '{{ it.price|number_format(2) }}</li>{% endmacro %}',\n"
	"]);\n"
	"$page = new Page(new Repo(), new \\Twig\\Environment($loader, ['autoescape' => "
	"'html']));\n"
	"$n = (int)$argv[1];\n$len = strlen($page->render(0));\nusleep(500000);\n"
	"$t = hrtime(true);\n"
	"for ($i = 0; $i < $n; $i++) $len += strlen($page->render($i));\n"
	"$t = hrtime(true) - $t;\n"
	"printf(\"%.2f %d\\n\", $t / $n, $len);\n";

static int write_twig(void)
{
	FILE *f = fopen(script, "w");

	if (!f)
		return -errno;
	fputs(twig_app, f);
	return fclose(f) ? -errno : 0;
}

/* Run argv with extra environment; read "ns-per-call" from its stdout. */
static int measure(char *const argv[], bool dtrace, bool calls, double *ns)
{
	int fd[2], status;
	char buf[256];
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		if (dtrace)
			setenv("USE_ZEND_DTRACE", "1", 1);
		else
			unsetenv("USE_ZEND_DTRACE");
		if (calls)
			setenv("BPFGUARD_PHP_CALLS", "1", 1);
		else
			unsetenv("BPFGUARD_PHP_CALLS");
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_php: %s ... failed (status %d)\n", argv[0], status);
		return -EIO;
	}
	buf[n] = 0;
	*ns = strtod(buf, NULL);
	return 0;
}

/* The php: section of the profile, alone, as a policy: its functions. */
static int php_only(void)
{
	char line[512];
	bool in = false;
	FILE *in_f = fopen(full, "r"), *out = fopen(policy, "w");
	int nf = 0;

	if (!in_f || !out) {
		if (in_f)
			fclose(in_f);
		if (out)
			fclose(out);
		return -errno;
	}
	fprintf(out, "version: 1\n");
	while (fgets(line, sizeof(line), in_f)) {
		if (!strncmp(line, "php:", 4))
			in = true;
		if (!in)
			continue;
		fputs(line, out);
		nf += !strncmp(line, "    \"", 5);
	}
	fclose(in_f);
	fclose(out);
	return nf;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum { BARE, DTRACE, RUN, RUN_CALLS, PROFILE, NMODES };

/* Profile name's script, then time it in each mode, rounds interleaved. */
static int bench(const char *bg, const char *name, const char *unit, const char *iters, int rounds,
		 int min_fns)
{
	static const char *const names[] = {"bare", "dtrace", "run", "run-calls", "profile"};
	double ns[NMODES][16], med[NMODES];
	char cmd[512];
	int r, m, nf;
	char *bare[] = {"php", script, (char *)iters, NULL};
	char *run[] = {(char *)bg, "run", "--policy", policy,	     "--action", "kill",
		       "--",	   "php", script,     (char *)iters, NULL};
	char *prof[] = {(char *)bg, "profile", "-o",	      prof_out, "--",
			"php",	    script,    (char *)iters, NULL};

	snprintf(cmd, sizeof(cmd), "%s profile -o %s -- php %s 20 >/dev/null 2>&1", bg, full,
		 script);
	if (system(cmd)) {
		fprintf(stderr, "bench_php: %s: cannot profile (%s)\n", name, cmd);
		return -1;
	}
	nf = php_only();
	if (nf < min_fns) {
		fprintf(stderr, "bench_php: %s: the profile has %d PHP functions, want >= %d\n",
			name, nf, min_fns);
		return -1;
	}
	for (r = 0; r < rounds; r++)
		if (measure(bare, false, false, &ns[BARE][r]) ||
		    measure(bare, true, false, &ns[DTRACE][r]) ||
		    measure(run, false, false, &ns[RUN][r]) ||
		    measure(run, false, true, &ns[RUN_CALLS][r]) ||
		    measure(prof, false, false, &ns[PROFILE][r]))
			return -1;
	for (m = 0; m < NMODES; m++) {
		qsort(ns[m], rounds, sizeof(double), cmp_d);
		med[m] = ns[m][rounds / 2];
	}
	printf("bench_php %s: %s iterations, %d rounds, medians; allowlist %d functions\n", name,
	       iters, rounds, nf);
	printf("  %-9s %11s %9s %10s\n", "mode", unit, "vs bare", "vs dtrace");
	for (m = 0; m < NMODES; m++)
		printf("  %-9s %11.1f %8.2fx %9.2fx\n", names[m], med[m], med[m] / med[BARE],
		       med[m] / med[DTRACE]);
	printf("  goals: run/dtrace %.2fx (<= 1.5), profile/dtrace %.2fx (<= 10); "
	       "run-calls/dtrace %.2fx (per-call mode, kernels without uprobe_multi)\n",
	       med[RUN] / med[DTRACE], med[PROFILE] / med[DTRACE], med[RUN_CALLS] / med[DTRACE]);
	/* make bench's table: figure|baseline|bpfguard|ratio|goal|met */
	printf("summary: PHP %s under run --action kill / USE_ZEND_DTRACE=1|%.1f %s|%.1f %s|%.2f|<= "
	       "1.5|%s\n",
	       name, med[DTRACE], unit, med[RUN], unit, med[RUN] / med[DTRACE],
	       med[RUN] / med[DTRACE] <= 1.5 ? "met" : "NOT met");
	printf("summary: PHP %s under profile / USE_ZEND_DTRACE=1|%.1f %s|%.1f %s|%.2f|<= 10|%s\n",
	       name, med[DTRACE], unit, med[PROFILE], unit, med[PROFILE] / med[DTRACE],
	       med[PROFILE] / med[DTRACE] <= 10 ? "met" : "NOT met");
	printf("summary: PHP %s under run, per-call mode (kernels before 6.6) / "
	       "USE_ZEND_DTRACE=1|%.1f %s|%.1f %s|%.2f|-|measured\n",
	       name, med[DTRACE], unit, med[RUN_CALLS], unit, med[RUN_CALLS] / med[DTRACE]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *bg = argc > 1 ? argv[1] : "build/bpfguard";
	const char *iters = argc > 2 ? argv[2] : "100000";
	int rounds = argc > 3 ? atoi(argv[3]) : 3, rc = 1;
	char cmd[512], twig_iters[32];

	if (rounds < 1 || rounds > 16 || !mkdtemp(dir))
		return 1;
	snprintf(script, sizeof(script), "%s/bench.php", dir);
	snprintf(full, sizeof(full), "%s/full.yaml", dir);
	snprintf(policy, sizeof(policy), "%s/php.yaml", dir);
	snprintf(prof_out, sizeof(prof_out), "%s/prof.yaml", dir);
	if (system("command -v php >/dev/null")) {
		fprintf(stderr, "bench_php: no php in PATH\n");
		goto out;
	}
	if (write_calls() || bench(bg, "calls", "ns/call", iters, rounds, NFUNCS))
		goto out;
	/* A render is some thousand PHP calls: 1/500 of the calls' loops. */
	snprintf(twig_iters, sizeof(twig_iters), "%ld", atol(iters) / 500 + 1);
	if (access("/usr/share/php/Twig/autoload.php", R_OK))
		printf("bench_php twig: skipped (needs php-twig)\n");
	else if (write_twig() || bench(bg, "twig", "ns/render", twig_iters, rounds, 100))
		goto out;
	rc = 0;
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		rc = 1;
	return rc;
}
