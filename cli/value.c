// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Values get their types here: the same word can be a port (ssh), an
 * interface (eth0) or a protocol (tcp), and only the place it is used in
 * says which. The bytes are the IR's: network order, zero padded.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "names.h"

const char *const set_kind_names[] = {
	[SK_ADDR] = "addresses",
	[SK_PORT] = "ports",
	[SK_IFNAME] = "interfaces",
	[SK_DOMAIN] = "domain names",
};

const char *value_quote(const struct ast_value *v, char *buf, size_t size)
{
	static const char *const forms[] = {
		[AV_STRING] = "\"%s\"", [AV_MACRO] = "$%s",
		[AV_SETREF] = "@%s",
	};
	const char *form = (size_t)v->kind < sizeof(forms) / sizeof(forms[0])
			   && forms[v->kind] ? forms[v->kind] : "'%s'";

	snprintf(buf, size, form, v->text);
	return buf;
}

static void elem_init(const struct xvalue *x, struct m_elem *e)
{
	memset(e, 0, sizeof(*e));
	e->src = x->v;
	e->via = x->via;
}

static int wrong_kind(const struct xvalue *x, const char *what)
{
	char buf[300];

	check_error(x, "expected %s, found %s", what,
		    value_quote(x->v, buf, sizeof(buf)));
	return -1;
}

int value_addr(const struct xvalue *x, struct m_elem *e)
{
	const struct ast_value *v = x->v;
	bool range = v->kind == AV_RANGE && v->lo.kind != LIT_NUMBER;
	size_t len;

	if (v->kind != AV_ADDR && v->kind != AV_PREFIX && !range)
		return wrong_kind(x, "an address");
	elem_init(x, e);
	e->fam = v->lo.kind == LIT_ADDR4 ? FAM_V4 : FAM_V6;
	len = e->fam == FAM_V4 ? 4 : 16;
	memcpy(e->v.lo, v->lo.addr, len);
	memcpy(e->v.hi, v->kind == AV_ADDR ? v->lo.addr : v->hi.addr, len);
	return 0;
}

static void put16(uint8_t *p, uint64_t n)
{
	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
}

static int unknown_name(const struct xvalue *x, const char *what,
			const struct name_table *t)
{
	const char *hint = names_suggest(t, x->v->text);

	if (hint)
		check_error(x, "unknown %s '%s' (did you mean '%s'?)", what,
			    x->v->text, hint);
	else
		check_error(x, "unknown %s '%s'", what, x->v->text);
	return -1;
}

int value_port(const struct xvalue *x, struct m_elem *e)
{
	const struct ast_value *v = x->v;
	bool range = v->kind == AV_RANGE && v->lo.kind == LIT_NUMBER;
	unsigned port;

	elem_init(x, e);
	if (v->kind == AV_IDENT) {
		if (!names_lookup(&names_service, v->text, &port))
			return unknown_name(x, "service", &names_service);
		put16(e->v.lo, port);
		put16(e->v.hi, port);
		return 0;
	}
	if (v->kind != AV_NUMBER && !range)
		return wrong_kind(x, "a port");
	if (v->lo.num > 65535 || (range && v->hi.num > 65535)) {
		check_error(x, "port %s out of range (0-65535)", v->text);
		return -1;
	}
	put16(e->v.lo, v->lo.num);
	put16(e->v.hi, range ? v->hi.num : v->lo.num);
	return 0;
}

/* eth0 is one name; eth* is every name that starts with eth. */
int value_ifname(const struct xvalue *x, struct m_elem *e)
{
	const struct ast_value *v = x->v;
	size_t len, base;

	if (v->kind != AV_IDENT && v->kind != AV_STRING &&
	    v->kind != AV_WILDCARD)
		return wrong_kind(x, "an interface name");
	elem_init(x, e);
	len = strlen(v->text);
	base = len && v->text[len - 1] == '*' ? len - 1 : len;
	if (!len) {
		check_error(x, "empty interface name");
		return -1;
	}
	if (base >= IFNAMSIZ) {
		check_error(x, "interface name '%s' is longer than %d "
			    "characters", v->text, IFNAMSIZ - 1);
		return -1;
	}
	memcpy(e->v.lo, v->text, base);
	memcpy(e->v.hi, v->text, base);
	if (base < len)
		memset(e->v.hi + base, 0xff, IFNAMSIZ - base);
	return 0;
}

