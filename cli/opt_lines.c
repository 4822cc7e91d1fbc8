// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The line record (opt_lines.h): built by a compile with records, on
 * disk as trees.lines in the machine's own byte order:
 *
 *   head, path (padded to 8 bytes), line[0 .. n_lines], rules, names
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ast.h"
#include "model.h"
#include "opt.h"
#include "opt_lines.h"
#include "record_file.h"
#include "seqdiff.h"
#include "shape.h"
#include "xalloc.h"

/* The head's 16 bytes, the last ones zero. */
static const char lines_magic[16] = "fwctl-lines 5\n";

/*
 * Every line of a 10,000-line file is hashed on every apply: cheaply,
 * eight bytes a multiply, mixed once at the end. Two hashes of the same
 * bytes with other constants: a match of two lines needs both equal
 * (2^-128 by chance), in place of comparing the text, which the record
 * would have to keep (0.8 MB of 1.2 for 10,000 lines). In one pass: the
 * two chains of multiplies overlap.
 */
static void line_hashes(const char *s, size_t len, uint64_t *hash,
			uint64_t *check)
{
	uint64_t h = len * 0x9e3779b97f4a7c15ull;
	uint64_t c = ~len * 0xc2b2ae3d27d4eb4full, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		c = (c ^ w) * 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 29;
		c ^= c >> 31;
	}
	w = 0;
	if (len > i)
		memcpy(&w, s + i, len - i);
	*hash = opt_mix(h ^ w);
	*check = opt_mix(c ^ w);
}

/* The first of them, for the few other strings hashed alike. */
static uint64_t line_hash(const char *s, size_t len)
{
	uint64_t h, c;

	line_hashes(s, len, &h, &c);
	return h;
}

static size_t count_lines(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t n = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

void text_lines_split(struct text_lines *tl, const char *text, size_t len)
{
	size_t n = count_lines(text, len), i, at = 0;

	tl->n = n;
	tl->at = xcalloc(n + 1, sizeof(*tl->at));
	tl->len = xcalloc(n + 1, sizeof(*tl->len));
	tl->hash = xcalloc(n + 1, sizeof(*tl->hash));
	tl->check = xcalloc(n + 1, sizeof(*tl->check));
	for (i = 1; i <= n; i++) {
		const char *end = memchr(text + at, '\n', len - at);

		tl->at[i] = at;
		tl->len[i] = end ? (size_t)(end - text) - at : len - at;
		line_hashes(text + at, tl->len[i], &tl->hash[i - 1],
			    &tl->check[i - 1]);
		at += tl->len[i] + 1;
	}
}

void text_lines_free(struct text_lines *tl)
{
	free(tl->at);
	free(tl->len);
	free(tl->hash);
	free(tl->check);
}

/* A blank or comment line (what is left is LINE_OTHER). */
static bool blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '#'; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	/* A comment may not end in a continuation: it would not end. */
	return !len || s[len - 1] != '\\';
}

struct opt_lines *opt_lines_new(const char *path, const char *text,
				const struct text_lines *tl)
{
	struct opt_lines *l = xcalloc(1, sizeof(*l));
	size_t i;

	l->path = xstrdup(path);
	l->n_lines = tl->n;
	l->line = xcalloc(tl->n + 1, sizeof(*l->line));
	for (i = 1; i <= tl->n; i++) {
		const char *s = text + tl->at[i];
		size_t ll = tl->len[i];

		l->line[i].hash = tl->hash[i - 1];
		l->line[i].check = tl->check[i - 1];
		l->line[i].kind = blank(s, ll) ? LINE_BLANK : LINE_OTHER;
		/* A continuation joins lines: none may be left out then. */
		if (ll && s[ll - 1] == '\\')
			l->broken = true;
	}
	return l;
}

uint32_t *opt_lines_moved(const struct opt_lines *then,
			  const struct opt_lines *now, size_t *n)
{
	uint64_t *was, *is;
	size_t *match, i, j;
	uint32_t *moved;

	*n = 0;
	if (!then || !now)
		return NULL;
	was = xcalloc(then->n_lines + 1, sizeof(*was));
	is = xcalloc(now->n_lines + 1, sizeof(*is));
	match = xcalloc(now->n_lines + 1, sizeof(*match));
	for (i = 1; i <= then->n_lines; i++)
		was[i - 1] = then->line[i].hash;
	for (j = 1; j <= now->n_lines; j++)
		is[j - 1] = now->line[j].hash;
	seqdiff(was, then->n_lines, is, now->n_lines, match);
	moved = xcalloc(then->n_lines + 1, sizeof(*moved));
	for (j = 1; j <= now->n_lines; j++) {
		i = match[j - 1];
		if (i != SEQDIFF_NEW &&
		    then->line[i + 1].check == now->line[j].check)
			moved[i + 1] = (uint32_t)j;
	}
	free(was);
	free(is);
	free(match);
	*n = then->n_lines + 1;
	return moved;
}

