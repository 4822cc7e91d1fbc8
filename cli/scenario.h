/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SCENARIO_H
#define FWCTL_SCENARIO_H

/*
 * Scenarios (fwctl-scenario(5)): a topology of network namespaces, rule
 * files applied to some of them, and expectations about real packets.
 *
 *   scenario_parse.c  text -> struct scenario, syntax errors
 *   scenario_check.c  names, addresses and routes resolved and checked
 *   topology.c        namespaces, veths, bridges, addresses, routes
 *   server.c          TCP/UDP echo servers inside the nodes
 *   client.c          the probes: the client side of one expectation
 *   ftp_server.c      vsftpd inside a node, for ftp expectations
 *   ftp_client.c      the FTP probe: login, PORT or PASV, RETR
 *   stream.c          background streams that must survive steps
 *   tls_hello.c       the TLS ClientHello of tls expectations
 *   dns_query.c       the DNS query of dns expectations, and its answer
 *   daemon_node.c     fwctld in a node: start, signals, status, its log
 *   rate.c            rate expectations: a bulk sender and its sink
 *   latency.c         latency expectations: a UDP round-trip probe
 *   scenario_step.c   the steps: apply, stream, flowing, conntrack
 *   snapshot.c        a node's nf_tables rule set, to compare
 *   guard.c           children and namespaces a signal must not leak
 *   scenario.c        `fwctl test`: runs all of the above, prints results
 *
 * Nodes and links refer to each other by index, never by pointer, so the
 * arrays may grow while the file is parsed.
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loc.h"

#define SCN_NAME_MAX	32	/* node and link names, NUL included */
#define SCN_NETNS_MAX	64	/* "fwt<pid>-<k>-<node>" */
#define SCN_MAX_NODES	64
#define SCN_MAX_LINKS	256
#define SCN_MAX_MEMBERS	256	/* of one link */
#define SCN_NONE	((size_t)-1)

struct scn_addr {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		a[16];		/* network byte order */
	unsigned	plen;		/* prefix length; 32/128 for a host */
};

struct scn_route {
	struct scn_addr	dst;		/* default: plen 0 */
	struct scn_addr	via;
	struct fw_loc	dst_loc, via_loc;
};

struct scn_node {
	char		name[SCN_NAME_MAX];
	bool		router;		/* forwards between its links */
	char		*rules;		/* path to apply at start, or NULL */
	bool		daemon;		/* runs fwctld (daemon_node.c) */
	size_t		n_routes;
	struct scn_route *routes;
	struct fw_loc	loc;
	char		netns[SCN_NETNS_MAX];	/* set by topology_create() */
	char		*rundir;	/* its fwctl's and fwctld's; set by
					 * daemons_setup() */
};

struct scn_member {
	size_t		node;
	char		ifname[IFNAMSIZ];
	size_t		n_addrs;
	struct scn_addr	*addrs;
	uint64_t	rate;		/* bit/s: a TBF on egress; 0: none */
	struct fw_loc	loc;
};

/* Two members: a veth pair. More: a bridge in a hidden namespace. */
struct scn_link {
	char		name[SCN_NAME_MAX];
	size_t		n_members;
	struct scn_member *members;
	struct fw_loc	loc;
};

/* tls, http and dns talk the protocol, for fwctld to inspect. */
enum scn_proto { SCN_TCP, SCN_UDP, SCN_ICMP, SCN_FTP, SCN_TLS, SCN_HTTP,
		 SCN_DNS };

#define SCN_HOST_MAX	254	/* a DNS name and its NUL */
#define SCN_TLS_BYTES	1000	/* what a tls server sends by default */
#define SCN_TLS_BYTES_MAX 100000000

enum scn_measure { SCN_MEASURE_NONE, SCN_MEASURE_RATE, SCN_MEASURE_LATENCY };

/* What happened to a probe; the first three are also verdicts. */
enum scn_outcome {
	SCN_ACCEPT,
	SCN_REJECT,
	SCN_DROP,
	SCN_NO_DATA,	/* FTP: the control connection works, data does not */
	SCN_PARTIAL,	/* TCP connected, but the echo did not come back */
	SCN_ERROR,	/* the probe itself failed (a local error) */
	SCN_SKIP,	/* could not be run here (a missing program) */
};

