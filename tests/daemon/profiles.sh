#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Two profiles on two queues with real packets: each queue decides by the
# deny set and default verdict of its own profile. A new configuration
# over the control socket keeps a queue whose parameters did not change
# (its counters and flows go on), rebinds one whose did, unbinds one no
# profile wants; an empty one unbinds everything and RELOAD brings the
# file's profiles back.
. "$top_srcdir/tests/daemon/lib.sh"

net_up
ins nft -f - <<-'NFT' || exit 1
table inet fwhd {
	chain in {
		type filter hook input priority 0; policy accept;
		ct mark & 0x80000000 == 0x80000000 jump decided
		tcp dport 80 jump inspect_a
		tcp dport 8080 jump inspect_b
	}
	chain decided {
		ct mark & 0x40000000 == 0x40000000 drop
		accept
	}
	chain inspect_a {
	}
	chain inspect_b {
	}
	chain copy {
		type filter hook input priority 10; policy accept;
		meta mark & 0x80000000 == 0x80000000 ct mark set meta mark
		meta mark & 0xc0000000 == 0xc0000000 drop
	}
}
NFT
ins "$QRULE" fwhd inspect_a 0 1 bypass >/dev/null || exit 1
ins "$QRULE" fwhd inspect_b 1 1 bypass >/dev/null || exit 1
ins $PEER http-server 80 &
ins $PEER http-server 8080 &
sleep 0.5

A="10.99.0.2 80"
B="10.99.0.2 8080"
daemon_up "profile" "queues 0" "fail-open" "default accept" \
	"deny host a-bad.example" \
	"profile" "queues 1" "fail-open" "default drop" \
	"deny host b-bad.example"

check_not "profile a: its denied name is blocked" \
	inc $PEER http-client $A a-bad.example
check "profile a: the other profile's denied name passes" \
	inc $PEER http-client $A b-bad.example
check "profile a: no name, default accept" inc $PEER raw-client $A
check_not "profile b: its denied name is blocked" \
	inc $PEER http-client $B b-bad.example
check "profile b: the other profile's denied name passes" \
	inc $PEER http-client $B a-bad.example
check_not "profile b: no name, default drop" inc $PEER raw-client $B
check "status: both queues" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^queues 2$'"
check "status: queue 1 denied packets" test "$(stat_field denied 1)" -ge 2
"$CTL" "$SOCK" status

# Profile b's queue keeps its parameters, takes a's deny set and default;
# queue 0 is no longer configured.
b_packets=$(stat_field packets 1)
printf '%s\n' profile "queues 1" fail-open "default accept" \
	"deny host a-bad.example" >"$TMP/new.conf"
check "set_config: accepted" "$CTL" "$SOCK" set "$TMP/new.conf"
check "set_config: queue 0 unbound" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^queues 1$'"
check "set_config: queue 1 kept (its counters go on)" \
	test "$(stat_field packets 1)" -ge "$b_packets"
check "set_config: queue 1 kept its flows" test "$(stat_field flows 1)" -gt 0
check "unbound queue 0 bypasses: a-bad passes now" \
	inc $PEER http-client $A a-bad.example
check_not "queue 1 decides by the new deny set" \
	inc $PEER http-client $B a-bad.example
check "queue 1 decides by the new default" inc $PEER raw-client $B

# A changed queue length rebinds: the queue's counters start again (a
# straggler of an earlier flow may be counted already).
b_packets=$(stat_field packets 1)
printf '%s\n' profile "queues 1" fail-open "queue-maxlen 64" \
	>"$TMP/maxlen.conf"
check "set_config: new queue length" "$CTL" "$SOCK" set "$TMP/maxlen.conf"
check "set_config: queue 1 rebound" \
	test "$(stat_field packets 1)" -lt "$b_packets"

# Refused: overlapping profiles. Nothing changes.
printf '%s\n' profile "queues 0-1" profile "queues 1" >"$TMP/overlap.conf"
check_not "overlapping profiles: refused (text reader)" \
	"$CTL" "$SOCK" set "$TMP/overlap.conf"

printf '# nothing to inspect\n' >"$TMP/empty.conf"
check "set_config: the empty config" "$CTL" "$SOCK" set "$TMP/empty.conf"
check "empty config: no queue left" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^queues 0$'"
check "empty config: b-bad passes (bypass)" \
	inc $PEER http-client $B b-bad.example
check "reload: the file's profiles again" "$CTL" "$SOCK" reload
check "reload: both queues" \
	sh -c "'$CTL' '$SOCK' status | grep -q '^queues 2$'"
check_not "reload: profile b blocks b-bad again" \
	inc $PEER http-client $B b-bad.example
check "daemon survived" kill -0 "$DPID"
finish
