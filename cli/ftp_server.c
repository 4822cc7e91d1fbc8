// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vsftpd inside a node, for ftp expectations: a configuration of its own
 * in a temporary directory (anonymous download of one generated file,
 * active and passive mode, data connections from port 20 the way a real
 * server makes them, so the FTP conntrack helper sees ordinary FTP), run
 * in the foreground as a child of the runner and killed at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "scenario.h"

#define VSFTPD			"/usr/sbin/vsftpd"
#define VSFTPD_ENV		"FWCTL_VSFTPD"	/* another path, for tests */
#define FTP_READY_MS		5000
#define FTP_FILE_LINES		2000

struct ftp_server {
	pid_t	pid;
	char	dir[64];
};

static const char *vsftpd_path(void)
{
	const char *path = getenv(VSFTPD_ENV);

	return path && *path ? path : VSFTPD;
}

bool ftp_server_available(void)
{
	return access(vsftpd_path(), X_OK) == 0;
}

size_t ftp_file_content(char *buf, size_t size)
{
	size_t len = 0;
	unsigned i;

	for (i = 0; i < FTP_FILE_LINES; i++)
		len += snprintf(buf ? buf + len : NULL, buf ? size - len : 0,
				"fwctl ftp test file, line %04u\n", i);
	return len;
}

static int write_file(const char *dir, const char *name, const char *text,
		      size_t len)
{
	char path[128];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	err = fwrite(text, 1, len, f) != len;
	return fclose(f) || err ? -1 : 0;
}

/*
 * The configuration: everything in dir. vsftpd's IPv6 socket takes IPv4
 * too (as mapped addresses), so one server serves both families.
 */
static int write_config(const char *dir, uint16_t port)
{
	char conf[1024];
	int n;

	n = snprintf(conf, sizeof(conf),
		     "listen=NO\nlisten_ipv6=YES\nlisten_port=%u\n"
		     "background=NO\nanonymous_enable=YES\nlocal_enable=NO\n"
		     "write_enable=NO\nno_anon_password=YES\n"
		     "anon_root=%s/pub\nsecure_chroot_dir=%s/empty\n"
		     "connect_from_port_20=YES\nport_enable=YES\n"
		     "pasv_enable=YES\nseccomp_sandbox=NO\n"
		     "xferlog_enable=YES\nvsftpd_log_file=%s/vsftpd.log\n"
		     "dual_log_enable=NO\nsyslog_enable=NO\n"
		     "tcp_wrappers=NO\nuse_localtime=NO\n"
		     "connect_timeout=5\ndata_connection_timeout=5\n"
		     "accept_timeout=5\nidle_session_timeout=30\n",
		     port, dir, dir, dir);
	return write_file(dir, "vsftpd.conf", conf, n);
}

/* Directory, subdirectories and the file to serve; all root's. */
static int make_tree(const char *dir)
{
	char path[128], *text;
	size_t len = ftp_file_content(NULL, 0) + 1;
	int err;

	/* vsftpd's unprivileged half must reach into it. */
	if (chmod(dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/pub", dir);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/empty", dir);
	if (mkdir(path, 0755))
		return -1;
	text = malloc(len);
	if (!text)
		return -1;
	ftp_file_content(text, len);
	snprintf(path, sizeof(path), "%s/pub", dir);
	err = write_file(path, FTP_FILE_NAME, text, len - 1);
	free(text);
	return err;
}

static void remove_tree(const char *dir)
{
	static const char *const files[] = {
		"pub/" FTP_FILE_NAME, "pub", "empty", "vsftpd.conf",
		"vsftpd.log",
	};
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
	rmdir(dir);
}

/* Connects to the server's own port until it answers: it listens. */
static bool ftp_listening(uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

/* A child in the namespace waits for vsftpd; its exit status says. */
static int ftp_wait_ready(const char *netns, uint16_t port)
{
	struct timespec tick = { 0, 20 * 1000000L };
	unsigned waited;
	pid_t pid = guard_fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (netns_enter(netns) < 0)
			_exit(1);
		for (waited = 0; waited < FTP_READY_MS; waited += 20) {
			if (ftp_listening(port))
				_exit(0);
			nanosleep(&tick, NULL);
		}
		_exit(1);
	}
	return guard_reap(pid, false) ? -1 : 0;
}

static pid_t vsftpd_spawn(const char *netns, const char *dir)
{
	char conf[128];
	pid_t pid = guard_fork();
	int null;

	if (pid)
		return pid;
	snprintf(conf, sizeof(conf), "%s/vsftpd.conf", dir);
	null = open("/dev/null", O_RDWR);
	if (netns_enter(netns) < 0 || null < 0)
		_exit(127);
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	/* Sessions are children of their own: a group, to kill them all. */
	setpgid(0, 0);
	execl(vsftpd_path(), "vsftpd", conf, (char *)NULL);
	_exit(127);
}

struct ftp_server *ftp_server_start(const char *netns, uint16_t port)
{
	struct ftp_server *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fwctl-ftp-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return NULL;
	}
	if (make_tree(f->dir) || write_config(f->dir, port))
		goto err;
	f->pid = vsftpd_spawn(netns, f->dir);
	if (f->pid > 0 && !ftp_wait_ready(netns, port))
		return f;
err:
	fprintf(stderr, "fwctl: test: vsftpd did not start in %s on port "
		"%u\n", netns, port);
	ftp_server_stop(f);
	return NULL;
}

void ftp_server_stop(struct ftp_server *f)
{
	if (!f)
		return;
	if (f->pid > 0) {
		kill(-f->pid, SIGKILL);
		guard_reap(f->pid, true);
	}
	remove_tree(f->dir);
	free(f);
}