bool opt_lines_same(const struct opt_lines *then, const struct opt_lines *now)
{
	size_t i;

	if (!then || !now || then->n_lines != now->n_lines)
		return false;
	for (i = 1; i <= now->n_lines; i++)
		if (then->line[i].hash != now->line[i].hash ||
		    then->line[i].check != now->line[i].check)
			return false;
	return true;
}

bool opt_lines_equal(const struct opt_lines *a, const struct opt_lines *b)
{
	return a && b && !strcmp(a->path, b->path) && a->chains == b->chains &&
	       a->n_lines == b->n_lines && a->n_rules == b->n_rules &&
	       a->n_names == b->n_names &&
	       !memcmp(a->line, b->line, (a->n_lines + 1) * sizeof(*a->line)) &&
	       !memcmp(a->rules, b->rules, a->n_rules * sizeof(*a->rules)) &&
	       !memcmp(a->names, b->names, a->n_names * sizeof(*a->names));
}

void opt_lines_free(struct opt_lines *l)
{
	if (!l)
		return;
	if (l->map) {
		munmap(l->map, l->map_len);
		free(l);
		return;
	}
	free(l->path);
	free(l->line);
	free(l->rules);
	free(l->names);
	free(l->count);
	free(l);
}

static bool ours(const struct opt_lines *l, struct fw_loc loc,
		 const char *source)
{
	return loc.file && (loc.file == source || !strcmp(loc.file, source)) &&
	       loc.line >= 1 && loc.line <= l->n_lines;
}

/* Another item starts on loc's line: no rule there stands alone. */
static void taken(struct opt_lines *l, struct fw_loc loc, const char *source,
		  uint8_t *starts)
{
	if (!ours(l, loc, source)) {
		l->broken = true;	/* an include */
		return;
	}
	starts[loc.line] = 2;
}

void opt_lines_ast(struct opt_lines *l, const struct ast *a,
		   const char *source)
{
	uint8_t *starts = xcalloc(l->n_lines + 1, 1);
	size_t i;

	for (i = 0; i < a->n_defines; i++)
		taken(l, a->defines[i]->loc, source, starts);
	for (i = 0; i < a->n_zones; i++)
		taken(l, a->zones[i]->loc, source, starts);
	for (i = 0; i < a->n_sets; i++)
		taken(l, a->sets[i]->loc, source, starts);
	for (i = 0; i < a->n_policies; i++)
		taken(l, a->policies[i]->loc, source, starts);
	for (i = 0; i < a->n_inspects; i++)
		taken(l, a->inspects[i]->rule->loc, source, starts);
	for (i = 0; i < a->n_shapes; i++)
		taken(l, a->shapes[i]->loc, source, starts);
	for (i = 0; i < a->n_rules; i++) {
		const struct ast_rule *r = a->rules[i];

		if (!ours(l, r->loc, source)) {
			l->broken = true;
			continue;
		}
		/* 1: one rule alone; 2: anything else. */
		starts[r->loc.line] = starts[r->loc.line] || !r->alone ? 2 : 1;
	}
	for (i = 1; i <= l->n_lines; i++)
		if (starts[i] == 1)
			l->line[i].kind = LINE_RULE;
	free(starts);
}

void opt_lines_model(struct opt_lines *l, const struct model *m)
{
	unsigned last = 0;
	size_t i;

	for (i = 0; i < m->n_rules; i++) {
		const struct m_rule *r = m->rules[i];

		/* Lowering puts stand-ins among the rules by line. */
		if (!ours(l, r->loc, m->source) || r->loc.line < last)
			l->broken = true;
		else if (r->from && !r->from_neg && r->from->ifs.n)
			l->line[r->loc.line].kind = LINE_OTHER;
		last = r->loc.line;
	}
}

/* The chains' names, in order. */
static uint64_t chains_hash(const struct ir_table *t)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < t->n_chains; i++)
		h = opt_mix(h ^ line_hash(t->chains[i]->name,
					       strlen(t->chains[i]->name)));
	return h;
}

