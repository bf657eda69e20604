// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Container identity from cgroup paths, shaped exactly as each runtime
 * makes them (systemd and cgroupfs drivers, rootful and rootless). Only
 * podman (with runc, cgroupfs driver) runs on the test host: the
 * integration test agent_container.sh checks that one with a real
 * container; the others are checked here on their paths alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "events/container.h"

#define ID  "3f4a9e8d2c1b0a9f8e7d6c5b4a3928171615141312111009f8e7d6c5b4a39281"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct shape {
	const char *path;
	enum bg_runtime rt;
	const char *id;
};

static const struct shape shapes[] = {
	/* docker, systemd cgroup driver (the default on systemd hosts) */
	{"/system.slice/docker-" ID ".scope", BG_RT_DOCKER, ID},
	/* docker, cgroupfs driver */
	{"/docker/" ID, BG_RT_DOCKER, ID},
	/* docker rootless */
	{"/user.slice/user-1000.slice/user@1000.service/docker-" ID ".scope", BG_RT_DOCKER, ID},
	/* docker-in-docker: the innermost container */
	{"/docker/" ID2 "/docker/" ID, BG_RT_DOCKER, ID},
	/* Kubernetes + containerd, systemd driver */
	{"/kubepods.slice/kubepods-burstable.slice/"
	 "kubepods-burstable-pod1c2d3e4f_5a6b_7c8d_9e0f_a1b2c3d4e5f6.slice/cri-containerd-" ID
	 ".scope",
	 BG_RT_CONTAINERD, ID},
	/* Kubernetes + containerd, cgroupfs driver */
	{"/kubepods/besteffort/pod1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6/" ID, BG_RT_CONTAINERD, ID},
	/* Kubernetes + CRI-O, systemd driver */
	{"/kubepods.slice/kubepods-pod1c2d3e4f_5a6b.slice/crio-" ID ".scope", BG_RT_CRIO, ID},
	/* CRI-O, cgroupfs driver */
	{"/kubepods/burstable/pod1c2d/crio-" ID, BG_RT_CRIO, ID},
	/* podman rootful, systemd driver; with the container leaf */
	{"/machine.slice/libpod-" ID ".scope", BG_RT_PODMAN, ID},
	{"/machine.slice/libpod-" ID ".scope/container", BG_RT_PODMAN, ID},
	/* podman rootless */
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	 BG_RT_PODMAN, ID},
	/* podman, cgroupfs driver: what podman 4.3 + runc made on the test host */
	{"/libpod_parent/libpod-" ID, BG_RT_PODMAN, ID},
	/* systemd-nspawn started by machinectl / by hand */
	{"/machine.slice/systemd-nspawn@debian.service/payload", BG_RT_NSPAWN, "debian"},
	{"/machine.slice/systemd-nspawn@web1.service", BG_RT_NSPAWN, "web1"},
	{"/machine.slice/machine-debian.scope/payload/system.slice/cron.service", BG_RT_NSPAWN,
	 "debian"},
};

static const char *const not_containers[] = {
	"/",
	"/user.slice/user-0.slice/session-3.scope",
	"/system.slice/docker.service",		     /* the daemon itself */
	"/machine.slice/libpod-conmon-" ID ".scope", /* podman's monitor */
	"/kubepods.slice/crio-conmon-" ID ".scope",
	"/system.slice/docker-" ID "0.scope", /* 65 digits */
	"/system.slice/"
	"docker-3F4A9E8D2C1B0A9F8E7D6C5B4A3928171615141312111009F8E7D6C5B4A39281.scope",
	"/" ID,						  /* a bare id under no runtime's parent */
	"/machine.slice/machine-qemu\\x2d1\\x2dvm.scope", /* libvirt's VM */
	"/machine-debian.scope",			  /* not under machine.slice */
	"",
};

static void test_runtime_shapes(void **state)
{
	struct bg_container c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		bool ok = bg_container_parse(shapes[i].path, &c);

		if (!ok || c.runtime != shapes[i].rt || strcmp(c.id, shapes[i].id))
			fail_msg("%s: got %d %s %s, want %s %s", shapes[i].path, ok,
				 bg_runtime_name(c.runtime), c.id, bg_runtime_name(shapes[i].rt),
				 shapes[i].id);
	}
}

static void test_not_containers(void **state)
{
	struct bg_container c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(not_containers) / sizeof(not_containers[0]); i++)
		if (bg_container_parse(not_containers[i], &c))
			fail_msg("%s: taken for %s %s", not_containers[i],
				 bg_runtime_name(c.runtime), c.id);
}

static void test_runtime_names(void **state)
{
	(void)state;
	assert_string_equal(bg_runtime_name(BG_RT_CRIO), "cri-o");
	assert_string_equal(bg_runtime_name(BG_RT_NSPAWN), "systemd-nspawn");
	assert_string_equal(bg_runtime_name((enum bg_runtime)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_shapes),
		cmocka_unit_test(test_not_containers),
		cmocka_unit_test(test_runtime_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
