// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_edit.h"

static void split(struct rule_text *t, const char *s)
{
	const char *p = s, *nl;

	t->n = 0;
	t->cap = strlen(s) + 64;
	t->line = calloc(t->cap, sizeof(*t->line));
	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		t->line[t->n++] = strndup(p, (size_t)(nl - p));
		p = *nl ? nl + 1 : nl;
	}
}

void rule_text_random(struct rule_text *t, struct opt_rng *g,
		      unsigned long seed, unsigned k, size_t max)
{
	char *s;

	opt_rng_seed(g, seed * 1000003ull + k);
	s = opt_gen_rules(g, 300 + opt_below(g, (unsigned)max - 300),
			  k % 2 ? OPT_GEN_LIST : 0);
	split(t, s);
	free(s);
}

void rule_text_free(struct rule_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->line[i]);
	free(t->line);
}

char *rule_text_join(const struct rule_text *t)
{
	size_t i, len = 1, at = 0;
	char *s;

	for (i = 0; i < t->n; i++)
		len += strlen(t->line[i]) + 1;
	s = malloc(len);
	for (i = 0; i < t->n; i++)
		at += (size_t)sprintf(s + at, "%s\n", t->line[i]);
	s[at] = '\0';
	return s;
}

bool rule_line(const char *l)
{
	return !strncmp(l, "accept ", 7) || !strncmp(l, "drop ", 5) ||
	       !strncmp(l, "reject ", 7);
}

size_t rule_text_pick(const struct rule_text *t, struct opt_rng *g)
{
	size_t i, tries;

	for (tries = 0; t->n && tries < 1000; tries++) {
		i = opt_below(g, (unsigned)t->n);
		if (rule_line(t->line[i]))
			return i;
	}
	return t->n;
}

void rule_text_insert(struct rule_text *t, size_t at, char *l)
{
	if (t->n + 1 >= t->cap) {
		free(l);
		return;
	}
	memmove(&t->line[at + 1], &t->line[at], (t->n - at) * sizeof(*t->line));
	t->line[at] = l;
	t->n++;
}

static char *flipped(const char *l)
{
	const char *rest = strchr(l, ' ');
	char *s = malloc(strlen(l) + 8);

	sprintf(s, "%s%s", !strncmp(l, "accept ", 7) ? "drop" : "accept",
		rest);
	return s;
}

void rule_text_edit(struct rule_text *t, struct opt_rng *g, enum rule_edit e)
{
	size_t i = rule_text_pick(t, g), j = rule_text_pick(t, g), k;
	char *l;

	if (i == t->n || j == t->n)
		return;
	if (e == RULE_FLIP && !strncmp(t->line[i], "reject ", 7))
		e = RULE_DELETE;
	switch (e) {
	case RULE_FLIP:
		l = flipped(t->line[i]);
		free(t->line[i]);
		t->line[i] = l;
		break;
	case RULE_DELETE:
		free(t->line[i]);
		memmove(&t->line[i], &t->line[i + 1],
			(t->n - i - 1) * sizeof(*t->line));
		t->n--;
		break;
	case RULE_COPY:
		rule_text_insert(t, j, strdup(t->line[i]));
		break;
	case RULE_SWAP:
		for (k = i + 1; k < t->n && !rule_line(t->line[k]); k++)
			;
		if (k < t->n) {
			l = t->line[i];
			t->line[i] = t->line[k];
			t->line[k] = l;
		}
	}
}
