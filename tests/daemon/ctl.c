// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: talks to fwctld's control socket with the encoders of
 * fwctl/control.h, until `fwctl daemon status` exists.
 *
 *   ctl SOCKET status    prints the counters, one "key value" a line
 *   ctl SOCKET reload
 *   ctl SOCKET set FILE  sends the config of FILE (fwctld's text format)
 *   ctl SOCKET garbage   sends bytes that are no message; prints the reply
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control_text.h"
#include "fwctl/control.h"

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* Reads one reply into a malloc'd buffer; its type in *type. */
static uint8_t *read_reply(int fd, size_t *len, enum control_type *type)
{
	uint8_t hdr[CONTROL_HDR_LEN], *p;
	long n;

	if (recv(fd, hdr, sizeof(hdr), MSG_WAITALL) != sizeof(hdr) ||
	    (n = control_msg_len(hdr, sizeof(hdr), type)) < 0)
		return NULL;
	p = malloc(n);
	memcpy(p, hdr, sizeof(hdr));
	if (n > CONTROL_HDR_LEN &&
	    recv(fd, p + sizeof(hdr), n - sizeof(hdr), MSG_WAITALL) !=
	    n - (long)sizeof(hdr)) {
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

static void print_status(const uint8_t *p, size_t len)
{
	struct control_status s;
	size_t i;

	if (control_get_status(p, len, &s)) {
		puts("error bad-status");
		return;
	}
	printf("bad_requests %llu\nflows %llu\nqueues %zu\n",
	       (unsigned long long)s.bad_requests,
	       (unsigned long long)s.flows, s.nqueues);
	for (i = 0; i < s.nqueues; i++) {
		const struct control_queue_stat *q = &s.queues[i];

		printf("queue %u packets %llu accepted %llu denied %llu "
		       "drops %llu overruns %llu flows %llu\n", q->queue,
		       (unsigned long long)q->packets,
		       (unsigned long long)q->accepted,
		       (unsigned long long)q->denied,
		       (unsigned long long)q->drops,
		       (unsigned long long)q->overruns,
		       (unsigned long long)q->flows);
	}
	for (i = 0; i < s.ntop; i++)
		printf("denied %s %llu\n", s.top[i].name,
		       (unsigned long long)s.top[i].count);
}

static int print_reply(const uint8_t *p, size_t len, enum control_type type)
{
	char msg[CONTROL_ERRMSG_MAX + 1];
	int err = 0;

	if (type == CONTROL_STATUS) {
		print_status(p, len);
		return 0;
	}
	if (type == CONTROL_OK) {
		puts("ok");
		return 0;
	}
	if (type == CONTROL_ERROR && !control_get_error(p, len, &err, msg))
		printf("error %s: %s\n", strerror(err), msg);
	return 1;
}

/* The request argv asks for, encoded into b; false on a bad argument. */
static bool put_request(struct control_buf *b, int argc, char **argv)
{
	char why[256];
	struct control_config c;
	bool ok;

	if (!strcmp(argv[2], "status") && argc == 3)
		return !control_put_request(b, CONTROL_GET_STATUS);
	if (!strcmp(argv[2], "reload") && argc == 3)
		return !control_put_request(b, CONTROL_RELOAD);
	if (strcmp(argv[2], "set") || argc != 4)
		return false;
	if (control_text_read(argv[3], &c, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		return false;
	}
	ok = !control_put_config(b, &c);
	control_config_free(&c);
	return ok;
}

int main(int argc, char **argv)
{
	static const uint8_t garbage[] = "GET / HTTP/1.1\r\n\r\n";
	struct control_buf b = { 0 };
	enum control_type type;
	size_t len;
	uint8_t *reply;
	int fd, r;

	if (argc < 3 || (strcmp(argv[2], "garbage") &&
			 !put_request(&b, argc, argv))) {
		fprintf(stderr, "usage: ctl SOCKET status|reload|garbage\n"
			"       ctl SOCKET set FILE\n");
		return 2;
	}
	fd = connect_to(argv[1]);
	if (!strcmp(argv[2], "garbage"))
		r = send(fd, garbage, sizeof(garbage) - 1, 0) < 0;
	else
		r = send(fd, b.p, b.len, 0) != (ssize_t)b.len;
	control_buf_free(&b);
	if (r || !(reply = read_reply(fd, &len, &type))) {
		puts("error no-reply");
		return 1;
	}
	r = print_reply(reply, len, type);
	free(reply);
	close(fd);
	return r;
}
