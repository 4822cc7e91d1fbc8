// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Client of fwhook.ko's generic netlink family. Replies are decoded by
 * tables that map an attribute to a struct member of the same width, so
 * a new counter is one table line; an attribute of the wrong size is
 * skipped, never read past.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/genetlink.h>

#include "fwhook_client.h"

struct field {
	uint16_t	type;
	uint8_t		width;		/* 1, 2, 4, 8; 16: an address */
	size_t		off;
};

#define F(t, w, s, m)	{ t, w, offsetof(struct s, m) }

static const struct field session_fields[] = {
	F(FWHOOK_S_ID, 8, fwhook_session, id),
	F(FWHOOK_S_FAMILY, 1, fwhook_session, family),
	F(FWHOOK_S_PROTO, 1, fwhook_session, proto),
	F(FWHOOK_S_SADDR, 16, fwhook_session, saddr),
	F(FWHOOK_S_DADDR, 16, fwhook_session, daddr),
	F(FWHOOK_S_SPORT, 2, fwhook_session, sport),
	F(FWHOOK_S_DPORT, 2, fwhook_session, dport),
	F(FWHOOK_S_VERDICT, 1, fwhook_session, verdict),
	F(FWHOOK_S_REASON, 1, fwhook_session, reason),
	F(FWHOOK_S_PROFILE, 1, fwhook_session, profile),
	F(FWHOOK_S_PACKETS, 8, fwhook_session, packets),
	F(FWHOOK_S_BYTES, 8, fwhook_session, bytes),
	F(FWHOOK_S_QUEUED, 4, fwhook_session, queued),
	F(FWHOOK_S_RETURNED, 4, fwhook_session, returned),
	F(FWHOOK_S_AGE_MS, 8, fwhook_session, age_ms),
	F(FWHOOK_S_IDLE_MS, 8, fwhook_session, idle_ms),
	{ 0 }
};

static const struct field stats_fields[] = {
	F(FWHOOK_ST_SESSIONS, 4, fwhook_stats, sessions),
	F(FWHOOK_ST_CREATED, 8, fwhook_stats, created),
	F(FWHOOK_ST_EXPIRED, 8, fwhook_stats, expired),
	F(FWHOOK_ST_TABLE_FULL, 8, fwhook_stats, table_full),
	F(FWHOOK_ST_QUEUED, 8, fwhook_stats, queued),
	F(FWHOOK_ST_ACCEPTED, 8, fwhook_stats, accepted),
	F(FWHOOK_ST_DROPPED, 8, fwhook_stats, dropped),
	F(FWHOOK_ST_VERDICTS, 8, fwhook_stats, verdicts),
	F(FWHOOK_ST_BUDGET, 8, fwhook_stats, budget),
	{ 0 }
};

static const struct field profile_fields[] = {
	F(FWHOOK_P_QUEUE_FIRST, 2, fwhook_profile, queue_first),
	F(FWHOOK_P_QUEUE_COUNT, 2, fwhook_profile, queue_count),
	F(FWHOOK_P_FAIL_OPEN, 1, fwhook_profile, fail_open),
	F(FWHOOK_P_DEFAULT, 1, fwhook_profile, default_verdict),
	F(FWHOOK_P_BUDGET, 2, fwhook_profile, budget),
	{ 0 }
};

static void field_decode(const struct field *f, const struct nlattr *a,
			 void *obj)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (f->width == 16 ? len != 4 && len != 16 : len != f->width)
		return;
	memcpy((char *)obj + f->off, mnl_attr_get_payload(a), len);
}

/* Decodes the attributes of nest into obj through table fields. */
static void nest_decode(const struct nlattr *nest, const struct field *fields,
			void *obj)
{
	const struct nlattr *a;
	const struct field *f;

	mnl_attr_for_each_nested(a, nest)
		for (f = fields; f->type; f++)
			if (f->type == mnl_attr_get_type(a))
				field_decode(f, a, obj);
}

static struct nlmsghdr *msg_start(char *buf, uint16_t type, uint32_t seq,
				  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static struct nlmsghdr *request(struct fwhook *h, char *buf, uint8_t cmd,
				uint16_t flags)
{
	return msg_start(buf, h->family, nlsock_seq(&h->sock, 1), cmd,
			 FWHOOK_GENL_VERSION, flags);
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

int fwhook_open(struct fwhook *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	h->family = 0;
	if (nlsock_open(&h->sock, NETLINK_GENERIC) < 0)
		return -errno;
	nlh = msg_start(buf, GENL_ID_CTRL, nlsock_seq(&h->sock, 1),
			CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FWHOOK_GENL_NAME);
	err = nlsock_request(&h->sock, nlh, family_cb, &h->family);
	if (!err && !h->family)
		err = -ENOENT;
	if (err)
		nlsock_close(&h->sock);
	return err;
}

void fwhook_close(struct fwhook *h)
{
	nlsock_close(&h->sock);
}

static void profile_encode(struct nlmsghdr *nlh, const struct fwhook_profile *p,
			   uint16_t index)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, index);

	mnl_attr_put_u16(nlh, FWHOOK_P_QUEUE_FIRST, p->queue_first);
	mnl_attr_put_u16(nlh, FWHOOK_P_QUEUE_COUNT, p->queue_count);
	mnl_attr_put_u8(nlh, FWHOOK_P_FAIL_OPEN, p->fail_open);
	mnl_attr_put_u8(nlh, FWHOOK_P_DEFAULT, p->default_verdict);
	mnl_attr_put_u16(nlh, FWHOOK_P_BUDGET, p->budget);
	mnl_attr_nest_end(nlh, nest);
}

