/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CONTROL_H
#define FWCTL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The protocol of fwctld's control socket (a unix stream socket, root
 * only), the one definition both fwctl and fwctld use. A client sends one
 * request and reads one reply, as often as it likes on one connection.
 *
 * Every message is a header and a list of attributes; all integers are
 * big-endian, every attribute starts on a 4-byte boundary.
 *
 *    0               1               2               3
 *   +---------------+---------------+---------------+---------------+
 *   |  version (1)  |    type       |        reserved (zero)        |
 *   +---------------+---------------+---------------+---------------+
 *   |          length of the whole message, header included         |
 *   +---------------+---------------+---------------+---------------+
 *   |   attribute type (u16)        | attribute length (u16, incl.  |
 *   |                               | these 4 bytes, not the pad)   |
 *   +---------------+---------------+---------------+---------------+
 *   |   value ..., zero padding to a multiple of 4                  |
 *   +---------------------------------------------------------------+
 *   |   next attribute ...                                          |
 *
 * Bounds, checked by every decoder: the message length is at least the
 * header and at most CONTROL_MSG_MAX; an attribute lies wholly inside
 * the message, and its length is exactly its type's fixed size (see the
 * table beside each type) or, for names, 2 + 1..HOSTNAME_MAX bytes. An
 * unknown version or message type is refused; an unknown attribute type
 * is refused too (there is no "ignore" bit: both sides ship together).
 * Repeated scalar attributes are refused.
 *
 * SET_CONFIG is a list of profiles: CONTROL_A_PROFILE starts one, and the
 * config attributes after it (every scalar exactly once, patterns any
 * number of times) belong to it until the next PROFILE. A config
 * attribute before the first PROFILE is refused, and so are profiles
 * whose queue ranges overlap or that own more than CONTROL_QUEUES_MAX
 * queues together. A SET_CONFIG without profiles unbinds every queue.
 */
#define CONTROL_VERSION		1
#define CONTROL_HDR_LEN		8
#define CONTROL_ATTR_HDR_LEN	4
#define CONTROL_MSG_MAX		(16u << 20)	/* 100k names fit 4 times */
#define CONTROL_PATTERNS_MAX	500000
#define CONTROL_QUEUES_MAX	64
#define CONTROL_TOP_MAX		16
#define CONTROL_NAME_MAX	253		/* HOSTNAME_MAX */
#define CONTROL_ERRMSG_MAX	200
#define CONTROL_MAXLEN_MAX	1000000
#define CONTROL_MAXLEN_DEFAULT	1024
#define CONTROL_BUDGET_MAX	1000
#define CONTROL_BUDGET_DEFAULT	8

/* Files shared by fwctl and fwctld: fwctl --rundir DIR, fwctld -r DIR. */
#define CONTROL_RUN_DIR		"/run/fwctld"
#define CONTROL_SOCKET_NAME	"fwctld.sock"	/* DIR/fwctld.sock, 0600 */
#define CONTROL_CONFIG_NAME	"inspect.conf"	/* fwctld's text format */

enum control_type {
	CONTROL_SET_CONFIG = 1,	/* request: config attributes; reply OK */
	CONTROL_GET_STATUS,	/* request: no attributes; reply STATUS */
	CONTROL_RELOAD,		/* request: none; rereads the config file */
	CONTROL_OK,		/* reply: no attributes */
	CONTROL_ERROR,		/* reply: ERRNO, ERRMSG */
	CONTROL_STATUS,		/* reply: status attributes */
	CONTROL_TYPE_MAX = CONTROL_STATUS,
};

enum control_attr {
	/* SET_CONFIG */
	CONTROL_A_QUEUE_FIRST = 1,	/* u16 */
	CONTROL_A_QUEUE_COUNT,		/* u16, 1..CONTROL_QUEUES_MAX */
	CONTROL_A_QUEUE_MAXLEN,		/* u32, 1..1000000 */
	CONTROL_A_FAIL_OPEN,		/* u8, 0 or 1 */
	CONTROL_A_DEFAULT,		/* u8, enum control_verdict */
	CONTROL_A_BUDGET,		/* u16, 1..1000 packets */
	CONTROL_A_PATTERN,		/* u8 kind, u8 action, name */
	/* ERROR */
	CONTROL_A_ERRNO,		/* u32, a positive errno */
	CONTROL_A_ERRMSG,		/* 1..CONTROL_ERRMSG_MAX bytes */
	/* STATUS */
	CONTROL_A_QUEUE_STAT,		/* u16 queue, u16 flags, 6 x u64 */
	CONTROL_A_TOP_DENIED,		/* u64 count, name */
	CONTROL_A_BAD_REQUESTS,		/* u64 */
	CONTROL_A_FLOWS,		/* u64 */
	/* SET_CONFIG: starts a profile (numbered after the others) */
	CONTROL_A_PROFILE,		/* u16, zero */
	CONTROL_A_MAX = CONTROL_A_PROFILE,
};

#define CONTROL_QUEUE_STAT_LEN	(4 + 6 * 8)
/* QUEUE_STAT flags; other bits are zero. */
#define CONTROL_QF_WATCHDOG	0x0001	/* the watchdog answers it now */

