// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "core/sys.h"

const char *bg_errno_name(int err)
{
	const char *n;

	if (err < 0)
		err = -err;
	n = strerrorname_np(err);
	return n ? n : "E?";
}

static int ppid_of(pid_t pid)
{
	char path[64], buf[512], *r;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (bg_read_file(path, buf, sizeof(buf)))
		return -1;
	/* "pid (comm) state ppid": comm may hold spaces and parentheses. */
	r = strrchr(buf, ')');
	if (!r || sscanf(r + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

int bg_mntns_private(void)
{
	struct stat self, st;
	char path[64];
	int pid, steps;

	if (stat("/proc/self/ns/mnt", &self))
		return -errno;
	/* An ancestor we may not inspect (PID 1 often is one) is skipped:
	 * the question is only whether the namespace was made below it. */
	for (pid = getppid(), steps = 0; pid > 0 && steps < 256; pid = ppid_of(pid), steps++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		if (stat(path, &st))
			continue;
		if (st.st_ino != self.st_ino || st.st_dev != self.st_dev)
			return 1;
	}
	return 0;
}

int bg_netns_name(char *name, size_t len)
{
	struct stat self, st;
	char path[PATH_MAX];
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	if (stat("/proc/self/ns/net", &self))
		return -errno;
	d = opendir("/run/netns");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (size_t)snprintf(path, sizeof(path), "/run/netns/%s",
							     de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &st) || st.st_ino != self.st_ino || st.st_dev != self.st_dev)
			continue;
		err = (size_t)snprintf(name, len, "%s", de->d_name) >= len ? -ENAMETOOLONG : 0;
		break;
	}
	closedir(d);
	return err;
}

int bg_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* mountinfo: "id parent major:minor root mountpoint opts ... - fstype source superopts" */
int bg_find_mount(const char *fstype, char *path, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096], type[64];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		if (strcmp(type, fstype))
			continue;
		if (strlen(mnt) >= len) {
			err = -ENAMETOOLONG;
			break;
		}
		/* mountinfo escapes spaces as \040; our mount points have none,
		 * and a path with escapes is reported as found but unusable. */
		strcpy(path, mnt);
		err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

int bg_ensure_mount(const char *fstype, const char *where, char *path, size_t len)
{
	if (!bg_find_mount(fstype, path, len))
		return 0;
	if (strlen(where) >= len)
		return -ENAMETOOLONG;
	if (mkdir(where, 0755) && errno != EEXIST)
		return -errno;
	if (mount(fstype, where, fstype, 0, NULL))
		return -errno;
	strcpy(path, where);
	return 0;
}

/* Append one rtattr; returns a pointer to it (for nesting) or NULL. */
static struct rtattr *nl_attr(struct nlmsghdr *nh, size_t cap, int type, const void *data,
			      size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > cap)
		return NULL;
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
	return rta;
}

static void nl_nest_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

int bg_nl_veth_create(const char *name, const char *peer)
{
	/* One flat buffer: the message grows attribute by attribute. */
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} req;
	struct ifinfomsg *ifi = NLMSG_DATA(&req.nh);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct rtattr *linkinfo, *data, *peerinfo;
	struct ifinfomsg peer_ifi = {.ifi_family = AF_UNSPEC};
	char reply[1024];
	struct nlmsghdr *rh = (struct nlmsghdr *)reply;
	ssize_t n;
	int fd, err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	ifi->ifi_family = AF_UNSPEC;
	if (!nl_attr(&req.nh, sizeof(req), IFLA_IFNAME, name, strlen(name) + 1))
		return -E2BIG;
	linkinfo = nl_attr(&req.nh, sizeof(req), IFLA_LINKINFO, NULL, 0);
	if (!linkinfo || !nl_attr(&req.nh, sizeof(req), IFLA_INFO_KIND, "veth", 5))
		return -E2BIG;
	data = nl_attr(&req.nh, sizeof(req), IFLA_INFO_DATA, NULL, 0);
	if (!data)
		return -E2BIG;
	peerinfo = nl_attr(&req.nh, sizeof(req), VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	if (!peerinfo || !nl_attr(&req.nh, sizeof(req), IFLA_IFNAME, peer, strlen(peer) + 1))
		return -E2BIG;
	nl_nest_end(&req.nh, peerinfo);
	nl_nest_end(&req.nh, data);
	nl_nest_end(&req.nh, linkinfo);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto cleanup;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n < 0) {
		err = -errno;
		goto cleanup;
	}
	err = -EPROTO;
	if ((size_t)n >= sizeof(struct nlmsghdr) && rh->nlmsg_type == NLMSG_ERROR &&
	    (size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		err = ((struct nlmsgerr *)NLMSG_DATA(rh))->error;
cleanup:
	close(fd);
	return err;
}
