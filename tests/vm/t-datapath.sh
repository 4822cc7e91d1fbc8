#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The module's data path with real packets: fwctld decides TLS, HTTP and
# DNS flows that fwhook.ko queues (module form of the inspect rules,
# written by hand here), sessions show the flows with their counters, a
# decided flow stops reaching the queue, the fail modes hold without the
# daemon, and a deny verdict makes the kernel drop the session.
. "$top_srcdir/tests/vm/lib.sh"

VERDICT=$top_builddir/tests/vm/verdict
net_up
ins ip addr add fd00:99::2/64 dev fwhd-s$$ nodad
inc ip addr add fd00:99::1/64 dev fwhd-c$$ nodad
module_rules_up
hs set profile 0 1 open accept 8 || exit 1
servers_up
daemon_up "profile" "queues 0" "fail-open" "default accept" "budget 8" \
	"deny sni bad.example *.ads.example" "deny host bad.example" \
	"deny dns bad.example"

check "tls: allowed name gets its megabyte" \
	inc $PEER tls-client 10.99.0.2 443 good.example 1000000
hs sessions
check "session: decided accept by the daemon" \
	test "$(session_field 443 verdict)/$(session_field 443 reason)" = \
	accept/daemon
check "session: counts the megabyte (bytes > 1000000)" \
	test "$(session_field 443 bytes)" -gt 1000000
check "session: counts both directions (packets > 20)" \
	test "$(session_field 443 packets)" -gt 20
check "session: only the first packets were queued (<= 8)" \
	test "$(session_field 443 queued)" -le 8
check "daemon saw the few queued packets only (<= 8)" \
	test "$(stat_field packets)" -le 8
check "session: age is reported" test "$(session_field 443 age_ms)" -ge 0
hs flush
check_not "tls: denied name is blocked" \
	inc $PEER tls-client 10.99.0.2 443 bad.example 1
check "session: denied by the daemon, the kernel drops the rest" \
	test -n "$(session_field 443 id 'verdict deny reason daemon')"
check_not "tls: denied wildcard is blocked" \
	inc $PEER tls-client 10.99.0.2 443 x.ads.example 1
check "http: allowed host passes" \
	inc $PEER http-client 10.99.0.2 80 good.example
check_not "http: denied host is blocked" \
	inc $PEER http-client 10.99.0.2 80 BAD.example
check "dns: allowed name is answered" \
	inc $PEER dns-client 10.99.0.2 53 good.example
check_not "dns: denied name is not" \
	inc $PEER dns-client 10.99.0.2 53 bad.example
# A new connection with the tuple of an ended one goes to the queue again
# instead of inheriting the old session's verdict in the kernel (as the
# connection mark of the nft form would not pass on either).
check "dns from port 5353: allowed name is answered" \
	inc $PEER dns-client 10.99.0.2 53 good.example 5353
queued=$(stat_field packets)
inc $PEER dns-client 10.99.0.2 53 good.example 5353 >/dev/null
check "same connection again: decided in the kernel, not queued" \
	test "$(stat_field packets)" = "$queued"
ins conntrack -F >/dev/null 2>&1
inc $PEER dns-client 10.99.0.2 53 good.example 5353 >/dev/null
check "same tuple, new connection: queued again" \
	test "$(stat_field packets)" -gt "$queued"
check "ipv6: a UDP flow passes and gets a session" udp_flow fd00:99::2 1
check "ipv6: the session shows the v6 tuple" \
	sh -c "ip netns exec $NSS '$HOOKCTL' sessions | grep -q 'src fd00:99::1'"
check "stats: verdicts were recorded" test "$(hook_stat verdicts)" -ge 1
hs stats

# Without the daemon: fail-open passes (bypass), then the default.
kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=
hs flush
check "fail-open without fwctld: a new flow passes" \
	inc $PEER tls-client 10.99.0.2 443 good.example 100000
check "fail-open: the budget ran out into the default" \
	test -n "$(session_field 443 id 'verdict accept reason budget')"
hs set profile 0 1 closed accept 8
hs flush
check_not "fail-closed without fwctld: a new flow is blocked" \
	inc $PEER tls-client 10.99.0.2 443 good.example 1

# A stand-in daemon that denies everything: one packet reaches the
# queue, the module drops the retransmissions itself.
hs set profile 0 1 open accept 8
hs flush
ins "$VERDICT" 0 deny >"$TMP/verdict.out" &
VPID=$!
sleep 0.5
check_not "deny mark: the flow is blocked" \
	inc $PEER tls-client 10.99.0.2 443 good.example 1
kill "$VPID"; wait "$VPID"
denied='verdict deny reason daemon'
check "deny mark: session denied by the daemon" \
	test -n "$(session_field 443 id "$denied")"
check "deny mark: one packet went to the queue, the kernel dropped the rest" \
	test "$(session_field 443 queued "$denied")" = 1 -a \
	"$(hook_stat dropped)" -ge 2
id=$(session_field 443 id "$denied")
check "delete one session by id" hs del "$id"
check_not "gone" sh -c "ip netns exec $NSS '$HOOKCTL' sessions |
	grep -q '^id $id '"
finish
