// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control client against a fake fwctld on a socket in a temporary
 * run directory: what it sends decodes to what was given, each kind of
 * reply becomes the return value and message fwctl prints, a silent
 * daemon costs the timeout and no more, and the config file is saved.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control_text.h"
#include "ctlclient.h"
#include "unit.h"

enum reply {
	REPLY_OK, REPLY_ERROR, REPLY_STATUS, REPLY_GARBAGE, REPLY_SILENT
};

static char dir[] = "/tmp/ctlclient_test.XXXXXX";
static int lfd;
static enum reply mode;
static struct control_config got;	/* the last SET_CONFIG received */

static void reply(int fd, enum control_type type, const uint8_t *p,
		  size_t n)
{
	struct control_status s = { .flows = 5, .nqueues = 1, .ntop = 1 };
	struct control_buf b = { 0 };

	if (type == CONTROL_SET_CONFIG)
		control_get_config(p, n, &got);
	s.queues[0] = (struct control_queue_stat){ .queue = 3, .packets = 9 };
	strcpy(s.top[0].name, "bad.example");
	if (mode == REPLY_OK)
		control_put_request(&b, CONTROL_OK);
	else if (mode == REPLY_ERROR)
		control_put_error(&b, -EINVAL, "profile 1: bad domain pattern");
	else if (mode == REPLY_STATUS)
		control_put_status(&b, &s);
	else if (mode == REPLY_GARBAGE)
		send(fd, "HTTP/1.0 200 OK\r\n\r\n", 19, MSG_NOSIGNAL);
	if (b.len)
		send(fd, b.p, b.len, MSG_NOSIGNAL);
	control_buf_free(&b);
}

/* One request per connection, as the client sends. */
static void *server(void *arg)
{
	uint8_t *msg = malloc(CONTROL_MSG_MAX);
	enum control_type type;
	long n;
	int fd;

	(void)arg;
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		if (recv(fd, msg, CONTROL_HDR_LEN, MSG_WAITALL) ==
		    CONTROL_HDR_LEN &&
		    (n = control_msg_len(msg, CONTROL_HDR_LEN, &type)) > 0 &&
		    (n == CONTROL_HDR_LEN ||
		     recv(fd, msg + CONTROL_HDR_LEN, n - CONTROL_HDR_LEN,
			  MSG_WAITALL) == n - CONTROL_HDR_LEN))
			reply(fd, type, msg, n);
		if (mode == REPLY_SILENT)
			sleep(3);
		close(fd);
	}
	free(msg);
	return NULL;
}

static int server_start(pthread_t *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
		 CONTROL_SOCKET_NAME);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4))
		return -1;
	return pthread_create(t, NULL, server, NULL);
}

static void test_no_daemon(void)
{
	struct control_status s;
	char why[256], want[256];

	snprintf(want, sizeof(want), "fwctld is not running (no %s/nowhere/"
		 "fwctld.sock)", dir);
	snprintf(why, sizeof(why), "%s/nowhere", dir);
	CHECK_EQ(ctlclient_status(strdupa(why), &s, why, sizeof(why)),
		 -ENOENT);
	CHECK_STREQ(why, want);
	CHECK(ctlclient_no_daemon(-ENOENT));
}

static void test_set_config(void)
{
	struct control_config c = { 0 };
	struct control_profile *p = control_config_add_profile(&c);
	char why[256] = "";

	p->queue_first = 7;
	control_profile_add_pattern(p, CONTROL_DNS, CONTROL_ALLOW, "a.example");
	mode = REPLY_OK;
	CHECK_EQ(ctlclient_set_config(dir, &c, why, sizeof(why)), 0);
	CHECK_EQ(got.nprofiles, 1);
	if (got.nprofiles == 1) {
		CHECK_EQ(got.profiles[0].queue_first, 7);
		CHECK_EQ(got.profiles[0].npatterns, 1);
	}
	control_config_free(&got);

	mode = REPLY_ERROR;
	CHECK_EQ(ctlclient_set_config(dir, &c, why, sizeof(why)), -EINVAL);
	CHECK_STREQ(why, "fwctld refused the config: profile 1: bad domain "
		    "pattern");
	control_config_free(&got);

	/* Refused before anything is sent. */
	control_config_add_profile(&c)->queue_first = 7;
	CHECK_EQ(ctlclient_set_config(dir, &c, why, sizeof(why)), -EINVAL);
	CHECK_STREQ(why, "cannot encode the inspect config: queue range "
		    "overlaps another profile's");
	control_config_free(&c);
}

static void test_status(void)
{
	struct control_status s;
	char why[256];

	mode = REPLY_STATUS;
	CHECK_EQ(ctlclient_status(dir, &s, why, sizeof(why)), 0);
	CHECK_EQ(s.flows, 5);
	CHECK_EQ(s.nqueues, 1);
	CHECK_EQ(s.queues[0].queue, 3);
	CHECK_EQ(s.queues[0].packets, 9);
	CHECK_STREQ(s.top[0].name, "bad.example");
	mode = REPLY_OK;		/* OK is no answer to GET_STATUS */
	CHECK_EQ(ctlclient_status(dir, &s, why, sizeof(why)), -EBADMSG);
	mode = REPLY_GARBAGE;
	CHECK_EQ(ctlclient_reload(dir, why, sizeof(why)), -EBADMSG);
	CHECK(strstr(why, "garbled") != NULL);
}

static void test_silent(void)
{
	struct timespec t0, t1;
	char why[256];
	long ms;

	mode = REPLY_SILENT;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(ctlclient_reload(dir, why, sizeof(why)), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= CTLCLIENT_TIMEOUT_MS - 100 &&
	      ms < CTLCLIENT_TIMEOUT_MS + 800);
	CHECK(strstr(why, "did not answer within 2000 ms") != NULL);
}

static void test_save(void)
{
	struct control_config c = { 0 }, r;
	char sub[sizeof(dir) + 8], path[sizeof(sub) + 16], why[256];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/%s", sub, CONTROL_CONFIG_NAME);
	control_config_add_profile(&c)->queue_first = 2;
	CHECK_EQ(ctlclient_save_config(sub, &c, why, sizeof(why)), 0);
	CHECK(!stat(sub, &st) && (st.st_mode & 0777) == 0700);
	CHECK_EQ(control_text_read(path, &r, why, sizeof(why)), 0);
	CHECK(r.nprofiles == 1 && r.profiles[0].queue_first == 2);
	control_config_free(&r);
	control_config_free(&c);
	unlink(path);
	rmdir(sub);
}

int main(void)
{
	char path[sizeof(dir) + 16];
	pthread_t t;

	if (!mkdtemp(dir) || server_start(&t)) {
		perror(dir);
		return 1;
	}
	test_no_daemon();
	test_set_config();
	test_status();
	test_silent();
	test_save();
	shutdown(lfd, SHUT_RDWR);
	snprintf(path, sizeof(path), "%s/%s", dir, CONTROL_SOCKET_NAME);
	unlink(path);
	rmdir(dir);
	return unit_summary("ctlclient_test");
}
