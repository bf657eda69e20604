// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The disassembler and the ELF reader: every instruction class, the
 * ld_imm64 forms, labels, newer encodings, and malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "disasm/disasm.h"
#include "disasm/elf.h"

#define I(c, d, s, o, i)                                                                           \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* Text of one instruction (first slot of insns), no resolver. */
static const char *one(struct bg_buf *b, const struct bpf_insn *insns, size_t n)
{
	struct bg_dis_prog p = {insns, n, NULL, NULL, false};
	struct bg_dis_insn d;

	b->len = 0;
	assert_true(bg_dis_decode(insns, n, 0, &d) > 0);
	bg_dis_format(&p, &d, NULL, NULL, b);
	bg_buf_putc(b, 0);
	return b->p;
}

#define EXPECT1(txt, ...)                                                                          \
	do {                                                                                       \
		struct bpf_insn in_[] = {__VA_ARGS__};                                             \
		assert_string_equal(one(&b, in_, sizeof(in_) / sizeof(in_[0])), txt);              \
	} while (0)

static void test_alu(void **state)
{
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	EXPECT1("r1 += r2", I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0));
	EXPECT1("w1 -= 5", I(BPF_ALU | BPF_SUB | BPF_K, 1, 0, 0, 5));
	EXPECT1("r0 = -7", I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -7));
	EXPECT1("w3 = w4", I(BPF_ALU | BPF_MOV | BPF_X, 3, 4, 0, 0));
	EXPECT1("r1 s>>= 3", I(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 3));
	EXPECT1("r2 = -r2", I(BPF_ALU64 | BPF_NEG, 2, 0, 0, 0));
	EXPECT1("r1 %= r3", I(BPF_ALU64 | BPF_MOD | BPF_X, 1, 3, 0, 0));
	/* cpu v4: signed division and modulo, sign-extending moves. */
	EXPECT1("r1 s/= r3", I(BPF_ALU64 | BPF_DIV | BPF_X, 1, 3, 1, 0));
	EXPECT1("w1 s%= 7", I(BPF_ALU | BPF_MOD | BPF_K, 1, 0, 1, 7));
	EXPECT1("r1 = (s8)r2", I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 8, 0));
	EXPECT1("w1 = (s16)w2", I(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 16, 0));
	EXPECT1("r0 = &(void __percpu *)(r0)", I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, -1, 0));
	/* Endianness: le/be in the ALU class, bswap in ALU64. */
	EXPECT1("r1 = be16 r1", I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16));
	EXPECT1("r1 = le64 r1", I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 64));
	EXPECT1("r1 = bswap32 r1", I(BPF_ALU64 | BPF_END, 1, 0, 0, 32));
	bg_buf_free(&b);
}

static void test_mem(void **state)
{
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	EXPECT1("r1 = *(u64 *)(r1 +0)", I(BPF_LDX | BPF_MEM | BPF_DW, 1, 1, 0, 0));
	EXPECT1("r2 = *(s16 *)(r3 -6)", I(BPF_LDX | 0x80 | BPF_H, 2, 3, -6, 0));
	EXPECT1("*(u32 *)(r10 -4) = 42", I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 42));
	EXPECT1("*(u8 *)(r1 +3) = r2", I(BPF_STX | BPF_MEM | BPF_B, 1, 2, 3, 0));
	EXPECT1("r0 = *(u16 *)skb[12]", I(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12));
	EXPECT1("r0 = *(u8 *)skb[r7 + 2]", I(BPF_LD | BPF_IND | BPF_B, 0, 7, 0, 2));
	/* Atomics. */
	EXPECT1("lock *(u64 *)(r1 +8) += r2", I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 8, BPF_ADD));
	EXPECT1("lock *(u32 *)(r1 +0) |= r2", I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_OR));
	EXPECT1("r2 = atomic64_fetch_xor((u64 *)(r1 +0), r2)",
		I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_XOR | BPF_FETCH));
	EXPECT1("r2 = atomic_xchg((u32 *)(r1 -4), r2)",
		I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, -4, BPF_XCHG));
	EXPECT1("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)",
		I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 3, 0, BPF_CMPXCHG));
	EXPECT1("r0 = load_acquire((u8 *)(r1 +0))",
		I(BPF_STX | BPF_ATOMIC | BPF_B, 0, 1, 0, 0x100));
	EXPECT1("store_release((u64 *)(r1 +0), r2)",
		I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x110));
	bg_buf_free(&b);
}