void fwhook_config_encode(struct nlmsghdr *nlh, const struct fwhook_config *c)
{
	struct nlattr *list;
	size_t i;

	if (c->idle_timeout)
		mnl_attr_put_u32(nlh, FWHOOK_A_IDLE_TIMEOUT, c->idle_timeout);
	if (c->max_sessions)
		mnl_attr_put_u32(nlh, FWHOOK_A_MAX_SESSIONS, c->max_sessions);
	list = mnl_attr_nest_start(nlh, FWHOOK_A_PROFILES);
	for (i = 0; i < c->nprofiles; i++)
		profile_encode(nlh, &c->profiles[i], i + 1);
	mnl_attr_nest_end(nlh, list);
}

int fwhook_set_config(struct fwhook *h, const struct fwhook_config *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (c->nprofiles > FWHOOK_PROFILES_MAX)
		return -E2BIG;
	nlh = request(h, buf, FWHOOK_CMD_SET_CONFIG, NLM_F_ACK);
	fwhook_config_encode(nlh, c);
	return nlsock_request(&h->sock, nlh, NULL, NULL);
}

void fwhook_config_decode(const struct nlmsghdr *nlh, struct fwhook_config *c)
{
	const struct nlattr *a, *p;

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case FWHOOK_A_IDLE_TIMEOUT:
		case FWHOOK_A_MAX_SESSIONS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				break;
			*(mnl_attr_get_type(a) == FWHOOK_A_IDLE_TIMEOUT ?
			  &c->idle_timeout : &c->max_sessions) =
				mnl_attr_get_u32(a);
			break;
		case FWHOOK_A_PROFILES:
			mnl_attr_for_each_nested(p, a)
				if (c->nprofiles < FWHOOK_PROFILES_MAX)
					nest_decode(p, profile_fields,
						    &c->profiles[c->nprofiles++]);
			break;
		}
	}
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	fwhook_config_decode(nlh, data);
	return MNL_CB_OK;
}

int fwhook_get_config(struct fwhook *h, struct fwhook_config *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(c, 0, sizeof(*c));	/* no reply: not configured */
	return nlsock_request(&h->sock,
			      request(h, buf, FWHOOK_CMD_GET_CONFIG, NLM_F_ACK),
			      config_cb, c);
}

struct nest_reply {
	uint16_t		type;
	const struct field	*fields;
	void			*obj;
};

static int nest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nest_reply *r = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == r->type)
			nest_decode(a, r->fields, r->obj);
	return MNL_CB_OK;
}

int fwhook_get_stats(struct fwhook *h, struct fwhook_stats *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nest_reply r = { FWHOOK_A_STATS, stats_fields, st };

	memset(st, 0, sizeof(*st));
	return nlsock_request(&h->sock,
			      request(h, buf, FWHOOK_CMD_GET_STATS, NLM_F_ACK),
			      nest_cb, &r);
}

struct walk {
	fwhook_session_fn	fn;
	void			*arg;
	int			ret;
};

void fwhook_session_decode(const struct nlmsghdr *nlh,
			   struct fwhook_session *s)
{
	struct nest_reply r = { FWHOOK_A_SESSION, session_fields, s };

	memset(s, 0, sizeof(*s));
	nest_cb(nlh, &r);
}

static int session_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct fwhook_session s;

	fwhook_session_decode(nlh, &s);
	w->ret = w->fn(&s, w->arg);
	return w->ret ? MNL_CB_STOP : MNL_CB_OK;
}

int fwhook_sessions(struct fwhook *h, fwhook_session_fn fn, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct walk w = { fn, arg, 0 };
	int err;

	err = nlsock_request(&h->sock,
			     request(h, buf, FWHOOK_CMD_GET_SESSION,
				     NLM_F_DUMP),
			     session_cb, &w);
	return w.ret ? w.ret : err;
}

int fwhook_delete(struct fwhook *h, uint64_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(h, buf, FWHOOK_CMD_DEL_SESSION,
				       NLM_F_ACK);

	mnl_attr_put_u64(nlh, FWHOOK_A_SESSION_ID, id);
	return nlsock_request(&h->sock, nlh, NULL, NULL);
}

int fwhook_flush(struct fwhook *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nlsock_request(&h->sock,
			      request(h, buf, FWHOOK_CMD_DEL_SESSION, NLM_F_ACK),
			      NULL, NULL);
}

const char *fwhook_verdict_name(unsigned int v)
{
	static const char *const names[] = {
		[FWHOOK_VERDICT_UNDECIDED] = "undecided",
		[FWHOOK_VERDICT_ACCEPT] = "accept",
		[FWHOOK_VERDICT_DENY] = "deny",
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

const char *fwhook_reason_name(unsigned int r)
{
	static const char *const names[] = {
		[FWHOOK_REASON_NONE] = "-",
		[FWHOOK_REASON_DAEMON] = "daemon",
		[FWHOOK_REASON_BUDGET] = "budget",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}