enum control_verdict { CONTROL_ACCEPT, CONTROL_DROP };
enum control_kind { CONTROL_SNI, CONTROL_HOST, CONTROL_DNS, CONTROL_KINDS };
enum control_action { CONTROL_DENY, CONTROL_ALLOW, CONTROL_ACTIONS };

struct control_pattern {
	uint8_t kind;			/* enum control_kind */
	uint8_t action;			/* enum control_action */
	char name[CONTROL_NAME_MAX + 1];	/* checked by the daemon */
};

/* One inspect configuration and the queues that decide by it. */
struct control_profile {
	uint16_t queue_first, queue_count;	/* count 1..QUEUES_MAX */
	uint32_t queue_maxlen;		/* 1..CONTROL_MAXLEN_MAX */
	uint8_t fail_open;		/* 1: bypass flag set in the rule */
	uint8_t default_verdict;	/* enum control_verdict */
	uint16_t budget;		/* 1..CONTROL_BUDGET_MAX packets */
	size_t npatterns;
	struct control_pattern *patterns;	/* malloc'd by the decoder */
};

struct control_config {
	size_t nprofiles;		/* 0: no inspection, unbind all */
	struct control_profile *profiles;	/* malloc'd by the decoder */
};

struct control_queue_stat {
	uint16_t queue;
	uint64_t packets, accepted, denied, drops, overruns, flows;
	bool watchdog;		/* the daemon hung; its watchdog answers */
};

struct control_top {
	uint64_t count;
	char name[CONTROL_NAME_MAX + 1];
};

struct control_status {
	uint64_t bad_requests, flows;
	size_t nqueues, ntop;
	struct control_queue_stat queues[CONTROL_QUEUES_MAX];
	struct control_top top[CONTROL_TOP_MAX];	/* most denied first */
};

/* A growing output buffer; the encoders below append one message to it. */
struct control_buf {
	uint8_t *p;
	size_t len, cap;
};

void control_buf_free(struct control_buf *b);

/*
 * Each appends one message and returns 0 or -ENOMEM, -EMSGSIZE (over
 * CONTROL_MSG_MAX), -EINVAL; b is unchanged on error.
 * control_put_request() makes the messages without attributes:
 * GET_STATUS, RELOAD and the OK reply.
 */
int control_put_request(struct control_buf *b, enum control_type type);
int control_put_config(struct control_buf *b, const struct control_config *c);
int control_put_error(struct control_buf *b, int err, const char *msg);
int control_put_status(struct control_buf *b, const struct control_status *s);

/*
 * Checks the header of what a stream has delivered so far (len bytes,
 * len >= CONTROL_HDR_LEN) and returns the length of the whole message,
 * or -EBADMSG for a bad version, type or length; *type is set on success.
 */
long control_msg_len(const uint8_t *p, size_t len, enum control_type *type);

/* A profile with the defaults: queue 0, fail-open, accept, no patterns. */
void control_profile_init(struct control_profile *p);

/*
 * Grow a config by one profile (initialised) or a profile by one pattern
 * (name copied, not checked beyond its length). NULL / -ENOMEM, -EINVAL.
 * Arrays grown only by these (and the decoder) may be freed with
 * control_config_free().
 */
struct control_profile *control_config_add_profile(struct control_config *c);
int control_profile_add_pattern(struct control_profile *p,
				enum control_kind kind,
				enum control_action action, const char *name);

/*
 * Checks profile i of c: its fields in range, its queues disjoint from
 * those of profiles 0..i-1 and all of them together at most
 * CONTROL_QUEUES_MAX. Returns NULL or why not (a constant string).
 * control_config_check() checks every profile the same way.
 */
const char *control_profile_check(const struct control_config *c, size_t i);
const char *control_config_check(const struct control_config *c);

/*
 * The framing on a stream socket, for both ends. control_recv() reads one
 * whole message into a malloc'd *msg: 0; -EBADMSG for a bad header or a
 * message cut short after it; otherwise the -errno (-EPIPE: closed) of a
 * read before the header was complete, -EAGAIN on a socket timeout.
 * control_send() writes b whole: 0 or -errno.
 */
int control_recv(int fd, uint8_t **msg, size_t *len, enum control_type *type);
int control_send(int fd, const struct control_buf *b);

/*
 * Decode one whole message of the given type (p, len as control_msg_len()
 * accepted). Return 0 or -EBADMSG (anything out of bounds, see above),
 * -ENOMEM. control_get_config() allocates the profiles and their
 * patterns: free them with control_config_free(); on error nothing is
 * left allocated. control_put_config() refuses (-EINVAL) a config
 * control_config_check() refuses.
 */
int control_get_config(const uint8_t *p, size_t len,
		       struct control_config *c);
void control_config_free(struct control_config *c);
int control_get_error(const uint8_t *p, size_t len, int *err,
		      char msg[CONTROL_ERRMSG_MAX + 1]);
int control_get_status(const uint8_t *p, size_t len,
		       struct control_status *s);

#endif
