// SPDX-License-Identifier: GPL-2.0-or-later
/* The text form of a control_config (lib/control_text.h), both ways. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_text.h"

/* Names per deny/allow line the writer puts before starting another. */
#define NAMES_PER_LINE	8

struct text_ctx {
	struct control_config *c;
	struct control_profile *p;	/* the profile being read, or NULL */
	unsigned line, profile_line;
	char *save;			/* strtok_r state: the line's rest */
	char why[160];			/* the message for a failed setting */
};

static const char *const kinds[CONTROL_KINDS] = {
	[CONTROL_SNI] = "sni", [CONTROL_HOST] = "host", [CONTROL_DNS] = "dns",
};

static const char *const actions[CONTROL_ACTIONS] = {
	[CONTROL_DENY] = "deny", [CONTROL_ALLOW] = "allow",
};

static char *next_word(struct text_ctx *x)
{
	return strtok_r(NULL, " \t\r\n", &x->save);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v > max ? -1 : 0;
}

static const char *text_queues(struct text_ctx *x)
{
	char *s = next_word(x), *dash = s ? strchr(s, '-') : NULL;
	unsigned long lo, hi;

	if (dash)
		*dash = '\0';
	if (parse_uint(s, UINT16_MAX, &lo))
		return "queues: expected N or N-M";
	hi = lo;
	if (dash && (parse_uint(dash + 1, UINT16_MAX, &hi) || hi < lo ||
		     hi - lo >= CONTROL_QUEUES_MAX))
		return "queues: bad range (at most 64 queues)";
	x->p->queue_first = lo;
	x->p->queue_count = hi - lo + 1;
	return NULL;
}

static const char *text_maxlen(struct text_ctx *x)
{
	unsigned long v;

	if (parse_uint(next_word(x), CONTROL_MAXLEN_MAX, &v) || !v)
		return "queue-maxlen: expected 1..1000000";
	x->p->queue_maxlen = v;
	return NULL;
}

static const char *text_budget(struct text_ctx *x)
{
	unsigned long v;

	if (parse_uint(next_word(x), CONTROL_BUDGET_MAX, &v) || !v)
		return "budget: expected 1..1000 packets";
	x->p->budget = v;
	return NULL;
}

static const char *text_fail_open(struct text_ctx *x)
{
	x->p->fail_open = 1;
	return NULL;
}

static const char *text_fail_closed(struct text_ctx *x)
{
	x->p->fail_open = 0;
	return NULL;
}

static const char *text_default(struct text_ctx *x)
{
	const char *s = next_word(x);

	if (!s || (strcmp(s, "accept") && strcmp(s, "drop")))
		return "default: expected accept or drop";
	x->p->default_verdict = strcmp(s, "drop") ? CONTROL_ACCEPT :
						    CONTROL_DROP;
	return NULL;
}

static const char *text_names(struct text_ctx *x, enum control_action action)
{
	const char *kind = next_word(x), *name;
	int k, err;

	for (k = 0; k < CONTROL_KINDS; k++)
		if (kind && !strcmp(kind, kinds[k]))
			break;
	if (k == CONTROL_KINDS)
		return "expected sni, host or dns";
	while ((name = next_word(x))) {
		if (x->p->npatterns >= CONTROL_PATTERNS_MAX)
			return "too many names (at most 500000)";
		err = control_profile_add_pattern(x->p, k, action, name);
		if (err == -ENOMEM)
			return "out of memory";
		if (err) {
			snprintf(x->why, sizeof(x->why),
				 "name too long (%zu bytes, at most 253)",
				 strlen(name));
			return x->why;
		}
	}
	return NULL;
}

static const char *text_deny(struct text_ctx *x)
{
	return text_names(x, CONTROL_DENY);
}

static const char *text_allow(struct text_ctx *x)
{
	return text_names(x, CONTROL_ALLOW);
}

/* The profile read so far is complete: its bounds and its neighbours. */
static const char *text_profile_end(struct text_ctx *x)
{
	const char *why;

	if (!x->p)
		return NULL;
	why = control_profile_check(x->c, x->c->nprofiles - 1);
	if (why) {
		/* Reported where the profile starts, the line to fix. */
		x->line = x->profile_line;
		snprintf(x->why, sizeof(x->why), "profile: %s", why);
		return x->why;
	}
	return NULL;
}

static const char *text_profile(struct text_ctx *x)
{
	const char *why = text_profile_end(x);

	if (why)
		return why;
	x->p = control_config_add_profile(x->c);
	x->profile_line = x->line;
	return x->p ? NULL : "out of memory";
}

/* Sorted by name; each returns NULL or why the line is wrong. */
static const struct keyword {
	const char *name;
	const char *(*parse)(struct text_ctx *x);
	bool names;		/* takes any number of words */
} keywords[] = {
	{ "allow", text_allow, true },
	{ "budget", text_budget, false },
	{ "default", text_default, false },
	{ "deny", text_deny, true },
	{ "fail-closed", text_fail_closed, false },
	{ "fail-open", text_fail_open, false },
	{ "profile", text_profile, false },
	{ "queue-maxlen", text_maxlen, false },
	{ "queues", text_queues, false },
};

static int keyword_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

