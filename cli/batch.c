// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nf_tables batches: build in pages, send in one sendmsg(), read back what
 * the kernel answered and map each error to the rule, set or chain the
 * message was built from.
 *
 * No message asks for an ack. The kernel runs the whole batch inside our
 * sendmsg() and queues its errors (and echoes) before it returns, so what
 * is queued then is all there is: silence is success. An ack per message
 * cost the kernel an allocation, an skb and a wakeup each, and us a
 * recvmmsg slot: a fifth of loading a 20,000-rule batch (nft asks for none
 * either).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>

#include "batch.h"
#include "xalloc.h"

/*
 * Big pages keep the iovec short (a 50,000-rule batch is a few dozen of
 * them); the overrun is where the message that crosses a page end goes.
 */
#define BATCH_PAGE_SIZE	(256 * 1024)
/* Replies read per recvmmsg(); each is an error or an echoed rule. */
#define RECV_VLEN	64
#define RECV_SIZE	8192
/*
 * What one queued error costs in the receive buffer (skb truesize): room
 * for every message to fail, as all do when the kernel lacks a feature.
 */
#define REPLY_TRUESIZE	1024

/* A new rule: objects made before and with it, its message's index. */
struct batch_rule {
	uint32_t	made;
	uint32_t	msg;
};

struct batch {
	struct nlsock		*sock;
	struct nftnl_batch	*pages;
	uint32_t		base;	/* BEGIN's seq; message i: base+1+i */
	uint32_t		*genid;	/* in BEGIN, written at send time */
	struct batch_origin	*origins;
	size_t			n, cap;
	uint32_t		set_id;
	mnl_cb_t		echo_fn;	/* NULL: no echoes asked */
	void			*echo_data;
	size_t			echo_every;	/* rule i echoes: i % it == 0 */
	struct nlmsghdr		*last_rule;
	/* Once a sample is asked: objects numbered so far; the new rules */
	uint32_t		made;
	struct batch_rule	*rules;
	size_t			n_rules;
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		abort();
	return p;
}

static void batch_page_done(struct batch *b)
{
	if (nftnl_batch_update(b->pages) < 0)
		abort();
}

/*
 * BEGIN always carries the generation attribute (0 means "no check"), so
 * that its place in the first page is fixed before any other message.
 */
static void batch_begin(struct batch *b)
{
	struct nlmsghdr *nlh;

	struct nlattr *attr;

	nlh = nftnl_batch_begin(nftnl_batch_buffer(b->pages), b->base);
	attr = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, 0);
	b->genid = mnl_attr_get_payload(attr);
	batch_page_done(b);
}

struct batch *batch_new(struct nlsock *s)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	b->sock = s;
	b->pages = nftnl_batch_alloc(BATCH_PAGE_SIZE, BATCH_MSG_MAX);
	if (!b->pages)
		abort();
	b->base = s->seq;
	batch_begin(b);
	return b;
}

void batch_free(struct batch *b)
{
	if (!b)
		return;
	nftnl_batch_free(b->pages);
	free(b->origins);
	free(b->rules);
	free(b);
}

/* What nf_tables numbers from the table's one handle counter. */
static bool makes_handle(uint16_t type)
{
	return type == NFT_MSG_NEWCHAIN || type == NFT_MSG_NEWSET ||
	       type == NFT_MSG_NEWRULE || type == NFT_MSG_NEWOBJ ||
	       type == NFT_MSG_NEWFLOWTABLE;
}

/* Notes a new rule of a sampled batch; whether it asks for an echo. */
static bool rule_made(struct batch *b)
{
	size_t i = b->n_rules;

	b->rules = xgrow(b->rules, b->n_rules++, sizeof(*b->rules));
	b->rules[i] = (struct batch_rule){ b->made, (uint32_t)(b->n - 1) };
	return i % b->echo_every == 0;
}

