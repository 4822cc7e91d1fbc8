// SPDX-License-Identifier: GPL-2.0-or-later
/* Encoding and decoding of the control protocol (include/fwctl/control.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fwctl/control.h"

#define ALIGN4(n)	(((n) + 3) & ~(size_t)3)

/* Fixed value sizes; 0 marks the variable ones, checked by their decoder. */
static const uint16_t attr_size[CONTROL_A_MAX + 1] = {
	[CONTROL_A_QUEUE_FIRST] = 2, [CONTROL_A_QUEUE_COUNT] = 2,
	[CONTROL_A_QUEUE_MAXLEN] = 4, [CONTROL_A_FAIL_OPEN] = 1,
	[CONTROL_A_DEFAULT] = 1, [CONTROL_A_BUDGET] = 2,
	[CONTROL_A_ERRNO] = 4, [CONTROL_A_QUEUE_STAT] = CONTROL_QUEUE_STAT_LEN,
	[CONTROL_A_BAD_REQUESTS] = 8, [CONTROL_A_FLOWS] = 8,
	[CONTROL_A_PROFILE] = 2,
};

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

void control_buf_free(struct control_buf *b)
{
	free(b->p);
	*b = (struct control_buf){ 0 };
}

static int buf_room(struct control_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	uint8_t *p;

	if (b->len + n > CONTROL_MSG_MAX)
		return -EMSGSIZE;
	if (b->len + n <= b->cap)
		return 0;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/*
 * Messages are built in place: put_hdr() remembers where the message
 * starts in b->len's high-water mark and msg_end() writes its length.
 */
static int put_hdr(struct control_buf *b, enum control_type type)
{
	int err = buf_room(b, CONTROL_HDR_LEN);

	if (err)
		return err;
	memset(b->p + b->len, 0, CONTROL_HDR_LEN);
	b->p[b->len] = CONTROL_VERSION;
	b->p[b->len + 1] = type;
	b->len += CONTROL_HDR_LEN;
	return 0;
}

static int put_attr(struct control_buf *b, uint16_t type, const void *v,
		    size_t n)
{
	size_t total = ALIGN4(CONTROL_ATTR_HDR_LEN + n);
	int err;

	if (CONTROL_ATTR_HDR_LEN + n > UINT16_MAX)
		return -EINVAL;
	err = buf_room(b, total);
	if (err)
		return err;
	memset(b->p + b->len, 0, total);
	put_be(b->p + b->len, type, 2);
	put_be(b->p + b->len + 2, CONTROL_ATTR_HDR_LEN + n, 2);
	memcpy(b->p + b->len + CONTROL_ATTR_HDR_LEN, v, n);
	b->len += total;
	return 0;
}

static int put_uint(struct control_buf *b, uint16_t type, uint64_t v)
{
	uint8_t be[8];

	put_be(be, v, attr_size[type]);
	return put_attr(b, type, be, attr_size[type]);
}

static int msg_end(struct control_buf *b, size_t start, int err)
{
	if (err) {
		b->len = start;
		return err;
	}
	put_be(b->p + start + 4, b->len - start, 4);
	return 0;
}

int control_put_request(struct control_buf *b, enum control_type type)
{
	size_t start = b->len;

	if (type != CONTROL_GET_STATUS && type != CONTROL_RELOAD &&
	    type != CONTROL_OK)
		return -EINVAL;
	return msg_end(b, start, put_hdr(b, type));
}

static int put_pattern(struct control_buf *b, const struct control_pattern *p)
{
	uint8_t v[2 + CONTROL_NAME_MAX];
	size_t n = strnlen(p->name, sizeof(p->name));

	if (!n || n > CONTROL_NAME_MAX)
		return -EINVAL;
	v[0] = p->kind;
	v[1] = p->action;
	memcpy(v + 2, p->name, n);
	return put_attr(b, CONTROL_A_PATTERN, v, 2 + n);
}

static int put_profile(struct control_buf *b, const struct control_profile *p)
{
	int err = put_uint(b, CONTROL_A_PROFILE, 0);
	size_t i;

	err = err ?: put_uint(b, CONTROL_A_QUEUE_FIRST, p->queue_first);
	err = err ?: put_uint(b, CONTROL_A_QUEUE_COUNT, p->queue_count);
	err = err ?: put_uint(b, CONTROL_A_QUEUE_MAXLEN, p->queue_maxlen);
	err = err ?: put_uint(b, CONTROL_A_FAIL_OPEN, p->fail_open);
	err = err ?: put_uint(b, CONTROL_A_DEFAULT, p->default_verdict);
	err = err ?: put_uint(b, CONTROL_A_BUDGET, p->budget);
	for (i = 0; !err && i < p->npatterns; i++)
		err = put_pattern(b, &p->patterns[i]);
	return err;
}

int control_put_config(struct control_buf *b, const struct control_config *c)
{
	size_t start = b->len, i;
	int err;

	if (control_config_check(c))
		return -EINVAL;
	err = put_hdr(b, CONTROL_SET_CONFIG);
	for (i = 0; !err && i < c->nprofiles; i++)
		err = put_profile(b, &c->profiles[i]);
	return msg_end(b, start, err);
}

int control_put_error(struct control_buf *b, int err, const char *msg)
{
	size_t start = b->len, n = strnlen(msg, CONTROL_ERRMSG_MAX);
	int e = put_hdr(b, CONTROL_ERROR);

	e = e ?: put_uint(b, CONTROL_A_ERRNO, err < 0 ? -err : err);
	if (n)
		e = e ?: put_attr(b, CONTROL_A_ERRMSG, msg, n);
	return msg_end(b, start, e);
}

static int put_queue_stat(struct control_buf *b,
			  const struct control_queue_stat *q)
{
	const uint64_t v[6] = { q->packets, q->accepted, q->denied, q->drops,
				q->overruns, q->flows };
	uint8_t be[CONTROL_QUEUE_STAT_LEN] = { 0 };
	size_t i;

	put_be(be, q->queue, 2);
	put_be(be + 2, q->watchdog ? CONTROL_QF_WATCHDOG : 0, 2);
	for (i = 0; i < 6; i++)
		put_be(be + 4 + 8 * i, v[i], 8);
	return put_attr(b, CONTROL_A_QUEUE_STAT, be, sizeof(be));
}

static int put_top(struct control_buf *b, const struct control_top *t)
{
	uint8_t v[8 + CONTROL_NAME_MAX];
	size_t n = strnlen(t->name, sizeof(t->name));

	if (!n || n > CONTROL_NAME_MAX)
		return -EINVAL;
	put_be(v, t->count, 8);
	memcpy(v + 8, t->name, n);
	return put_attr(b, CONTROL_A_TOP_DENIED, v, 8 + n);
}

int control_put_status(struct control_buf *b, const struct control_status *s)
{
	size_t start = b->len, i;
	int err = put_hdr(b, CONTROL_STATUS);

	if (s->nqueues > CONTROL_QUEUES_MAX || s->ntop > CONTROL_TOP_MAX)
		err = err ?: -EINVAL;
	err = err ?: put_uint(b, CONTROL_A_BAD_REQUESTS, s->bad_requests);
	err = err ?: put_uint(b, CONTROL_A_FLOWS, s->flows);
	for (i = 0; !err && i < s->nqueues; i++)
		err = put_queue_stat(b, &s->queues[i]);
	for (i = 0; !err && i < s->ntop; i++)
		err = put_top(b, &s->top[i]);
	return msg_end(b, start, err);
}

long control_msg_len(const uint8_t *p, size_t len, enum control_type *type)
{
	uint32_t n;

	if (len < CONTROL_HDR_LEN || p[0] != CONTROL_VERSION ||
	    p[1] < CONTROL_SET_CONFIG || p[1] > CONTROL_TYPE_MAX ||
	    p[2] || p[3])
		return -EBADMSG;
	n = get_be(p + 4, 4);
	if (n < CONTROL_HDR_LEN || n > CONTROL_MSG_MAX || n % 4)
		return -EBADMSG;
	*type = p[1];
	return n;
}

/* Reads exactly n bytes: 0, -EPIPE when the peer closed, or -errno. */
static int recv_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -EPIPE;
		p += r;
		n -= r;
	}
	return 0;
}

