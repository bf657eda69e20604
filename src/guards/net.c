// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * XDP ingress filter, user half of bpf/xdp.bpf.c: the `network:` section
 * of the agent config, attach/detach with maps pinned under
 * <bpffs>/bpfguard/net/<ifname>/, and `bpfguard net`, which changes rules
 * in place through those pins without reloading the program.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpfguard/events.h>

#include "core/cli.h"
#include "core/commands.h"
#include "events/format.h"
#include "events/json.h"
#include "events/ring.h"
#include "core/log.h"
#include "guards/net.h"
#include "core/guard.h"
#include "policy/yaml.h"
#include "core/probe.h"
#include "core/sys.h"
#include "xdp.skel.h"

/* The pinned maps, by file name under the pin directory. */
enum {
	M_CFG,
	M_ALLOW4,
	M_ALLOW6,
	M_DENY4,
	M_DENY6,
	M_PORTS,
	M_COUNTERS,
	M_RULE_HITS,
	M_SRC16,
	M_SRC24,
	M_LONG24, /* optional: pins made before it existed lack it */
	M_N,
};

static const char *const map_pins[M_N] = {
	"cfg",	    "allow4",	 "allow6", "deny4", "deny6",  "ports",
	"counters", "rule_hits", "src16",  "src24", "long24",
};

#define LINK_PIN "link"
/* A pin directory: the root plus an interface or directory name. */
#define DIR_MAX (PATH_MAX + 320)

struct net_maps {
	int fd[M_N];
	unsigned int max_rules;
};

static const char *const reason_names[BG_NET_R_MAX] = {
	[BG_NET_R_ALLOWED] = "allowed",	    [BG_NET_R_DENIED] = "denied",
	[BG_NET_R_NO_SOURCE] = "no-source", [BG_NET_R_NO_PORT] = "no-port",
	[BG_NET_R_FRAGMENT] = "fragment",   [BG_NET_R_OTHER] = "other-protocol",
	[BG_NET_R_MALFORMED] = "malformed", [BG_NET_R_NON_IP] = "non-ip",
};

static const char *const action_names[] = {"pass", "drop", "source", NULL};
static const char *const mode_names[] = {"auto", "native", "generic", NULL};

/* ---- rules as text ---- */

int bg_net_parse_prefix(const char *s, struct bg_net_rule *r, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	unsigned int i, bytes;
	char *end;

	memset(r, 0, sizeof(*r));
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(err, errlen, "'%s' is not an address prefix", s);
		return -EINVAL;
	}
	memcpy(addr, s, alen);
	addr[alen] = 0;
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = 4;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = 6;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 prefix", s);
		return -EINVAL;
	}
	bytes = r->family == 4 ? 4 : 16;
	plen = bytes * 8;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || plen > bytes * 8) {
			snprintf(err, errlen, "'%s': prefix length must be 0 to %u", s, bytes * 8);
			return -EINVAL;
		}
	}
	r->plen = plen;
	/* Host bits set usually mean a typo (10.0.0.1/8): refuse rather than
	 * guess which of the two the operator meant. */
	for (i = 0; i < bytes * 8; i++) {
		if (i >= plen && (r->addr[i / 8] & (0x80 >> (i % 8)))) {
			snprintf(err, errlen, "'%s' has bits set after the /%lu prefix", s, plen);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *end;

	if (!strcmp(s, "any")) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end || errno || a > 65535 || b > 65535 || a > b)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

int bg_net_parse_port(const char *s, struct bg_net_rule *r, size_t *n, char *err, size_t errlen)
{
	const char *spec = s;
	int proto = -1;

	memset(r, 0, 2 * sizeof(*r));
	if (!strncmp(s, "tcp:", 4)) {
		proto = BG_NET_TCP;
		spec = s + 4;
	} else if (!strncmp(s, "udp:", 4)) {
		proto = BG_NET_UDP;
		spec = s + 4;
	}
	if (parse_range(spec, &r[0].lo, &r[0].hi)) {
		snprintf(err, errlen,
			 "'%s' is not a port rule (tcp:PORT, udp:PORT, PORT-PORT ranges, any)", s);
		return -EINVAL;
	}
	r[0].is_port = true;
	r[0].proto = proto < 0 ? BG_NET_TCP : proto;
	*n = 1;
	if (proto < 0) {
		r[1] = r[0];
		r[1].proto = BG_NET_UDP;
		*n = 2;
	}
	return 0;
}

void bg_net_rule_str(const struct bg_net_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (r->is_port) {
		const char *p = r->proto == BG_NET_UDP ? "udp" : "tcp";

		if (r->lo == r->hi)
			snprintf(buf, len, "%s:%u", p, r->lo);
		else
			snprintf(buf, len, "%s:%u-%u", p, r->lo, r->hi);
		return;
	}
	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->plen);
}

static bool same_rule(const struct bg_net_rule *a, const struct bg_net_rule *b)
{
	if (a->is_port != b->is_port)
		return false;
	if (a->is_port)
		return a->proto == b->proto && a->lo == b->lo && a->hi == b->hi;
	return a->deny == b->deny && a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

/* ---- the config section ---- */

void bg_net_config_defaults(struct bg_net_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = BG_NET_MODE_AUTO;
	c->cfg.default_action = BG_NET_DROP;
	c->cfg.frag_action = BG_NET_SOURCE;
	c->cfg.other_action = BG_NET_PASS;
	c->cfg.malformed_action = BG_NET_DROP;
	c->cfg.non_ip_action = BG_NET_PASS;
	c->max_rules = BG_NET_DEFAULT_MAX_RULES;
}

void bg_net_config_free(struct bg_net_config *c)
{
	size_t i;

	for (i = 0; i < c->n_ifaces; i++)
		free(c->ifaces[i]);
	free(c->ifaces);
	free(c->rules);
	c->ifaces = NULL;
	c->rules = NULL;
	c->n_ifaces = c->n_rules = 0;
}

/* Append to a growing array of rules (a config's, or those read back). */
static int rule_append(struct bg_net_rule **v, size_t *n, const struct bg_net_rule *r)
{
	struct bg_net_rule *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *r;
	return 0;
}

static int check_list(struct bg_yaml *y, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bg_yaml_error(y, n, "%s must be a list", what);
	return 0;
}

/* A new rule must not repeat or overlap one already in the section. */
static int add_checked(struct bg_yaml *y, yaml_node_t *at, struct bg_net_config *c,
		       const struct bg_net_rule *r)
{
	char a[64], b[64];
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		const struct bg_net_rule *o = &c->rules[i];

		if (r->is_port && o->is_port && o->proto == r->proto && r->lo <= o->hi &&
		    o->lo <= r->hi) {
			bg_net_rule_str(r, a, sizeof(a));
			bg_net_rule_str(o, b, sizeof(b));
			return bg_yaml_error(y, at, "port rule %s overlaps %s", a, b);
		}
		if (!r->is_port && same_rule(r, o)) {
			bg_net_rule_str(r, a, sizeof(a));
			return bg_yaml_error(y, at, "prefix %s is listed twice", a);
		}
	}
	return rule_append(&c->rules, &c->n_rules, r);
}

/* A YAML list of rules like `tmpl`: prefixes (allow or deny), or ports of
 * one protocol. */
static int parse_rules(struct bg_yaml *y, yaml_node_t *n, const char *what,
		       const struct bg_net_rule *tmpl, struct bg_net_config *c)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	struct bg_net_rule r;
	const char *s;
	char msg[160];
	int err = check_list(y, n, what);

	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, e)
	{
		err = bg_yaml_str(y, e, what, &s);
		if (err)
			return err;
		r = *tmpl;
		if (!tmpl->is_port && bg_net_parse_prefix(s, &r, msg, sizeof(msg)))
			return bg_yaml_error(y, e, "%s: %s", what, msg);
		if (tmpl->is_port && parse_range(s, &r.lo, &r.hi))
			return bg_yaml_error(
				y, e, "%s: '%s' is not a port, a range such as 8000-8080, or any",
				what, s);
		r.deny = tmpl->deny;
		err = add_checked(y, e, c, &r);
		if (err)
			return err;
	}
	return 0;
}

static int parse_action(struct bg_yaml *y, yaml_node_t *root, const char *key, bool source_ok,
			__u8 *out)
{
	static const char *const two[] = {"pass", "drop", NULL};
	char what[64];
	yaml_node_t *n = bg_yaml_get(y, root, key);
	int i, err;

	if (!n)
		return 0;
	snprintf(what, sizeof(what), "network.%s", key);
	err = bg_yaml_enum(y, n, what, source_ok ? action_names : two, &i);
	if (err)
		return err;
	*out = i;
	return 0;
}

/* The kernel's dev_valid_name(): what it would refuse at attach is refused
 * here, at FILE:LINE:COL. Its isspace() includes 0xa0 (Latin-1 NBSP). */
bool bg_net_ifname_valid(const char *s)
{
	return *s && strlen(s) < IF_NAMESIZE && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/: \t\n\v\f\r\xa0");
}

