/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SERVER_H
#define FWCTL_SERVER_H

struct daemon;

/*
 * The control socket: a unix stream socket at path, mode 0600, that
 * serves clients whose peer credentials say uid 0. Requests and replies
 * are the messages of fwctl/control.h. A client gets SERVER_TIMEOUT_MS
 * for each message; anything malformed is counted in bad_requests,
 * answered with an ERROR and the connection closed.
 */
#define SERVER_TIMEOUT_MS	2000

/* Creates the listening socket (a stale one is replaced): fd or -errno. */
int server_open(const char *path);

/* Serves one connection waiting on the listening socket, to its end. */
void server_accept(int lfd, struct daemon *d);

#endif