struct scn_expect {
	size_t		src;		/* node */
	struct fw_loc	src_loc, dst_loc;
	size_t		dst_node;	/* node, or SCN_NONE for a literal */
	bool		dst_literal;
	struct scn_addr	dst;		/* resolved destination address */
	int		family;		/* 0 until resolved: ipv4/ipv6 */
	enum scn_proto	proto;
	uint16_t	port;		/* TCP/UDP */
	enum scn_outcome verdict;
	unsigned	timeout_ms;
	bool		has_source;
	struct scn_addr	source;		/* the server must see this... */
	struct scn_addr	source_hi;	/* ...or up to this: a range */
	bool		passive;	/* ftp: PASV instead of PORT */
	size_t		server;		/* node running the server */
	uint16_t	server_port;
	/* count form: send `count` probes over window_ms, count replies */
	unsigned	count;		/* 0: a single probe */
	unsigned	window_ms;	/* also how long a measurement lasts */
	unsigned	recv_lo, recv_hi;
	/* measurements (rate.c): goodput or round-trip time */
	enum scn_measure measure;
	uint64_t	rate_lo, rate_hi;	/* bit/s the server must get */
	uint64_t	offered;	/* udp: bit/s the sender paces to */
	unsigned	below_ms;	/* latency: the median must be below */
	bool		under_load;	/* latency: wait for the others' load */
	/* tls, http, dns: the name the probe sends (sni, host, name) */
	char		name[SCN_HOST_MAX];
	unsigned	bytes;		/* tls: what the server sends back */
};

struct scn_apply {
	size_t		node;
	char		*path;		/* resolved against the scenario */
	bool		fails;		/* must be refused, changing nothing */
};

/*
 * A background stream: e holds its ends, port, family and protocol. tcp
 * writes to a sink; http makes one request after another, each on a new
 * connection; tls reads what the server keeps sending on one connection.
 */
struct scn_stream {
	char			name[SCN_NAME_MAX];
	struct scn_expect	e;
};

/* conntrack NODE WORD... [expect LO[..HI]] */
struct scn_conntrack {
	size_t		node;
	size_t		argc;
	char		**argv;		/* list|count|delete|flush, filters */
	bool		has_expect;
	unsigned	lo, hi;
};

enum scn_daemon_action { SCN_DAEMON_START, SCN_DAEMON_KILL,
			 SCN_DAEMON_STOP, SCN_DAEMON_CONTINUE,
			 SCN_DAEMON_RESTART };

/* daemon NODE start|kill|stop|continue|restart */
struct scn_daemon_step {
	size_t			node;
	enum scn_daemon_action	action;
};

enum scn_counter { SCN_COUNT_QUEUED, SCN_COUNT_FLOWS, SCN_COUNT_DENIED };

/* expect daemon NODE queued|flows|denied LO..HI (below N: 0..N-1) */
struct scn_daemon_check {
	size_t		node;
	enum scn_counter counter;
	unsigned	lo, hi;
};


/* qdisc NODE IF expect KIND: the kind of the interface's root qdisc. */
struct scn_qdisc {
	size_t		node;
	char		ifname[16];
	char		kind[16];
};

enum scn_item_kind { SCN_ITEM_EXPECT, SCN_ITEM_APPLY, SCN_ITEM_STREAM,
		     SCN_ITEM_FLOWING, SCN_ITEM_CONNTRACK, SCN_ITEM_DAEMON,
		     SCN_ITEM_DAEMON_CHECK, SCN_ITEM_FLUSH, SCN_ITEM_QDISC };

/* An expectation or a step, in file order. */
struct scn_item {
	enum scn_item_kind	kind;
	struct fw_loc		loc;
	char			*text;	/* as written, for the result line */
	unsigned		together;	/* 0, or its together block */
	union {
		struct scn_expect	expect;
		struct scn_apply	apply;
		struct scn_stream	stream;
		struct scn_conntrack	conntrack;
		struct scn_daemon_step	daemon;
		struct scn_daemon_check	daemon_check;
		size_t			flowing;	/* the stream item */
		size_t			flush;		/* the node */
		struct scn_qdisc	qdisc;
	};
};

struct scenario {
	const char	*path;		/* as given on the command line */
	const char	*file;		/* the diag source name */
	size_t		n_nodes;
	struct scn_node	*nodes;
	size_t		n_links;
	struct scn_link	*links;
	size_t		n_items;
	struct scn_item	*items;
	char		sw_netns[SCN_NETNS_MAX];	/* "" without bridges */
};

/* Reads, parses and checks path; NULL after printing every error. */
struct scenario *scenario_parse_file(const char *path);
/* The same for a text in memory, named name (unit tests, fuzzing). */
struct scenario *scenario_parse_buffer(const char *name, const char *text,
				       size_t len);
void scenario_free(struct scenario *s);
/* Resolves names and addresses; prints errors, returns their number. */
unsigned scenario_check(struct scenario *s);
size_t scenario_find_node(const struct scenario *s, const char *name);
/* The node and interface owning address a (exact match), or SCN_NONE. */
size_t scenario_addr_owner(const struct scenario *s, const struct scn_addr *a);
/* The first address of family on node, or NULL. */
const struct scn_addr *scenario_node_addr(const struct scenario *s,
					  size_t node, int family);
const char *scn_outcome_name(enum scn_outcome o);
/* True when a lies within lo..hi (same family), both ends included. */
bool scn_addr_between(const struct scn_addr *a, const struct scn_addr *lo,
		      const struct scn_addr *hi);
