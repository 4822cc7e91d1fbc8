// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl's side of fwctld's control socket: one connection per request,
 * every step bounded by CTLCLIENT_TIMEOUT_MS so a hung daemon (stopped,
 * livelocked) costs fwctl two seconds, not its life.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control_text.h"
#include "ctlclient.h"

struct conn {
	int fd;
	unsigned timeout_ms;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *why;
	size_t len;
};

/* Fills why for err, the errno of a step on the socket; returns err. */
static int conn_fail(struct conn *c, int err, const char *step)
{
	if (err == -ENOENT || err == -ECONNREFUSED)
		snprintf(c->why, c->len, "fwctld is not running (%s %s)",
			 err == -ENOENT ? "no" : "nothing listens on",
			 c->path);
	else if (err == -EACCES || err == -EPERM)
		snprintf(c->why, c->len, "%s: permission denied (fwctld's "
			 "control socket is for root only)", c->path);
	else if (err == -EAGAIN || err == -EWOULDBLOCK || err == -ETIMEDOUT)
		snprintf(c->why, c->len, "fwctld did not answer within %u ms "
			 "(%s %s): is it hung?", c->timeout_ms, step,
			 c->path);
	else
		snprintf(c->why, c->len, "%s %s: %s", step, c->path,
			 strerror(-err));
	if (err == -EAGAIN || err == -EWOULDBLOCK)
		err = -ETIMEDOUT;
	return err;
}

/*
 * The timeouts apply to connect() too: a unix socket whose listener
 * does not accept (its backlog full) would otherwise block for ever.
 */
static int conn_open(struct conn *c, const char *rundir)
{
	struct timeval tv = { .tv_sec = c->timeout_ms / 1000,
			      .tv_usec = c->timeout_ms % 1000 * 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(c->path, sizeof(c->path), "%s/%s",
			 rundir ? rundir : CONTROL_RUN_DIR,
			 CONTROL_SOCKET_NAME);

	if (n < 0 || (size_t)n >= sizeof(c->path)) {
		snprintf(c->why, c->len, "%s: run directory name too long",
			 rundir);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, c->path, n + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return conn_fail(c, -errno, "socket for");
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		n = -errno;
		close(c->fd);
		c->fd = -1;
		return conn_fail(c, n, "connecting to");
	}
	return 0;
}

static int conn_send(struct conn *c, const struct control_buf *b)
{
	int err = control_send(c->fd, b);

	return err ? conn_fail(c, err, "sending to") : 0;
}

/* Reads one reply into a malloc'd *msg of *n bytes. */
static int conn_reply(struct conn *c, uint8_t **msg, size_t *n,
		      enum control_type *type)
{
	int err = control_recv(c->fd, msg, n, type);

	if (err == -EBADMSG)
		return conn_fail(c, err, "a garbled reply from");
	return err ? conn_fail(c, err, "reading from") : 0;
}

/* An ERROR reply: the daemon's errno and message. */
static int reply_error(struct conn *c, const uint8_t *p, size_t n,
		       const char *what)
{
	char msg[CONTROL_ERRMSG_MAX + 1];
	int err;

	if (control_get_error(p, n, &err, msg) || !err)
		return conn_fail(c, -EBADMSG, "a garbled reply from");
	snprintf(c->why, c->len, "fwctld refused %s: %s", what,
		 msg[0] ? msg : strerror(err));
	return -err;
}

/*
 * Sends the request in b and reads the reply: 0 with OK, or, when s is
 * given, with the STATUS decoded into s.
 */
static int request(const char *rundir, struct control_buf *b,
		   struct control_status *s, const char *what, char *why,
		   size_t len)
{
	/* A big config takes the daemon a while to check and apply:
	 * CTLCLIENT_MS_PER_MB more per MB of request (100k names: ~2.5). */
	struct conn c = { .fd = -1, .why = why, .len = len,
			  .timeout_ms = CTLCLIENT_TIMEOUT_MS +
					b->len / 1000 * CTLCLIENT_MS_PER_MB /
					1000 };
	enum control_type type;
	uint8_t *msg = NULL;
	size_t n = 0;
	int err = conn_open(&c, rundir);

	err = err ?: conn_send(&c, b);
	err = err ?: conn_reply(&c, &msg, &n, &type);
	if (!err && type == CONTROL_ERROR)
		err = reply_error(&c, msg, n, what);
	else if (!err && type != (s ? CONTROL_STATUS : CONTROL_OK))
		err = conn_fail(&c, -EBADMSG, "an unexpected reply from");
	else if (!err && s && control_get_status(msg, n, s))
		err = conn_fail(&c, -EBADMSG, "a garbled status from");
	free(msg);
	if (c.fd >= 0)
		close(c.fd);
	control_buf_free(b);
	return err;
}

int ctlclient_set_config(const char *rundir, const struct control_config *c,
			 char *why, size_t len)
{
	struct control_buf b = { 0 };
	int err = control_put_config(&b, c);

	if (err) {
		snprintf(why, len, "cannot encode the inspect config: %s",
			 err == -EINVAL ? control_config_check(c) ?:
			 "a bad name" : strerror(-err));
		return err;
	}
	return request(rundir, &b, NULL, "the config", why, len);
}

/* A request without attributes, and its reply (s: a status). */
static int bare_request(const char *rundir, enum control_type type,
			struct control_status *s, const char *what,
			char *why, size_t len)
{
	struct control_buf b = { 0 };
	int err = control_put_request(&b, type);

	if (err) {
		snprintf(why, len, "%s", strerror(-err));
		return err;
	}
	return request(rundir, &b, s, what, why, len);
}

int ctlclient_status(const char *rundir, struct control_status *s,
		     char *why, size_t len)
{
	return bare_request(rundir, CONTROL_GET_STATUS, s,
			    "the status request", why, len);
}

int ctlclient_reload(const char *rundir, char *why, size_t len)
{
	return bare_request(rundir, CONTROL_RELOAD, NULL, "to reload", why,
			    len);
}

int ctlclient_save_config(const char *rundir, const struct control_config *c,
			  char *why, size_t len)
{
	char *path;
	int err = 0;

	if (!rundir)
		rundir = CONTROL_RUN_DIR;
	if (asprintf(&path, "%s/%s", rundir, CONTROL_CONFIG_NAME) < 0) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (mkdir(rundir, 0700) && errno != EEXIST)
		err = -errno;
	err = err ?: control_text_write(path, c);
	if (err == -EINVAL)
		snprintf(why, len, "%s: not a valid inspect config: %s", path,
			 control_config_check(c) ?: "a bad name");
	else if (err)
		snprintf(why, len, "%s: %s", path, strerror(-err));
	free(path);
	return err;
}