static void test_ld_imm64(void **state)
{
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	EXPECT1("r1 = 0x1122334455667788", I(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x55667788),
		I(0, 0, 0, 0, 0x11223344));
	EXPECT1("r1 = map[fd:5]", I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 5),
		I(0, 0, 0, 0, 0));
	EXPECT1("r2 = map[fd:5][0]+16", I(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_VALUE, 0, 5),
		I(0, 0, 0, 0, 16));
	EXPECT1("r3 = btf_id(1234)", I(BPF_LD | BPF_IMM | BPF_DW, 3, BPF_PSEUDO_BTF_ID, 0, 1234),
		I(0, 0, 0, 0, 0));
	EXPECT1("r1 = map[idx:2]+8",
		I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX_VALUE, 0, 2), I(0, 0, 0, 0, 8));
	EXPECT1("r2 = func pc+3", I(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 3),
		I(0, 0, 0, 0, 0));
	bg_buf_free(&b);
}

/* A small program: labels for jump targets, calls of every kind. */
static void test_program_labels(void **state)
{
	const struct bpf_insn prog[] = {
		I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),		  /* 0 */
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2, 0),		  /* 1: -> 4 */
		I(BPF_JMP32 | BPF_JGT | BPF_X, 1, 2, 1, 0),		  /* 2: -> 4 */
		I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem), /* 3 */
		I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 3),	  /* 4: -> 8 */
		I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 77),	  /* 5 */
		I(BPF_JMP32 | BPF_JA, 0, 0, 0, -7),			  /* 6: gotol -> 0 */
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),			  /* 7 */
		I(BPF_JMP | 0xe0, 0, 0, -2, 0),				  /* 8: may_goto -> 7 */
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),			  /* 9 */
	};
	struct bg_dis_prog p = {prog, 10, NULL, NULL, false};
	struct bg_helper_hist h;
	struct bg_buf b;

	(void)state;
	bg_buf_init(&b);
	assert_int_equal(bg_dis_text(&p, &b), 0);
	bg_buf_putc(&b, 0);
	assert_non_null(strstr(b.p, "L1:\n     0: (b7) r0 = 0\n"));
	assert_non_null(strstr(b.p, "     1: (15) if r1 == 0x0 goto L2\n"));
	assert_non_null(strstr(b.p, "     2: (2e) if w1 > w2 goto L2\n"));
	assert_non_null(strstr(b.p, "     3: (85) call bpf_map_lookup_elem#1\n"));
	assert_non_null(strstr(b.p, "L2:\n     4: (85) call L4\n"));
	assert_non_null(strstr(b.p, "     5: (85) call kfunc#77\n"));
	assert_non_null(strstr(b.p, "     6: (06) gotol L1\n"));
	assert_non_null(strstr(b.p, "L3:\n     7: (95) exit\nL4:\n"));
	assert_non_null(strstr(b.p, "     8: (e5) may_goto L3\n"));
	bg_dis_helper_hist(&p, &h);
	assert_int_equal(h.total, 1);
	assert_int_equal(h.counts[BPF_FUNC_map_lookup_elem], 1);
	assert_int_equal(h.kfuncs, 1);
	assert_int_equal(h.func_calls, 1);
	bg_buf_free(&b);
}

static void test_json(void **state)
{
	const struct bpf_insn prog[] = {
		I(BPF_JMP | BPF_JA, 0, 0, 1, 0),
		I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_trace_printk),
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct bg_dis_prog p = {prog, 3, NULL, NULL, false};
	struct bg_buf b;
	struct bg_json j;

	(void)state;
	bg_buf_init(&b);
	bg_json_init(&j, &b);
	assert_int_equal(bg_dis_json(&p, &j), 0);
	bg_buf_putc(&b, 0);
	assert_non_null(
		strstr(b.p, "{\"idx\":0,\"code\":5,\"class\":\"jmp\",\"kind\":\"goto\",\"dst\":0,"
			    "\"src\":0,\"off\":1,\"imm\":0,\"target\":2,\"target_label\":\"L1\","
			    "\"text\":\"goto L1\"}"));
	assert_non_null(strstr(b.p, "\"helper_id\":6,\"helper\":\"trace_printk\""));
	bg_buf_free(&b);
}

