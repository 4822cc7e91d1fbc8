// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: drives fwhook.ko through lib/fwhook_client in the current
 * network namespace, until fwctl apply configures it itself.
 *
 *   hookctl set [idle SEC] [max N] profile FIRST COUNT open|closed
 *               accept|deny BUDGET [profile ...]
 *   hookctl off | config | stats | sessions | flush | del ID | present
 *
 * Prints "name value" lines (stats) and one line per session, so that
 * shell tests can pick fields with awk.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwhook_client.h"

static int parse_profile(char **v, struct fwhook_profile *p)
{
	p->queue_first = atoi(v[0]);
	p->queue_count = atoi(v[1]);
	p->fail_open = !strcmp(v[2], "open");
	p->default_verdict = !strcmp(v[3], "deny") ? FWHOOK_VERDICT_DENY :
						      FWHOOK_VERDICT_ACCEPT;
	p->budget = atoi(v[4]);
	return 0;
}

static int cmd_set(struct fwhook *h, int argc, char **argv)
{
	struct fwhook_config c = { 0 };
	int i = 0;

	while (i < argc) {
		if (!strcmp(argv[i], "idle") && i + 1 < argc) {
			c.idle_timeout = atoi(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "max") && i + 1 < argc) {
			c.max_sessions = atoi(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "profile") && i + 5 < argc &&
			   c.nprofiles < FWHOOK_PROFILES_MAX) {
			parse_profile(argv + i + 1, &c.profiles[c.nprofiles++]);
			i += 6;
		} else {
			fprintf(stderr, "hookctl: bad argument '%s'\n", argv[i]);
			return -EINVAL;
		}
	}
	return fwhook_set_config(h, &c);
}

static int cmd_off(struct fwhook *h, int argc, char **argv)
{
	struct fwhook_config c = { 0 };

	return fwhook_set_config(h, &c);
}

static int cmd_config(struct fwhook *h, int argc, char **argv)
{
	struct fwhook_config c;
	size_t i;
	int err = fwhook_get_config(h, &c);

	if (err)
		return err;
	printf("idle %u\nmax %u\nprofiles %zu\n", c.idle_timeout,
	       c.max_sessions, c.nprofiles);
	for (i = 0; i < c.nprofiles; i++)
		printf("profile %zu queues %u-%u %s default %s budget %u\n", i,
		       c.profiles[i].queue_first,
		       c.profiles[i].queue_first + c.profiles[i].queue_count - 1,
		       c.profiles[i].fail_open ? "fail-open" : "fail-closed",
		       fwhook_verdict_name(c.profiles[i].default_verdict),
		       c.profiles[i].budget);
	return 0;
}

static int cmd_stats(struct fwhook *h, int argc, char **argv)
{
	struct fwhook_stats s;
	int err = fwhook_get_stats(h, &s);

	if (err)
		return err;
	printf("sessions %u\ncreated %" PRIu64 "\nexpired %" PRIu64
	       "\ntable_full %" PRIu64 "\nqueued %" PRIu64
	       "\naccepted %" PRIu64 "\ndropped %" PRIu64
	       "\nverdicts %" PRIu64 "\nbudget %" PRIu64 "\n",
	       s.sessions, s.created, s.expired, s.table_full, s.queued,
	       s.accepted, s.dropped, s.verdicts, s.budget);
	return 0;
}

static int print_session(const struct fwhook_session *s, void *arg)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = s->family == 10 ? AF_INET6 : AF_INET;

	inet_ntop(af, s->saddr, src, sizeof(src));
	inet_ntop(af, s->daddr, dst, sizeof(dst));
	printf("id %" PRIu64 " proto %u src %s sport %u dst %s dport %u "
	       "verdict %s reason %s profile %u packets %" PRIu64
	       " bytes %" PRIu64 " queued %u returned %u age_ms %" PRIu64
	       "\n", s->id, s->proto, src, s->sport, dst, s->dport,
	       fwhook_verdict_name(s->verdict), fwhook_reason_name(s->reason),
	       s->profile, s->packets, s->bytes, s->queued, s->returned,
	       s->age_ms);
	return 0;
}

static int cmd_sessions(struct fwhook *h, int argc, char **argv)
{
	return fwhook_sessions(h, print_session, NULL);
}

static int cmd_flush(struct fwhook *h, int argc, char **argv)
{
	return fwhook_flush(h);
}

static int cmd_del(struct fwhook *h, int argc, char **argv)
{
	return argc == 1 ? fwhook_delete(h, strtoull(argv[0], NULL, 0)) :
			   -EINVAL;
}

static int cmd_present(struct fwhook *h, int argc, char **argv)
{
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct fwhook *h, int argc, char **argv);
} cmds[] = {
	{ "set", cmd_set }, { "off", cmd_off }, { "config", cmd_config },
	{ "stats", cmd_stats }, { "sessions", cmd_sessions },
	{ "flush", cmd_flush }, { "del", cmd_del }, { "present", cmd_present },
};

int main(int argc, char **argv)
{
	struct fwhook h;
	size_t i;
	int err;

	if (argc < 2)
		goto usage;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		err = fwhook_open(&h);
		if (!err) {
			err = cmds[i].run(&h, argc - 2, argv + 2);
			fwhook_close(&h);
		}
		if (err)
			fprintf(stderr, "hookctl %s: %s\n", argv[1],
				strerror(-err));
		return err ? 1 : 0;
	}
usage:
	fprintf(stderr, "usage: hookctl set|off|config|stats|sessions|"
		"flush|del ID|present\n");
	return 2;
}
