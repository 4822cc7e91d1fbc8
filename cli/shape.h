/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SHAPE_H
#define FWCTL_SHAPE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loc.h"

/*
 * Traffic shaping, through every stage: `shape IF rate R { class ... }` as
 * written (ast_shape), checked with its matches resolved like filter rules
 * (m_shape), and as the HTB tree one interface gets (ir_shape). The
 * classification itself is ordinary IR: rules that set meta priority to
 * a class handle in the chain "shape" (postrouting), so shaping follows
 * the same zones, sets and ports as filtering and sees addresses before
 * source NAT rewrites them.
 */

struct ast;
struct ast_rule;
struct checker;
struct ir_table;
struct lower;
struct model;
struct m_rule;
struct parser;

/* Per-host fairness: a fair class is split into this many hash buckets. */
#define SHAPE_FAIR_BUCKETS	8
/* Class N of a shape has minor SHAPE_MINOR_BASE + N; its buckets follow. */
#define SHAPE_MINOR_BASE	0x10
#define SHAPE_BUCKET_BASE	0x1000
#define SHAPE_CLASSES_MAX	200

struct ast_shape_class {
	char		*name;
	struct fw_loc	loc;		/* the name */
	unsigned	width;
	uint64_t	rate, ceil;	/* bit/s; ceil 0: not given */
	struct fw_loc	rate_loc, ceil_loc;
	unsigned	rate_width, ceil_width;
	uint32_t	burst;		/* bytes; 0: the kernel's */
	unsigned	prio;		/* 0 (first) .. 7 */
	bool		fair;
	bool		is_default;
	struct fw_loc	default_loc;
	struct ast_rule	*match;		/* NULL: no match */
	bool		either_port;	/* `port P`: sport or dport */
};

struct ast_shape {
	char			*ifname;
	struct fw_loc		loc;	/* the interface name */
	unsigned		width;
	bool			ingress;
	uint64_t		rate;
	struct fw_loc		rate_loc;
	unsigned		rate_width;
	uint32_t		burst;
	size_t			n_classes;
	struct ast_shape_class	*classes;
};

/* A class with its matches checked: one rule, or two for `port P`. */
struct m_shape_class {
	const struct ast_shape_class	*src;
	size_t				n_rules;
	struct m_rule			*rules[2];
};

struct m_shape {
	const struct ast_shape	*src;
	struct m_shape_class	*classes;
	size_t			default_class;
};

struct ir_shape_class {
	char		name[64];
	struct fw_loc	loc;
	uint16_t	minor;
	uint64_t	rate, ceil;	/* bit/s; ceil always given */
	uint32_t	burst;
	uint8_t		prio;
	bool		fair;	/* SHAPE_FAIR_BUCKETS buckets below */
};

/* One interface's tree: classes under fc:1, which holds the link rate. */
struct ir_shape {
	char			ifname[IFNAMSIZ];
	struct fw_loc		loc;
	bool			ingress;	/* whole link, no classes */
	uint64_t		rate;
	uint32_t		burst;
	uint16_t		default_minor;
	size_t			n_classes;
	struct ir_shape_class	*classes;
};

/* shape_parser.c: the `shape` statement. */
int parse_shape(struct parser *p);
/* shape_check.c: every shape of the tree into m->shapes. */
void check_shapes(struct checker *c);
/* lower_shape.c: the trees and the chain "shape" that classifies. */
void lower_shapes(struct lower *lw);
struct ir_chain *shape_regular_chain(struct ir_table *t, const char *name);
/* lower_shape_map.c: a long list of port classes as verdict maps. */
void shape_port_maps(struct lower *lw, struct ir_chain *c,
		     const char *ifname);

/* shape.c: freeing each stage's shapes. */
void ast_shape_free(struct ast_shape *s);
void ast_shapes_free(struct ast *a);
void m_shapes_free(struct model *m);
void ir_shapes_free(struct ir_table *t);
/* The minor of bucket b of the class with minor m. */
uint16_t shape_bucket_minor(uint16_t m, unsigned b);
/* 100mbit, 1.5gbit, 800kbit, 64000bit; 10m, 64k: bit/s. */
int shape_rate_parse(const char *text, uint64_t *bps);
/* 1.5gbit, 100mbit, 64kbit, 900bit: the shortest exact spelling. */
void shape_rate_format(uint64_t bps, char *buf, size_t size);

/* shape_apply.c: the kernel side, after the nf_tables batch. */
int shape_apply(const struct ir_table *t);
/* Removes every tree and IFB device fwctl made (fwctl flush). */
int shape_flush(void);
/* `fwctl shape show [-j]`. */
int shape_show(FILE *out, bool json);
/* The IFB device that takes the ingress of ifindex: "fwi<ifindex>". */
void shape_ifb_name(unsigned ifindex, char *buf, size_t size);

#endif
