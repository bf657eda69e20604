// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `bpfguard run` on kernels that allow BPF LSM: the file, executable and
 * network allowlists, checked in LSM hooks before the kernel acts.
 *   files        file_open (r, w from f_mode; x from __FMODE_EXEC), path_mknod (O_CREAT
 *                of a new file, mknod, bind of a unix socket), path_unlink, path_mkdir,
 *                path_rmdir, path_rename, path_link, path_symlink, path_truncate,
 *                file_truncate (6.2+: ftruncate and O_TRUNC)
 *   executables  bprm_check_security (once per binary handler round, so a
 *                script's interpreter is checked too)
 *   network      socket_connect, socket_sendmsg (with an address), socket_bind
 * Every hook first asks whether the current task is in the command's cgroup
 * (or below it): other tasks leave after that one cgroup-array lookup.
 * deny: -EPERM; kill: -EPERM and SIGKILL (the call is refused, then the
 * process dies); kill-user: -EPERM, user space kills on the event; alert:
 * the call goes on. Syscalls stay with seccomp: there is no LSM hook per
 * syscall.
 *
 * Paths are built with the same walk as bpf/profile.bpf.c (host view,
 * /proc/<pid>/ written /proc/self/), so a profile matches exactly.
 */
#include "lib/common.bpf.h"
#include "lib/ratelimit.bpf.h"
#include "lib/scope.bpf.h"
#include "lib/netrules.bpf.h"
#include "lib/pathrules.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u8 action = BG_ACT_DENY;
const volatile __u32 rule_files = 0, rule_exec = 0, rule_net = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* set by user space */
	__type(key, struct bg_lsm_path);
	__type(value, __u32);
} exec_rules SEC(".maps");

static __always_inline int refuse(void)
{
	if (action == BG_ACT_ALERT)
		return 0;
	if (action == BG_ACT_KILL)
		bpf_send_signal(SIGKILL);
	return -EPERM;
}

/* A rate-limited event record with header and process filled, or NULL
 * (suppressed and counted, or the ring buffer is full). */
static __always_inline void *event_begin(__u16 type, __u16 size, __u32 rule)
{
	__u8 outcome = action == BG_ACT_ALERT ? BG_OUT_SUCCESS : BG_OUT_FAILURE;
	struct bg_event_hdr *h = bg_rl_event(type, size, action, BG_MECH_LSM, outcome, rule);

	if (!h)
		return NULL;
	bg_fill_proc((struct bg_proc *)(h + 1), &h->flags, false);
	return h;
}

/* The verdict for a file operation outside the policy, with its event. */
static __always_inline int file_verdict(__u16 type, __u32 rule, __u8 op, __u32 acc,
					struct lsm_scratch *s)
{
	struct bg_run_file_event *e = event_begin(type, sizeof(*e), rule);

	if (e) {
		e->access = acc;
		e->op = op;
		e->pad[0] = e->pad[1] = e->pad[2] = 0;
		__builtin_memcpy(e->path, s->key, BG_PATH_MAX);
		bg_submit(e);
	}
	return refuse();
}

SEC("lsm/file_open")
int BPF_PROG(run_file_open, struct file *file, int ret)
{
	struct lsm_scratch *s;
	__u32 need = 0;
	unsigned int mode;

	if (ret || !bg_in_scope())
		return ret;
	s = scratch();
	if (!s)
		return 0;
	path_key(s, &file->f_path);
	normalise_proc(s);
	mode = file->f_mode;
	if (mode & FMODE_READ)
		need |= BG_ACC_READ;
	if (mode & FMODE_WRITE)
		need |= BG_ACC_WRITE;
	/* Opens for execution (execve's file, the ELF interpreter) carry
	 * __FMODE_EXEC in f_flags; f_mode has FMODE_EXEC only on some kernels. */
	if ((mode & FMODE_EXEC) || (file->f_flags & __FMODE_EXEC))
		need |= BG_ACC_EXEC;
	if (bg_file_allowed(s, need, file->f_inode->i_mode, file->f_inode, mode & FMODE_CREATED))
		return 0;
	return file_verdict(BG_EV_RUN_FILE, rule_files, BG_RUN_OP_OPEN, need, s);
}

/*
 * An entry operation below an own-files directory (docs/policy.md): new
 * names may be made (symlinks where the profile saw one made there);
 * an existing name may be removed, renamed or linked, or replaced by a
 * rename or link, only if its inode was created in this run (own_inodes,
 * filled at file_open), or it is a symlink where symlinks are made; an
 * empty directory may be removed. Files already there keep their names'
 * rules.
 */
