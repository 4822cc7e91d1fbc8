// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl conntrack: the kernel's connection-tracking table of this network
 * namespace. A table of subcommands; list, count and delete are one dump
 * with a different thing done to each entry that passes the filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "conntrack.h"
#include "ct_print.h"
#include "nlsock.h"

/* A listing is written in big blocks: 100k lines is the case to be fast. */
#define CT_STDOUT_BUFFER	(1 << 20)
/* A request: a dump with its filter, or one entry to delete. */
#define CT_REQUEST_SIZE		8192

struct ct_dump {
	const struct ct_filter	*filter;
	int			(*each)(struct ct_dump *d,
					const struct nf_conntrack *ct);
	struct ct_printer	printer;
	struct nlsock		del;	/* delete: a second socket */
	unsigned long		n;
	int			err;	/* the first delete error */
};

int ct_fail(const char *what, int err)
{
	fprintf(stderr, "fwctl conntrack: %s: %s\n", what, strerror(-err));
	if (err == -EPERM)
		fprintf(stderr, "fwctl conntrack: this needs CAP_NET_ADMIN "
			"(root)\n");
	return FW_EXIT_SYSTEM;
}

/* Accounting is a per-namespace sysctl, read where we are: after --netns. */
static bool acct_enabled(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_acct", "re");
	int c;

	if (!f)
		return false;
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

unsigned ct_print_flags(const struct fw_opts *o, bool events)
{
	return (o->json ? CT_PRINT_JSON : 0) |
	       (events ? CT_PRINT_EVENTS : 0) |
	       (acct_enabled() ? CT_PRINT_ACCT : 0);
}

static struct nlmsghdr *ct_request(char *buf, struct nlsock *s, uint8_t type,
				   uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh = nlsock_msg(buf, s,
					  NFNL_SUBSYS_CTNETLINK << 8 | type,
					  flags);
	struct nfgenmsg *nfg;

	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/*
 * One entry of the dump. The library's parser allocates what some entries
 * carry (helper data, labels) inside the object, so a fresh object per
 * entry is the one way not to leak; it is one malloc from a warm cache.
 */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_dump *d = data;
	struct nf_conntrack *ct = nfct_new();
	int ret = MNL_CB_OK;

	if (!ct) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nfct_nlmsg_parse(nlh, ct) < 0) {
		errno = EPROTO;
		ret = MNL_CB_ERROR;
	} else if (ct_filter_match(d->filter, ct)) {
		ret = d->each(d, ct);
	}
	nfct_destroy(ct);
	return ret;
}

