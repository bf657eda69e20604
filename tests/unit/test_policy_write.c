// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The policy writer, as a property: whatever names a policy holds, what
 * `run` reads back from what `profile` wrote is the same policy, section by
 * section; or, for a name YAML cannot hold (not UTF-8), the write is refused
 * and the message names it. Hostile names by hand, then random ones from a
 * fixed seed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "policy/emit.h"
#include "policy/families.h"
#include "policy/policy.h"
#include "unit.h"

static const char *const hostile[] = {
	"Symfony\\Component\\Yaml\\Dumper::__construct",
	"Twig\\Node\\Node::__construct",
	"a\\Nb\\Cc\\xd\\_e\\Lf\\Pg\\0h\\\\",
	"\\",
	"\\x41",
	"\\u0041",
	"\"",
	"'",
	"it's \"quoted\"",
	"a: b",
	": leading",
	":",
	"a:",
	"a #b",
	"#first",
	"a\nb",
	"\n",
	"a\r\nb",
	"tab\there",
	"-",
	"- a",
	"-a",
	"--",
	"---",
	"...",
	"?",
	"? a",
	"&anchor",
	"*alias",
	"!tag",
	"!!str",
	"%YAML",
	"@at",
	"`tick",
	"{a: b}",
	"[a, b]",
	"a, b",
	"a]b",
	"|",
	">",
	"<<",
	"=",
	"",
	" ",
	" lead",
	"trail ",
	"null",
	"Null",
	"NULL",
	"~",
	"true",
	"False",
	"yes",
	"no",
	"on",
	"OFF",
	"y",
	"n",
	"1",
	"1e3",
	"0x10",
	"0o17",
	"1_000",
	"-1",
	"+1",
	".5",
	".inf",
	"-.inf",
	".nan",
	"2001-12-14",
	"12:30:00",
	"\x01\x02\x1b[31m\x7f",
	"\xc2\x85nel\xe2\x80\xa8ls\xe2\x80\xa9ps",
	"\xef\xbb\xbf"
	"bom",
	"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	"\xef\xbf\xbe\xef\xbf\xbf",
	"App::render",
	"main",
	"/etc/passwd",
	"//double//slash//",
	"/dir/",
};

/* Not UTF-8: refused at write (docs/policy.md), never written wrong. */
static const char *const not_utf8[] = {
	"\xff", "a\x80z", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "/tmp/\xfe\n",
};