static const char *text_line(struct text_ctx *x, char *line)
{
	char *word, *hash = strchr(line, '#');
	const struct keyword *kw;
	const char *err;

	if (hash)
		*hash = '\0';
	word = strtok_r(line, " \t\r\n", &x->save);
	if (!word)
		return NULL;
	kw = bsearch(word, keywords, sizeof(keywords) / sizeof(keywords[0]),
		     sizeof(keywords[0]), keyword_cmp);
	if (!kw) {
		snprintf(x->why, sizeof(x->why), "unknown setting '%.40s'",
			 word);
		return x->why;
	}
	if (!x->p && kw->parse != text_profile) {
		snprintf(x->why, sizeof(x->why),
			 "'%s' before the first 'profile' line", kw->name);
		return x->why;
	}
	err = kw->parse(x);
	if (!err && !kw->names && next_word(x))
		err = "trailing words";
	return err;
}

static int text_parse(FILE *f, struct text_ctx *x, const char **err)
{
	char *line = NULL;
	size_t cap = 0;
	const char *why = NULL;

	while (!why && getline(&line, &cap, f) >= 0) {
		x->line++;
		why = text_line(x, line);
	}
	free(line);
	if (!why && ferror(f))
		return -EIO;
	why = why ?: text_profile_end(x);
	*err = why;
	return why ? -EINVAL : 0;
}

int control_text_read(const char *path, struct control_config *c,
		      char *why, size_t len)
{
	struct text_ctx x = { .c = c };
	FILE *f = fopen(path, "re");
	const char *msg;
	int err;

	*c = (struct control_config){ 0 };
	if (!f) {
		err = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-err));
		return err;
	}
	err = text_parse(f, &x, &msg);
	fclose(f);
	if (err == -EINVAL)
		snprintf(why, len, "%s:%u: %s", path, x.line, msg);
	else if (err)
		snprintf(why, len, "%s: %s", path, strerror(-err));
	if (err)
		control_config_free(c);
	return err;
}

static void write_names(FILE *f, const struct control_profile *p)
{
	const struct control_pattern *cp, *prev = NULL;
	size_t i, on_line = 0;

	for (i = 0; i < p->npatterns; i++, prev = cp) {
		cp = &p->patterns[i];
		if (!prev || prev->kind != cp->kind ||
		    prev->action != cp->action || on_line == NAMES_PER_LINE) {
			fprintf(f, "%s%s %s", prev ? "\n" : "",
				actions[cp->action], kinds[cp->kind]);
			on_line = 0;
		}
		fprintf(f, " %s", cp->name);
		on_line++;
	}
	if (prev)
		fputc('\n', f);
}

static void write_profile(FILE *f, const struct control_profile *p)
{
	fprintf(f, "\nprofile\nqueues %u", p->queue_first);
	if (p->queue_count > 1)
		fprintf(f, "-%u", p->queue_first + p->queue_count - 1);
	fprintf(f, "\nqueue-maxlen %u\n%s\ndefault %s\nbudget %u\n",
		(unsigned)p->queue_maxlen,
		p->fail_open ? "fail-open" : "fail-closed",
		p->default_verdict == CONTROL_DROP ? "drop" : "accept",
		p->budget);
	write_names(f, p);
}

/* Names must be words of the format: no blanks, no '#', not empty. */
static bool names_writable(const struct control_profile *p)
{
	size_t i;

	for (i = 0; i < p->npatterns; i++)
		if (p->patterns[i].kind >= CONTROL_KINDS ||
		    p->patterns[i].action >= CONTROL_ACTIONS ||
		    !p->patterns[i].name[0] ||
		    strpbrk(p->patterns[i].name, " \t\r\n#"))
			return false;
	return true;
}

/* The file's text in memory (free it), or NULL when out of memory. */
static char *format_text(const struct control_config *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i;

	if (!f)
		return NULL;
	fputs("# fwctld's inspect configuration, see fwctld(8).\n", f);
	for (i = 0; i < c->nprofiles; i++)
		write_profile(f, &c->profiles[i]);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Whether path holds exactly text already. Every apply writes the config,
 * most often unchanged, and the two fsyncs of a write took 4 ms of a
 * 20 ms apply here; a file in place was synced before its rename.
 */
static bool same_text(const char *path, const char *text, size_t len)
{
	char buf[4096];
	size_t at = 0, n;
	FILE *f = fopen(path, "re");
	bool same = f != NULL;

	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = at + n <= len && !memcmp(buf, text + at, n);
		at += n;
	}
	if (f) {
		same = same && !ferror(f) && at == len;
		fclose(f);
	}
	return same;
}

static int write_file(int fd, const char *text, size_t len)
{
	int err = 0;

	while (!err && len) {
		ssize_t n = write(fd, text, len);

		if (n > 0)
			text += n, len -= (size_t)n;
		else if (n == 0)
			err = -EIO;
		else if (errno != EINTR)
			err = -errno;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* The directory entry of the rename must reach the disk too. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash - path + 1) : strdup(".");
	int fd, err = 0;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0 || fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

int control_text_write(const char *path, const struct control_config *c)
{
	char *tmp, *text;
	size_t i, len;
	int fd, err;

	if (control_config_check(c))
		return -EINVAL;
	for (i = 0; i < c->nprofiles; i++)
		if (!names_writable(&c->profiles[i]))
			return -EINVAL;
	text = format_text(c, &len);
	if (!text)
		return -ENOMEM;
	if (same_text(path, text, len)) {
		free(text);
		return 0;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		free(text);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	err = fd < 0 ? -errno : write_file(fd, text, len);
	free(text);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	free(tmp);
	return err ?: sync_dir(path);
}