static int dump_run(struct ct_dump *d)
{
	char buf[CT_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	struct nlsock s;
	int err;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return ct_fail("cannot open a netlink socket", -errno);
	nlh = ct_request(buf, &s, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC);
	if (ct_filter_put_dump(d->filter, nlh) < 0) {
		nlsock_close(&s);
		return ct_fail("cannot build the dump request", -ENOMEM);
	}
	err = nlsock_request(&s, nlh, dump_cb, d);
	nlsock_close(&s);
	/* Entries came and went during the dump: what we saw is still true. */
	if (err == -EINTR)
		err = 0;
	return err ? ct_fail("cannot read the conntrack table", err) : 0;
}

static int list_one(struct ct_dump *d, const struct nf_conntrack *ct)
{
	ct_print_entry(&d->printer, ct, NFCT_T_UNKNOWN);
	return MNL_CB_OK;
}

static int count_one(struct ct_dump *d, const struct nf_conntrack *ct)
{
	(void)ct;
	d->n++;
	return MNL_CB_OK;
}

/*
 * The kernel finds the entry by its original tuple and zone, and the id
 * makes sure it is the one we saw, not a new one with the same tuple. An
 * entry gone meanwhile (ENOENT) was not deleted by us and is not counted.
 */
static int delete_one(struct ct_dump *d, const struct nf_conntrack *ct)
{
	char buf[CT_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = ct_request(buf, &d->del, IPCTNL_MSG_CT_DELETE, NLM_F_ACK,
			 nfct_get_attr_u8(ct, ATTR_L3PROTO));
	if (nfct_nlmsg_build(nlh, ct) < 0)
		err = -errno;
	else
		err = nlsock_request(&d->del, nlh, NULL, NULL);
	if (!err)
		d->n++;
	else if (err != -ENOENT && !d->err)
		d->err = err;
	return MNL_CB_OK;
}

/* A number for people (format) or for programs ({"key":n} with -j). */
static void print_number(const struct fw_opts *o, const char *key,
			 const char *format, unsigned long n)
{
	if (o->json)
		printf("{\"%s\":%lu}\n", key, n);
	else
		printf(format, n);
}

static int ct_list(const struct ct_filter *f, const struct fw_opts *o)
{
	/* glibc takes a size only with a buffer. */
	static char out[CT_STDOUT_BUFFER];
	struct ct_dump d = { .filter = f, .each = list_one };
	int err;

	setvbuf(stdout, out, _IOFBF, sizeof(out));
	ct_print_begin(&d.printer, stdout, ct_print_flags(o, false));
	err = dump_run(&d);
	if (ct_print_end(&d.printer) < 0 && !err)
		err = ct_fail("cannot write the listing", -errno);
	return err;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	unsigned long *n = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == CTA_STATS_GLOBAL_ENTRIES &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*n = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

/*
 * Without a filter the kernel's own counter of this namespace answers, as
 * for `conntrack -C`, instead of a dump. -1 when it does not say.
 */
static int count_all(unsigned long *n)
{
	char buf[CT_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	struct nlsock s;
	int err;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return -1;
	nlh = ct_request(buf, &s, IPCTNL_MSG_CT_GET_STATS, NLM_F_ACK,
			 AF_UNSPEC);
	*n = ULONG_MAX;
	err = nlsock_request(&s, nlh, stats_cb, n);
	nlsock_close(&s);
	return err || *n == ULONG_MAX ? -1 : 0;
}

static int ct_count(const struct ct_filter *f, const struct fw_opts *o)
{
	struct ct_dump d = { .filter = f, .each = count_one };
	int err = 0;

	if (!ct_filter_empty(f) || count_all(&d.n) < 0)
		err = dump_run(&d);
	if (!err)
		print_number(o, "count", "%lu\n", d.n);
	return err;
}

static int ct_delete(const struct ct_filter *f, const struct fw_opts *o)
{
	struct ct_dump d = { .filter = f, .each = delete_one };
	int err;

	if (ct_filter_empty(f)) {
		fprintf(stderr, "fwctl conntrack: delete needs a filter; "
			"'fwctl conntrack flush' deletes every entry\n");
		return FW_EXIT_USAGE;
	}
	if (nlsock_open(&d.del, NETLINK_NETFILTER) < 0)
		return ct_fail("cannot open a netlink socket", -errno);
	err = dump_run(&d);
	nlsock_close(&d.del);
	if (!err || d.n)
		print_number(o, "deleted", d.n == 1 ? "deleted %lu entry\n" :
			     "deleted %lu entries\n", d.n);
	if (!err && d.err)
		err = ct_fail("cannot delete an entry", d.err);
	return err;
}

/* No tuple and no family: the kernel empties the whole table. */
static int ct_flush(const struct ct_filter *f, const struct fw_opts *o)
{
	char buf[CT_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	struct nlsock s;
	int err;

	(void)o;
	if (!ct_filter_empty(f)) {
		fprintf(stderr, "fwctl conntrack: flush takes no filter; "
			"'fwctl conntrack delete FILTER...' deletes some "
			"entries\n");
		return FW_EXIT_USAGE;
	}
	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return ct_fail("cannot open a netlink socket", -errno);
	nlh = ct_request(buf, &s, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, AF_UNSPEC);
	err = nlsock_request(&s, nlh, NULL, NULL);
	nlsock_close(&s);
	return err ? ct_fail("cannot flush the conntrack table", err) : 0;
}

static const struct ct_command {
	const char	*name;
	int		(*run)(const struct ct_filter *f,
			       const struct fw_opts *o);
	const char	*args;
	const char	*help;
} ct_commands[] = {
	{ "list",	ct_list,	"[FILTER...]",
	  "print the entries (the default)" },
	{ "count",	ct_count,	"[FILTER...]",
	  "print how many entries match" },
	{ "delete",	ct_delete,	"FILTER...",
	  "delete the entries that match" },
	{ "flush",	ct_flush,	"",
	  "delete every entry" },
	{ "watch",	ct_watch,	"[FILTER...]",
	  "print new, update and destroy events until SIGINT" },
};

#define N_CT_COMMANDS (sizeof(ct_commands) / sizeof(ct_commands[0]))

static int ct_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: fwctl [--netns NAME] [-j] conntrack COMMAND "
		"[FILTER...]\n\n");
	for (i = 0; i < N_CT_COMMANDS; i++)
		fprintf(out, "  %-6s %-12s %s\n", ct_commands[i].name,
			ct_commands[i].args, ct_commands[i].help);
	fprintf(out, "\nFILTER: src ADDR[/LEN], dst ADDR[/LEN], proto NAME|N, "
		"sport N, dport N,\n  state NAME[,NAME...], mark N[/MASK], "
		"zone N, family ipv4|ipv6. See fwctl(8).\n");
	return out == stdout ? FW_EXIT_OK : FW_EXIT_USAGE;
}

int cmd_conntrack(int argc, char **argv, const struct fw_opts *o)
{
	const struct ct_command *cmd = &ct_commands[0];
	struct ct_filter f;
	size_t i;

	if (argc > 1) {
		if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
		    !strcmp(argv[1], "--help"))
			return ct_usage(stdout);
		for (i = 0; i < N_CT_COMMANDS; i++)
			if (!strcmp(ct_commands[i].name, argv[1]))
				break;
		if (i == N_CT_COMMANDS) {
			fprintf(stderr, "fwctl conntrack: unknown command "
				"'%s'\n", argv[1]);
			return ct_usage(stderr);
		}
		cmd = &ct_commands[i];
		argc--;
		argv++;
	}
	if (ct_filter_parse(&f, argc - 1, argv + 1) < 0)
		return FW_EXIT_USAGE;
	return cmd->run(&f, o);
}
