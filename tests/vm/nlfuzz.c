// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sends N malformed or odd generic netlink messages to fwhook.ko and
 * checks that it answers every one (an ack or an error, never silence)
 * and still works afterwards. The mutations: unknown commands and
 * versions, unknown attribute types, wrong lengths, values out of range,
 * missing required attributes, nests that lie about their size, headers
 * cut short, dumps of commands that have none; then the changing
 * commands once more from an unprivileged process, which must get EPERM.
 *
 *   nlfuzz COUNT [SEED]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "fwhook_client.h"

#define MSG_MAX	512

struct tally {
	unsigned long sent, ok, refused, silent, eperm;
};

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

/* An attribute of random type, length and payload; sometimes nested. */
static void put_random_attr(struct nlmsghdr *nlh, int depth)
{
	static const uint8_t widths[] = { 0, 1, 2, 3, 4, 6, 8, 12, 16, 33 };
	unsigned char payload[40];
	uint16_t type = rnd(4) ? rnd(FWHOOK_A_MAX + 3) : rnd(65536);
	size_t i, len = widths[rnd(sizeof(widths))];
	struct nlattr *nest;

	if (depth < 2 && rnd(3) == 0) {
		nest = mnl_attr_nest_start(nlh, rnd(2) ? FWHOOK_A_PROFILES :
					   type);
		for (i = rnd(4); i > 0; i--)
			put_random_attr(nlh, depth + 1);
		mnl_attr_nest_end(nlh, nest);
		return;
	}
	for (i = 0; i < len; i++)
		payload[i] = rnd(4) ? (unsigned char)random() : 0xff;
	mnl_attr_put(nlh, type, len, payload);
}

/* A well-formed profile with one field pushed out of its range. */
static void put_bad_profile(struct nlmsghdr *nlh)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, FWHOOK_A_PROFILES);
	struct nlattr *p = mnl_attr_nest_start(nlh, 1);

	if (rnd(4))
		mnl_attr_put_u16(nlh, FWHOOK_P_QUEUE_FIRST, random());
	mnl_attr_put_u16(nlh, FWHOOK_P_QUEUE_COUNT, rnd(3) ? 0 : 65 + rnd(9));
	mnl_attr_put_u8(nlh, FWHOOK_P_FAIL_OPEN, 2 + rnd(250));
	mnl_attr_put_u8(nlh, FWHOOK_P_DEFAULT, rnd(2) ? 0 : 3 + rnd(250));
	mnl_attr_put_u16(nlh, FWHOOK_P_BUDGET, rnd(2) ? 0 : 1001 + rnd(60000));
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, list);
	if (rnd(2))
		mnl_attr_put_u32(nlh, FWHOOK_A_IDLE_TIMEOUT,
				 rnd(2) ? 0 : 86401 + rnd(1000000));
}

static size_t build(char *buf, uint16_t family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int i, n = rnd(6);

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			   (rnd(5) == 0 ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = rnd(8) ? rnd(FWHOOK_CMD_MAX + 1) + 1 : rnd(256);
	g->version = rnd(8) ? FWHOOK_GENL_VERSION : rnd(256);
	g->reserved = rnd(8) ? 0 : random();
	if (rnd(4) == 0)
		put_bad_profile(nlh);
	for (i = 0; i < n; i++)
		put_random_attr(nlh, 0);
	/* Lie about the length: cut into the attributes or the header. */
	if (rnd(10) == 0 && nlh->nlmsg_len > NLMSG_HDRLEN + 2)
		nlh->nlmsg_len = NLMSG_HDRLEN + rnd(nlh->nlmsg_len - NLMSG_HDRLEN);
	return nlh->nlmsg_len;
}

/* Reads until the kernel's last word on seq: 0, -errno, or 1 (silence). */
static int answer(struct mnl_socket *nl, uint32_t seq)
{
	char buf[16384];
	int err = 1;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (void *)buf;
		int len = n;

		if (n < 0)
			return err;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				err = 0;
		}
		if (!err)
			return 0;
	}
}

