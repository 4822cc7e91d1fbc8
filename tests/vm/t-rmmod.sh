#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Unloading under load: rmmod while a bulk TCP transfer and a UDP flood
# cross configured namespaces (and while packets wait in a queue whose
# reader is stopped), then load again and do it once more.
. "$top_srcdir/tests/vm/lib.sh"

KO=$top_builddir/kmod/fwhook.ko
net_up
module_rules_up

ins $PEER stream-server 443 50000000 &
traffic() {
	ins "$BLAST" recv 9000 8 >/dev/null &
	RECV=$!
	sleep 0.5
	inc $PEER tls-client 10.99.0.2 443 bulk.example 50000000 \
		>/dev/null 2>&1 &
	BULK=$!
	inc "$BLAST" send 10.99.0.2 9000 6 >/dev/null &
}

stop_traffic() {
	ip netns pids "$NSC" | xargs -r kill 2>/dev/null
	kill "$RECV" 2>/dev/null
	wait "$RECV" 2>/dev/null
}

two_sessions() { test "$(hook_stat sessions)" -ge 2; }

# Round 1: fwctld answering, fail-open.
hs set profile 0 1 open accept 8 || exit 1
daemon_up "profile" "queues 0" "fail-open" "default accept" "budget 8"
traffic
check "both flows have sessions before the unload" wait_until two_sessions
check "rmmod under traffic" rmmod fwhook
check "the bulk transfer finished across the unload" wait "$BULK"
check "new flows pass without the module" \
	inc $PEER tls-client 10.99.0.2 443 after.example 1000
stop_traffic
check "insmod again" insmod "$KO"
check "configure again" hs set profile 0 1 open accept 8
# The reloaded module's first hash flips its get_random_once key: one
# flow alone first, so that code patching runs with nothing else (see
# the warm-up in guest.sh).
check "one flow alone after the reload" \
	inc $PEER tls-client 10.99.0.2 443 warm.example 1000

# Round 2: fail-closed and a stopped reader: packets sit in the queue.
kill -STOP "$DPID"
hs set profile 0 1 closed accept 8
traffic
check "packets wait in the queue" wait_until two_sessions
check "rmmod with packets waiting in the queue" rmmod fwhook
kill -CONT "$DPID"
stop_traffic
check "insmod once more" insmod "$KO"
check "the family answers" hs present
finish