int bg_net_config_parse(struct bg_yaml *y, yaml_node_t *root, struct bg_net_config *c)
{
	static const char *const keys[] = {
		"interfaces", "mode",	 "default", "fragments", "other_protocols",
		"malformed",  "non_ip",	 "allow",   "deny",	 "sample_drops",
		"max_rules",  "persist", NULL};
	static const char *const allow_keys[] = {"sources", "tcp", "udp", NULL};
	static const char *const deny_keys[] = {"sources", NULL};
	static const struct bg_net_rule allow_src = {0}, deny_src = {.deny = true},
					tcp = {.is_port = true, .proto = BG_NET_TCP},
					udp = {.is_port = true, .proto = BG_NET_UDP};
	yaml_node_item_t *it;
	yaml_node_t *n, *e, *sec;
	unsigned long long v;
	const char *s;
	size_t i, nprefix = 0;
	int err, k;

	bg_net_config_defaults(c);
	c->enabled = true;
	err = bg_yaml_check_map(y, root, "network", keys);
	if (err)
		return err;
	n = bg_yaml_get(y, root, "interfaces");
	if (!n)
		return bg_yaml_error(y, root, "network.interfaces is required (a list of names)");
	err = check_list(y, n, "network.interfaces");
	if (err)
		return err;
	BG_YAML_FOR_EACH(y, n, it, e)
	{
		char **ni;

		err = bg_yaml_str(y, e, "network.interfaces", &s);
		if (err)
			return err;
		if (!bg_net_ifname_valid(s)) {
			char shown[IF_NAMESIZE * 4 + 1];
			size_t o = 0;

			/* A newline in the name must not break the message. */
			for (i = 0; s[i] && o + 5 < sizeof(shown); i++)
				o += snprintf(shown + o, sizeof(shown) - o,
					      isgraph((unsigned char)s[i]) ? "%c" : "\\x%02x",
					      (unsigned char)s[i]);
			shown[o] = 0;
			return bg_yaml_error(y, e,
					     "'%s' is not an interface name (1 to %d bytes, not . "
					     "or .., no '/', ':' or white space)",
					     shown, IF_NAMESIZE - 1);
		}
		for (i = 0; i < c->n_ifaces; i++)
			if (!strcmp(c->ifaces[i], s))
				return bg_yaml_error(y, e, "interface %s is listed twice", s);
		ni = realloc(c->ifaces, (c->n_ifaces + 1) * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		c->ifaces = ni;
		c->ifaces[c->n_ifaces] = strdup(s);
		if (!c->ifaces[c->n_ifaces])
			return -ENOMEM;
		c->n_ifaces++;
	}
	if (!c->n_ifaces)
		return bg_yaml_error(y, n, "network.interfaces is empty");
	if ((n = bg_yaml_get(y, root, "mode"))) {
		err = bg_yaml_enum(y, n, "network.mode", mode_names, &k);
		if (err)
			return err;
		c->mode = k;
	}
	err = parse_action(y, root, "default", false, &c->cfg.default_action);
	if (!err)
		err = parse_action(y, root, "fragments", true, &c->cfg.frag_action);
	if (!err)
		err = parse_action(y, root, "other_protocols", true, &c->cfg.other_action);
	if (!err)
		err = parse_action(y, root, "malformed", false, &c->cfg.malformed_action);
	if (!err)
		err = parse_action(y, root, "non_ip", false, &c->cfg.non_ip_action);
	if (err)
		return err;
	if ((n = bg_yaml_get(y, root, "sample_drops"))) {
		err = bg_yaml_u64(y, n, "network.sample_drops", &v);
		if (err)
			return err;
		if (v > 1000000)
			return bg_yaml_error(y, n,
					     "network.sample_drops: at most 1000000 per second");
		c->cfg.sample_per_sec = v;
	}
	if ((n = bg_yaml_get(y, root, "max_rules"))) {
		err = bg_yaml_u64(y, n, "network.max_rules", &v);
		if (err)
			return err;
		if (v < 1 || v > (1u << 20))
			return bg_yaml_error(y, n, "network.max_rules must be 1 to 1048576");
		c->max_rules = v;
	}
	if ((n = bg_yaml_get(y, root, "persist"))) {
		err = bg_yaml_bool(y, n, "network.persist", &c->persist);
		if (err)
			return err;
	}
	if ((sec = bg_yaml_get(y, root, "allow"))) {
		err = bg_yaml_check_map(y, sec, "network.allow", allow_keys);
		if (!err && (n = bg_yaml_get(y, sec, "sources")))
			err = parse_rules(y, n, "network.allow.sources", &allow_src, c);
		if (!err && (n = bg_yaml_get(y, sec, "tcp")))
			err = parse_rules(y, n, "network.allow.tcp", &tcp, c);
		if (!err && (n = bg_yaml_get(y, sec, "udp")))
			err = parse_rules(y, n, "network.allow.udp", &udp, c);
		if (err)
			return err;
	}
	if ((sec = bg_yaml_get(y, root, "deny"))) {
		err = bg_yaml_check_map(y, sec, "network.deny", deny_keys);
		if (!err && (n = bg_yaml_get(y, sec, "sources")))
			err = parse_rules(y, n, "network.deny.sources", &deny_src, c);
		if (err)
			return err;
	}
	for (i = 0; i < c->n_rules; i++)
		nprefix += !c->rules[i].is_port;
	if (c->n_rules > c->max_rules)
		return bg_yaml_error(y, root, "network: %zu rules, more than max_rules (%u)",
				     c->n_rules, c->max_rules);
	(void)nprefix;
	return 0;
}

/* ---- maps ---- */

static int ncpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

static void maps_init(struct net_maps *m)
{
	int i;

	for (i = 0; i < M_N; i++)
		m->fd[i] = -1;
	m->max_rules = 0;
}

static void maps_close(struct net_maps *m)
{
	int i;

	for (i = 0; i < M_N; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	maps_init(m);
}

static int rule_capacity(int fd, unsigned int *max_rules)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*max_rules = info.max_entries ? info.max_entries - 1 : 0;
	return 0;
}

static int maps_open(struct net_maps *m, const char *dir)
{
	char path[PATH_MAX];
	int i, err;

	maps_init(m);
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_pins[i]);
		m->fd[i] = bpf_obj_get(path);
		/* A filter pinned before bg_net_long24 existed walks its trie
		 * for every /24: nothing to keep in step. */
		if (m->fd[i] < 0 && i == M_LONG24 && errno == ENOENT)
			continue;
		if (m->fd[i] < 0) {
			err = -errno;
			pr_err("%s: %s\n", path, strerror(errno));
			goto cleanup;
		}
	}
	err = rule_capacity(m->fd[M_RULE_HITS], &m->max_rules);
	if (err) {
		pr_err("%s: cannot read the rule capacity: %s\n", dir, strerror(-err));
		goto cleanup;
	}
	return 0;
cleanup:
	maps_close(m);
	return err;
}

/* Port slots: an array read and written in batches where the kernel has
 * them, one element at a time otherwise. */
static int ports_read(int fd, __u32 *vals)
{
	__u32 *keys = malloc(BG_NET_PORT_SLOTS * sizeof(*keys)), count = BG_NET_PORT_SLOTS, out = 0;
	__u32 i;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) &&
	    !(errno == ENOENT && count == BG_NET_PORT_SLOTS)) {
		for (i = 0; i < BG_NET_PORT_SLOTS; i++) {
			if (bpf_map_lookup_elem(fd, &i, &vals[i])) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

static int ports_write(int fd, __u32 proto, __u32 lo, __u32 hi, __u32 id)
{
	__u32 n = hi - lo + 1, i, count = n;
	__u32 *keys = calloc(n, sizeof(*keys)), *vals = calloc(n, sizeof(*vals));
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		keys[i] = proto * 65536 + lo + i;
		vals[i] = id;
	}
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		for (i = 0; i < n; i++) {
			if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY)) {
				err = -errno;
				break;
			}
		}
	}
cleanup:
	free(keys);
	free(vals);
	return err;
}

/* Every rule in the maps, with its id. */
struct rule_set {
	struct bg_net_rule *r;
	size_t n;
	__u32 *ports;	     /* BG_NET_PORT_SLOTS */
	unsigned char *used; /* by id, max_rules + 1 */
	__u32 next;
};

static void rules_free(struct rule_set *s)
{
	free(s->r);
	free(s->ports);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

static int read_lpm(struct rule_set *s, int fd, int family, bool deny)
{
	struct bg_net_lpm6 key, next;
	struct bg_net_rule r;
	bool first = true;
	__u32 id;
	int err;

	for (;;) {
		if (bpf_map_get_next_key(fd, first ? NULL : &key, &next))
			return errno == ENOENT ? 0 : -errno;
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &id))
			continue; /* removed meanwhile */
		memset(&r, 0, sizeof(r));
		r.family = family;
		r.deny = deny;
		r.plen = key.prefixlen;
		memcpy(r.addr, key.addr, family == 4 ? 4 : 16);
		r.id = id;
		err = rule_append(&s->r, &s->n, &r);
		if (err)
			return err;
	}
}

static int rules_read(struct rule_set *s, const struct net_maps *m)
{
	struct bg_net_rule r;
	__u32 i;
	int err;

	memset(s, 0, sizeof(*s));
	s->ports = calloc(BG_NET_PORT_SLOTS, sizeof(*s->ports));
	s->used = calloc(m->max_rules + 1, 1);
	if (!s->ports || !s->used) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = read_lpm(s, m->fd[M_ALLOW4], 4, false);
	if (!err)
		err = read_lpm(s, m->fd[M_ALLOW6], 6, false);
	if (!err)
		err = read_lpm(s, m->fd[M_DENY4], 4, true);
	if (!err)
		err = read_lpm(s, m->fd[M_DENY6], 6, true);
	if (!err)
		err = ports_read(m->fd[M_PORTS], s->ports);
	if (err)
		goto cleanup;
	/* A port range is a run of slots with one id. */
	for (i = 0; i < BG_NET_PORT_SLOTS; i++) {
		if (!s->ports[i])
			continue;
		memset(&r, 0, sizeof(r));
		r.is_port = true;
		r.proto = i / 65536;
		r.lo = i % 65536;
		r.id = s->ports[i];
		while (i + 1 < BG_NET_PORT_SLOTS && (i + 1) % 65536 && s->ports[i + 1] == r.id)
			i++;
		r.hi = i % 65536;
		err = rule_append(&s->r, &s->n, &r);
		if (err)
			goto cleanup;
	}
	for (i = 0; i < s->n; i++)
		if (s->r[i].id <= m->max_rules)
			s->used[s->r[i].id] = 1;
	s->next = 1;
	return 0;
cleanup:
	rules_free(s);
	return err;
}