static void test_helper_names(void **state)
{
	(void)state;
	assert_string_equal(bg_helper_name(1), "map_lookup_elem");
	assert_null(bg_helper_name(-1));
	assert_null(bg_helper_name(100000));
	assert_int_equal(bg_helper_id("bpf_ringbuf_reserve"), BPF_FUNC_ringbuf_reserve);
	assert_int_equal(bg_helper_id_from_symbol("bpf_get_current_task_btf"),
			 BPF_FUNC_get_current_task_btf);
	assert_int_equal(bg_helper_id_from_symbol("bpf_perf_event_output_tp"),
			 BPF_FUNC_perf_event_output);
	assert_int_equal(bg_helper_id_from_symbol("bpf_probe_read_compat_str"),
			 BPF_FUNC_probe_read_str);
	assert_int_equal(bg_helper_id_from_symbol("__htab_map_lookup_elem"),
			 BPF_FUNC_map_lookup_elem);
	assert_int_equal(bg_helper_id_from_symbol("htab_lru_map_update_elem"),
			 BPF_FUNC_map_update_elem);
	assert_int_equal(bg_helper_id_from_symbol("dev_map_redirect"), BPF_FUNC_redirect_map);
	assert_int_equal(bg_helper_id_from_symbol("schedule"), -1);
	assert_int_equal(bg_helper_id_from_symbol(NULL), -1);
}

struct strs {
	char got[8][64];
	int n;
};

static void collect(void *priv, const char *s, size_t len, size_t where)
{
	struct strs *st = priv;

	(void)where;
	if (st->n < 8 && len < 64) {
		memcpy(st->got[st->n], s, len);
		st->got[st->n++][len] = 0;
	}
}

static void test_stack_strings(void **state)
{
	/* "pamspy!" built with an ld_imm64 + STX and an ST of "/etc". */
	const struct bpf_insn prog[] = {
		I(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x736d6170),
		I(0, 0, 0, 0, 0x00217970),
		I(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -16, 0),
		I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -24, 0x6374652f),
		I(BPF_JMP | BPF_CALL, 0, 0, 0, 6),
		I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0x00414141), /* "AAA": too short */
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	const uint8_t data[] = "\x01\x02hello world\0ab\0\xffsecret-key";
	struct strs st = {0};

	(void)state;
	bg_dis_stack_strings(prog, 7, 4, collect, &st);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.got[0], "/etc");
	assert_string_equal(st.got[1], "pamspy!");
	memset(&st, 0, sizeof(st));
	bg_data_strings(data, sizeof(data) - 1, 4, collect, &st);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.got[0], "hello world");
	assert_string_equal(st.got[1], "secret-key");
}

static void test_malformed_insns(void **state)
{
	const struct bpf_insn trunc[] = {I(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1)};
	const struct bpf_insn badhi[] = {I(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1),
					 I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1)};
	const struct bpf_insn outside[] = {I(BPF_JMP | BPF_JA, 0, 0, 100, 0),
					   I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
	const struct bpf_insn weird[] = {I(BPF_ALU64 | 0xe0, 1, 0, 0, 0),
					 I(BPF_JMP | 0xf0, 0, 0, 0, 0),
					 I(BPF_LDX | BPF_ABS | BPF_W, 1, 2, 0, 0),
					 I(BPF_ALU64 | BPF_ADD | BPF_X, 12, 1, 0, 0),
					 I(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1),
					 I(BPF_ALU | BPF_END, 1, 0, 0, 17)};
	struct bg_dis_prog p = {trunc, 1, NULL, NULL, false};
	struct bg_dis_insn d;
	struct bg_buf b;
	size_t i;

	(void)state;
	bg_buf_init(&b);
	assert_int_equal(bg_dis_decode(trunc, 1, 0, &d), 1);
	assert_int_equal(d.kind, BG_DIS_INVALID);
	assert_int_equal(bg_dis_decode(trunc, 1, 1, &d), -EINVAL);
	assert_int_equal(bg_dis_text(&p, &b), -EINVAL);
	bg_buf_putc(&b, 0);
	assert_non_null(strstr(b.p, "invalid (ld_imm64 truncated: no second slot)"));
	assert_int_equal(bg_dis_decode(badhi, 2, 0, &d), 2);
	assert_int_equal(d.kind, BG_DIS_INVALID);
	p = (struct bg_dis_prog){outside, 2, NULL, NULL, false};
	b.len = 0;
	assert_int_equal(bg_dis_text(&p, &b), -EINVAL);
	bg_buf_putc(&b, 0);
	assert_non_null(strstr(b.p, "goto pc+100  ; target outside the program"));
	for (i = 0; i < sizeof(weird) / sizeof(weird[0]); i++) {
		assert_int_equal(bg_dis_decode(weird, 6, i, &d), 1);
		assert_int_equal(d.kind, BG_DIS_INVALID);
	}
	bg_buf_free(&b);
}