struct nlmsghdr *batch_msg(struct batch *b, uint16_t type, uint16_t family,
			   uint16_t flags, const struct batch_origin *o)
{
	struct nlmsghdr *nlh;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->origins = xrealloc(b->origins,
				      b->cap * sizeof(*b->origins));
	}
	b->origins[b->n] = *o;
	b->n++;
	if (b->echo_fn && makes_handle(type))
		b->made++;
	if (b->echo_fn && type == NFT_MSG_NEWRULE && rule_made(b))
		flags |= NLM_F_ECHO;
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b->pages), type,
				    family, flags, b->base + (uint32_t)b->n);
	if (type == NFT_MSG_NEWRULE)
		b->last_rule = nlh;
	return nlh;
}

void batch_next(struct batch *b)
{
	batch_page_done(b);
}

void batch_echo_sample(struct batch *b, size_t every, mnl_cb_t fn,
		       void *data)
{
	b->echo_fn = fn;
	b->echo_data = data;
	b->echo_every = every ? every : 1;
}

size_t batch_rules(const struct batch *b)
{
	return b->n_rules;
}

bool batch_rule_echoes(const struct batch *b, size_t i)
{
	return b->echo_fn && (i % b->echo_every == 0 || i + 1 == b->n_rules);
}

const struct batch_origin *batch_rule_origin(const struct batch *b,
					     size_t i)
{
	return &b->origins[b->rules[i].msg];
}

uint64_t batch_rule_handle(const struct batch *b, size_t i, uint64_t first)
{
	return batch_rule_handle_at(b, i, batch_handles_before(b, first));
}

uint64_t batch_rule_handle_at(const struct batch *b, size_t i,
			      uint64_t before)
{
	return before + b->rules[i].made;
}

uint64_t batch_handles_after(const struct batch *b, uint64_t before)
{
	return before + b->made;
}

uint64_t batch_handles_before(const struct batch *b, uint64_t first)
{
	return first - b->rules[0].made;
}

uint32_t batch_set_id(struct batch *b)
{
	return ++b->set_id;
}

size_t batch_count(const struct batch *b)
{
	return b->n;
}

/* What the kernel said besides the errno (NLMSGERR_ATTR_MSG), or NULL. */
static const char *ack_message(const struct nlmsghdr *nlh,
			       const struct nlmsgerr *e)
{
	const struct nlattr *attr;
	const void *tlvs;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	/* Uncapped errors carry the whole request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (MNL_ALIGN(off) + sizeof(*nlh) > nlh->nlmsg_len)
		return NULL;
	tlvs = (const char *)e + MNL_ALIGN(off);
	mnl_attr_for_each_payload(tlvs, nlh->nlmsg_len - sizeof(*nlh) -
					MNL_ALIGN(off)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

struct batch_recv {
	struct batch	*b;
	batch_error_fn	fn;
	void		*data;
	int		err;		/* the first error, -errno */
	bool		whole;		/* the batch itself was refused */
};

static int batch_ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct batch_recv *r = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t i = nlh->nlmsg_seq - r->b->base;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || i > r->b->n) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_OK;
	if (!r->err)
		r->err = e->error;
	/* An error on BEGIN: the kernel refused the batch before reading it. */
	if (i == 0) {
		r->whole = true;
		r->err = e->error;
		return MNL_CB_STOP;
	}
	if (r->fn)
		r->fn(&r->b->origins[i - 1], -e->error, ack_message(nlh, e),
		      r->data);
	return MNL_CB_OK;
}

/* Echoes are the only messages besides acks. */
static int batch_echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct batch_recv *r = data;

	return r->b->echo_fn ? r->b->echo_fn(nlh, r->b->echo_data) :
			       MNL_CB_OK;
}

static int batch_recv_one(struct batch_recv *r, const void *buf, size_t len)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = batch_ack_cb,
	};

	return mnl_cb_run2(buf, len, 0, r->b->sock->portid, batch_echo_cb, r,
			   ctl, NLMSG_MIN_TYPE);
}

