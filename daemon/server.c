// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon.h"
#include "log.h"
#include "server.h"

int server_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Created 0600 from the start: no window with wider modes. */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || chmod(path, 0600) || listen(fd, 8)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int serve_config(struct daemon *d, const uint8_t *p, size_t n,
			struct control_buf *out)
{
	char why[CONTROL_ERRMSG_MAX + 1] = "";
	struct control_config c;
	int err = control_get_config(p, n, &c);

	if (err)
		return err;
	err = daemon_apply(d, &c, why, sizeof(why));
	if (!err)
		log_msg("control: applied %zu profile%s", c.nprofiles,
			c.nprofiles == 1 ? "" : "s");
	control_config_free(&c);
	return err ? control_put_error(out, err, why) :
		     control_put_request(out, CONTROL_OK);
}

static int serve_reload(struct daemon *d, const uint8_t *p, size_t n,
			struct control_buf *out)
{
	char why[CONTROL_ERRMSG_MAX + 1] = "";
	int err;

	if (n != CONTROL_HDR_LEN)
		return -EBADMSG;
	err = daemon_reload(d, why, sizeof(why));
	if (err)
		log_msg("reload: %s", why);

	return err ? control_put_error(out, err, why) :
		     control_put_request(out, CONTROL_OK);
}

static int serve_status(struct daemon *d, const uint8_t *p, size_t n,
			struct control_buf *out)
{
	struct control_status s;

	if (n != CONTROL_HDR_LEN)
		return -EBADMSG;
	daemon_status(d, &s);
	return control_put_status(out, &s);
}

/* The requests; the reply types have no handler: a client's mistake. */
static int (*const handlers[CONTROL_TYPE_MAX + 1])(struct daemon *d,
		const uint8_t *p, size_t n, struct control_buf *out) = {
	[CONTROL_SET_CONFIG] = serve_config,
	[CONTROL_GET_STATUS] = serve_status,
	[CONTROL_RELOAD] = serve_reload,
};

/* Answers one request; -EBADMSG for one a client should not send. */
static int serve(struct daemon *d, enum control_type type, const uint8_t *p,
		 size_t n, struct control_buf *out)
{
	return handlers[type] ? handlers[type](d, p, n, out) : -EBADMSG;
}

/* One request and its reply; false when the connection should close. */
static bool serve_one(int fd, struct daemon *d)
{
	struct control_buf out = { 0 };
	enum control_type type;
	uint8_t *msg;
	size_t n;
	int err = control_recv(fd, &msg, &n, &type);

	/* Closed or silent before a whole header: nothing to answer. */
	if (err && err != -EBADMSG && err != -ENOMEM)
		return false;
	if (!err)
		err = serve(d, type, msg, n, &out);
	free(msg);
	if (err) {
		atomic_fetch_add(&d->bad_requests, 1);
		log_msg("control: bad request: %s", strerror(-err));
		control_buf_free(&out);
		control_put_error(&out, err, "bad request");
	}
	if (control_send(fd, &out))
		err = -EPIPE;
	control_buf_free(&out);
	return !err;
}

void server_accept(int lfd, struct daemon *d)
{
	struct timeval tv = { .tv_sec = SERVER_TIMEOUT_MS / 1000,
			      .tv_usec = SERVER_TIMEOUT_MS % 1000 * 1000 };
	struct ucred cred = { .uid = (uid_t)-1 };
	socklen_t len = sizeof(cred);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    cred.uid != 0) {
		atomic_fetch_add(&d->bad_requests, 1);
		log_msg("control: refused a client of uid %u", cred.uid);
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (serve_one(fd, d))
		;
	close(fd);
}