/* Formats an address without its prefix length. */
const char *scn_addr_str(const struct scn_addr *a, char *buf, size_t size);
/* True when a lies within prefix p (same family). */
bool scn_addr_in(const struct scn_addr *a, const struct scn_addr *p);
bool scn_addr_eq(const struct scn_addr *a, const struct scn_addr *b);
/* The bytes of an address of family: 4 for AF_INET, else 16. */
unsigned scn_addr_len(int family);

/*
 * Builds every namespace, link, address and route (and names the
 * namespaces after prefix); prints what failed. On failure what was built
 * stays registered with the guard for topology_destroy(), which deletes
 * the namespaces -- or, to keep them, only forgets them.
 */
int topology_create(struct scenario *s, const char *prefix, bool verbose);
void topology_destroy(struct scenario *s, bool keep);

/*
 * The echo servers of one batch of expectations: every node that serves
 * a TCP or UDP port gets one process listening on all of them, but for
 * the ports where a stream's server (running, by item index of s->items;
 * may be NULL) answers already.
 */
struct server_set;
struct stream;
struct server_set *server_start(const struct scenario *s,
				const struct scn_item *items, size_t n,
				struct stream *const *running);
void server_stop(struct server_set *set);
/* A server of one port alone, for a stream (stream.c); -1 on failure. */
pid_t server_spawn_port(const struct scenario *s, size_t node, uint16_t port,
			enum scn_proto proto);

/* What the probes of one expectation observed. */
struct client_result {
	enum scn_outcome	outcome;
	unsigned		elapsed_ms;
	unsigned		received;	/* count form: replies */
	char			seen[64];	/* source the server saw */
	char			detail[96];	/* errno text, reasons */
	char			neigh[96];	/* a lost probe's next hop */
	uint64_t		bps;		/* rate: goodput received */
	unsigned		rtt_median_us, rtt_p95_us;	/* latency */
	unsigned		sent;		/* latency: probes sent */
};

/*
 * Starts the probes of e in a child inside the source node; the child
 * writes one struct client_result to the returned fd. *pid gets the
 * child; client_deadline_ms() is how long it may take at most.
 */
int client_spawn(const struct scenario *s, const struct scn_expect *e,
		 pid_t *pid);
unsigned client_deadline_ms(const struct scn_expect *e);

/*
 * Measurements, in the client's child before it enters any namespace:
 * a rate forks its own sink into the serving node and sends from the
 * source node; a latency probe talks to the echo server.
 */
#define MEASURE_SKIP_MS	500	/* slow start, a shaper's first burst */
void rate_run(const struct scenario *s, const struct scn_expect *e,
	      struct client_result *r);
void latency_run(const struct scn_expect *e, struct client_result *r);
/* How long the measurement of e takes, without the grace. */
unsigned measure_ms(const struct scn_expect *e);
/* "9.87 Mbit/s" */
const char *rate_str(uint64_t bps, char *buf, size_t size);

/*
 * FTP: the server of one expectation is vsftpd with a generated
 * configuration in a temporary directory, serving ftp_file_content().
 */
#define FTP_FILE_NAME	"fwctl-test.txt"
bool ftp_server_available(void);
struct ftp_server;
/* Listens on port in both families. */
struct ftp_server *ftp_server_start(const char *netns, uint16_t port);
void ftp_server_stop(struct ftp_server *f);
/* The content of the served file; the client compares what it got. */
size_t ftp_file_content(char *buf, size_t size);
/* In the client's namespace: one FTP session as e says. */
void ftp_client_run(const struct scn_expect *e, struct client_result *r);

/*
 * A stream: a sink in the serving node, a writer in the source node that
 * sends a little every few milliseconds and watches its data being
 * acknowledged. stream_start() waits for the connection; NULL and why
 * when it failed.
 */
struct stream *stream_start(const struct scenario *s,
			    const struct scn_expect *e, char *why,
			    size_t size);
/* Watches for 500 ms; false and why when the stream is not flowing. */
bool stream_flowing(struct stream *st, char *why, size_t size, char *extra,
		    size_t esize);
void stream_stop(struct stream *st);

/* A byte string that changes whenever the node's nf_tables rule set does. */
int snapshot_take(const char *netns, char **buf, size_t *len);

/*
 * Children and namespaces of a run, kept where a signal handler can reach
 * them: on SIGINT/SIGTERM every child is killed and every namespace
 * deleted before the signal takes its course.
 */
void guard_install(void);
int guard_netns_create(const char *name);
/* Deletes a namespace of guard_netns_create(), or only forgets it. */
void guard_netns_release(const char *name, bool delete);
/* mkdtemp(tmpl), deleted with all it holds if a signal ends the run. */
int guard_dir_create(char *tmpl);
/* Deletes that directory with what it holds, or only forgets it. */
void guard_dir_release(bool delete);
/* fork() with the guard's bookkeeping; the child dies with its parent. */
pid_t guard_fork(void);
/* Kills (if alive) and reaps a child of guard_fork(); its wait status. */
int guard_reap(pid_t pid, bool kill_first);

#endif