static int send_one(struct mnl_socket *nl, uint16_t family, uint32_t seq,
		    struct tally *t)
{
	char buf[MSG_MAX * 4];
	size_t len = build(buf, family, seq);
	int ret;

	if (mnl_socket_sendto(nl, buf, len) < 0) {
		t->refused++;	/* the core refused it before fwhook saw it */
		return 0;
	}
	t->sent++;
	ret = answer(nl, seq);
	if (ret == 1)
		t->silent++;
	else if (ret == 0)
		t->ok++;
	else
		t->refused++;
	return 0;
}

static struct mnl_socket *open_socket(void)
{
	struct timeval tv = { .tv_sec = 2 };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return NULL;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	return nl;
}

/* As nobody, every changing command and the dump must get EPERM. */
static int unprivileged(uint16_t family)
{
	static const uint8_t cmds[] = { FWHOOK_CMD_SET_CONFIG,
		FWHOOK_CMD_DEL_SESSION, FWHOOK_CMD_GET_SESSION };
	struct mnl_socket *nl;
	char buf[MSG_MAX];
	size_t i;
	int bad = 0;

	if (setgid(65534) || setuid(65534) || !(nl = open_socket()))
		return 2;
	for (i = 0; i < 3 * 100; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct genlmsghdr *g;

		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				   (cmds[i % 3] == FWHOOK_CMD_GET_SESSION ?
				    NLM_F_DUMP : 0);
		nlh->nlmsg_seq = i + 1;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = cmds[i % 3];
		g->version = FWHOOK_GENL_VERSION;
		if (rnd(2))
			put_random_attr(nlh, 0);
		if (mnl_socket_sendto(nl, buf, nlh->nlmsg_len) < 0 ||
		    answer(nl, i + 1) != -EPERM)
			bad++;
	}
	return bad ? 1 : 0;
}

static int run_unprivileged(uint16_t family)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unprivileged(family));
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* After the storm: a real configuration round trip still works. */
static int still_works(void)
{
	struct fwhook_config c = { .nprofiles = 1 }, back;
	struct fwhook_stats st;
	struct fwhook h;
	int err;

	c.profiles[0] = (struct fwhook_profile){ 7, 2, 5, 1, 1 };
	err = fwhook_open(&h);
	if (err)
		return err;
	err = fwhook_set_config(&h, &c);
	if (!err)
		err = fwhook_get_config(&h, &back);
	if (!err && (back.nprofiles != 1 || back.profiles[0].queue_first != 7 ||
		     back.profiles[0].budget != 5))
		err = -EPROTO;
	if (!err)
		err = fwhook_get_stats(&h, &st);
	c.nprofiles = 0;
	if (!err)
		err = fwhook_set_config(&h, &c);
	fwhook_close(&h);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long i, count = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
	struct tally t = { 0 };
	struct mnl_socket *nl;
	struct fwhook h;
	uint16_t family;
	int priv, fails = 0;

	srandom(argc > 2 ? strtoul(argv[2], NULL, 0) : 1);
	if (fwhook_open(&h)) {
		fprintf(stderr, "nlfuzz: no fwhook family\n");
		return 1;
	}
	family = h.family;
	fwhook_close(&h);
	nl = open_socket();
	if (!nl)
		return 1;
	for (i = 0; i < count; i++)
		send_one(nl, family, i + 1, &t);
	mnl_socket_close(nl);
	priv = run_unprivileged(family);
	printf("nlfuzz: %lu messages: %lu accepted, %lu refused, %lu "
	       "unanswered; unprivileged: %s\n", count, t.ok, t.refused,
	       t.silent, priv == 0 ? "all EPERM" : "NOT all EPERM");
	fails += t.silent != 0 || priv != 0 || t.refused < count / 2;
	if (still_works()) {
		printf("nlfuzz: the module no longer answers properly\n");
		fails++;
	}
	return fails ? 1 : 0;
}
