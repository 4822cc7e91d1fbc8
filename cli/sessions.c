// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl sessions`: the inspected connections fwhook.ko keeps in this
 * namespace (tuple, verdict, reason, packets, bytes, age), as text or
 * JSON; `fwctl sessions delete ID|all` forgets them, so the next packet
 * of such a connection goes to fwctld again. Also the "inspect engine"
 * line of `fwctl status`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>

#include "commands.h"
#include "fwhook_client.h"
#include "json.h"
#include "sessions.h"

struct listing {
	struct json	j;
	bool		json;
	size_t		n;
};

static void addr_port(char *buf, size_t len, const struct fwhook_session *s,
		      const uint8_t *addr, uint16_t port)
{
	int af = s->family == AF_INET6 ? AF_INET6 : AF_INET;
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(af, addr, a, sizeof(a));
	if (!port)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, af == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
			 port);
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	const struct protoent *p = getprotobynumber(proto);

	if (p)
		return p->p_name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static void session_json(struct json *j, const struct fwhook_session *s)
{
	int af = s->family == AF_INET6 ? AF_INET6 : AF_INET;
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?";

	inet_ntop(af, s->saddr, src, sizeof(src));
	inet_ntop(af, s->daddr, dst, sizeof(dst));
	json_object_begin(j, NULL);
	json_uint(j, "id", s->id);
	json_string(j, "family", af == AF_INET6 ? "ip6" : "ip");
	json_uint(j, "proto", s->proto);
	json_string(j, "src", src);
	json_uint(j, "sport", s->sport);
	json_string(j, "dst", dst);
	json_uint(j, "dport", s->dport);
	json_string(j, "verdict", fwhook_verdict_name(s->verdict));
	json_string(j, "reason", fwhook_reason_name(s->reason));
	json_uint(j, "profile", s->profile);
	json_uint(j, "packets", s->packets);
	json_uint(j, "bytes", s->bytes);
	json_uint(j, "queued", s->queued);
	json_uint(j, "age_ms", s->age_ms);
	json_uint(j, "idle_ms", s->idle_ms);
	json_object_end(j);
}

static int session_print(const struct fwhook_session *s, void *arg)
{
	struct listing *l = arg;
	char src[64], dst[64], num[8];

	l->n++;
	if (l->json) {
		session_json(&l->j, s);
		return 0;
	}
	addr_port(src, sizeof(src), s, s->saddr, s->sport);
	addr_port(dst, sizeof(dst), s, s->daddr, s->dport);
	printf("%-6" PRIu64 " %-5s %-22s %-22s %-9s %-7s %9" PRIu64 " %11"
	       PRIu64 " %6.1fs\n", s->id, proto_name(s->proto, num,
	       sizeof(num)), src, dst, fwhook_verdict_name(s->verdict),
	       fwhook_reason_name(s->reason), s->packets, s->bytes,
	       s->age_ms / 1000.0);
	return 0;
}

static int list(struct fwhook *h, bool json)
{
	struct listing l = { .json = json };
	int err;

	if (json) {
		json_init(&l.j, stdout);
		json_array_begin(&l.j, NULL);
	} else {
		printf("%-6s %-5s %-22s %-22s %-9s %-7s %9s %11s %7s\n", "id",
		       "proto", "source", "destination", "verdict", "reason",
		       "packets", "bytes", "age");
	}
	err = fwhook_sessions(h, session_print, &l);
	if (json)
		json_array_end(&l.j);
	return err;
}

static int delete(struct fwhook *h, const char *what)
{
	char *end;
	uint64_t id;

	if (!strcmp(what, "all"))
		return fwhook_flush(h);
	id = strtoull(what, &end, 10);
	if (*end || end == what)
		return -EINVAL;
	return fwhook_delete(h, id);
}

int cmd_sessions(int argc, char **argv, const struct fw_opts *o)
{
	bool json = o->json || (argc > 1 && !strcmp(argv[1], "-j"));
	bool del = argc == 3 && !strcmp(argv[1], "delete");
	struct fwhook h;
	int err;

	if (argc > 1 && !json && !del) {
		fprintf(stderr, "usage: fwctl sessions [-j] | "
			"fwctl sessions delete ID|all\n");
		return FW_EXIT_USAGE;
	}
	err = fwhook_open(&h);
	if (err == -ENOENT) {
		fprintf(stderr, "fwctl sessions: fwhook.ko is not loaded; "
			"inspect rules use the nft ct mark form, which keeps "
			"no sessions\n");
		return FW_EXIT_SYSTEM;
	}
	if (!err) {
		err = del ? delete(&h, argv[2]) : list(&h, json);
		fwhook_close(&h);
	}
	if (err) {
		fprintf(stderr, "fwctl sessions: %s\n", strerror(-err));
		return FW_EXIT_SYSTEM;
	}
	return FW_EXIT_OK;
}

/* Which engine the inspect rules of this namespace use right now. */
void sessions_engine_print(FILE *out, struct json *j)
{
	struct fwhook_config c;
	struct fwhook_stats st;
	struct fwhook h;
	bool live;

	if (fwhook_open(&h)) {
		if (j)
			json_string(j, "inspect_engine", "nft ct mark");
		else
			fprintf(out, "inspect engine: nft ct mark "
				"(fwhook.ko not loaded)\n");
		return;
	}
	live = !fwhook_get_config(&h, &c) && !fwhook_get_stats(&h, &st);
	fwhook_close(&h);
	if (j) {
		json_string(j, "inspect_engine", "fwhook");
		json_uint(j, "fwhook_profiles", live ? c.nprofiles : 0);
		json_uint(j, "fwhook_sessions", live ? st.sessions : 0);
	} else if (live) {
		fprintf(out, "inspect engine: fwhook.ko (%zu profiles, "
			"%u sessions)\n", c.nprofiles, st.sessions);
	} else {
		fprintf(out, "inspect engine: fwhook.ko (not readable)\n");
	}
}
