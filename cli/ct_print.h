/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CT_PRINT_H
#define FWCTL_CT_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

/*
 * Conntrack entries as a table (a header, then one line each) or as JSON:
 * one array of objects for a listing, one object per line for events.
 * A listing of 100k entries is the case to be fast for: each line is built
 * in a buffer with our own number and IPv4 formatting, then written once.
 */
enum ct_print_flags {
	CT_PRINT_JSON	= 1 << 0,
	CT_PRINT_EVENTS	= 1 << 1,	/* watch: the event too */
	CT_PRINT_ACCT	= 1 << 2,	/* packet and byte columns */
};

struct ct_printer {
	FILE		*out;
	unsigned	flags;
	unsigned long	n;		/* entries printed */
};

/* Writes the table header or opens the JSON array. */
void ct_print_begin(struct ct_printer *p, FILE *out, unsigned flags);

/* type: NFCT_T_NEW, NFCT_T_UPDATE, NFCT_T_DESTROY; ignored in a listing. */
void ct_print_entry(struct ct_printer *p, const struct nf_conntrack *ct,
		    enum nf_conntrack_msg_type type);

/* Closes the JSON array and flushes; -1 with errno when writing failed. */
int ct_print_end(struct ct_printer *p);

#endif
