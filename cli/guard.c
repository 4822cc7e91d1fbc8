// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a scenario run must undo however it ends. The tables are fixed
 * arrays changed only with the fatal signals blocked, so the handler sees
 * them whole and undoes them with async-signal-safe calls alone (kill,
 * umount2, unlink, getdents64, rmdir) before the signal takes its default
 * course.
 *
 * Every child is made to die with the runner (PR_SET_PDEATHSIG), so even
 * SIGKILL of the runner leaves no server or probe behind; only its
 * namespace names would stay, which `ip netns delete` removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "scenario.h"

#define GUARD_MAX_NETNS	(2 * SCN_MAX_NODES)
#define GUARD_MAX_PIDS	256
#define GUARD_PATH_MAX	(sizeof(NETNS_RUN_DIR) + SCN_NETNS_MAX)

static char guard_paths[GUARD_MAX_NETNS][GUARD_PATH_MAX];
static pid_t guard_pids[GUARD_MAX_PIDS];
/* The run's temporary directory: its nodes' directories, their files. */
static char guard_dir[PATH_MAX];

static const int guard_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_GUARD_SIGNALS (sizeof(guard_signals) / sizeof(guard_signals[0]))

static void guard_block(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < N_GUARD_SIGNALS; i++)
		sigaddset(&set, guard_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void guard_unblock(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static void guard_empty_dir(int fd, int depth);

/* Removes entry d of directory fd, a directory with depth more levels. */
static bool guard_remove_at(int fd, const struct dirent64 *d, int depth)
{
	struct stat st;
	bool dir = d->d_type == DT_DIR;
	int sub;

	if (d->d_type == DT_UNKNOWN)
		dir = !fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		      S_ISDIR(st.st_mode);

	if (dir && depth > 0) {
		sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0) {
			guard_empty_dir(sub, depth - 1);
			close(sub);
		}
	}
	return !unlinkat(fd, d->d_name, dir ? AT_REMOVEDIR : 0);
}

/*
 * Deletes what is in the directory fd, down to depth more levels, with
 * system calls alone: readdir() may allocate, which a handler must not.
 */
static void guard_empty_dir(int fd, int depth)
{
	char buf[4096];
	long n, at;
	bool gone;

	/* Removing while reading may skip entries: passes until none goes. */
	do {
		gone = false;
		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
			for (at = 0; at < n;) {
				struct dirent64 *d = (void *)(buf + at);

				at += d->d_reclen;
				if (strcmp(d->d_name, ".") &&
				    strcmp(d->d_name, "..") &&
				    guard_remove_at(fd, d, depth))
					gone = true;
			}
	} while (gone);
}

static void guard_remove_dir(void)
{
	int fd;

	if (!guard_dir[0])
		return;
	fd = open(guard_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd >= 0) {
		guard_empty_dir(fd, 2);
		close(fd);
	}
	rmdir(guard_dir);
}

static void guard_undo_all(void)
{
	size_t i;

	/* Children first: a namespace lives on while a process is in it. */
	for (i = 0; i < GUARD_MAX_PIDS; i++)
		if (guard_pids[i] > 0)
			kill(guard_pids[i], SIGKILL);
	for (i = 0; i < GUARD_MAX_NETNS; i++) {
		if (!guard_paths[i][0])
			continue;
		umount2(guard_paths[i], MNT_DETACH);
		unlink(guard_paths[i]);
	}
	guard_remove_dir();
}

static void guard_handler(int sig)
{
	static const char msg[] = "fwctl: test: interrupted, cleaning up\n";
	ssize_t unused;

	guard_undo_all();
	unused = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)unused;
	signal(sig, SIG_DFL);
	raise(sig);
}

