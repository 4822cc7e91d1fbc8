// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"

int netns_path(const char *name, char *buf, size_t size)
{
	/* A name is one path component: no "../" games with /run/netns. */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") ||
	    (size_t)snprintf(buf, size, "%s/%s", NETNS_RUN_DIR, name) >= size) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (netns_path(name, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	return err;
}

/*
 * The bind mounts must propagate to every mount namespace (a daemon run by
 * systemd has its own), so /run/netns is made a shared mount point, bound
 * onto itself first if it is not a mount point yet -- as iproute2 does.
 */
static int netns_prepare_dir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	if (!mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL))
		return 0;
	if (errno != EINVAL)
		return -1;
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL))
		return -1;
	return mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL);
}

/*
 * A child unshares and pins its new namespace with the bind mount, so the
 * caller never leaves its own namespace, not even for a moment.
 */
static int netns_pin_in_child(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(errno);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
		return -1;
	}
	return 0;
}

int netns_create(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (netns_path(name, path, sizeof(path)) < 0 || netns_prepare_dir() < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	if (netns_pin_in_child(path) < 0) {
		err = errno;
		unlink(path);
		errno = err;
		return -1;
	}
	return 0;
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];

	if (netns_path(name, path, sizeof(path)) < 0)
		return -1;
	umount2(path, MNT_DETACH);
	return unlink(path);
}

int netns_call(const char *name, int (*fn)(void *arg), void *arg)
{
	int home, ret, err;

	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -1;
	if (netns_enter(name) < 0) {
		err = errno;
		close(home);
		errno = err;
		return -1;
	}
	ret = fn(arg);
	err = errno;
	/* Carrying on in the wrong namespace would be worse than stopping. */
	if (setns(home, CLONE_NEWNET) < 0)
		abort();
	close(home);
	errno = err;
	return ret;
}
