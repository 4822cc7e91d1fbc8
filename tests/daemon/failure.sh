#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fwctld's failure modes with real packets: killed under traffic it fails
# open (the rule's bypass flag) or closed as configured, a restarted
# daemon takes over again, and a hung daemon (SIGSTOP) holds no packet
# for more than a second in fail-open mode: its watchdog answers them.
. "$top_srcdir/tests/daemon/lib.sh"

# traffic N: N allowed HTTP requests one after the other; prints failures.
traffic() {
	fails=0
	for _ in $(seq "$1"); do
		inc $PEER http-client 10.99.0.2 80 good.example >/dev/null ||
			fails=$((fails + 1))
	done
	echo "$fails"
}

start() {	# start fail-open|fail-closed
	daemon_up "profile" "queues 0" "default accept" "budget 8" \
		"deny host bad.example" "$1"
}

net_up
rules_up bypass
servers_up

start fail-open
check_not "fail-open: denied host blocked" \
	inc $PEER http-client 10.99.0.2 80 bad.example
traffic 30 >"$TMP/fails" &
tpid=$!
sleep 0.3
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
wait $tpid
echo "fail-open: requests failed around kill -9: $(cat "$TMP/fails") of 30"
check "fail-open: traffic kept flowing through kill -9" \
	test "$(cat "$TMP/fails")" = 0
check "fail-open: bypass while the daemon is gone" \
	inc $PEER http-client 10.99.0.2 80 bad.example
rm -f "$SOCK"
start fail-open
check_not "restart: the new daemon takes over" \
	inc $PEER http-client 10.99.0.2 80 bad.example

# A hung daemon: every request must still finish well within a second.
# request_ms: the time one allowed request takes, or 99999 if it fails.
request_ms() {
	inc $PEER http-client 10.99.0.2 80 good.example |
		awk '$1 == "ok" { print $2; exit } { print 99999 }'
}

echo "a request with the daemon running takes $(request_ms) ms"
# Requests back to back for 3 s; the daemon stops once they run. The
# slowest one waited for the watchdog to notice (WATCHDOG_STALL_MS).
inc $PEER http-loop 10.99.0.2 80 good.example 3 >"$TMP/loop" &
lpid=$!
for _ in $(seq 30); do
	grep -q running "$TMP/loop" && break
	sleep 0.1
done
sleep 0.2
kill -STOP "$DPID"
wait $lpid
worst=$(awk '$1 == "slowest" { print $2 }' "$TMP/loop")
echo "fail-open: slowest request across SIGSTOP: ${worst:=99999} ms"
check "sigstop: no request held a second" test "$worst" -lt 1000
kill -CONT "$DPID"
sleep 0.2
check_not "sigcont: the daemon decides again" \
	inc $PEER http-client 10.99.0.2 80 bad.example

# Fail-closed: the queue rule has no bypass, the daemon no fail-open.
kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=
check "sigterm: the socket is removed" test ! -e "$SOCK"
ins nft flush chain inet fwhd inspect
ins "$QRULE" fwhd inspect 0 1 >/dev/null
start fail-closed
check "fail-closed: allowed host passes" \
	inc $PEER http-client 10.99.0.2 80 good.example
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
check_not "fail-closed: new flows dropped without the daemon" \
	inc $PEER http-client 10.99.0.2 80 good.example
rm -f "$SOCK"
start fail-closed
check "fail-closed: restart lets allowed flows through again" \
	inc $PEER http-client 10.99.0.2 80 good.example
finish
