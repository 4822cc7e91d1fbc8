// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend_util.h"
#include "diag.h"
#include "export.h"
#include "netns.h"

int bt_failures;

int bt_exit(const char *name)
{
	if (bt_failures)
		fprintf(stderr, "%s: %d check(s) failed\n", name, bt_failures);
	else
		printf("%s: all checks passed\n", name);
	return bt_failures ? 1 : 0;
}

#define MAX_NETNS	16
static char netns_names[MAX_NETNS][64];
static int n_netns;
static pid_t netns_owner;

/* Only the process that made the namespaces removes them (not children). */
static void netns_cleanup(void)
{
	char cmd[128];
	int i;

	if (getpid() != netns_owner)
		return;
	for (i = 0; i < n_netns; i++) {
		snprintf(cmd, sizeof(cmd), "ip netns del %.63s 2>/dev/null",
			 netns_names[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "could not delete netns %s\n",
				netns_names[i]);
	}
	n_netns = 0;
}

void bt_need_kernel(void)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root (network namespaces, nf_tables)\n");
		exit(77);
	}
	if (system("nft --version >/dev/null 2>&1") != 0 ||
	    system("ip -V >/dev/null 2>&1") != 0) {
		printf("SKIP: needs nft(8) and ip(8)\n");
		exit(77);
	}
}

const char *bt_netns_new(const char *tag)
{
	char cmd[160], *name;
	int err;

	if (n_netns == MAX_NETNS)
		abort();
	name = netns_names[n_netns];
	snprintf(name, sizeof(netns_names[0]), "fwh-backend-%d-%s",
		 (int)getpid(), tag);
	snprintf(cmd, sizeof(cmd), "ip netns add %s && ip -n %s link set lo up",
		 name, name);
	err = system(cmd);
	if (!n_netns) {
		netns_owner = getpid();
		atexit(netns_cleanup);
	}
	n_netns++;
	if (err) {
		printf("SKIP: cannot create network namespace %s\n", name);
		exit(77);
	}
	return name;
}

void bt_netns_enter(const char *ns)
{
	if (netns_enter(ns) < 0) {
		fprintf(stderr, "cannot enter %s: %s\n", ns, strerror(errno));
		exit(99);
	}
}

static char *read_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		abort();
	while ((n = read(fd, buf + len, cap - len - 1)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	return buf;
}

char *bt_run(const char *ns, const char *cmd, int *status)
{
	int fds[2], st = -1;
	char *out;
	pid_t pid;

	fflush(NULL);
	if (pipe(fds) < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (ns && netns_enter(ns) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = read_fd(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return out;
}

char *bt_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;

	if (!f)
		return NULL;
	text = read_fd(fileno(f));
	fclose(f);
	return text;
}

bool bt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

char *bt_export(const struct ir_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	if (export_table(t, f) != 0)
		fprintf(stderr, "export_table failed\n");
	fclose(f);
	return text;
}

static void value_number(const char *text, unsigned len, uint8_t *out)
{
	unsigned long v = strtoul(text, NULL, 0);
	unsigned i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
}

static void value_ifname(const char *text, struct ir_value *v)
{
	size_t n = strlen(text);

	memset(v, 0, sizeof(*v));
	if (n && text[n - 1] == '*') {
		memcpy(v->lo, text, n - 1);
		memcpy(v->hi, text, n - 1);
		memset(v->hi + n - 1, 0xff, IFNAMSIZ - (n - 1));
		return;
	}
	memcpy(v->lo, text, n);
	memcpy(v->hi, text, n);
}

/* lo/plen: fills hi with ones after the prefix. */
static void value_prefix(struct ir_value *v, unsigned len, unsigned plen)
{
	unsigned bit;

	memcpy(v->hi, v->lo, len);
	for (bit = plen; bit < len * 8; bit++)
		v->hi[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
}

static void value_addr(int af, const char *text, unsigned len,
		       struct ir_value *v)
{
	char buf[128], *sep;

	snprintf(buf, sizeof(buf), "%s", text);
	sep = strpbrk(buf, "/-");
	if (sep)
		*sep = '\0';
	if (inet_pton(af, buf, v->lo) != 1)
		abort();
	memcpy(v->hi, v->lo, len);
	if (sep && text[sep - buf] == '/')
		value_prefix(v, len, (unsigned)atoi(sep + 1));
	else if (sep && inet_pton(af, sep + 1, v->hi) != 1)
		abort();
}

struct ir_value bt_value(enum ir_field f, const char *text)
{
	unsigned len = ir_field_info[f].len;
	struct ir_value v;
	const char *dash;
	uint32_t mask;

	memset(&v, 0, sizeof(v));
	if (f == IR_IIFNAME || f == IR_OIFNAME) {
		value_ifname(text, &v);
	} else if (len == 4 && f != IR_CT_STATE) {
		value_addr(AF_INET, text, len, &v);
	} else if (len == 16) {
		value_addr(AF_INET6, text, len, &v);
	} else if (f == IR_CT_STATE) {
		mask = (uint32_t)strtoul(text, NULL, 0);
		memcpy(v.lo, &mask, sizeof(mask));
		memcpy(v.hi, &mask, sizeof(mask));
	} else {
		value_number(text, len, v.lo);
		dash = strchr(text, '-');
		value_number(dash ? dash + 1 : text, len, v.hi);
	}
	return v;
}

static char *diag_text;
static size_t diag_len;
static FILE *diag_file;

void bt_diag_capture(void)
{
	diag_file = open_memstream(&diag_text, &diag_len);
	diag_set_stream(diag_file);
}

char *bt_diag_take(void)
{
	char *text;

	fflush(diag_file);
	text = strdup(diag_text ? diag_text : "");
	fclose(diag_file);
	free(diag_text);
	diag_text = NULL;
	bt_diag_capture();
	return text;
}

bool bt_contains(const char *text, const char *what)
{
	if (strstr(text, what))
		return true;
	fprintf(stderr, "expected \"%s\" in:\n%s\n", what, text);
	return false;
}