void guard_install(void)
{
	struct sigaction sa = { .sa_handler = guard_handler };
	struct sigaction old;
	size_t i;

	sigfillset(&sa.sa_mask);
	for (i = 0; i < N_GUARD_SIGNALS; i++) {
		/* nohup(1) asked to ignore SIGHUP: keep doing so. */
		if (guard_signals[i] == SIGHUP &&
		    !sigaction(SIGHUP, NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(guard_signals[i], &sa, NULL);
	}
	/* A peer gone is an outcome to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
}

static char *guard_path_slot(const char *path)
{
	size_t i;

	for (i = 0; i < GUARD_MAX_NETNS; i++)
		if (path ? !strcmp(guard_paths[i], path) : !guard_paths[i][0])
			return guard_paths[i];
	return NULL;
}

int guard_netns_create(const char *name)
{
	char path[GUARD_PATH_MAX], *slot;
	sigset_t old;
	int err = 0;

	if (netns_path(name, path, sizeof(path)) < 0)
		return -1;
	/* Created and recorded with no signal in between: nothing leaks. */
	guard_block(&old);
	slot = guard_path_slot(NULL);
	if (!slot) {
		errno = ENOSPC;
		err = -1;
	} else if (!(err = netns_create(name))) {
		memcpy(slot, path, sizeof(path));
	}
	guard_unblock(&old);
	return err;
}

void guard_netns_release(const char *name, bool delete)
{
	char path[GUARD_PATH_MAX], *slot;
	sigset_t old;

	if (netns_path(name, path, sizeof(path)) < 0)
		return;
	guard_block(&old);
	slot = guard_path_slot(path);
	if (slot && delete)
		netns_delete(name);
	if (slot)
		slot[0] = '\0';
	guard_unblock(&old);
}

int guard_dir_create(char *tmpl)
{
	sigset_t old;
	int err = 0;

	if (strlen(tmpl) >= sizeof(guard_dir) || guard_dir[0]) {
		errno = EINVAL;
		return -1;
	}
	guard_block(&old);
	if (!mkdtemp(tmpl))
		err = -1;
	else
		memcpy(guard_dir, tmpl, strlen(tmpl) + 1);
	guard_unblock(&old);
	return err;
}

void guard_dir_release(bool delete)
{
	sigset_t old;

	guard_block(&old);
	if (delete)
		guard_remove_dir();
	guard_dir[0] = '\0';
	guard_unblock(&old);
}

static pid_t *guard_pid_slot(pid_t pid)
{
	size_t i;

	for (i = 0; i < GUARD_MAX_PIDS; i++)
		if (guard_pids[i] == pid)
			return &guard_pids[i];
	return NULL;
}

static void guard_child_setup(pid_t parent)
{
	size_t i;

	for (i = 0; i < N_GUARD_SIGNALS; i++)
		signal(guard_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent may have died before the line above took effect. */
	if (getppid() != parent)
		_exit(127);
}

pid_t guard_fork(void)
{
	pid_t parent = getpid(), pid, *slot;
	sigset_t old;

	/* Or the child would print what the parent has buffered, again. */
	fflush(NULL);
	guard_block(&old);
	slot = guard_pid_slot(0);
	if (!slot) {
		guard_unblock(&old);
		errno = EAGAIN;
		return -1;
	}
	pid = fork();
	if (pid == 0)
		guard_child_setup(parent);
	else if (pid > 0)
		*slot = pid;
	guard_unblock(&old);
	return pid;
}

int guard_reap(pid_t pid, bool kill_first)
{
	siginfo_t info;
	sigset_t old;
	pid_t *slot;
	int status = 0;

	if (kill_first)
		kill(pid, SIGKILL);
	/*
	 * Wait without reaping, then reap and forget with signals blocked:
	 * the handler must never kill a pid the system gave to someone else.
	 */
	while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 &&
	       errno == EINTR)
		;
	guard_block(&old);
	waitpid(pid, &status, 0);
	slot = guard_pid_slot(pid);
	if (slot)
		*slot = 0;
	guard_unblock(&old);
	return status;
}