static const unsigned accs[] = {
	BG_ACC_READ,
	BG_ACC_WRITE,
	BG_ACC_EXEC,
	BG_ACC_CREAT,
	BG_ACC_TRUNC,
	BG_ACC_READ | BG_ACC_WRITE | BG_ACC_CREAT | BG_ACC_TRUNC | BG_ACC_EXEC,
	/* every entry operation's word */
	BG_ACC_ENTRY_OPS,
	BG_ACC_WRITE | BG_ACC_LINK_TO | BG_ACC_MKSOCK,
	BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO | BG_ACC_SYMLINK,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng = 0x5eed0f14u;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char *join(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	assert_non_null(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* Every section gets the name: a file (with each access), an executable, a
 * PHP function with a few syscalls, a PHP file; and random peers. */
static void add_name(struct bg_policy *p, const char *name, size_t k)
{
	char *path = join("/", name);
	uint64_t sys[BG_SYSCALL_WORDS] = {0};
	unsigned acc = accs[k % N(accs)];

	if (path[strlen(path) - 1] == '/')
		acc |= BG_ACC_DIR; /* what the reader adds for a trailing / */
	assert_int_equal(bg_policy_add_file(p, path, acc), 0);
	assert_int_equal(bg_policy_add_exec(p, path), 0);
	bg_set_bit(sys, bg_syscall_nr(false, "read"));
	bg_set_bit(sys, rnd() % 300);
	if (name[0] && strlen(name) < 128)
		assert_int_equal(bg_policy_php_add_fn(p, name, k % 3 ? sys : NULL), 0);
	assert_int_equal(bg_policy_php_add_file(p, name), 0);
	free(path);
}

static void add_peer(struct bg_policy *p)
{
	struct bg_policy_net n = {0};
	size_t i;

	n.op = BG_NET_CONNECT + rnd() % 3;
	switch (rnd() % 3) {
	case 0:
		break; /* any address */
	case 1:
		n.family = AF_INET;
		n.prefix = rnd() % 33;
		break;
	default:
		n.family = AF_INET6;
		n.prefix = rnd() % 129;
		break;
	}
	/* Host bits past the prefix are kept as written: any value reads back. */
	for (i = 0; n.family && i < (n.family == AF_INET ? 4u : 16u); i++)
		n.addr[i] = rnd();
	if (n.family && rnd() % 2)
		n.prefix = n.family == AF_INET ? 32 : 128;
	n.port = rnd() % 3 ? rnd() % 65536 : 0;
	assert_int_equal(bg_policy_add_net(p, &n), 0);
}

static void check_same(const struct bg_policy *p, const struct bg_policy *q)
{
	size_t i, j;

	assert_int_equal(q->n_files, p->n_files);
	for (i = 0; i < p->n_files; i++) {
		for (j = 0; j < q->n_files; j++)
			if (!strcmp(p->files[i].path, q->files[j].path))
				break;
		if (j == q->n_files)
			fail_msg("file '%s' not read back", p->files[i].path);
		assert_int_equal(q->files[j].acc, p->files[i].acc);
	}
	assert_int_equal(q->n_execs, p->n_execs);
	for (i = 0; i < p->n_execs; i++) {
		for (j = 0; j < q->n_execs && strcmp(p->execs[i], q->execs[j]); j++)
			;
		if (j == q->n_execs)
			fail_msg("executable '%s' not read back", p->execs[i]);
	}
	assert_int_equal(q->php.n_fns, p->php.n_fns);
	for (i = 0; i < p->php.n_fns; i++) {
		for (j = 0; j < q->php.n_fns && strcmp(p->php.fns[i].name, q->php.fns[j].name); j++)
			;
		if (j == q->php.n_fns)
			fail_msg("PHP function '%s' not read back", p->php.fns[i].name);
		assert_memory_equal(q->php.fns[j].sys, p->php.fns[i].sys,
				    sizeof(p->php.fns[i].sys));
	}
	assert_int_equal(q->php.n_files, p->php.n_files);
	for (i = 0; i < p->php.n_files; i++) {
		for (j = 0; j < q->php.n_files && strcmp(p->php.files[i], q->php.files[j]); j++)
			;
		if (j == q->php.n_files)
			fail_msg("PHP file '%s' not read back", p->php.files[i]);
	}
	assert_int_equal(q->n_net, p->n_net);
	for (i = 0; i < p->n_net; i++) {
		for (j = 0; j < q->n_net && memcmp(&p->net[i], &q->net[j], sizeof(p->net[i])); j++)
			;
		if (j == q->n_net)
			fail_msg("peer %zu not read back", i);
	}
}

/* Write p, read it back, compare. */
static void roundtrip(const struct bg_policy *p)
{
	struct bg_policy q, want;
	char err[600], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	assert_non_null(f);
	rc = bg_policy_write(p, f, err, sizeof(err));
	assert_int_equal(fclose(f), 0);
	if (rc)
		fail_msg("write: %s", err);
	if (bg_policy_parse("w.yaml", text, len, &q, err, sizeof(err)))
		fail_msg("read back: %s\n--- written:\n%s", err, text);
	/* The loader grants syscall families whole (src/policy/families.c):
	 * what reads back is what was written, grown the same way. */
	bg_policy_init(&want);
	assert_int_equal(bg_policy_merge(&want, p), 0);
	bg_policy_expand_families(&want);
	check_same(&want, &q);
	bg_policy_free(&want);
	bg_policy_free(&q);
	free(text);
}

static void init_all(struct bg_policy *p)
{
	bg_policy_init(p);
	p->has_files = p->has_exec = p->has_net = p->has_php = p->has_syscalls = true;
	p->php.check_files = true;
}

/* One name at a time, so that a failure names it. */
static void test_hostile(void **state)
{
	struct bg_policy p;
	size_t i;

	(void)state;
	for (i = 0; i < N(hostile); i++) {
		init_all(&p);
		add_name(&p, hostile[i], i);
		add_peer(&p);
		roundtrip(&p);
		bg_policy_free(&p);
	}
	/* All together, and the same names with a path in front of them. */
	init_all(&p);
	for (i = 0; i < N(hostile); i++) {
		char *s = join("/srv/app/", hostile[i]);

		add_name(&p, hostile[i], i);
		add_name(&p, s, i + 1);
		add_peer(&p);
		free(s);
	}
	roundtrip(&p);
	bg_policy_free(&p);
}

/* The names from issue 14, as they read back. */
static void test_php_namespaces(void **state)
{
	static const char *const names[] = {"Symfony\\Component\\Yaml\\Dumper::__construct",
					    "Twig\\Node\\Node::__construct"};
	struct bg_policy p, q;
	char err[600], *text = NULL;
	size_t len = 0, i;

	(void)state;
	bg_policy_init(&p);
	for (i = 0; i < N(names); i++)
		assert_int_equal(bg_policy_php_add_fn(&p, names[i], NULL), 0);
	assert_int_equal(unit_policy_text(&p, &text, &len, err, sizeof(err)), 0);
	if (bg_policy_parse("php.yaml", text, len, &q, err, sizeof(err)))
		fail_msg("read back: %s\n%s", err, text);
	assert_int_equal(q.php.n_fns, 2);
	for (i = 0; i < N(names); i++)
		assert_string_equal(q.php.fns[i].name, names[i]);
	bg_policy_free(&p);
	bg_policy_free(&q);
	free(text);
}

/* 4096-byte paths (PATH_MAX, with the NUL) in every path section. */
static void test_long(void **state)
{
	struct bg_policy p;
	char *s = malloc(4096);
	size_t i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 4095; i++)
		s[i] = i % 64 == 0 ? '/' : "ab: #\\\"\n"[i % 8];
	s[4095] = 0;
	init_all(&p);
	assert_int_equal(bg_policy_add_file(&p, s, BG_ACC_READ), 0);
	assert_int_equal(bg_policy_add_exec(&p, s), 0);
	assert_int_equal(bg_policy_php_add_file(&p, s), 0);
	roundtrip(&p);
	bg_policy_free(&p);
	free(s);
}

static char *random_name(bool utf8)
{
	static const char special[] = "\\\"': #-?&*!%@`{}[],|>\n\t\r/.~";
	size_t len = rnd() % 4 ? rnd() % 40 : rnd() % 600, i = 0;
	char *s = malloc(len + 5);

	assert_non_null(s);
	while (i < len) {
		switch (rnd() % 5) {
		case 0:
			s[i++] = special[rnd() % (sizeof(special) - 1)];
			break;
		case 1:
			s[i++] = 'a' + rnd() % 26;
			break;
		case 2: /* a random code point, as UTF-8 */
			if (utf8) {
				unsigned cp =
					rnd() % 3 ? 0x80 + rnd() % 0x780 : 0x800 + rnd() % 0xf000;

				if (cp >= 0xd800 && cp <= 0xdfff)
					cp = 0xe9;
				if (cp < 0x800) {
					s[i++] = 0xc0 | cp >> 6;
				} else {
					s[i++] = 0xe0 | cp >> 12;
					s[i++] = 0x80 | ((cp >> 6) & 0x3f);
				}
				s[i++] = 0x80 | (cp & 0x3f);
				break;
			}
			/* fall through */
		default: /* any byte but NUL */
			s[i++] = 1 + rnd() % 255;
			break;
		}
	}
	s[i] = 0;
	return s;
}

/* Random names from a fixed seed: valid UTF-8 ones read back equal; any
 * bytes at all either read back equal or are refused as not UTF-8. */
static void test_random(void **state)
{
	struct bg_policy p;
	size_t round, i, refused = 0, kept = 0;

	(void)state;
	for (round = 0; round < 40; round++) {
		init_all(&p);
		for (i = 0; i < 50; i++) {
			char *s = random_name(true);

			if (bg_utf8_valid(s))
				add_name(&p, s, i);
			free(s);
			add_peer(&p);
		}
		roundtrip(&p);
		bg_policy_free(&p);
	}
	for (round = 0; round < 400; round++) {
		char *s = random_name(false), *text = NULL, err[600];
		size_t len = 0;
		int rc;

		init_all(&p);
		add_name(&p, s, round);
		if (bg_utf8_valid(s)) {
			roundtrip(&p);
			kept++;
		} else {
			rc = unit_policy_text(&p, &text, &len, err, sizeof(err));
			assert_int_equal(rc, -EILSEQ);
			assert_non_null(strstr(err, "is not UTF-8"));
			free(text);
			refused++;
		}
		bg_policy_free(&p);
		free(s);
	}
	/* Both outcomes were tried. */
	assert_true(refused > 10 && kept > 10);
}

/* A name that is not UTF-8 is refused with a message that names it, its bad
 * bytes as \xNN, in whichever section it is. */
static void test_not_utf8(void **state)
{
	struct bg_policy p;
	char err[600], *text = NULL;
	size_t len = 0, i, sec;

	(void)state;
	for (i = 0; i < N(not_utf8); i++) {
		assert_false(bg_utf8_valid(not_utf8[i]));
		for (sec = 0; sec < 4; sec++) {
			char *path = join("/", not_utf8[i]);

			bg_policy_init(&p);
			if (sec == 0)
				bg_policy_add_file(&p, path, BG_ACC_READ);
			else if (sec == 1)
				bg_policy_add_exec(&p, path);
			else if (sec == 2)
				bg_policy_php_add_fn(&p, not_utf8[i], NULL);
			else
				bg_policy_php_add_file(&p, path);
			p.has_exec = p.has_files = true;
			assert_int_equal(unit_policy_text(&p, &text, &len, err, sizeof(err)),
					 -EILSEQ);
			assert_non_null(strstr(err, "cannot be written: it is not UTF-8 text"));
			assert_non_null(strstr(err, "\\x"));
			assert_null(strchr(err, '\n'));
			free(text);
			text = NULL;
			free(path);
			bg_policy_free(&p);
		}
	}
	/* The exact message for a file. */
	bg_policy_init(&p);
	bg_policy_add_file(&p, "/tmp/a\xff\nb", BG_ACC_READ);
	assert_int_equal(unit_policy_text(&p, &text, &len, err, sizeof(err)), -EILSEQ);
	assert_string_equal(err,
			    "file '/tmp/a\\xff\\x0ab' cannot be written: it is not UTF-8 text");
	free(text);
	bg_policy_free(&p);
}

/* The header comment holds argv: no byte in it may end the comment. */
static void test_comment(void **state)
{
	struct bg_policy p, q;
	char err[600], *text = NULL;
	size_t len = 0;

	(void)state;
	bg_policy_init(&p);
	p.comment = strdup("profiled: sh -c \"x\rversion: 2\x85\xff\xe2\x80\xa8\"\nrecorded: now");
	assert_non_null(p.comment);
	assert_int_equal(unit_policy_text(&p, &text, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(text,
			       "# profiled: sh -c \"x\\x0dversion: 2\\x85\\xff\\xe2\\x80\\xa8\"\n"
			       "# recorded: now\n"));
	if (bg_policy_parse("c.yaml", text, len, &q, err, sizeof(err)))
		fail_msg("read back: %s\n%s", err, text);
	bg_policy_free(&p);
	bg_policy_free(&q);
	free(text);
}

/* Output stays readable: plain where it reads back the same, quoted where
 * a reader would take it for something else. */
static void test_style(void **state)
{
	struct bg_policy p;
	char err[600], *text = NULL;
	size_t len = 0;

	(void)state;
	bg_policy_init(&p);
	bg_policy_add_file(&p, "/etc/passwd", BG_ACC_READ);
	bg_policy_add_file(&p, "/tmp/a: b", BG_ACC_READ | BG_ACC_WRITE);
	bg_policy_add_exec(&p, "/usr/bin/x86_64-linux-gnu-gcc-12");
	bg_policy_php_add_fn(&p, "Twig\\Node\\Node::__construct", NULL);
	bg_policy_php_add_file(&p, "null");
	assert_int_equal(unit_policy_text(&p, &text, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(text, "\nfiles:\n- /etc/passwd: r\n- \"/tmp/a: b\": rw\n"));
	assert_non_null(strstr(text, "\nexecutables:\n- /usr/bin/x86_64-linux-gnu-gcc-12\n"));
	assert_non_null(strstr(text, "    \"Twig\\\\Node\\\\Node::__construct\": []\n"));
	assert_non_null(strstr(text, "  files:\n  - \"null\"\n"));
	bg_policy_free(&p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),	 cmocka_unit_test(test_php_namespaces),
		cmocka_unit_test(test_long),	 cmocka_unit_test(test_random),
		cmocka_unit_test(test_not_utf8), cmocka_unit_test(test_comment),
		cmocka_unit_test(test_style),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