/*
 * Every reply is queued by the time sendmsg() returns (see the top): read
 * without blocking until the queue is empty, many replies per system call.
 * Each message has one reply at most (an error or an echo): a small batch
 * gets a small buffer (512 KiB of it took a one-rule change's heap into
 * a third huge page, which the kernel zeroes).
 */
static int batch_recv(struct batch_recv *r)
{
	struct mmsghdr msgs[RECV_VLEN];
	struct iovec iov[RECV_VLEN];
	int vlen = r->b->n + 2 < RECV_VLEN ? (int)r->b->n + 2 : RECV_VLEN;
	char *buf = malloc((size_t)vlen * RECV_SIZE);
	int fd = mnl_socket_get_fd(r->b->sock->nl), n, i, ret = 0;

	if (!buf)
		return -ENOMEM;
	while (!r->whole && ret >= 0) {
		for (i = 0; i < vlen; i++) {
			iov[i].iov_base = buf + (size_t)i * RECV_SIZE;
			iov[i].iov_len = RECV_SIZE;
			msgs[i].msg_hdr = (struct msghdr){
				.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, msgs, (unsigned)vlen, MSG_DONTWAIT, NULL);
		if (n < 0) {
			ret = errno == EAGAIN ? 0 : -errno;
			break;
		}
		for (i = 0; i < n && ret >= 0 && !r->whole; i++)
			if (batch_recv_one(r, iov[i].iov_base,
					   msgs[i].msg_len) < 0)
				ret = -errno;
	}
	free(buf);
	return ret;
}

static int batch_sendmsg(struct batch *b)
{
	int n_iov = nftnl_batch_iovec_len(b->pages);
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &snl, .msg_namelen = sizeof(snl) };
	struct iovec *iov;
	size_t total = 0;
	int i, err = 0;

	if (n_iov > IOV_MAX)
		return -EMSGSIZE;
	iov = calloc((size_t)n_iov, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(b->pages, iov, (uint32_t)n_iov);
	for (i = 0; i < n_iov; i++)
		total += iov[i].iov_len;
	nlsock_set_buffers(b->sock, total + 65536,
			   (b->n + 16) * REPLY_TRUESIZE + 256 * 1024);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n_iov;
	if (sendmsg(mnl_socket_get_fd(b->sock->nl), &msg, 0) < 0)
		err = -errno;
	free(iov);
	return err;
}

int batch_send(struct batch *b, uint32_t genid, bool commit,
	       batch_error_fn fn, void *data)
{
	struct batch_recv r = { .b = b, .fn = fn, .data = data };
	uint32_t end = b->base + (uint32_t)b->n + 1;
	int err;

	*b->genid = htonl(genid);
	if (b->echo_fn && b->last_rule)	/* a sample ends with the last */
		b->last_rule->nlmsg_flags |= NLM_F_ECHO;
	if (commit) {
		nftnl_batch_end(nftnl_batch_buffer(b->pages), end);
		batch_page_done(b);
	}
	/* Later requests on this socket must not reuse the batch's seqs. */
	if ((int32_t)(b->sock->seq - (end + 1)) < 0)
		b->sock->seq = end + 1;
	err = batch_sendmsg(b);
	if (!err)
		err = batch_recv(&r);
	return r.err ? r.err : err;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();
	int ret = MNL_CB_ERROR;

	if (!gen)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, gen) == 0 &&
	    nftnl_gen_is_set(gen, NFTNL_GEN_ID)) {
		*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
		ret = MNL_CB_OK;
	} else {
		errno = EPROTO;
	}
	nftnl_gen_free(gen);
	return ret;
}

int batch_genid(struct nlsock *s, uint32_t *genid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK,
				    nlsock_seq(s, 1));
	return nlsock_request(s, nlh, gen_cb, genid);
}

int batch_socket_open(struct nlsock *s)
{
	if (nlsock_open(s, NETLINK_NETFILTER) == 0)
		return 0;
	fprintf(stderr, "fwctl: cannot open a netfilter netlink socket: %s\n",
		strerror(errno));
	return -1;
}
