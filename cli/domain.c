// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Domain names: checked and lowercased once here, so that the daemon gets
 * names it accepts and every mistake is reported at the element that
 * holds it. A list of 100k names costs one pass and one sort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "xalloc.h"

#define DOMAIN_MAX	253
#define LABEL_MAX	63

static char label_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_')
		return c;
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return 0;
}

bool domain_like(const struct ast_value *v)
{
	const char *dot;

	if (v->kind != AV_STRING)
		return false;
	if (!strncmp(v->text, "*.", 2))
		return true;
	dot = strrchr(v->text, '.');
	if (dot && !dot[1] && dot > v->text)	/* a trailing dot */
		dot = memrchr(v->text, '.', (size_t)(dot - v->text));
	return dot && dot[1] && strspn(dot + 1, "0123456789.") !=
				strlen(dot + 1);
}

static const char *bad_char(char c, char *buf, size_t size)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c' cannot be in a domain name (letters, "
			 "digits, '-' and '_' only)", c);
	else
		snprintf(buf, size, "byte 0x%02x cannot be in a domain name "
			 "(letters, digits, '-' and '_' only)",
			 (unsigned char)c);
	return buf;
}

/* The labels of body, lowercased into out; NULL or why not. */
static const char *domain_labels(const char *body, size_t n, char *out,
				 char *why, size_t size)
{
	size_t i, label = 0;

	if (!n)
		return "the name is empty";
	if (n > DOMAIN_MAX) {
		snprintf(why, size, "%zu characters, at most %d", n,
			 DOMAIN_MAX);
		return why;
	}
	for (i = 0; i < n; i++) {
		if (body[i] == '.') {
			if (!label)
				return "a label is empty (two dots, or a dot "
				       "at the start)";
			label = 0;
			out[i] = '.';
			continue;
		}
		if (body[i] == '*')
			return "a '*' must be the whole first label, as in "
			       "\"*.example.com\"";
		out[i] = label_char(body[i]);
		if (!out[i])
			return bad_char(body[i], why, size);
		if (++label > LABEL_MAX) {
			snprintf(why, size, "a label is longer than %d "
				 "characters", LABEL_MAX);
			return why;
		}
	}
	out[n] = '\0';
	return label ? NULL : "a label is empty";
}

/* "name" or "*.suffix" into out[DOMAIN_MAX + 3]; NULL or why not. */
static const char *domain_check(const char *s, char *out, char *why,
				size_t size)
{
	size_t n = strlen(s), skip = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (!strcmp(s, "*") || !strcmp(s, "*."))
		return "a wildcard needs a suffix, as in \"*.example.com\"";
	if (!strncmp(s, "*.", 2)) {
		memcpy(out, "*.", 2);
		skip = 2;
	}
	return domain_labels(s + skip, n - skip, out + skip, why, size);
}

static int domain_cmp(const void *a, const void *b)
{
	return strcmp(((const struct m_domain *)a)->name,
		      ((const struct m_domain *)b)->name);
}

static void domain_unique(struct m_domains *l)
{
	size_t i, kept = 0;

	qsort(l->d, l->n, sizeof(*l->d), domain_cmp);
	for (i = 0; i < l->n; i++) {
		if (kept && !strcmp(l->d[kept - 1].name, l->d[i].name)) {
			free(l->d[i].name);
			continue;
		}
		l->d[kept++] = l->d[i];
	}
	l->n = kept;
}

static int domain_value(const struct xvalue *x, struct m_domains *out)
{
	char name[DOMAIN_MAX + 3], why[128], q[300];
	const char *err;

	if (x->v->kind != AV_STRING) {
		check_error(x, "%s is not a domain name: names go in double "
			    "quotes, as in \"example.com\"",
			    value_quote(x->v, q, sizeof(q)));
		return -1;
	}
	err = domain_check(x->v->text, name, why, sizeof(why));
	if (err) {
		check_error(x, "\"%.260s\" is not a domain name: %s",
			    x->v->text, err);
		return -1;
	}
	out->d[out->n++] = (struct m_domain){ xstrdup(name), x->v, x->via };
	return 0;
}

int domain_list(const struct xlist *xl, struct m_domains *out)
{
	int err = 0;
	size_t i;

	out->n = 0;
	out->d = xcalloc(xl->n ? xl->n : 1, sizeof(*out->d));
	for (i = 0; i < xl->n; i++)
		err |= domain_value(&xl->x[i], out);
	if (err) {
		m_domains_free(out);
		return -1;
	}
	domain_unique(out);
	return 0;
}