static int alloc_id(struct rule_set *s, const struct net_maps *m, __u32 *id)
{
	size_t vsz = (size_t)ncpus() * sizeof(__u64);
	void *zeros;
	int err = 0;

	while (s->next <= m->max_rules && s->used[s->next])
		s->next++;
	if (s->next > m->max_rules) {
		pr_err("rule table full: %u rules (raise max_rules)\n", m->max_rules);
		return -ENOSPC;
	}
	/* A reused id must not inherit the packets of the rule it named. */
	zeros = calloc(1, vsz);
	if (!zeros)
		return -ENOMEM;
	if (bpf_map_update_elem(m->fd[M_RULE_HITS], &s->next, zeros, BPF_ANY))
		err = -errno;
	free(zeros);
	if (err)
		return err;
	*id = s->next;
	s->used[s->next] = 1;
	return 0;
}

static int prefix_fd(const struct net_maps *m, const struct bg_net_rule *r)
{
	if (r->deny)
		return m->fd[r->family == 4 ? M_DENY4 : M_DENY6];
	return m->fd[r->family == 4 ? M_ALLOW4 : M_ALLOW6];
}

static void lpm_key(const struct bg_net_rule *r, struct bg_net_lpm6 *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = r->plen;
	memcpy(k->addr, r->addr, r->family == 4 ? 4 : 16);
}

static int read_cfg(const struct net_maps *m, struct bg_net_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->fd[M_CFG], &zero, cfg) ? -errno : 0;
}

static int cfg_write(const struct net_maps *m, const struct bg_net_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(m->fd[M_CFG], &zero, cfg, BPF_ANY) ? -errno : 0;
}

static __u8 prefix_flag(const struct bg_net_rule *r)
{
	if (r->deny)
		return r->family == 4 ? BG_NET_F_DENY4 : BG_NET_F_DENY6;
	return r->family == 4 ? BG_NET_F_ALLOW4 : BG_NET_F_ALLOW6;
}

/* Keep bg_net_cfg.nonempty true for the program, which skips the lookup of
 * a trie whose bit is clear: the bit is set before the first entry goes in
 * and cleared only once the trie is seen empty, so a rule is never skipped.
 * Rule changes are serialised by the lock do_rules() takes. */
static int cfg_nonempty(const struct net_maps *m, const struct bg_net_rule *r, bool adding)
{
	struct bg_net_cfg cfg;
	struct bg_net_lpm6 k;
	__u8 flag = prefix_flag(r);
	int err;

	if (!adding) {
		if (!bpf_map_get_next_key(prefix_fd(m, r), NULL, &k))
			return 0; /* still has entries */
		if (errno != ENOENT)
			return -errno;
	}
	err = read_cfg(m, &cfg);
	if (err || !!(cfg.nonempty & flag) == adding)
		return err;
	cfg.nonempty = adding ? cfg.nonempty | flag : cfg.nonempty & ~flag;
	return cfg_write(m, &cfg);
}

/* The /16 networks an IPv4 prefix overlaps: [*lo, *hi]. */
static void src16_range(const struct bg_net_rule *r, __u32 *lo, __u32 *hi)
{
	__u32 n = r->plen >= 16 ? 1 : 1U << (16 - r->plen);

	*lo = ((__u32)r->addr[0] << 8 | r->addr[1]) & ~(n - 1);
	*hi = *lo + n - 1;
}

/* Set bits lo..hi of a u64 bitmap. */
static void bits_set(__u64 *w, __u32 lo, __u32 hi)
{
	for (; lo <= hi && lo % 64; lo++)
		w[lo / 64] |= 1ULL << (lo % 64);
	for (; lo + 63 <= hi; lo += 64)
		w[lo / 64] = ~0ULL;
	for (; lo <= hi; lo++)
		w[lo / 64] |= 1ULL << (lo % 64);
}

/* Rewrite, in place through a shared mapping, the words of bg_net_src24
 * that differ from want. */
static int src24_write(int fd, const __u64 *want)
{
	size_t len = (size_t)BG_NET_SRC24_WORDS * sizeof(*want), k;
	__u64 *have = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (have == MAP_FAILED)
		return -errno;
	for (k = 0; k < BG_NET_SRC24_WORDS; k++)
		if (have[k] != want[k])
			__atomic_store_n(&have[k], want[k], __ATOMIC_RELEASE);
	munmap(have, len);
	return 0;
}

/* Make the IPv4 prefilters (bg_net_src16, bg_net_src24) cover the prefixes
 * of s that are not removed, plus `extra`, rewriting only the words that
 * change. Called with the prefixes about to be added before they go in,
 * and with none once the tries are changed: the prefilters never hide a
 * prefix. */
static int src16_sync(const struct rule_set *s, const struct net_maps *m,
		      const struct bg_net_rule *extra, size_t n_extra)
{
	struct bg_net_src16 *want = calloc(BG_NET_SRC16_WORDS, sizeof(*want)), have;
	__u64 *want24 = calloc(BG_NET_SRC24_WORDS, sizeof(*want24));
	__u32 k, lo, hi, n24, a24;
	size_t j;
	int err = 0;

	if (!want || !want24) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (j = 0; j < s->n + n_extra; j++) {
		const struct bg_net_rule *r = j < s->n ? &s->r[j] : &extra[j - s->n];

		if (r->is_port || r->family != 4 || r->removed)
			continue;
		src16_range(r, &lo, &hi);
		for (k = lo; k <= hi; k++)
			*(r->deny ? &want[k / 32].deny : &want[k / 32].allow) |= 1U << (k % 32);
		n24 = r->plen >= 24 ? 1 : 1U << (24 - r->plen);
		a24 = ((__u32)r->addr[0] << 16 | (__u32)r->addr[1] << 8 | r->addr[2]) & ~(n24 - 1);
		bits_set(want24, a24, a24 + n24 - 1);
	}
	/* Both prefilters only ever gain bits here before the tries do, and
	 * lose them after: each one alone is a superset of the truth. */
	err = src24_write(m->fd[M_SRC24], want24);
	for (k = 0; k < BG_NET_SRC16_WORDS && !err; k++) {
		if (bpf_map_lookup_elem(m->fd[M_SRC16], &k, &have))
			err = -errno;
		else if (memcmp(&have, &want[k], sizeof(have)) &&
			 bpf_map_update_elem(m->fd[M_SRC16], &k, &want[k], BPF_ANY))
			err = -errno;
	}
cleanup:
	free(want);
	free(want24);
	return err;
}

/* (net << 32 | index) pairs: sorted, a /24's prefixes are adjacent. */
static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

static int cmp_net(const void *key, const void *elem)
{
	__u32 x = *(const __u32 *)key, y = *(const __u64 *)elem >> 32;

	return (x > y) - (x < y);
}

/* Longest first, so that the program can stop at the first match. */
static int cmp_ent(const void *a, const void *b)
{
	const struct bg_net_long24_ent *x = a, *y = b;

	return (y->mask > x->mask) - (y->mask < x->mask);
}

/* cover[]: the longest prefix of length <= 24 of each trie over the whole
 * /24, as the trie itself answers a lookup of that /24 at length 24. */
