// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "log.h"

#define LINE_MAX_LEN	4096

struct conf_ctx {
	struct control_config *c;
	size_t cap;
	char *save;		/* strtok_r state: the rest of the line */
};

static const char *const kinds[CONTROL_KINDS] = {
	[CONTROL_SNI] = "sni", [CONTROL_HOST] = "host", [CONTROL_DNS] = "dns",
};

static char *next_word(struct conf_ctx *x)
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

static const char *conf_queues(struct conf_ctx *x)
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
	x->c->queue_first = lo;
	x->c->queue_count = hi - lo + 1;
	return NULL;
}

static const char *conf_maxlen(struct conf_ctx *x)
{
	unsigned long v;

	if (parse_uint(next_word(x), 1000000, &v) || !v)
		return "queue-maxlen: expected 1..1000000";
	x->c->queue_maxlen = v;
	return NULL;
}

static const char *conf_budget(struct conf_ctx *x)
{
	unsigned long v;

	if (parse_uint(next_word(x), 1000, &v) || !v)
		return "budget: expected 1..1000 packets";
	x->c->budget = v;
	return NULL;
}

static const char *conf_fail_open(struct conf_ctx *x)
{
	x->c->fail_open = 1;
	return NULL;
}

static const char *conf_fail_closed(struct conf_ctx *x)
{
	x->c->fail_open = 0;
	return NULL;
}

static const char *conf_default(struct conf_ctx *x)
{
	const char *s = next_word(x);

	if (!s || (strcmp(s, "accept") && strcmp(s, "drop")))
		return "default: expected accept or drop";
	x->c->default_verdict = strcmp(s, "drop") ? CONTROL_ACCEPT :
						    CONTROL_DROP;
	return NULL;
}

static const char *conf_add(struct conf_ctx *x, enum control_action action)
{
	const char *kind = next_word(x), *name;
	struct control_pattern *p;
	int k;

	for (k = 0; k < CONTROL_KINDS; k++)
		if (kind && !strcmp(kind, kinds[k]))
			break;
	if (k == CONTROL_KINDS)
		return "expected sni, host or dns";
	while ((name = next_word(x))) {
		if (strlen(name) > CONTROL_NAME_MAX)
			return "name too long";
		if (x->c->npatterns == x->cap) {
			x->cap = x->cap ? 2 * x->cap : 64;
			p = realloc(x->c->patterns, x->cap * sizeof(*p));
			if (!p)
				return "out of memory";
			x->c->patterns = p;
		}
		p = &x->c->patterns[x->c->npatterns++];
		p->kind = k;
		p->action = action;
		strcpy(p->name, name);
	}
	return NULL;
}

static const char *conf_deny(struct conf_ctx *x)
{
	return conf_add(x, CONTROL_DENY);
}

static const char *conf_allow(struct conf_ctx *x)
{
	return conf_add(x, CONTROL_ALLOW);
}

static const struct keyword {
	const char *name;
	const char *(*parse)(struct conf_ctx *x);
} keywords[] = {
	{ "allow", conf_allow },
	{ "budget", conf_budget },
	{ "default", conf_default },
	{ "deny", conf_deny },
	{ "fail-closed", conf_fail_closed },
	{ "fail-open", conf_fail_open },
	{ "queue-maxlen", conf_maxlen },
	{ "queues", conf_queues },
};

static const char *conf_line(struct conf_ctx *x, char *line)
{
	char *word, *hash = strchr(line, '#');
	const char *err;
	size_t i;

	if (hash)
		*hash = '\0';
	word = strtok_r(line, " \t\r\n", &x->save);
	if (!word)
		return NULL;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(word, keywords[i].name))
			break;
	if (i == sizeof(keywords) / sizeof(keywords[0]))
		return "unknown setting";
	err = keywords[i].parse(x);
	if (!err && keywords[i].parse != conf_deny &&
	    keywords[i].parse != conf_allow && next_word(x))
		err = "trailing words";
	return err;
}

int conffile_read(const char *path, struct control_config *c)
{
	struct conf_ctx x = { .c = c };
	char line[LINE_MAX_LEN];
	const char *err = NULL;
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");

	*c = (struct control_config){ .queue_count = 1, .queue_maxlen = 1024,
				      .fail_open = 1, .budget = 8 };
	if (!f) {
		log_msg("%s: %m", path);
		return -errno;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		err = conf_line(&x, line);
	}
	fclose(f);
	if (!err)
		return 0;
	log_msg("%s:%u: %s", path, lineno, err);
	control_config_free(c);
	return -EINVAL;
}