/* Protocols and ICMP types: a name from the table or a number 0-255. */
static int value_byte(const struct xvalue *x, struct m_elem *e,
		      const struct name_table *t, const char *what,
		      const char *a_what)
{
	const struct ast_value *v = x->v;
	unsigned n;

	elem_init(x, e);
	if (v->kind == AV_IDENT) {
		if (!names_lookup(t, v->text, &n))
			return unknown_name(x, what, t);
	} else if (v->kind == AV_NUMBER) {
		if (v->lo.num > 255) {
			check_error(x, "%s %s out of range (0-255)", what,
				    v->text);
			return -1;
		}
		n = (unsigned)v->lo.num;
	} else {
		return wrong_kind(x, a_what);
	}
	e->v.lo[0] = e->v.hi[0] = (uint8_t)n;
	return 0;
}

int value_proto(const struct xvalue *x, struct m_elem *e)
{
	return value_byte(x, e, &names_proto, "protocol", "a protocol");
}

int value_icmp_type(const struct xvalue *x, struct m_elem *e)
{
	return value_byte(x, e, &names_icmp_type, "icmp type",
			  "an icmp type");
}

int value_icmpv6_type(const struct xvalue *x, struct m_elem *e)
{
	return value_byte(x, e, &names_icmpv6_type, "icmpv6 type",
			  "an icmpv6 type");
}

/* The state's bit, host order, in the first four bytes (as IR_CT_STATE). */
int value_ct_state(const struct xvalue *x, struct m_elem *e)
{
	unsigned bit;
	uint32_t mask;

	elem_init(x, e);
	if (x->v->kind != AV_IDENT)
		return wrong_kind(x, "a ct state");
	if (!names_lookup(&names_ct_state, x->v->text, &bit))
		return unknown_name(x, "ct state", &names_ct_state);
	mask = bit;
	memcpy(e->v.lo, &mask, sizeof(mask));
	memcpy(e->v.hi, &mask, sizeof(mask));
	return 0;
}

/* A list with this many errors has said enough. */
#define LIST_ERRORS_MAX	10

int value_list(const struct xlist *xl, value_fn fn, struct m_elems *out)
{
	unsigned errors = 0;
	size_t i;

	for (i = 0; i < xl->n && errors < LIST_ERRORS_MAX; i++) {
		const struct xvalue *x = &xl->x[i];
		struct m_elem *e;

		if (x->v->kind == AV_SETREF) {
			check_error(x, "a set reference cannot be a list "
				    "element");
			errors++;
			continue;
		}
		e = m_elems_add(out);
		if (fn(x, e) < 0) {
			out->n--;
			errors++;
			continue;
		}
		out->fams |= e->fam;
		out->interval |= memcmp(e->v.lo, e->v.hi, IR_VALUE_MAX) != 0;
	}
	return errors ? -1 : 0;
}

bool value_kind(const struct ast_value *v, enum set_kind *kind)
{
	static const struct {
		bool		known;
		enum set_kind	kind;
	} kinds[] = {
		[AV_NUMBER] = { true, SK_PORT },
		[AV_ADDR] = { true, SK_ADDR },
		[AV_PREFIX] = { true, SK_ADDR },
		[AV_WILDCARD] = { true, SK_IFNAME },
		[AV_STRING] = { true, SK_IFNAME },
	};

	if (v->kind == AV_RANGE) {
		*kind = v->lo.kind == LIT_NUMBER ? SK_PORT : SK_ADDR;
		return true;
	}
	if ((size_t)v->kind >= sizeof(kinds) / sizeof(kinds[0]) ||
	    !kinds[v->kind].known)
		return false;
	*kind = kinds[v->kind].kind;
	return true;
}