int control_recv(int fd, uint8_t **msg, size_t *len, enum control_type *type)
{
	uint8_t hdr[CONTROL_HDR_LEN];
	long n;
	int err = recv_full(fd, hdr, sizeof(hdr));

	*msg = NULL;
	if (err)
		return err;
	n = control_msg_len(hdr, sizeof(hdr), type);
	if (n < 0)
		return -EBADMSG;
	*msg = malloc(n);
	if (!*msg)
		return -ENOMEM;
	memcpy(*msg, hdr, sizeof(hdr));
	if (recv_full(fd, *msg + sizeof(hdr), n - sizeof(hdr))) {
		free(*msg);
		*msg = NULL;
		return -EBADMSG;
	}
	*len = n;
	return 0;
}

int control_send(int fd, const struct control_buf *b)
{
	size_t off = 0;
	ssize_t r;

	while (off < b->len) {
		r = send(fd, b->p + off, b->len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		off += r;
	}
	return 0;
}

/* One attribute of a message being walked; its value is v[0..n). */
struct attr {
	uint16_t type;
	const uint8_t *v;
	size_t n;
};

/*
 * Steps to the next attribute: 1 with *a set, 0 at the end, -EBADMSG for
 * one that does not fit or has the wrong size for its type.
 */
static int attr_next(const uint8_t **p, const uint8_t *end, struct attr *a)
{
	size_t left = end - *p, len;

	if (!left)
		return 0;
	if (left < CONTROL_ATTR_HDR_LEN)
		return -EBADMSG;
	a->type = get_be(*p, 2);
	len = get_be(*p + 2, 2);
	if (len < CONTROL_ATTR_HDR_LEN || ALIGN4(len) > left ||
	    !a->type || a->type > CONTROL_A_MAX ||
	    (attr_size[a->type] && len - 4 != attr_size[a->type]))
		return -EBADMSG;
	a->v = *p + CONTROL_ATTR_HDR_LEN;
	a->n = len - CONTROL_ATTR_HDR_LEN;
	*p += ALIGN4(len);
	return 1;
}

/* The attributes of a message of type want, after checking its header. */
static int msg_body(const uint8_t *p, size_t len, enum control_type want,
		    const uint8_t **body, const uint8_t **end)
{
	enum control_type type;
	long n = control_msg_len(p, len, &type);

	if (n < 0 || (size_t)n != len || type != want)
		return -EBADMSG;
	*body = p + CONTROL_HDR_LEN;
	*end = p + len;
	return 0;
}

/* Scalars may come once each: seen is a bit per attribute type. */
static bool once(uint32_t *seen, uint16_t type)
{
	if (*seen & 1u << type)
		return false;
	*seen |= 1u << type;
	return true;
}

static bool name_ok(const uint8_t *v, size_t n)
{
	return n >= 1 && n <= CONTROL_NAME_MAX && !memchr(v, 0, n);
}

/*
 * The arrays grow in powers of two, so their capacity need not be
 * stored: a count that is a power of two (or zero) is a full array.
 */
static int grow(void **a, size_t n, size_t size)
{
	void *p;

	if (n & (n - 1))
		return 0;
	p = realloc(*a, (n ? 2 * n : 1) * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	return 0;
}

void control_profile_init(struct control_profile *p)
{
	*p = (struct control_profile){
		.queue_count = 1, .queue_maxlen = CONTROL_MAXLEN_DEFAULT,
		.fail_open = 1, .default_verdict = CONTROL_ACCEPT,
		.budget = CONTROL_BUDGET_DEFAULT };
}

struct control_profile *control_config_add_profile(struct control_config *c)
{
	struct control_profile *p;

	if (grow((void **)&c->profiles, c->nprofiles, sizeof(*p)))
		return NULL;
	p = &c->profiles[c->nprofiles++];
	control_profile_init(p);
	return p;
}

int control_profile_add_pattern(struct control_profile *p,
				enum control_kind kind,
				enum control_action action, const char *name)
{
	size_t n = strlen(name);
	struct control_pattern *cp;

	if (!n || n > CONTROL_NAME_MAX)
		return -EINVAL;
	if (grow((void **)&p->patterns, p->npatterns, sizeof(*cp)))
		return -ENOMEM;
	cp = &p->patterns[p->npatterns++];
	cp->kind = kind;
	cp->action = action;
	memcpy(cp->name, name, n + 1);
	return 0;
}

static const char *profile_fields_check(const struct control_profile *p)
{
	if (p->queue_count < 1 || p->queue_count > CONTROL_QUEUES_MAX ||
	    p->queue_first + p->queue_count - 1 > UINT16_MAX)
		return "queue range out of bounds (1..64 queues, up to 65535)";
	if (p->queue_maxlen < 1 || p->queue_maxlen > CONTROL_MAXLEN_MAX)
		return "queue length out of bounds (1..1000000)";
	if (p->fail_open > 1 || p->default_verdict > CONTROL_DROP)
		return "bad fail mode or default verdict";
	if (p->budget < 1 || p->budget > CONTROL_BUDGET_MAX)
		return "budget out of bounds (1..1000 packets)";
	if (p->npatterns > CONTROL_PATTERNS_MAX)
		return "too many names";
	return NULL;
}

const char *control_profile_check(const struct control_config *c, size_t i)
{
	const struct control_profile *p = &c->profiles[i], *o;
	const char *why = profile_fields_check(p);
	size_t total = p->queue_count, j;

	for (j = 0; !why && j < i; j++) {
		o = &c->profiles[j];
		total += o->queue_count;
		if (p->queue_first < o->queue_first + o->queue_count &&
		    o->queue_first < p->queue_first + p->queue_count)
			why = "queue range overlaps another profile's";
	}
	if (!why && total > CONTROL_QUEUES_MAX)
		why = "more than 64 queues in all profiles";
	return why;
}

const char *control_config_check(const struct control_config *c)
{
	const char *why = NULL;
	size_t i;

	for (i = 0; !why && i < c->nprofiles; i++)
		why = control_profile_check(c, i);
	return why;
}

static int config_pattern(struct control_profile *p, const struct attr *a)
{
	struct control_pattern *cp;

	if (a->n < 3 || !name_ok(a->v + 2, a->n - 2) ||
	    a->v[0] >= CONTROL_KINDS || a->v[1] >= CONTROL_ACTIONS ||
	    p->npatterns >= CONTROL_PATTERNS_MAX)
		return -EBADMSG;
	if (grow((void **)&p->patterns, p->npatterns, sizeof(*cp)))
		return -ENOMEM;
	cp = &p->patterns[p->npatterns++];
	cp->kind = a->v[0];
	cp->action = a->v[1];
	memcpy(cp->name, a->v + 2, a->n - 2);
	cp->name[a->n - 2] = '\0';
	return 0;
}

/* Where each scalar goes; the ranges are checked per profile at its end. */
static void config_scalar(struct control_profile *p, const struct attr *a)
{
	uint64_t v = get_be(a->v, a->n);

	switch (a->type) {
	case CONTROL_A_QUEUE_FIRST:
		p->queue_first = v;
		break;
	case CONTROL_A_QUEUE_COUNT:
		p->queue_count = v;
		break;
	case CONTROL_A_QUEUE_MAXLEN:
		p->queue_maxlen = v;
		break;
	case CONTROL_A_FAIL_OPEN:
		p->fail_open = v;
		break;
	case CONTROL_A_DEFAULT:
		p->default_verdict = v;
		break;
	case CONTROL_A_BUDGET:
		p->budget = v;
		break;
	}
}

static const uint32_t config_required = 1u << CONTROL_A_QUEUE_FIRST |
	1u << CONTROL_A_QUEUE_COUNT | 1u << CONTROL_A_QUEUE_MAXLEN |
	1u << CONTROL_A_FAIL_OPEN | 1u << CONTROL_A_DEFAULT |
	1u << CONTROL_A_BUDGET;

/* The profile just finished: all scalars given, all in bounds. */
static int config_profile_end(const struct control_config *c, uint32_t seen)
{
	if (!c->nprofiles)
		return 0;
	if (seen != config_required ||
	    control_profile_check(c, c->nprofiles - 1))
		return -EBADMSG;
	return 0;
}

static int config_attr(struct control_config *c, const struct attr *a,
		       uint32_t *seen)
{
	struct control_profile *p;
	int err;

	if (a->type == CONTROL_A_PROFILE) {
		err = config_profile_end(c, *seen);
		if (err || get_be(a->v, a->n) ||
		    c->nprofiles == CONTROL_QUEUES_MAX)
			return err ?: -EBADMSG;
		*seen = 0;
		return control_config_add_profile(c) ? 0 : -ENOMEM;
	}
	if (!c->nprofiles)
		return -EBADMSG;
	p = &c->profiles[c->nprofiles - 1];
	if (a->type == CONTROL_A_PATTERN)
		return config_pattern(p, a);
	if (!(config_required & 1u << a->type) || !once(seen, a->type))
		return -EBADMSG;
	config_scalar(p, a);
	return 0;
}

int control_get_config(const uint8_t *p, size_t len, struct control_config *c)
{
	const uint8_t *end;
	uint32_t seen = 0;
	struct attr a;
	int r;

	*c = (struct control_config){ 0 };
	r = msg_body(p, len, CONTROL_SET_CONFIG, &p, &end);
	while (!r && (r = attr_next(&p, end, &a)) > 0)
		r = config_attr(c, &a, &seen);
	r = r ?: config_profile_end(c, seen);
	if (r)
		control_config_free(c);
	return r;
}

void control_config_free(struct control_config *c)
{
	size_t i;

	for (i = 0; i < c->nprofiles; i++)
		free(c->profiles[i].patterns);
	free(c->profiles);
	*c = (struct control_config){ 0 };
}

static int error_attr(const struct attr *a, uint32_t *seen, int *err,
		      char *msg)
{
	if (!once(seen, a->type))
		return -EBADMSG;
	if (a->type == CONTROL_A_ERRNO) {
		*err = get_be(a->v, 4);
		return 0;
	}
	if (a->type != CONTROL_A_ERRMSG || a->n < 1 ||
	    a->n > CONTROL_ERRMSG_MAX || memchr(a->v, 0, a->n))
		return -EBADMSG;
	memcpy(msg, a->v, a->n);
	msg[a->n] = '\0';
	return 0;
}

int control_get_error(const uint8_t *p, size_t len, int *err,
		      char msg[CONTROL_ERRMSG_MAX + 1])
{
	const uint8_t *end;
	uint32_t seen = 0;
	struct attr a;
	int r = msg_body(p, len, CONTROL_ERROR, &p, &end);

	msg[0] = '\0';
	while (!r && (r = attr_next(&p, end, &a)) > 0)
		r = error_attr(&a, &seen, err, msg);
	if (!r && !(seen & 1u << CONTROL_A_ERRNO))
		r = -EBADMSG;
	return r;
}

static int status_queue(struct control_status *s, const struct attr *a)
{
	struct control_queue_stat *q;
	uint64_t *v[6];
	size_t i;

	if (s->nqueues == CONTROL_QUEUES_MAX ||
	    get_be(a->v + 2, 2) & ~CONTROL_QF_WATCHDOG)
		return -EBADMSG;
	q = &s->queues[s->nqueues++];
	q->queue = get_be(a->v, 2);
	q->watchdog = get_be(a->v + 2, 2) & CONTROL_QF_WATCHDOG;
	v[0] = &q->packets, v[1] = &q->accepted, v[2] = &q->denied;
	v[3] = &q->drops, v[4] = &q->overruns, v[5] = &q->flows;
	for (i = 0; i < 6; i++)
		*v[i] = get_be(a->v + 4 + 8 * i, 8);
	return 0;
}

static int status_top(struct control_status *s, const struct attr *a)
{
	struct control_top *t;

	if (s->ntop == CONTROL_TOP_MAX || a->n < 9 ||
	    !name_ok(a->v + 8, a->n - 8))
		return -EBADMSG;
	t = &s->top[s->ntop++];
	t->count = get_be(a->v, 8);
	memcpy(t->name, a->v + 8, a->n - 8);
	t->name[a->n - 8] = '\0';
	return 0;
}

static int status_attr(struct control_status *s, const struct attr *a,
		       uint32_t *seen)
{
	if (a->type == CONTROL_A_QUEUE_STAT)
		return status_queue(s, a);
	if (a->type == CONTROL_A_TOP_DENIED)
		return status_top(s, a);
	if (!once(seen, a->type))
		return -EBADMSG;
	if (a->type == CONTROL_A_BAD_REQUESTS)
		s->bad_requests = get_be(a->v, 8);
	else if (a->type == CONTROL_A_FLOWS)
		s->flows = get_be(a->v, 8);
	else
		return -EBADMSG;
	return 0;
}

int control_get_status(const uint8_t *p, size_t len, struct control_status *s)
{
	const uint8_t *end;
	uint32_t seen = 0;
	struct attr a;
	int r = msg_body(p, len, CONTROL_STATUS, &p, &end);

	memset(s, 0, sizeof(*s));
	while (!r && (r = attr_next(&p, end, &a)) > 0)
		r = status_attr(s, &a, &seen);
	return r;
}