static __always_inline bool own_op(struct lsm_scratch *s, struct dentry *dentry, __u32 want)
{
	__u32 *own = own_dir(s);
	struct inode *inode;
	unsigned int mode;

	if (!own)
		return false;
	inode = BPF_CORE_READ(dentry, d_inode);
	mode = inode ? BPF_CORE_READ(inode, i_mode) & S_IFMT : 0;
	if (want & (BG_ACC_CREAT | BG_ACC_MKDIR))
		return !inode;
	if (want & BG_ACC_SYMLINK)
		return !inode && (*own & BG_ACC_SYMLINK);
	if (want & BG_ACC_RMDIR)
		return mode == S_IFDIR;
	/* rename-to, link-to: a new name, or one of ours replaced. */
	if (!inode)
		return want & (BG_ACC_RENAME_TO | BG_ACC_LINK_TO) && !(want & BG_ACC_RENAME_FROM);
	if (mode == S_IFLNK && (*own & BG_ACC_SYMLINK))
		return true;
	return own_inode(inode);
}

/* Operations on a name in a directory: allowed if the name is in the policy
 * with every word of `want` (the operations profile recorded on that name),
 * or, when dir_ok, the directory itself is in the policy as created or
 * written (c or w), or the name is in an own-files directory (own_op). dir_ok
 * follows what Landlock grants for such a directory (MAKE_REG, MAKE_DIR,
 * REMOVE_FILE): not symlinks or special nodes, which need their name. */
static __always_inline int dir_op(const struct path *dir, struct dentry *dentry, __u8 op,
				  __u32 want, bool dir_ok)
{
	struct lsm_scratch *s;
	__u32 len, *v;

	s = scratch();
	if (!s)
		return 0;
	len = path_key(s, dir);
	append_name(s, len, dentry);
	normalise_proc(s);
	v = bpf_map_lookup_elem(&file_rules, s->key);
	if (v && (*v & want) == want)
		return 0;
	if (dir_ok && dir_writable(parent_rule(s)))
		return 0;
	if (own_op(s, dentry, want))
		return 0;
	return file_verdict(BG_EV_RUN_FILE, rule_files, op, want, s);
}

/* A regular file (O_CREAT, mknod of type 0 or S_IFREG) is `create`; other
 * nodes have a word each, as Landlock has a right each. */
SEC("lsm/path_mknod")
int BPF_PROG(run_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	__u32 want;

	if (ret || !bg_in_scope())
		return ret;
	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
		return dir_op(dir, dentry, BG_RUN_OP_CREATE, BG_ACC_CREAT, true);
	case S_IFIFO:
		want = BG_ACC_MKFIFO;
		break;
	case S_IFSOCK:
		want = BG_ACC_MKSOCK;
		break;
	case S_IFCHR:
		want = BG_ACC_MKCHAR;
		break;
	default:
		want = BG_ACC_MKBLOCK;
	}
	return dir_op(dir, dentry, BG_RUN_OP_MKNOD, want, false);
}

SEC("lsm/path_mkdir")
int BPF_PROG(run_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return dir_op(dir, dentry, BG_RUN_OP_MKDIR, BG_ACC_MKDIR, true);
}

SEC("lsm/path_unlink")
int BPF_PROG(run_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return dir_op(dir, dentry, BG_RUN_OP_UNLINK, BG_ACC_REMOVE, true);
}

/* Both names: the old one as rename-from, the new one as rename-to; with
 * RENAME_EXCHANGE each name is removed and made, so each needs both. */
SEC("lsm/path_rename")
int BPF_PROG(run_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	__u32 from = BG_ACC_RENAME_FROM, to = BG_ACC_RENAME_TO;

	if (ret || !bg_in_scope())
		return ret;
	if (flags & RENAME_EXCHANGE)
		from = to = BG_ACC_RENAME_FROM | BG_ACC_RENAME_TO;
	ret = dir_op(old_dir, old_dentry, BG_RUN_OP_RENAME, from, true);
	if (ret)
		return ret;
	return dir_op(new_dir, new_dentry, BG_RUN_OP_RENAME, to, true);
}

/*
 * A hard link makes a file reachable by a new name, whose rule then holds
 * its opens: the existing name must be listed with link-from (so no file
 * outside the policy can be linked under a granted name), the new one with
 * link-to. A link stays on one mount (EXDEV otherwise), so the old name's
 * path is new_dir's mount with old_dentry.
 */
SEC("lsm/path_link")
int BPF_PROG(run_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	struct lsm_scratch *s;
	struct path old = {};
	__u32 *v;

	if (ret || !bg_in_scope())
		return ret;
	s = scratch();
	if (!s)
		return 0;
	old.mnt = new_dir->mnt;
	old.dentry = old_dentry;
	path_key(s, &old);
	normalise_proc(s);
	v = bpf_map_lookup_elem(&file_rules, s->key);
	if (!(v && (*v & BG_ACC_LINK_FROM)) && !dir_writable(parent_rule(s)) &&
	    !own_op(s, old_dentry, BG_ACC_LINK_FROM))
		return file_verdict(BG_EV_RUN_FILE, rule_files, BG_RUN_OP_LINK, BG_ACC_LINK_FROM,
				    s);
	return dir_op(new_dir, new_dentry, BG_RUN_OP_LINK, BG_ACC_LINK_TO, true);
}