/* A minimal valid BPF ELF: null, .shstrtab, one code section. */
static size_t mini_elf(uint8_t *buf, size_t cap)
{
	static const char names[] = "\0.shstrtab\0prog\0";
	const struct bpf_insn code[] = {I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
					I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
	Elf64_Ehdr eh = {0};
	Elf64_Shdr sh[3] = {0};
	size_t off = sizeof(eh);

	assert_true(cap >= 512);
	memset(buf, 0, cap);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = 247;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;
	memcpy(buf + off, names, sizeof(names));
	sh[1] = (Elf64_Shdr){
		.sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = off, .sh_size = sizeof(names)};
	off += 32;
	memcpy(buf + off, code, sizeof(code));
	sh[2] = (Elf64_Shdr){.sh_name = 11,
			     .sh_type = SHT_PROGBITS,
			     .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
			     .sh_offset = off,
			     .sh_size = sizeof(code)};
	off += sizeof(code);
	eh.e_shoff = off;
	memcpy(buf + off, sh, sizeof(sh));
	off += sizeof(sh);
	memcpy(buf, &eh, sizeof(eh));
	return off;
}

static void test_elf(void **state)
{
	uint8_t buf[512], bad[512];
	struct bg_elf e;
	size_t len = mini_elf(buf, sizeof(buf)), k;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;

	(void)state;
	assert_int_equal(bg_elf_open_mem(&e, buf, len), 0);
	assert_int_equal(e.nsecs, 3);
	assert_int_equal(bg_elf_find_sec(&e, "prog"), 2);
	assert_true(bg_elf_is_code(&e, 2));
	bg_elf_close(&e);

	/* Every truncation is an error, never a crash. */
	for (k = 0; k < len; k++) {
		assert_int_equal(bg_elf_open_mem(&e, buf, k), -EINVAL);
		assert_true(e.err[0] != 0);
		bg_elf_close(&e);
	}
	/* A section past the end of the file. */
	memcpy(bad, buf, len);
	memcpy(&eh, bad, sizeof(eh));
	memcpy(&sh, bad + eh.e_shoff + 2 * sizeof(sh), sizeof(sh));
	sh.sh_size = 0xffffffffffff0000ULL;
	memcpy(bad + eh.e_shoff + 2 * sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(bg_elf_open_mem(&e, bad, len), -EINVAL);
	assert_non_null(strstr(e.err, "extends past the end of the file"));
	bg_elf_close(&e);
	/* A name index outside the name table. */
	memcpy(bad, buf, len);
	sh.sh_size = 16;
	sh.sh_name = 9999;
	memcpy(bad + eh.e_shoff + 2 * sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(bg_elf_open_mem(&e, bad, len), -EINVAL);
	assert_non_null(strstr(e.err, "name index 9999"));
	bg_elf_close(&e);
	/* Wrong machine, wrong class. */
	memcpy(bad, buf, len);
	bad[offsetof(Elf64_Ehdr, e_machine)] = 62;
	assert_int_equal(bg_elf_open_mem(&e, bad, len), -EINVAL);
	assert_non_null(strstr(e.err, "not a BPF object"));
	bg_elf_close(&e);
	memcpy(bad, buf, len);
	bad[EI_CLASS] = ELFCLASS32;
	assert_int_equal(bg_elf_open_mem(&e, bad, len), -EINVAL);
	assert_non_null(strstr(e.err, "64-bit"));
	bg_elf_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu),	      cmocka_unit_test(test_mem),
		cmocka_unit_test(test_ld_imm64),      cmocka_unit_test(test_program_labels),
		cmocka_unit_test(test_json),	      cmocka_unit_test(test_helper_names),
		cmocka_unit_test(test_stack_strings), cmocka_unit_test(test_malformed_insns),
		cmocka_unit_test(test_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
