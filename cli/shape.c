// SPDX-License-Identifier: GPL-2.0-or-later
/* What every stage of shaping shares: rates as people write them, frees. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ir.h"
#include "model.h"
#include "shape.h"

/* The kernel keeps HTB rates in 64 bits of bytes/s; people stop at 100g. */
#define RATE_MAX	100000000000.0

static const struct {
	const char	*unit;
	double		mult;
} rate_units[] = {
	{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
	{ "k", 1e3 }, { "m", 1e6 }, { "g", 1e9 },
};

int shape_rate_parse(const char *text, uint64_t *bps)
{
	char *unit;
	double v;
	size_t i;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(text, &unit);
	if (errno || unit == text)
		return -EINVAL;
	for (i = 0; i < sizeof(rate_units) / sizeof(rate_units[0]); i++) {
		if (strcmp(unit, rate_units[i].unit))
			continue;
		v *= rate_units[i].mult;
		if (v < 8 || v > RATE_MAX)
			return -ERANGE;
		*bps = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

void shape_rate_format(uint64_t bps, char *buf, size_t size)
{
	static const struct { uint64_t mult; const char *unit; } u[] = {
		{ 1000000000, "gbit" }, { 1000000, "mbit" }, { 1000, "kbit" },
	};
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (bps < u[i].mult)
			continue;
		if (bps % u[i].mult == 0)
			snprintf(buf, size, "%" PRIu64 "%s", bps / u[i].mult,
				 u[i].unit);
		else
			snprintf(buf, size, "%.3g%s",
				 (double)bps / (double)u[i].mult, u[i].unit);
		return;
	}
	snprintf(buf, size, "%" PRIu64 "bit", bps);
}

uint16_t shape_bucket_minor(uint16_t m, unsigned b)
{
	return (uint16_t)(SHAPE_BUCKET_BASE +
			  (m - SHAPE_MINOR_BASE) * SHAPE_FAIR_BUCKETS + b);
}

void shape_ifb_name(unsigned ifindex, char *buf, size_t size)
{
	snprintf(buf, size, "fwi%u", ifindex);
}

void ast_shape_free(struct ast_shape *s)
{
	size_t i;

	for (i = 0; i < s->n_classes; i++) {
		free(s->classes[i].name);
		ast_rule_free(s->classes[i].match);
	}
	free(s->classes);
	free(s->ifname);
	free(s);
}

void ast_shapes_free(struct ast *a)
{
	size_t i;

	for (i = 0; i < a->n_shapes; i++)
		ast_shape_free(a->shapes[i]);
	free(a->shapes);
}

void m_shapes_free(struct model *m)
{
	size_t i, j, k;

	for (i = 0; i < m->n_shapes; i++) {
		const struct m_shape *s = &m->shapes[i];

		for (j = 0; j < s->src->n_classes; j++)
			for (k = 0; k < s->classes[j].n_rules; k++)
				m_rule_free(s->classes[j].rules[k]);
		free(s->classes);
	}
	free(m->shapes);
}

void ir_shapes_free(struct ir_table *t)
{
	size_t i;

	for (i = 0; i < t->n_shapes; i++)
		free(t->shapes[i].classes);
	free(t->shapes);
}
