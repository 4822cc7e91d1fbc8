#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Unloading under load: rmmod while a bulk TCP transfer and a UDP flood
# cross configured namespaces (and while packets wait in a queue whose
# reader is stopped), then load again and do it once more.
. "$top_srcdir/tests/vm/lib.sh"

KO=$top_builddir/kmod/fwhook.ko
net_up
module_rules_up

traffic() {
	ins $PEER stream-server 443 50000000 &
	ins "$BLAST" recv 9000 8 >/dev/null &
	sleep 0.5
	inc $PEER tls-client 10.99.0.2 443 bulk.example 50000000 \
		>/dev/null 2>&1 &
	inc "$BLAST" send 10.99.0.2 9000 6 >/dev/null &
	sleep 1.5
}

# Round 1: fwctld answering, fail-open.
hs set profile 0 1 open accept 8 || exit 1
daemon_up "queues 0" "fail-open" "default accept" "budget 8"
traffic
check "sessions exist before the unload" test "$(hook_stat sessions)" -ge 2
check "rmmod under traffic" rmmod fwhook
check "traffic still flows without the module" \
	inc $PEER tls-client 10.99.0.2 443 after.example 1000
wait_peers() { ip netns pids "$NSC" | xargs -r kill 2>/dev/null; sleep 0.5; }
wait_peers
check "insmod again" insmod "$KO"
check "configure again" hs set profile 0 1 open accept 8

# Round 2: fail-closed and a stopped reader: packets sit in the queue.
kill -STOP "$DPID"
hs set profile 0 1 closed accept 8
traffic
check "rmmod with packets waiting in the queue" rmmod fwhook
kill -CONT "$DPID"
wait_peers
check "insmod once more" insmod "$KO"
check "the family answers" hs present
finish