void opt_lines_count(struct opt_lines *l, const struct ir_table *t)
{
	size_t i, j;

	l->chains = chains_hash(t);
	l->count = xcalloc(l->n_lines + 1, sizeof(*l->count));
	for (i = 0; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i]->n_rules; j++) {
			struct fw_loc loc = t->chains[i]->rules[j].loc;

			if (ours(l, loc, t->source))
				l->count[loc.line]++;
			else if (loc.file)
				l->broken = true;
		}
	}
}

static uint16_t name_of(struct opt_lines *l, const char *chain)
{
	size_t i;

	for (i = 0; i < l->n_names; i++)
		if (!strcmp(l->names[i], chain))
			return (uint16_t)i;
	if (l->n_names == UINT16_MAX)
		l->broken = true;
	l->names = xgrow(l->names, l->n_names, sizeof(*l->names));
	snprintf(l->names[l->n_names], IR_NAME_MAX, "%s", chain);
	return (uint16_t)l->n_names++;
}

static uint8_t flags_of(const struct ir_rule *r)
{
	uint8_t f;
	size_t i;

	if (r->keep)
		return r->keep->flags;
	f = opt_rule_cached(r) ? LR_CACHED : 0;
	for (i = 0; i < r->n_matches; i++) {
		if (r->matches[i].field == IR_CT_STATE)
			f |= LR_TRACKS;
		if (r->matches[i].field == IR_IIFNAME ||
		    r->matches[i].field == IR_OIFNAME)
			f |= LR_IFACE;
	}
	return f;
}

void opt_lines_note(struct opt_lines *l, const char *chain, unsigned run,
		    const struct opt_rule *rules, size_t n,
		    const uint32_t *base)
{
	uint16_t c;
	size_t i;

	if (!l || l->broken)
		return;
	c = name_of(l, chain);
	/*
	 * Room for the run at once: doubling 10,000 stand-ins' notes left a
	 * hole of 192 KiB behind, and a one-rule change's heap then took a
	 * third huge page (rules_cap is 0 in a record read: never grown).
	 */
	if (l->n_rules + n > l->rules_cap) {
		l->rules_cap = l->n_rules + n > 2 * l->rules_cap ?
			       l->n_rules + n : 2 * l->rules_cap;
		l->rules = realloc(l->rules, l->rules_cap * sizeof(*l->rules));
		if (!l->rules)
			abort();
	}
	for (i = 0; i < n; i++) {
		const struct ir_rule *r = rules[i].ir;
		struct line_rule *lr;

		if (!r->loc.file)
			continue;
		if (!ours(l, r->loc, l->path)) {
			l->broken = true;
			return;
		}
		lr = &l->rules[l->n_rules++];
		*lr = (struct line_rule){
			.key = rules[i].key, .line = r->loc.line,
			.base = base[i], .run = run, .chain = c,
			.fams = rules[i].fams, .flags = flags_of(r),
		};
	}
}

/*
 * The rules by line, each line's in the order noted (a counting sort:
 * stable, and a line's rules in one chain keep the list's order).
 */
static void sort_by_line(struct opt_lines *l)
{
	uint32_t *at = xcalloc(l->n_lines + 2, sizeof(*at));
	struct line_rule *out = xcalloc(l->n_rules + 1, sizeof(*out));
	size_t i;

	for (i = 0; i < l->n_rules; i++)
		at[l->rules[i].line + 1]++;
	for (i = 1; i <= l->n_lines + 1; i++)
		at[i] += at[i - 1];
	for (i = 0; i < l->n_rules; i++)
		out[at[l->rules[i].line]++] = l->rules[i];
	free(l->rules);
	l->rules = out;
	l->rules_cap = l->n_rules + 1;
	free(at);
}

void opt_lines_finish(struct opt_lines *l)
{
	size_t i, j;

	if (!l->count)
		l->broken = true;
	if (l->broken)
		return;
	for (i = 1; i < l->n_rules && l->rules[i - 1].line <= l->rules[i].line;
	     i++)
		;
	if (i < l->n_rules)	/* rules of several chains */
		sort_by_line(l);
	for (i = 0; i < l->n_rules; i = j) {
		struct line_info *li = &l->line[l->rules[i].line];
		bool known = true;

		for (j = i; j < l->n_rules &&
			    l->rules[j].line == l->rules[i].line; j++)
			known = known && l->rules[j].base != LINE_NEW &&
				!(l->rules[j].flags & LR_IFACE);
		li->first = (uint32_t)i;
		li->n = (uint32_t)(j - i);
		li->skip = li->kind == LINE_RULE && known &&
			   li->n == l->count[l->rules[i].line];
	}
	free(l->count);
	l->count = NULL;
}