static int long24_cover(const struct net_maps *m, __u32 net, struct bg_net_long24 *v)
{
	struct bg_net_lpm4 k = {.prefixlen = 24};
	int fd[2] = {m->fd[M_ALLOW4], m->fd[M_DENY4]}, i;

	k.addr[0] = net >> 16;
	k.addr[1] = net >> 8;
	k.addr[2] = net;
	for (i = 0; i < 2; i++) {
		v->cover[i] = 0;
		if (bpf_map_lookup_elem(fd[i], &k, &v->cover[i]) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* Make bg_net_long24 answer for the prefixes of s that are not removed,
 * called once the tries hold them (cover[] is read from the tries): every
 * /24 holding a prefix longer than /24 gets its entry, rewritten only if it
 * changes, and entries no longer needed go. Until then the program uses
 * the old entry: a change takes effect for those /24s when this returns. */
static int long24_sync(const struct rule_set *s, const struct net_maps *m)
{
	struct bg_net_long24 want, have;
	__u32 key, next, net;
	size_t n = 0, j, k;
	bool first = true;
	__u64 *pairs;
	int err = 0;

	if (m->fd[M_LONG24] < 0)
		return 0;
	pairs = calloc(s->n + 1, sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	for (j = 0; j < s->n; j++) {
		const struct bg_net_rule *r = &s->r[j];

		if (!r->is_port && r->family == 4 && !r->removed && r->plen > 24)
			pairs[n++] = (__u64)((__u32)r->addr[0] << 16 | (__u32)r->addr[1] << 8 |
					     r->addr[2])
					     << 32 |
				     j;
	}
	qsort(pairs, n, sizeof(*pairs), cmp_u64);
	for (j = 0; j < n && !err; j = k) {
		net = pairs[j] >> 32;
		memset(&want, 0, sizeof(want));
		for (k = j; k < n && pairs[k] >> 32 == net; k++) {
			const struct bg_net_rule *r = &s->r[(__u32)pairs[k]];
			struct bg_net_long24_ent *e;

			if (want.n == BG_NET_LONG24_MAX) {
				want.overflow = 1;
				continue;
			}
			e = &want.e[want.n++];
			e->mask = 0xff << (32 - r->plen);
			e->low = r->addr[3] & e->mask;
			e->deny = r->deny;
			e->id = r->id;
		}
		qsort(want.e, want.n, sizeof(want.e[0]), cmp_ent);
		err = long24_cover(m, net, &want);
		if (!err &&
		    (bpf_map_lookup_elem(m->fd[M_LONG24], &net, &have) ||
		     memcmp(&have, &want, sizeof(want))) &&
		    bpf_map_update_elem(m->fd[M_LONG24], &net, &want, BPF_ANY))
			err = -errno;
	}
	/* Entries of /24s that no longer hold a longer prefix. */
	while (!err && !bpf_map_get_next_key(m->fd[M_LONG24], first ? NULL : &key, &next)) {
		key = next;
		first = false;
		if (!bsearch(&key, pairs, n, sizeof(*pairs), cmp_net) &&
		    bpf_map_delete_elem(m->fd[M_LONG24], &key) && errno != ENOENT)
			err = -errno;
	}
	free(pairs);
	return err;
}

/* Add one rule; 1 if it was there already. Errors are printed here. */
static int rule_add(struct rule_set *s, const struct net_maps *m, const struct bg_net_rule *r)
{
	char a[64], b[64];
	struct bg_net_lpm6 k;
	__u32 id, i;
	size_t j;
	int err;

	bg_net_rule_str(r, a, sizeof(a));
	for (j = 0; j < s->n; j++) {
		const struct bg_net_rule *o = &s->r[j];

		if (same_rule(o, r))
			return 1;
		if (r->is_port && o->is_port && o->proto == r->proto && r->lo <= o->hi &&
		    o->lo <= r->hi) {
			bg_net_rule_str(o, b, sizeof(b));
			pr_err("%s overlaps rule %s: remove that first\n", a, b);
			return -EEXIST;
		}
	}
	err = alloc_id(s, m, &id);
	if (err)
		return err;
	if (r->is_port) {
		err = ports_write(m->fd[M_PORTS], r->proto, r->lo, r->hi, id);
		for (i = r->lo; !err && i <= r->hi; i++)
			s->ports[r->proto * 65536 + i] = id;
	} else {
		lpm_key(r, &k);
		err = cfg_nonempty(m, r, true);
		if (!err && bpf_map_update_elem(prefix_fd(m, r), &k, &id, BPF_NOEXIST))
			err = -errno;
	}
	if (err) {
		s->used[id] = 0;
		pr_err("cannot add %s: %s\n", a, strerror(-err));
		return err;
	}
	{
		struct bg_net_rule c = *r;

		c.id = id;
		return rule_append(&s->r, &s->n, &c);
	}
}

/* Remove a rule given as text: a prefix from the allow and deny lists, or
 * a port range exactly as it was added. */
static int rule_remove(struct rule_set *s, const struct net_maps *m, const struct bg_net_rule *r)
{
	char a[64], b[64];
	struct bg_net_lpm6 k;
	bool found = false;
	size_t j;
	int err;

	bg_net_rule_str(r, a, sizeof(a));
	for (j = 0; j < s->n; j++) {
		struct bg_net_rule *o = &s->r[j];

		if (r->is_port != o->is_port)
			continue;
		if (!r->is_port) {
			struct bg_net_rule t = *r;

			t.deny = o->deny;
			if (!same_rule(o, &t))
				continue;
			lpm_key(o, &k);
			err = bpf_map_delete_elem(prefix_fd(m, o), &k) && errno != ENOENT ? -errno
											  : 0;
			o->removed = true;
			if (!err)
				err = cfg_nonempty(m, o, false);
			if (err) {
				pr_err("cannot remove %s: %s\n", a, strerror(-err));
				return err;
			}
			found = true;
			continue;
		}
		if (o->proto != r->proto || r->lo > o->hi || o->lo > r->hi)
			continue;
		if (o->lo != r->lo || o->hi != r->hi) {
			bg_net_rule_str(o, b, sizeof(b));
			pr_err("%s is part of rule %s: remove that rule\n", a, b);
			return -EINVAL;
		}
		err = ports_write(m->fd[M_PORTS], o->proto, o->lo, o->hi, 0);
		if (err) {
			pr_err("cannot remove %s: %s\n", a, strerror(-err));
			return err;
		}
		found = true;
	}
	if (!found) {
		pr_err("%s: no such rule\n", a);
		return -ENOENT;
	}
	return 0;
}

/* ---- attach and detach ---- */

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		p[i] = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		p[i] = dir[i];
	}
	return 0;
}

/* Remove what attach pinned; the link first, so the program stops before
 * its maps lose their names. */
static int unpin_all(const char *dir, bool detach)
{
	char path[PATH_MAX];
	int i, fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (detach) {
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			/* Detaches even if someone else holds the link open. */
			if (bpf_link_detach(fd) && errno != EINVAL && errno != ENOLINK)
				err = -errno;
			close(fd);
		}
	}
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_pins[i]);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	if (rmdir(dir) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

static int pin_root(char *root, size_t len, bool mount_it)
{
	char bpffs[PATH_MAX];
	int err;

	/* /sys/fs/bpf is only where we mount one if none is mounted yet. */
	err = mount_it ? bg_ensure_mount("bpf", "/sys/fs/bpf", bpffs, sizeof(bpffs))
		       : bg_find_mount("bpf", bpffs, sizeof(bpffs));
	if (err)
		return err;
	if ((size_t)snprintf(root, len, "%s/bpfguard/net", bpffs) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int attach_one(const struct bg_net_config *c, const char *ifname, const char *dir,
		      struct bg_events *ev, struct bg_net_link *out)
{
	struct bg_xdp_bpf *skel = NULL;
	struct net_maps m;
	struct rule_set rs = {};
	char path[PATH_MAX];
	int ifindex, i, err, link_fd = -1;
	bool pinned = false;
	size_t j;

	memset(out, 0, sizeof(*out));
	out->link_fd = -1;
	maps_init(&m);
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		err = -ENODEV;
		pr_err("%s: no such interface in this network namespace\n", ifname);
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (!access(path, F_OK)) {
		pr_err("%s: a filter is already pinned at %s (bpfguard net detach %s first)\n",
		       ifname, dir, ifname);
		return -EEXIST;
	}
	skel = bg_xdp_bpf__open();
	if (!skel) {
		err = -errno;
		pr_err("xdp filter: open failed: %s\n", strerror(errno));
		return err;
	}
	bpf_map__set_max_entries(skel->maps.bg_net_allow4, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_allow6, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_deny4, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_deny6, c->max_rules);
	bpf_map__set_max_entries(skel->maps.bg_net_rule_hits, c->max_rules + 1);
	bpf_map__set_max_entries(skel->maps.bg_net_long24, c->max_rules);
	if (ev) {
		err = bg_events_share(ev, skel->obj);
		if (err)
			goto cleanup;
	} else {
		/* Nobody reads events outside the agent: keep the unshared
		 * pipeline maps minimal, and sampling off. */
		bpf_map__set_max_entries(skel->maps.events, 4096);
		bpf_map__set_max_entries(skel->maps.bg_exe_cache, 1);
	}
	err = bg_xdp_bpf__load(skel);
	if (err) {
		pr_err("xdp filter: load failed: %s\n", strerror(-err));
		goto cleanup;
	}
	m.fd[M_CFG] = bpf_map__fd(skel->maps.bg_net_cfg);
	m.fd[M_ALLOW4] = bpf_map__fd(skel->maps.bg_net_allow4);
	m.fd[M_ALLOW6] = bpf_map__fd(skel->maps.bg_net_allow6);
	m.fd[M_DENY4] = bpf_map__fd(skel->maps.bg_net_deny4);
	m.fd[M_DENY6] = bpf_map__fd(skel->maps.bg_net_deny6);
	m.fd[M_PORTS] = bpf_map__fd(skel->maps.bg_net_ports);
	m.fd[M_COUNTERS] = bpf_map__fd(skel->maps.bg_net_counters);
	m.fd[M_RULE_HITS] = bpf_map__fd(skel->maps.bg_net_rule_hits);
	m.fd[M_SRC16] = bpf_map__fd(skel->maps.bg_net_src16);
	m.fd[M_SRC24] = bpf_map__fd(skel->maps.bg_net_src24);
	m.fd[M_LONG24] = bpf_map__fd(skel->maps.bg_net_long24);
	m.max_rules = c->max_rules;
	{
		struct bg_net_cfg cfg = c->cfg;

		if (!ev)
			cfg.sample_per_sec = 0;
		err = cfg_write(&m, &cfg);
	}
	if (!err)
		err = rules_read(&rs, &m);
	for (j = 0; !err && j < c->n_rules; j++)
		err = rule_add(&rs, &m, &c->rules[j]) < 0 ? -EINVAL : 0;
	if (!err)
		err = src16_sync(&rs, &m, NULL, 0); /* not attached yet: no order to keep */
	if (!err)
		err = long24_sync(&rs, &m);
	if (err) {
		pr_err("%s: cannot write the rules: %s\n", ifname, strerror(-err));
		goto cleanup;
	}

	err = mkdir_p(dir);
	if (err) {
		pr_err("%s: %s\n", dir, strerror(-err));
		goto cleanup;
	}
	pinned = true;
	for (i = 0; i < M_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_pins[i]);
		if (bpf_obj_pin(m.fd[i], path)) {
			err = -errno;
			pr_err("cannot pin %s: %s\n", path, strerror(errno));
			goto cleanup;
		}
	}
	{
		LIBBPF_OPTS(bpf_link_create_opts, lo);
		int prog = bpf_program__fd(skel->progs.bg_xdp_filter);

		out->native = c->mode != BG_NET_MODE_GENERIC;
		lo.flags = out->native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
		link_fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
		if (link_fd < 0 && c->mode == BG_NET_MODE_AUTO &&
		    (errno == EOPNOTSUPP || errno == EINVAL)) {
			pr_info("%s: no native XDP in this driver (%s); using generic mode\n",
				ifname, strerror(errno));
			out->native = false;
			lo.flags = XDP_FLAGS_SKB_MODE;
			link_fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
		}
		if (link_fd < 0) {
			err = -errno;
			pr_err("%s: XDP attach (%s mode) failed: %s%s\n", ifname,
			       out->native ? "native" : "generic", strerror(errno),
			       errno == EBUSY || errno == EEXIST
				       ? " (another XDP program is attached)"
				       : "");
			goto cleanup;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		pr_err("cannot pin %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	snprintf(out->pin_dir, sizeof(out->pin_dir), "%s", dir);
	out->skel = skel;
	out->link_fd = link_fd;
	rules_free(&rs);
	return 0;
cleanup:
	if (link_fd >= 0)
		close(link_fd);
	if (pinned)
		unpin_all(dir, false);
	rules_free(&rs);
	bg_xdp_bpf__destroy(skel);
	return err;
}

static void link_close(struct bg_net_link *l, bool detach)
{
	if (detach && l->pin_dir[0])
		unpin_all(l->pin_dir, true);
	if (l->link_fd >= 0)
		close(l->link_fd);
	l->link_fd = -1;
	bg_xdp_bpf__destroy(l->skel);
	l->skel = NULL;
}

int bg_net_guard_start(struct bg_net_guard *g, const struct bg_net_config *c, struct bg_events *ev,
		       const struct bg_caps *caps)
{
	char root[PATH_MAX], dir[DIR_MAX];
	size_t i;
	int err;

	memset(g, 0, sizeof(*g));
	g->persist = c->persist;
	if (caps && !bg_has(caps, BG_FEAT_XDP_GENERIC) && !bg_has(caps, BG_FEAT_XDP_NATIVE)) {
		pr_err("xdp filter: this kernel refuses XDP (%s)\n",
		       caps->f[BG_FEAT_XDP_GENERIC].detail);
		return -EOPNOTSUPP;
	}
	err = pin_root(root, sizeof(root), true);
	if (err) {
		pr_err("xdp filter: no bpffs to pin the rules on: %s\n", strerror(-err));
		return err;
	}
	g->links = calloc(c->n_ifaces, sizeof(*g->links));
	if (!g->links)
		return -ENOMEM;
	for (i = 0; i < c->n_ifaces; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, c->ifaces[i]);
		err = attach_one(c, c->ifaces[i], dir, ev, &g->links[i]);
		if (err)
			goto cleanup;
		g->n_links++;
		pr_info("xdp filter on %s (%s mode), rules pinned at %s\n", c->ifaces[i],
			g->links[i].native ? "native" : "generic", dir);
	}
	return 0;
cleanup:
	g->persist = false; /* a half-applied section is rolled back whole */
	bg_net_guard_stop(g);
	return err;
}

void bg_net_guard_stop(struct bg_net_guard *g)
{
	size_t i;

	for (i = 0; i < g->n_links; i++)
		link_close(&g->links[i], !g->persist);
	free(g->links);
	g->links = NULL;
	g->n_links = 0;
}

/* ---- drop events ---- */

static void addr_str(const struct bg_net_drop_event *e, const __u8 *a, char *buf, size_t len)
{
	if (!inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, a, buf, len))
		snprintf(buf, len, "?");
}

static const char *reason_name(unsigned int r)
{
	return r < BG_NET_R_MAX ? reason_names[r] : "unknown";
}

/* ECS "source" or "destination": the address, and the port for TCP/UDP. */
static void endpoint_json(struct bg_json *j, const char *key, const struct bg_net_drop_event *e,
			  const __u8 *addr, __u16 port)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(e, addr, a, sizeof(a));
	bg_json_kobj(j, key);
	bg_json_kstr(j, "ip", a);
	if (e->proto == 6 || e->proto == 17)
		bg_json_ku64(j, "port", port);
	bg_json_obj_end(j);
}

static void net_drop_json(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	/* The setting of the network: section that decided the drop. */
	static const char *const rule_names[BG_NET_R_MAX] = {
		[BG_NET_R_DENIED] = "network.deny.sources",
		[BG_NET_R_NO_SOURCE] = "network.default",
		[BG_NET_R_NO_PORT] = "network.default",
		[BG_NET_R_FRAGMENT] = "network.fragments",
		[BG_NET_R_OTHER] = "network.other_protocols",
		[BG_NET_R_MALFORMED] = "network.malformed",
		[BG_NET_R_NON_IP] = "network.non_ip",
	};
	const struct bg_net_drop_event *e = rec;

	(void)f;
	bg_json_kobj(j, "rule");
	if (e->rule_id)
		bg_json_ku64(j, "id", e->rule_id);
	bg_json_kstr(j, "name",
		     e->reason < BG_NET_R_MAX && rule_names[e->reason] ? rule_names[e->reason]
								       : "network");
	bg_json_obj_end(j);
	if (e->family != 4 && e->family != 6)
		return;
	endpoint_json(j, "source", e, e->saddr, e->sport);
	endpoint_json(j, "destination", e, e->daddr, e->dport);
	bg_json_kobj(j, "network");
	bg_json_kstr(j, "type", e->family == 4 ? "ipv4" : "ipv6");
	if (e->proto == 6 || e->proto == 17)
		bg_json_kstr(j, "transport", e->proto == 6 ? "tcp" : "udp");
	bg_json_ku64(j, "iana_number", e->proto);
	if (e->vlan) {
		bg_json_kobj(j, "vlan");
		bg_json_kustr(j, "id", e->vlan);
		bg_json_obj_end(j);
	}
	bg_json_obj_end(j);
}

static void net_drop_json_bg(struct bg_fmt *f, struct bg_json *j, const void *rec)
{
	const struct bg_net_drop_event *e = rec;

	(void)f;
	bg_json_kobj(j, "net");
	bg_json_kstr(j, "reason", reason_name(e->reason));
	bg_json_ku64(j, "ifindex", e->ifindex);
	bg_json_ku64(j, "length", e->pkt_len);
	if (e->rule_id)
		bg_json_ku64(j, "rule_id", e->rule_id);
	bg_json_obj_end(j);
}

static void net_drop_text(struct bg_fmt *f, struct bg_buf *out, const void *rec)
{
	const struct bg_net_drop_event *e = rec;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	(void)f;
	if (e->family == 4 || e->family == 6) {
		addr_str(e, e->saddr, s, sizeof(s));
		addr_str(e, e->daddr, d, sizeof(d));
		if (e->proto == 6 || e->proto == 17)
			bg_buf_printf(out, " %s %s:%u > %s:%u", e->proto == 6 ? "tcp" : "udp", s,
				      e->sport, d, e->dport);
		else
			bg_buf_printf(out, " proto=%u %s > %s", e->proto, s, d);
	}
	if (e->vlan)
		bg_buf_printf(out, " vlan=%u", e->vlan);
	bg_buf_printf(out, " reason=%s ifindex=%u len=%u", reason_name(e->reason), e->ifindex,
		      e->pkt_len);
	if (e->rule_id)
		bg_buf_printf(out, " rule=%u", e->rule_id);
}

const struct bg_event_desc bg_net_drop_desc = {
	.type = BG_EV_NET_DROP,
	.name = "net_drop",
	.size = sizeof(struct bg_net_drop_event),
	.category = "network",
	.ecs_type = "denied",
	.action = "packet-dropped",
	.has_proc = false,
	.json = net_drop_json,
	.json_bg = net_drop_json_bg,
	.text = net_drop_text,
	.color = "\033[31m",
};

/* ---- bpfguard net ---- */

struct net_cmd {
	bool json;
	const char *ifname;
	const char *pin_dir;
	const char *config;
	struct bg_net_config nc;
	char root[PATH_MAX];
	const char *sub;
	const struct bg_cmd_help *help;
};

static const char *opt_mode(void *cmd, const char *arg)
{
	struct net_cmd *nc = cmd;

	if (!strcmp(arg, "auto"))
		nc->nc.mode = BG_NET_MODE_AUTO;
	else if (!strcmp(arg, "native"))
		nc->nc.mode = BG_NET_MODE_NATIVE;
	else if (!strcmp(arg, "generic"))
		nc->nc.mode = BG_NET_MODE_GENERIC;
	else
		return "is not auto, native or generic";
	return NULL;
}

static const char *act_of(const char *s, bool source_ok, __u8 *out)
{
	int i;

	for (i = 0; action_names[i]; i++) {
		if (!strcmp(s, action_names[i]) && (source_ok || i != BG_NET_SOURCE)) {
			*out = i;
			return NULL;
		}
	}
	return source_ok ? "is not pass, drop or source" : "is not pass or drop";
}

static const char *opt_default(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.default_action);
}

static const char *opt_fragments(void *cmd, const char *arg)
{
	return act_of(arg, true, &((struct net_cmd *)cmd)->nc.cfg.frag_action);
}

static const char *opt_other(void *cmd, const char *arg)
{
	return act_of(arg, true, &((struct net_cmd *)cmd)->nc.cfg.other_action);
}

static const char *opt_malformed(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.malformed_action);
}

static const char *opt_non_ip(void *cmd, const char *arg)
{
	return act_of(arg, false, &((struct net_cmd *)cmd)->nc.cfg.non_ip_action);
}

#define NET_OPT_IF                                                 \
	BG_OPT_STR(struct net_cmd, ifname, "interface", 'i', "IF", \
		   "the filter's interface (when more than one is attached)")
#define NET_OPT_PIN                                                 \
	BG_OPT_STR(struct net_cmd, pin_dir, "pin-dir", 'p', "DIR", \
		   "pin directory on a bpffs (default <bpffs>/bpfguard/net/IF)")
#define NET_OPT_JSON BG_OPT_FLAG(struct net_cmd, json, "json", 'j', "JSON output")

static const struct bg_opt attach_opts[] = {
	NET_OPT_PIN,
	NET_OPT_JSON,
	BG_OPT_STR(struct net_cmd, config, "config", 'c', "FILE",
		   "the interfaces and rules of an agent config"),
	BG_OPT_FN("mode", 'm', "MODE", opt_mode, "auto (native, else generic), native, generic"),
	BG_OPT_FN("default", 'd', "ACTION", opt_default,
		  "pass or drop (drop): TCP/UDP no allow rule admits"),
	BG_OPT_FN("fragments", 256, "ACTION", opt_fragments,
		  "non-first fragments: pass, drop, source (source)"),
	BG_OPT_FN("other", 257, "ACTION", opt_other, "IP but not TCP/UDP: pass, drop, source (pass)"),
	BG_OPT_FN("malformed", 258, "ACTION", opt_malformed,
		  "truncated or bad headers: pass or drop (drop)"),
	BG_OPT_FN("non-ip", 259, "ACTION", opt_non_ip, "ARP and other ethertypes: pass or drop (pass)"),
	BG_OPT_UINT(struct net_cmd, nc.max_rules, "max-rules", 260, "N", 1, 1u << 20,
		    "rule capacity (16384)"),
	{0},
};

static const struct bg_opt detach_opts[] = {NET_OPT_PIN, NET_OPT_JSON, {0}};
static const struct bg_opt show_opts[] = {NET_OPT_IF, NET_OPT_PIN, NET_OPT_JSON, {0}};

static const struct bg_cmd_help attach_help = {
	.usage = "bpfguard net attach IF [options] | bpfguard net attach --config FILE",
	.summary = "attach the XDP ingress filter to an interface, or to a config's interfaces",
	.opts = attach_opts,
	.more = "See docs/network.md for the order of evaluation and the defaults.",
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help detach_help = {
	.usage = "bpfguard net detach IF",
	.summary = "detach the filter from IF and remove its pins (the rollback)",
	.opts = detach_opts,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help status_help = {
	.usage = "bpfguard net status [-i IF] [--json]",
	.summary = "the attached filters: interface, mode, defaults, rules",
	.opts = show_opts,
};

static const struct bg_cmd_help stats_help = {
	.usage = "bpfguard net stats [-i IF] [--json]",
	.summary = "the filters' packet counters by verdict and reason",
	.opts = show_opts,
};

#define RULES_MORE                                                                        \
	"RULE is a prefix (10.0.0.0/8, 2001:db8::/32, 192.0.2.1) or, for allow and\n"     \
	"remove, a port: tcp:22, udp:53, tcp:8000-8080, 22 (TCP and UDP), tcp:any.\n"     \
	"deny takes prefixes only; a deny prefix wins over every allow. Rules change\n"   \
	"in place through the pinned maps; the program is not reloaded."

static const struct bg_cmd_help allow_help = {
	.usage = "bpfguard net allow [-i IF] RULE...",
	.summary = "admit traffic from prefixes or to TCP/UDP ports",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help deny_help = {
	.usage = "bpfguard net deny [-i IF] PREFIX...",
	.summary = "drop traffic from prefixes (wins over every allow)",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

static const struct bg_cmd_help remove_help = {
	.usage = "bpfguard net remove [-i IF] RULE...",
	.summary = "remove allow or deny rules",
	.opts = show_opts,
	.more = RULES_MORE,
	.operands = BG_OPERANDS_ANY,
};

const struct bg_cmd_help net_help = {
	.usage = "bpfguard net <attach|detach|status|stats|allow|deny|remove> [options]",
	.summary = "XDP ingress filter: source prefix and TCP/UDP port allowlists",
	.more = "Detach (the rollback) removes the program and its pins: bpfguard net detach IF.\n"
		"See docs/network.md for the order of evaluation and the defaults.",
};

/* One error, as text on stderr or as a JSON object on stdout. */
static int cmd_fail(struct net_cmd *nc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cmd_fail(struct net_cmd *nc, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (nc->json) {
		struct bg_buf b;
		struct bg_json j;

		bg_buf_init(&b);
		bg_json_init(&j, &b);
		bg_json_obj(&j);
		bg_json_kobj(&j, "error");
		bg_json_kstr(&j, "message", msg);
		bg_json_kstr(&j, "errno", bg_errno_name(err ? err : EINVAL));
		bg_json_obj_end(&j);
		bg_json_obj_end(&j);
		bg_buf_putc(&b, '\n');
		if (!b.oom)
			fwrite(b.p, 1, b.len, stdout);
		bg_buf_free(&b);
	} else {
		fprintf(stderr, "bpfguard: %s\n", msg);
	}
	return 1;
}

static void emit(struct bg_buf *b)
{
	if (!b->oom)
		fwrite(b->p, 1, b->len, stdout);
	bg_buf_free(b);
}

/* status, stats and attach print {"KEY": [...]} in JSON mode. */
static void list_begin(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b, const char *key)
{
	bg_buf_init(b);
	bg_json_init(j, b);
	if (nc->json) {
		bg_json_obj(j);
		bg_json_karr(j, key);
	}
}

static void list_end(struct net_cmd *nc, struct bg_json *j, struct bg_buf *b)
{
	if (nc->json) {
		bg_json_arr_end(j);
		bg_json_obj_end(j);
		bg_buf_putc(b, '\n');
	}
	emit(b);
}

/* The pin directories this command acts on: --pin-dir, -i, or all. */
struct dirs {
	char (*d)[DIR_MAX];
	char (*name)[64];
	size_t n;
};

static void dirs_free(struct dirs *d)
{
	free(d->d);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

static int dirs_add(struct dirs *d, const char *dir, const char *name)
{
	void *a = realloc(d->d, (d->n + 1) * sizeof(*d->d));

	if (!a)
		return -ENOMEM;
	d->d = a;
	a = realloc(d->name, (d->n + 1) * sizeof(*d->name));
	if (!a)
		return -ENOMEM;
	d->name = a;
	snprintf(d->d[d->n], sizeof(d->d[d->n]), "%s", dir);
	snprintf(d->name[d->n], sizeof(d->name[d->n]), "%s", name);
	d->n++;
	return 0;
}

static int find_dirs(struct net_cmd *nc, struct dirs *out)
{
	char dir[DIR_MAX];
	struct dirent *de;
	DIR *dp;
	int err;

	memset(out, 0, sizeof(*out));
	if (nc->pin_dir) {
		const char *base = strrchr(nc->pin_dir, '/');

		return dirs_add(out, nc->pin_dir,
				nc->ifname ? nc->ifname
				: base	   ? base + 1
					   : nc->pin_dir);
	}
	if (pin_root(nc->root, sizeof(nc->root), false))
		return 0; /* no bpffs: nothing pinned */
	if (nc->ifname) {
		snprintf(dir, sizeof(dir), "%s/%s", nc->root, nc->ifname);
		return dirs_add(out, dir, nc->ifname);
	}
	dp = opendir(nc->root);
	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	err = 0;
	while (!err && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", nc->root, de->d_name);
		err = dirs_add(out, dir, de->d_name);
	}
	closedir(dp);
	return err;
}

/* Exactly one filter, for commands that change rules. */
static int one_dir(struct net_cmd *nc, struct dirs *d)
{
	size_t i;
	char list[256] = "";
	int err = find_dirs(nc, d);

	if (err)
		return cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	if (d->n == 1)
		return 0;
	if (!d->n)
		return cmd_fail(nc, ENOENT, "no XDP filter is attached (bpfguard net attach IF)");
	for (i = 0; i < d->n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 d->name[i]);
	return cmd_fail(nc, EINVAL, "several filters are attached (%s): choose one with -i", list);
}

/*
 * No bpffs is mounted here and the mount namespace is this command's own:
 * `ip netns exec` unshares it and mounts a fresh /sys, hiding the host's
 * /sys/fs/bpf. A bpffs mounted now would be a new instance that vanishes
 * with the namespace when we exit, and the pinned link with it: the
 * filter would be detached the moment we said "attached". Refuse instead.
 */
static int refuse_private_bpffs(struct net_cmd *nc, const char *ifname)
{
	char ns[NAME_MAX + 1];

	if (!bg_netns_name(ns, sizeof(ns)))
		return cmd_fail(nc, EXDEV,
				"ip netns exec gives this command a private /sys without the "
				"host's bpffs: the pins would vanish when it exits and nothing "
				"would stay attached. Run `nsenter --net=/run/netns/%s bpfguard "
				"net attach %s ...` (it keeps the host's /sys/fs/bpf), or give "
				"--pin-dir on a bpffs that outlives this command",
				ns, ifname);
	return cmd_fail(nc, EXDEV,
			"no bpffs is mounted in this command's private mount namespace: one "
			"mounted now would vanish with it, and the filter with its pins. Mount "
			"bpffs where the pins can last (mount -t bpf bpf /sys/fs/bpf in the "
			"namespace that outlives this command), or give --pin-dir on one");
}

static int do_attach(struct net_cmd *nc, char **ifs, int n)
{
	struct bg_net_config file;
	struct bg_net_config *c = &nc->nc;
	struct bg_net_link l;
	char dir[DIR_MAX], err[600];
	struct bg_buf b;
	struct bg_json j;
	int i, rc;
	size_t k;

	if (nc->config) {
		struct bg_yaml y;
		yaml_node_t *sec;

		if (n)
			return bg_cli_usage_error(nc->help,
						  "--config names the interfaces itself");
		rc = bg_yaml_load(&y, nc->config);
		if (rc) {
			snprintf(err, sizeof(err), "%s", y.err);
			bg_yaml_free(&y);
			return cmd_fail(nc, rc, "%s", err);
		}
		sec = bg_yaml_get(&y, bg_yaml_root(&y), "network");
		if (!sec) {
			bg_yaml_free(&y);
			return cmd_fail(nc, EINVAL, "%s: no network section", nc->config);
		}
		rc = bg_net_config_parse(&y, sec, &file);
		snprintf(err, sizeof(err), "%s", y.err);
		bg_yaml_free(&y);
		if (rc) {
			bg_net_config_free(&file);
			return cmd_fail(nc, rc, "%s", err[0] ? err : strerror(-rc));
		}
		c = &file;
		ifs = c->ifaces;
		n = c->n_ifaces;
	} else if (n != 1) {
		return bg_cli_usage_error(nc->help, "attach takes one interface");
	}
	if (nc->pin_dir && n != 1) {
		rc = bg_cli_usage_error(nc->help, "--pin-dir names one interface's directory");
		goto out;
	}
	if (!nc->pin_dir) {
		rc = pin_root(nc->root, sizeof(nc->root), false);
		if (rc == -ENOENT && bg_mntns_private() > 0) {
			rc = refuse_private_bpffs(nc, ifs[0]);
			goto out;
		}
		if (rc)
			rc = pin_root(nc->root, sizeof(nc->root), true);
		if (rc) {
			rc = cmd_fail(nc, rc, "no bpffs to pin the rules on: %s", strerror(-rc));
			goto out;
		}
	}
	list_begin(nc, &j, &b, "attached");
	rc = 0;
	for (i = 0; i < n; i++) {
		if (nc->pin_dir)
			snprintf(dir, sizeof(dir), "%s", nc->pin_dir);
		else
			snprintf(dir, sizeof(dir), "%s/%s", nc->root, ifs[i]);
		if (attach_one(c, ifs[i], dir, NULL, &l)) {
			rc = 1;
			break;
		}
		if (nc->json) {
			bg_json_obj(&j);
			bg_json_kstr(&j, "interface", ifs[i]);
			bg_json_kstr(&j, "mode", l.native ? "native" : "generic");
			bg_json_kstr(&j, "pin_dir", dir);
			bg_json_obj_end(&j);
		} else {
			bg_buf_printf(&b, "%s: attached in %s mode, pinned at %s\n", ifs[i],
				      l.native ? "native" : "generic", dir);
		}
		/* The pins hold program, maps and link from here on. */
		link_close(&l, false);
	}
	if (rc) {
		/* All or nothing: undo the interfaces done so far. */
		for (k = 0; k < (size_t)i; k++) {
			snprintf(dir, sizeof(dir), "%s/%s", nc->root, ifs[k]);
			unpin_all(dir, true);
		}
		bg_buf_free(&b);
		if (nc->json)
			cmd_fail(nc, EINVAL, "attach failed (see stderr); nothing was attached");
		goto out;
	}
	list_end(nc, &j, &b);
out:
	if (c == &file)
		bg_net_config_free(&file);
	return rc;
}

static int do_detach(struct net_cmd *nc, char **ifs, int n)
{
	struct dirs d = {};
	int rc = 0, err, i;

	if (n > 1 || (n == 1 && nc->ifname))
		return bg_cli_usage_error(nc->help, "detach takes one interface");
	if (n == 1)
		nc->ifname = ifs[0];
	if (!nc->ifname && !nc->pin_dir)
		return bg_cli_usage_error(nc->help, "detach needs an interface");
	err = find_dirs(nc, &d);
	if (err || !d.n) {
		dirs_free(&d);
		return cmd_fail(nc, err ? err : ENOENT, "no filter pinned for %s", nc->ifname);
	}
	for (i = 0; i < (int)d.n; i++) {
		char path[DIR_MAX + 16];

		snprintf(path, sizeof(path), "%s/%s", d.d[i], map_pins[M_CFG]);
		if (access(path, F_OK)) {
			rc = cmd_fail(nc, ENOENT, "%s: no filter pinned at %s", d.name[i], d.d[i]);
			continue;
		}
		err = unpin_all(d.d[i], true);
		if (err) {
			rc = cmd_fail(nc, err, "%s: detach incomplete: %s", d.name[i],
				      strerror(-err));
			continue;
		}
		if (nc->json)
			printf("{\"detached\":\"%s\"}\n", d.name[i]);
		else
			printf("%s: detached\n", d.name[i]);
	}
	dirs_free(&d);
	return rc;
}

/* Link facts: interface, mode, program. */
struct link_state {
	bool attached;
	__u32 ifindex, prog_id, link_id;
	char ifname[IF_NAMESIZE];
	const char *mode;
};

static void link_state(const char *dir, struct link_state *st)
{
	char path[DIR_MAX + 16];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd;

	memset(st, 0, sizeof(*st));
	st->mode = "none";
	snprintf(path, sizeof(path), "%s/%s", dir, LINK_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP) {
		st->link_id = info.id;
		st->prog_id = info.prog_id;
		st->ifindex = info.xdp.ifindex;
		/* ifindex 0: the device went away and took the attachment. */
		st->attached = st->ifindex != 0;
	}
	close(fd);
	if (!st->attached)
		return;
	st->mode = "unknown (interface in another network namespace)";
	if (if_indextoname(st->ifindex, st->ifname)) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		if (!bpf_xdp_query(st->ifindex, 0, &q)) {
			if (q.drv_prog_id == st->prog_id)
				st->mode = "native";
			else if (q.skb_prog_id == st->prog_id)
				st->mode = "generic";
		}
	}
}

static void settings_json(struct bg_json *j, const struct bg_net_cfg *c, unsigned int max_rules)
{
	bg_json_kobj(j, "settings");
	bg_json_kstr(j, "default", action_names[c->default_action % 3]);
	bg_json_kstr(j, "fragments", action_names[c->frag_action % 3]);
	bg_json_kstr(j, "other_protocols", action_names[c->other_action % 3]);
	bg_json_kstr(j, "malformed", action_names[c->malformed_action % 3]);
	bg_json_kstr(j, "non_ip", action_names[c->non_ip_action % 3]);
	bg_json_ku64(j, "sample_drops", c->sample_per_sec);
	bg_json_ku64(j, "max_rules", max_rules);
	bg_json_obj_end(j);
}

static int do_status(struct net_cmd *nc)
{
	struct dirs d;
	struct bg_buf b;
	struct bg_json j;
	size_t i, k;
	int err = find_dirs(nc, &d);

	if (err)
		return cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	list_begin(nc, &j, &b, "filters");
	if (!nc->json && !d.n)
		bg_buf_printf(&b, "no XDP filter attached\n");
	for (i = 0; i < d.n; i++) {
		struct link_state st;
		struct net_maps m;
		struct rule_set rs = {};
		struct bg_net_cfg cfg = {};
		size_t na = 0, nd = 0, np = 0;
		bool have = !maps_open(&m, d.d[i]);

		link_state(d.d[i], &st);
		if (have && !read_cfg(&m, &cfg) && !rules_read(&rs, &m)) {
			for (k = 0; k < rs.n; k++) {
				np += rs.r[k].is_port;
				nd += !rs.r[k].is_port && rs.r[k].deny;
				na += !rs.r[k].is_port && !rs.r[k].deny;
			}
		}
		if (nc->json) {
			bg_json_obj(&j);
			bg_json_kstr(&j, "interface", d.name[i]);
			bg_json_kstr(&j, "pin_dir", d.d[i]);
			bg_json_kbool(&j, "attached", st.attached);
			bg_json_ku64(&j, "ifindex", st.ifindex);
			bg_json_kstr(&j, "mode", st.mode);
			bg_json_ku64(&j, "prog_id", st.prog_id);
			bg_json_ku64(&j, "link_id", st.link_id);
			if (have) {
				settings_json(&j, &cfg, m.max_rules);
				bg_json_kobj(&j, "rules");
				bg_json_ku64(&j, "allow_prefixes", na);
				bg_json_ku64(&j, "deny_prefixes", nd);
				bg_json_ku64(&j, "ports", np);
				bg_json_obj_end(&j);
			}
			bg_json_obj_end(&j);
		} else {
			bg_buf_printf(&b, "%s: %s", d.name[i],
				      st.attached ? "attached" : "NOT attached (pins only)");
			if (st.attached)
				bg_buf_printf(&b, ", ifindex %u, %s mode, prog %u, link %u",
					      st.ifindex, st.mode, st.prog_id, st.link_id);
			bg_buf_printf(&b, "\n  pinned at %s\n", d.d[i]);
			if (have)
				bg_buf_printf(&b,
					      "  rules: %zu allow prefixes, %zu deny prefixes, %zu "
					      "port rules (capacity %u)\n"
					      "  default %s, fragments %s, other protocols %s, "
					      "malformed %s, non-IP %s\n",
					      na, nd, np, m.max_rules,
					      action_names[cfg.default_action % 3],
					      action_names[cfg.frag_action % 3],
					      action_names[cfg.other_action % 3],
					      action_names[cfg.malformed_action % 3],
					      action_names[cfg.non_ip_action % 3]);
		}
		rules_free(&rs);
		if (have)
			maps_close(&m);
	}
	list_end(nc, &j, &b);
	dirs_free(&d);
	return 0;
}

/* Sum a per-CPU slot of `vsz` bytes made of u64 counters. */
static int percpu_sum(int fd, __u32 key, __u64 *sum, size_t nvals)
{
	int n = ncpus(), c;
	size_t v;
	__u64 *buf = calloc((size_t)n * nvals, sizeof(__u64));

	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, buf)) {
		int err = -errno;

		free(buf);
		return err;
	}
	for (v = 0; v < nvals; v++)
		sum[v] = 0;
	for (c = 0; c < n; c++)
		for (v = 0; v < nvals; v++)
			sum[v] += buf[(size_t)c * nvals + v];
	free(buf);
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct bg_net_rule *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int stats_one(struct net_cmd *nc, const char *name, const char *dir, struct bg_buf *b,
		     struct bg_json *j)
{
	__u64 cnt[BG_NET_COUNTERS][2], tot[2][2] = {{0}}, hits;
	struct net_maps m;
	struct rule_set rs;
	char rule[64];
	size_t k;
	int r, err = maps_open(&m, dir);

	if (err)
		return err;
	for (r = 0; r < BG_NET_COUNTERS && !err; r++)
		err = percpu_sum(m.fd[M_COUNTERS], r, cnt[r], 2);
	if (!err)
		err = rules_read(&rs, &m);
	if (err) {
		maps_close(&m);
		return err;
	}
	for (r = 0; r < BG_NET_COUNTERS; r++) {
		tot[r % 2][0] += cnt[r][0];
		tot[r % 2][1] += cnt[r][1];
	}
	if (rs.n)
		qsort(rs.r, rs.n, sizeof(*rs.r), cmp_rule);
	if (nc->json) {
		bg_json_obj(j);
		bg_json_kstr(j, "interface", name);
		bg_json_kobj(j, "pass");
		bg_json_ku64(j, "packets", tot[0][0]);
		bg_json_ku64(j, "bytes", tot[0][1]);
		bg_json_obj_end(j);
		bg_json_kobj(j, "drop");
		bg_json_ku64(j, "packets", tot[1][0]);
		bg_json_ku64(j, "bytes", tot[1][1]);
		bg_json_obj_end(j);
		bg_json_kobj(j, "reasons");
		for (r = 0; r < BG_NET_R_MAX; r++) {
			bg_json_kobj(j, reason_names[r]);
			bg_json_ku64(j, "pass", cnt[r * 2][0]);
			bg_json_ku64(j, "drop", cnt[r * 2 + 1][0]);
			bg_json_obj_end(j);
		}
		bg_json_obj_end(j);
		bg_json_karr(j, "rules");
	} else {
		bg_buf_printf(
			b, "%s: pass %llu packets (%llu bytes), drop %llu packets (%llu bytes)\n",
			name, (unsigned long long)tot[0][0], (unsigned long long)tot[0][1],
			(unsigned long long)tot[1][0], (unsigned long long)tot[1][1]);
		bg_buf_printf(b, "  %-16s %12s %12s\n", "reason", "pass", "drop");
		for (r = 0; r < BG_NET_R_MAX; r++)
			bg_buf_printf(b, "  %-16s %12llu %12llu\n", reason_names[r],
				      (unsigned long long)cnt[r * 2][0],
				      (unsigned long long)cnt[r * 2 + 1][0]);
		if (rs.n)
			bg_buf_printf(b, "  %6s %-6s %-40s %12s\n", "id", "action", "rule",
				      "packets");
	}
	for (k = 0; k < rs.n && !err; k++) {
		err = percpu_sum(m.fd[M_RULE_HITS], rs.r[k].id, &hits, 1);
		if (err)
			break;
		bg_net_rule_str(&rs.r[k], rule, sizeof(rule));
		if (nc->json) {
			bg_json_obj(j);
			bg_json_ku64(j, "id", rs.r[k].id);
			bg_json_kstr(j, "action", rs.r[k].deny ? "deny" : "allow");
			bg_json_kstr(j, "rule", rule);
			bg_json_ku64(j, "packets", hits);
			bg_json_obj_end(j);
		} else {
			bg_buf_printf(b, "  %6u %-6s %-40s %12llu\n", rs.r[k].id,
				      rs.r[k].deny ? "deny" : "allow", rule,
				      (unsigned long long)hits);
		}
	}
	if (nc->json) {
		bg_json_arr_end(j);
		bg_json_obj_end(j);
	}
	rules_free(&rs);
	maps_close(&m);
	return err;
}

static int do_stats(struct net_cmd *nc)
{
	struct dirs d;
	struct bg_buf b;
	struct bg_json j;
	size_t i;
	int err = find_dirs(nc, &d);

	if (err)
		return cmd_fail(nc, err, "cannot list the filters: %s", strerror(-err));
	if (!d.n) {
		dirs_free(&d);
		return cmd_fail(nc, ENOENT, "no XDP filter is attached");
	}
	list_begin(nc, &j, &b, "filters");
	for (i = 0; i < d.n && !err; i++)
		err = stats_one(nc, d.name[i], d.d[i], &b, &j);
	if (err) {
		bg_buf_free(&b);
		dirs_free(&d);
		return cmd_fail(nc, err, "cannot read the counters: %s", strerror(-err));
	}
	list_end(nc, &j, &b);
	dirs_free(&d);
	return 0;
}

/* allow / deny / remove: parse every rule first, then change the maps. */
static int do_rules(struct net_cmd *nc, char **args, int n)
{
	struct bg_net_rule *rules = NULL;
	struct dirs d = {};
	struct net_maps m;
	struct rule_set rs;
	size_t nr = 0, k, got;
	char msg[160], s[64];
	bool deny = !strcmp(nc->sub, "deny"), rm = !strcmp(nc->sub, "remove");
	int i, err, rc = 0, lock = -1;

	if (!n)
		return bg_cli_usage_error(nc->help, "%s needs at least one RULE", nc->sub);
	rules = calloc((size_t)n * 2, sizeof(*rules));
	if (!rules)
		return cmd_fail(nc, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		bool prefix = strchr(args[i], '.') || strchr(args[i], ':') != NULL;

		if (!strncmp(args[i], "tcp:", 4) || !strncmp(args[i], "udp:", 4) ||
		    !strcmp(args[i], "any") || !prefix) {
			if (deny) {
				free(rules);
				return bg_cli_usage_error(
					nc->help,
					"deny takes prefixes; to stop allowing a port: remove %s",
					args[i]);
			}
			err = bg_net_parse_port(args[i], &rules[nr], &got, msg, sizeof(msg));
		} else {
			err = bg_net_parse_prefix(args[i], &rules[nr], msg, sizeof(msg));
			rules[nr].deny = deny;
			got = 1;
		}
		if (err) {
			free(rules);
			return bg_cli_usage_error(nc->help, "%s", msg);
		}
		nr += got;
	}
	if (one_dir(nc, &d)) {
		dirs_free(&d);
		free(rules);
		return 1;
	}
	/* One rule change at a time per filter: rule ids and the nonempty
	 * bits are read, then written. */
	lock = open(d.d[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		rc = cmd_fail(nc, errno, "%s: no filter pinned at %s (%s)", d.name[0], d.d[0],
			      strerror(errno));
		goto out;
	}
	err = maps_open(&m, d.d[0]);
	if (err) {
		rc = cmd_fail(nc, err, "%s: no filter pinned at %s", d.name[0], d.d[0]);
		goto out;
	}
	err = rules_read(&rs, &m);
	if (err) {
		maps_close(&m);
		rc = cmd_fail(nc, err, "cannot read the rules: %s", strerror(-err));
		goto out;
	}
	err = rm ? 0 : src16_sync(&rs, &m, rules, nr);
	if (err) {
		rules_free(&rs);
		maps_close(&m);
		rc = cmd_fail(nc, err, "cannot update the prefilter: %s", strerror(-err));
		goto out;
	}
	if (nc->json)
		printf("{\"interface\":\"%s\",\"changes\":[", d.name[0]);
	for (k = 0; k < nr; k++) {
		bg_net_rule_str(&rules[k], s, sizeof(s));
		err = rm ? rule_remove(&rs, &m, &rules[k]) : rule_add(&rs, &m, &rules[k]);
		if (err < 0) {
			rc = 1;
			continue;
		}
		if (nc->json)
			printf("%s{\"rule\":\"%s\",\"action\":\"%s\",\"result\":\"%s\"}",
			       k ? "," : "", s, rm ? "remove" : nc->sub,
			       err == 1 ? "present"
			       : rm	? "removed"
					: "added");
		else
			printf("%s: %s %s%s\n", d.name[0], rm ? "removed" : nc->sub, s,
			       err == 1 ? " (already present)" : "");
	}
	/* Drop what the removed prefixes alone needed. */
	err = src16_sync(&rs, &m, NULL, 0);
	if (!err)
		err = long24_sync(&rs, &m);
	if (err) {
		pr_err("cannot update the prefilter: %s\n", strerror(-err));
		rc = 1;
	}
	if (nc->json)
		printf("],\"ok\":%s}\n", rc ? "false" : "true");
	rules_free(&rs);
	maps_close(&m);
out:
	if (lock >= 0)
		close(lock);
	dirs_free(&d);
	free(rules);
	return rc;
}

/* Each subcommand: its options parsed into nc, then its work. */
static int net_run(int argc, char **argv, const struct bg_cmd_help *h)
{
	struct net_cmd nc = {.sub = argv[0], .help = h};
	char **operands;
	int rc, n;

	bg_net_config_defaults(&nc.nc);
	rc = bg_cli_parse(argc, argv, h, &nc, &operands, &n);
	if (rc != BG_CLI_RUN)
		return rc;
	if (!strcmp(nc.sub, "attach"))
		return do_attach(&nc, operands, n);
	if (!strcmp(nc.sub, "detach"))
		return do_detach(&nc, operands, n);
	if (!strcmp(nc.sub, "status"))
		return do_status(&nc);
	if (!strcmp(nc.sub, "stats"))
		return do_stats(&nc);
	return do_rules(&nc, operands, n);
}

#define NET_CMD(name, h)                              \
	static int net_##name(int argc, char **argv) \
	{                                             \
		return net_run(argc, argv, &h);       \
	}
NET_CMD(attach, attach_help)
NET_CMD(detach, detach_help)
NET_CMD(status, status_help)
NET_CMD(stats, stats_help)
NET_CMD(allow, allow_help)
NET_CMD(deny, deny_help)
NET_CMD(remove, remove_help)

#define CAPS_NET                                                                    \
	((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON) | \
	 (1ULL << CAP_NET_ADMIN))

const struct bg_cmd net_cmds[] = {
	{"attach", net_attach, &attach_help, CAPS_NET},
	{"detach", net_detach, &detach_help, CAPS_NET},
	{"status", net_status, &status_help, CAPS_NET},
	{"stats", net_stats, &stats_help, CAPS_NET},
	{"allow", net_allow, &allow_help, CAPS_NET},
	{"deny", net_deny, &deny_help, CAPS_NET},
	{"remove", net_remove, &remove_help, CAPS_NET},
	{0},
};

/* ---- the guard: network (the XDP filter the agent attaches) ---- */

static void net_defaults(void *cfg)
{
	bg_net_config_defaults(cfg);
}

static int net_parse(struct bg_yaml *y, yaml_node_t *n, void *cfg)
{
	return bg_net_config_parse(y, n, cfg);
}

static void net_free(void *cfg)
{
	bg_net_config_free(cfg);
}

static bool net_enabled(const void *cfg)
{
	return ((const struct bg_net_config *)cfg)->enabled;
}

static int net_start(void *g, const void *cfg, const struct bg_guard_env *env)
{
	return bg_net_guard_start(g, cfg, env->ev, env->caps);
}

static void net_stop(void *g)
{
	bg_net_guard_stop(g);
}

static const struct bg_event_desc *const net_events[] = {&bg_net_drop_desc, NULL};

/* Applied at start only: its rules change live with `bpfguard net`. */
const struct bg_guard bg_guard_network = {
	.key = "network",
	.cfg_size = sizeof(struct bg_net_config),
	.state_size = sizeof(struct bg_net_guard),
	.reload = BG_GUARD_START_ONLY,
	.defaults = net_defaults,
	.parse = net_parse,
	.free = net_free,
	.enabled = net_enabled,
	.start = net_start,
	.stop = net_stop,
	.events = net_events,
};
