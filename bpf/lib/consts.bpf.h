/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BG_CONSTS_BPF_H
#define BG_CONSTS_BPF_H

/*
 * The uapi constants BPF programs use that vmlinux.h (types only) does
 * not carry: one place, not one copy per program.
 */
#define SIGKILL 9
#define EPERM	1 /* not 13: that is EACCES */
#define EACCES	13

#define AF_UNIX	    1
#define AF_INET	    2
#define AF_INET6    10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define ETH_P_IP     0x0800
#define ETH_P_IPV6   0x86DD
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88A8

#define O_ACCMODE 00000003
#define O_WRONLY  00000001
#define O_RDWR	  00000002
#define O_CREAT	  00000100
#define O_TRUNC	  00001000

#define FMODE_READ   0x1
#define FMODE_WRITE  0x2
#define FMODE_EXEC   0x20
#define __FMODE_EXEC 0x20 /* in f_flags */

#define S_IFMT	 00170000
#define S_IFSOCK 0140000
#define S_IFLNK	 0120000
#define S_IFREG	 0100000
#define S_IFBLK	 0060000
#define S_IFDIR	 0040000
#define S_IFCHR	 0020000
#define S_IFIFO	 0010000

#define AT_FDCWD	-100
#define AT_REMOVEDIR	0x200
#define RENAME_EXCHANGE 2

#define X32_BIT 0x40000000 /* __X32_SYSCALL_BIT: an x32 call's number */

#endif