SEC("lsm/path_symlink")
int BPF_PROG(run_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return dir_op(dir, dentry, BG_RUN_OP_SYMLINK, BG_ACC_SYMLINK, false);
}

/* Truncation of an existing file: `truncate`, or `write` (an open for
 * writing may always cut the file, as Landlock's TRUNCATE goes with write),
 * or a file in a directory created or written in (as file_open). */
static __always_inline int truncate_check(const struct path *p)
{
	struct lsm_scratch *s = scratch();
	__u32 *v;

	if (!s)
		return 0;
	path_key(s, p);
	normalise_proc(s);
	v = bpf_map_lookup_elem(&file_rules, s->key);
	if (v && (*v & (BG_ACC_TRUNC | BG_ACC_WRITE)))
		return 0;
	if (!v && dir_writable(parent_rule(s)))
		return 0;
	if (own_dir(s) && own_inode(BPF_CORE_READ(p, dentry, d_inode)))
		return 0;
	return file_verdict(BG_EV_RUN_FILE, rule_files, BG_RUN_OP_TRUNCATE, BG_ACC_TRUNC, s);
}

/* truncate(2); before 6.2 also ftruncate and O_TRUNC. */
SEC("lsm/path_truncate")
int BPF_PROG(run_path_truncate, const struct path *path, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return truncate_check(path);
}

/* 6.2+: ftruncate and O_TRUNC come here instead (autoload off before). */
SEC("lsm/file_truncate")
int BPF_PROG(run_file_truncate, struct file *file, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return truncate_check(&file->f_path);
}

SEC("lsm/path_rmdir")
int BPF_PROG(run_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return dir_op(dir, dentry, BG_RUN_OP_RMDIR, BG_ACC_RMDIR, true);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(run_bprm_check, struct linux_binprm *bprm, int ret)
{
	struct lsm_scratch *s;

	if (ret || !bg_in_scope())
		return ret;
	/* A script: its interpreter comes through here next, and is checked;
	 * the policy lists the programs that ran (as profile records them). */
	if (bprm->buf[0] == '#' && bprm->buf[1] == '!')
		return 0;
	s = scratch();
	if (!s)
		return 0;
	path_key(s, &bprm->file->f_path);
	if (bpf_map_lookup_elem(&exec_rules, s->key))
		return 0;
	return file_verdict(BG_EV_RUN_EXEC, rule_exec, BG_RUN_OP_EXEC, BG_ACC_EXECVE, s);
}

/* An inet sockaddr in kernel memory into m; false for other families. */
static __always_inline bool read_sockaddr(struct bg_net_match *m, const void *sa, __u8 op)
{
	__u8 buf[24];

	if (!sa || bpf_probe_read_kernel(buf, sizeof(buf), sa))
		return false;
	m->op = op;
	m->family = *(__u16 *)&buf[0];
	m->port = bpf_ntohs(*(__u16 *)&buf[2]);
	if (m->family == AF_INET)
		__builtin_memcpy(m->addr, &buf[4], 4);
	else if (m->family == AF_INET6)
		bpf_probe_read_kernel(m->addr, 16, sa + 8);
	else
		return false;
	return true;
}

static __always_inline int net_check(struct socket *sock, const void *sa, __u8 op)
{
	struct bg_net_match m = {};
	struct bg_net_event *e;

	if (!read_sockaddr(&m, sa, op) || bg_net_allowed(&m))
		return 0;
	e = event_begin(BG_EV_NET, sizeof(*e), rule_net);
	if (e) {
		e->family = m.family;
		e->port = m.port;
		e->op = op;
		e->protocol = BPF_CORE_READ(sock, sk, sk_protocol);
		e->pad[0] = e->pad[1] = 0;
		__builtin_memcpy(e->addr, m.addr, 16);
		bg_submit(e);
	}
	return refuse();
}

SEC("lsm/socket_connect")
int BPF_PROG(run_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return net_check(sock, address, BG_NET_CONNECT);
}

SEC("lsm/socket_bind")
int BPF_PROG(run_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	return net_check(sock, address, BG_NET_BIND);
}

/* sendto/sendmsg with a destination; a stream socket ignores it (its peer
 * was checked at connect), as the cgroup sendmsg hooks do. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(run_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret || !bg_in_scope())
		return ret;
	if (sock->type == SOCK_STREAM)
		return 0;
	return net_check(sock, msg->msg_name, BG_NET_SENDTO);
}
