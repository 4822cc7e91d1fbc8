#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real packets through fwctld: TLS SNI, HTTP Host and DNS names that the
# configuration denies are blocked, others pass, and an allowed TLS flow
# is decided on its first packets: the megabyte that follows never
# reaches the queue.
. "$top_srcdir/tests/daemon/lib.sh"

net_up
rules_up bypass
servers_up
daemon_up "profile" "queues 0" "fail-open" "default accept" "budget 8" \
	"deny sni bad.example *.ads.example" "deny host bad.example" \
	"deny dns bad.example"

check "tls: allowed name gets its megabyte" \
	inc $PEER tls-client 10.99.0.2 443 good.example 1000000
packets=$(stat_field packets)
echo "queued packets after a 1 MB TLS transfer: $packets"
check "tls: only the first packets were queued (<= 6)" \
	test "$packets" -le 6
check_not "tls: denied name is blocked" \
	inc $PEER tls-client 10.99.0.2 443 bad.example 1
check_not "tls: denied wildcard is blocked" \
	inc $PEER tls-client 10.99.0.2 443 x.ads.example 1
# A new connection on the tuple of a decided one (the first ended with a
# reset, so the kernel starts a new connection at once): decided anew.
check "tls from port 40443: allowed name passes" \
	inc $PEER tls-client 10.99.0.2 443 good.example 1 40443
check_not "same tuple, new connection: its denied name is blocked" \
	inc $PEER tls-client 10.99.0.2 443 bad.example 1 40443
check "http: allowed host passes" \
	inc $PEER http-client 10.99.0.2 80 good.example
check_not "http: denied host is blocked" \
	inc $PEER http-client 10.99.0.2 80 BAD.example
check "dns: allowed name is answered" \
	inc $PEER dns-client 10.99.0.2 53 good.example
check_not "dns: denied name is not" \
	inc $PEER dns-client 10.99.0.2 53 bad.example
check "status: the denied names are listed" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^denied bad.example'"
"$CTL" "$SOCK" status

# Garbage on the control socket: answered, counted, survived.
check_not "control: garbage gets an error" "$CTL" "$SOCK" garbage
check "control: garbage was counted" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^bad_requests 1$'"
check "control: reload works" "$CTL" "$SOCK" reload
check "daemon survived" kill -0 "$DPID"
check "capabilities: CAP_NET_ADMIN (bit 12) alone is left" \
	grep -q "^CapEff:.*0000000000001000$" "/proc/$DPID/status"

# SIGHUP rereads the file: a name allowed so far is denied afterwards.
echo "deny host good.example" >>"$TMP/fwctld.conf"
kill -HUP "$DPID"
sleep 0.3
check_not "sighup: the reloaded deny list applies" \
	inc $PEER http-client 10.99.0.2 80 good.example
check "sighup: other names still pass" \
	inc $PEER http-client 10.99.0.2 80 other.example
finish
