// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl shape show [-j]`: every tree fwctl made, read back over
 * rtnetlink: per class its configured rate and ceil, the kernel's rate
 * estimate, bytes, packets, drops, overlimits and backlog. The kernel
 * keeps no class names; they come from the classification rules in
 * table inet fwctl, whose texts end in the class handle.
 */
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "commands.h"
#include "json.h"
#include "live.h"
#include "shape.h"
#include "tc.h"

struct class_name {
	char		ifname[IFNAMSIZ];
	char		name[64];
	uint32_t	handle;
};

struct names {
	size_t			n;
	struct class_name	v[1024];
};

static void names_read(struct names *nm)
{
	struct live_table lt = { 0 };
	struct nlsock s;
	unsigned maj, min;
	size_t i, j;

	if (batch_socket_open(&s) < 0)
		return;
	if (live_read(&s, &lt, LIVE_OBJECTS) == 0) {
		for (i = 0; i < lt.n_chains; i++) {
			for (j = 0; j < lt.chains[i].n_rules; j++) {
				struct class_name *c = &nm->v[nm->n];
				const char *t =
					live_rule_text(&lt.chains[i].rules[j]);

				if (!t || nm->n == sizeof(nm->v) /
						   sizeof(nm->v[0]) ||
				    sscanf(t, "shape %15s class %63s %x:%x",
					   c->ifname, c->name, &maj,
					   &min) != 4)
					continue;
				c->handle = TC_HANDLE(maj, min);
				nm->n++;
			}
		}
	}
	live_free(&lt);
	nlsock_close(&s);
}

static const char *class_name(const struct names *nm, const char *ifname,
			      const struct tc_class_stats *st)
{
	size_t i;

	if (st->cls.handle == TC_CLASS(1))
		return "(link)";
	for (i = 0; i < nm->n; i++)
		if (nm->v[i].handle == st->cls.handle &&
		    !strcmp(nm->v[i].ifname, ifname))
			return nm->v[i].name;
	if (st->cls.parent != TC_CLASS(1))
		return "(bucket)";
	return "-";
}

/* For an IFB of ours, the interface whose ingress it shapes. */
static bool shaped_name(const char *name, char *out, bool *ingress)
{
	unsigned idx;
	char want[IFNAMSIZ];

	*ingress = sscanf(name, "fwi%u", &idx) == 1;
	if (!*ingress)
		return snprintf(out, IFNAMSIZ, "%s", name) > 0;
	shape_ifb_name(idx, want, sizeof(want));
	return !strcmp(want, name) && if_indextoname(idx, out);
}

static void row_text(FILE *out, const char *name,
		     const struct tc_class_stats *st)
{
	char rate[32], ceil[32], now[32];

	shape_rate_format(st->cls.rate, rate, sizeof(rate));
	shape_rate_format(st->cls.ceil, ceil, sizeof(ceil));
	shape_rate_format(st->rate_est, now, sizeof(now));
	fprintf(out, "  %-12s %x:%-5x %9s %9s %4u %9s %12" PRIu64 " %9"
		PRIu64 " %6u %10u %7u\n", name, st->cls.handle >> 16,
		st->cls.handle & 0xffff, rate, ceil, st->cls.prio,
		st->rate_est ? now : "0", st->bytes, st->packets, st->drops,
		st->overlimits, st->backlog);
}

static void row_json(struct json *j, const char *name,
		     const struct tc_class_stats *st)
{
	char handle[16];

	snprintf(handle, sizeof(handle), "%x:%x", st->cls.handle >> 16,
		 st->cls.handle & 0xffff);
	json_object_begin(j, NULL);
	json_string(j, "name", name);
	json_string(j, "handle", handle);
	json_uint(j, "rate", st->cls.rate);
	json_uint(j, "ceil", st->cls.ceil);
	json_uint(j, "prio", st->cls.prio);
	json_uint(j, "current_rate", st->rate_est);
	json_uint(j, "bytes", st->bytes);
	json_uint(j, "packets", st->packets);
	json_uint(j, "drops", st->drops);
	json_uint(j, "overlimits", st->overlimits);
	json_uint(j, "backlog", st->backlog);
	json_string(j, "leaf", st->leaf_kind);
	json_object_end(j);
}

static void show_tree(FILE *out, struct json *j, const struct names *nm,
		      const char *dev, const char *ifname, bool ingress)
{
	struct tc_class_stats *st;
	size_t n, i;

	if (tc_htb_read(dev, &st, &n) || !n)
		return;
	if (j) {
		json_object_begin(j, NULL);
		json_string(j, "interface", ifname);
		json_string(j, "direction", ingress ? "ingress" : "egress");
		json_string(j, "device", dev);
		json_array_begin(j, "classes");
	} else {
		fprintf(out, "%s %s%s%s\n  %-12s %-8s %9s %9s %4s %9s %12s "
			"%9s %6s %10s %7s\n", ifname, ingress ? "ingress" :
			"egress", ingress ? " via " : "", ingress ? dev : "",
			"class", "handle", "rate", "ceil", "prio", "current",
			"bytes", "packets", "drops", "overlimits", "backlog");
	}
	for (i = 0; i < n; i++) {
		const char *name = ingress ? (i ? "-" : "(link)") :
				   class_name(nm, ifname, &st[i]);

		if (j)
			row_json(j, name, &st[i]);
		else
			row_text(out, name, &st[i]);
	}
	if (j) {
		json_array_end(j);
		json_object_end(j);
	}
	free(st);
}

int shape_show(FILE *out, bool json)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct names *nm = calloc(1, sizeof(*nm));
	char ifname[IFNAMSIZ], kind[16];
	struct json j;
	bool ingress;

	if (!ifs || !nm) {
		free(nm);
		perror("fwctl");
		return FW_EXIT_SYSTEM;
	}
	names_read(nm);
	if (json) {
		json_init(&j, out);
		json_array_begin(&j, NULL);
	}
	for (i = ifs; i->if_index; i++)
		if (shaped_name(i->if_name, ifname, &ingress) &&
		    !tc_root_kind(i->if_name, kind, sizeof(kind)) &&
		    !strcmp(kind, "htb"))
			show_tree(out, json ? &j : NULL, nm, i->if_name,
				  ifname, ingress);
	if (json) {
		json_array_end(&j);
		fputc('\n', out);
	}
	if_freenameindex(ifs);
	free(nm);
	return FW_EXIT_OK;
}

int cmd_shape(int argc, char **argv, const struct fw_opts *o)
{
	bool json = o->json;

	if (argc >= 3 && !strcmp(argv[2], "-j"))
		json = true;
	if (argc < 2 || strcmp(argv[1], "show") || argc > 2 + json) {
		fprintf(stderr, "usage: fwctl shape show [-j]\n");
		return FW_EXIT_USAGE;
	}
	return shape_show(stdout, json);
}