struct disk_head {
	char		magic[16];
	uint64_t	path_len, n_lines, n_rules, n_names, chains;
	uint64_t	sum;		/* of chains and the rest: a damaged
					   file is no record */
};

/* The checksum of the head's chains and the parts after the head. */
static uint64_t sum_of(const struct opt_lines *l)
{
	uint64_t h = opt_mix(l->chains ^
			     record_sum(l->path, strlen(l->path) + 1));

	h = opt_mix(h ^ record_sum(l->line, (l->n_lines + 1) * sizeof(*l->line)));
	h = opt_mix(h ^ record_sum(l->rules, l->n_rules * sizeof(*l->rules)));
	return opt_mix(h ^ record_sum(l->names, l->n_names * sizeof(*l->names)));
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static bool put(FILE *f, const void *p, size_t len)
{
	static const char zero[8];

	return (!len || fwrite(p, 1, len, f) == len) &&
	       (pad8(len) == len || fwrite(zero, 1, pad8(len) - len, f) ==
				    pad8(len) - len);
}

bool opt_lines_write(FILE *f, const struct opt_lines *l)
{
	struct disk_head h = {
		.path_len = strlen(l->path),
		.n_lines = l->n_lines, .n_rules = l->n_rules,
		.n_names = l->n_names, .chains = l->chains, .sum = sum_of(l),
	};

	memcpy(h.magic, lines_magic, sizeof(h.magic));
	/* The strings with their NULs: read in place, they end there. */
	return put(f, &h, sizeof(h)) && put(f, l->path, h.path_len + 1) &&
	       put(f, l->line, (l->n_lines + 1) * sizeof(*l->line)) &&
	       put(f, l->rules, l->n_rules * sizeof(*l->rules)) &&
	       put(f, l->names, l->n_names * sizeof(*l->names));
}

/* Whether the n bytes at p are zero: the padding, as put() writes it. */
static bool zeros(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Every line's rules and every rule's chain where the record says. */
static bool sane(const struct opt_lines *l)
{
	size_t i;

	for (i = 0; i <= l->n_lines; i++)
		if (l->line[i].first > l->n_rules ||
		    l->line[i].n > l->n_rules - l->line[i].first)
			return false;
	for (i = 0; i < l->n_rules; i++)
		if (l->rules[i].chain >= l->n_names)
			return false;
	for (i = 0; i < l->n_names; i++)
		if (!memchr(l->names[i], '\0', IR_NAME_MAX))
			return false;
	return true;
}

/*
 * The record in place, in the file's mapping: an apply reads a
 * megabyte of it and writes none.
 */
struct opt_lines *opt_lines_read(int fd)
{
	const struct disk_head *h;
	struct opt_lines *l;
	struct stat st;
	uint64_t need;
	char *p;

	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(*h))
		return NULL;
	/* All of it is read: mapped at once, not a page fault a page. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->map = p;
	l->map_len = (size_t)st.st_size;
	h = (const struct disk_head *)p;
	/* Each count within the file before anything is computed from it. */
	if (memcmp(h->magic, lines_magic, sizeof(h->magic)) ||
	    h->path_len >= (uint64_t)st.st_size ||
	    h->n_lines > (uint64_t)st.st_size ||
	    h->n_rules > (uint64_t)st.st_size || h->n_names > UINT16_MAX)
		goto bad;
	need = sizeof(*h) + pad8(h->path_len + 1) +
	       (h->n_lines + 1) * sizeof(struct line_info) +
	       h->n_rules * sizeof(struct line_rule) +
	       h->n_names * IR_NAME_MAX;
	if (need != (uint64_t)st.st_size)
		goto bad;
	p += sizeof(*h);
	l->path = p;
	p += pad8(h->path_len + 1);
	l->line = (struct line_info *)p;
	l->n_lines = h->n_lines;
	p += (h->n_lines + 1) * sizeof(struct line_info);
	l->rules = (struct line_rule *)p;
	l->n_rules = h->n_rules;
	p += h->n_rules * sizeof(struct line_rule);
	l->names = (char (*)[IR_NAME_MAX])p;
	l->n_names = h->n_names;
	l->chains = h->chains;
	if (l->path[h->path_len] || strlen(l->path) != h->path_len ||
	    !zeros(l->path + h->path_len, pad8(h->path_len + 1) - h->path_len) ||
	    sum_of(l) != h->sum || !sane(l))
		goto bad;
	return l;
bad:
	opt_lines_free(l);
	return NULL;
}
