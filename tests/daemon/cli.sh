#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `fwctl daemon status|reload` against a real fwctld started with -r DIR
# after real traffic: the text and JSON fields, a reload that applies and
# one that is refused, and the exit code 2 with a clear message when no
# daemon runs, when it is hung and when the caller is not root.
. "$top_srcdir/tests/daemon/lib.sh"

RUN=$TMP/run
FW="$FWCTL --rundir $RUN"

# rundir_up: fwctld with nothing but -r: it makes RUN and reads its config.
rundir_up() {
	ip netns exec "$NSS" "$FWCTLD" -r "$RUN" 2>>"$TMP/fwctld.log" &
	DPID=$!
	for _ in $(seq 50); do
		$FW daemon status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "fwctld did not start:"; cat "$TMP/fwctld.log"; exit 1
}

json_get() {	# json_get EXPR: a Python expression of the status JSON j
	python3 -c "import json, sys; j = json.load(sys.stdin); print($1)" \
		<"$TMP/status.json"
}

net_up
rules_up bypass
servers_up

check_not "no daemon yet: status fails" $FW daemon status
$FW daemon status 2>"$TMP/err"; rc=$?
check "no daemon: exit code 2" test "$rc" = 2
check "no daemon: says so" grep -q "fwctld is not running (no $RUN/fwctld.sock)" \
	"$TMP/err"

# Started without a config file: it serves the socket, binds nothing.
rundir_up
check "-r: run directory made 0700" \
	test "$(stat -c %a "$RUN")" = 700
check "-r: socket is 0600" test "$(stat -c %a "$RUN/fwctld.sock")" = 600
check "no config file: no queue" \
	sh -c "$FW daemon status | grep -q ': 0 queues,'"

printf '%s\n' profile "queues 0" fail-open "deny host bad.example" \
	"deny sni bad.example" >"$RUN/inspect.conf"
check "reload: exit 0" $FW daemon reload
check "reload: one queue" sh -c "$FW daemon status | grep -q ': 1 queue,'"

check "traffic: allowed name passes" \
	inc $PEER http-client 10.99.0.2 80 good.example
check_not "traffic: denied name blocked" \
	inc $PEER http-client 10.99.0.2 80 bad.example
check_not "traffic: denied sni blocked" \
	inc $PEER tls-client 10.99.0.2 443 bad.example 1

$FW daemon status >"$TMP/status.txt"; rc=$?
cat "$TMP/status.txt"
check "status: exit 0" test "$rc" = 0
check "status: queue 0 counted packets" \
	awk '$1 == "0" && $2 > 0 && $4 > 0 { ok = 1 } END { exit !ok }' \
	"$TMP/status.txt"
check "status: bad.example among the most denied" \
	grep -q "^ *2  bad.example$" "$TMP/status.txt"

$FW daemon status -j >"$TMP/status.json"
cat "$TMP/status.json"
check "json: the run directory" test "$(json_get 'j["rundir"]')" = "$RUN"
check "json: queue 0" test "$(json_get 'j["queues"][0]["queue"]')" = 0
check "json: packets = accepted + denied" \
	test "$(json_get 'int(j["queues"][0]["packets"] ==
		j["queues"][0]["accepted"] + j["queues"][0]["denied"])')" = 1
check "json: denied packets" \
	test "$(json_get 'j["queues"][0]["denied"]')" -gt 0
check "json: flows" test "$(json_get 'j["flows"]')" -ge 1
check "json: no drops, no overruns" test "$(json_get \
	'j["queues"][0]["drops"] + j["queues"][0]["overruns"]')" = 0
check "json: top denied" \
	test "$(json_get 'j["top_denied"][0]["name"]')" = bad.example
check "json: its count" \
	test "$(json_get 'j["top_denied"][0]["count"]')" = 2
check "json: no bad requests" test "$(json_get 'j["bad_requests"]')" = 0
check "global -j gives the same JSON" \
	sh -c "$FWCTL -j --rundir '$RUN' daemon status | python3 -m json.tool"

# A config the daemon refuses: exit 2, its FILE:LINE message, old config.
printf '%s\n' profile "queues 0" "budget 0" >"$RUN/inspect.conf"
$FW daemon reload 2>"$TMP/err"; rc=$?
check "refused reload: exit 2" test "$rc" = 2
check "refused reload: FILE:LINE: message" grep -q \
	"fwctld refused to reload: $RUN/inspect.conf:3: budget: expected" \
	"$TMP/err"
check_not "refused reload: the old config still decides" \
	inc $PEER http-client 10.99.0.2 80 bad.example
check_not "usage: unknown daemon command" $FW daemon frob

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		$FW daemon status 2>"$TMP/err"; rc=$?
	check "not root: exit 2" test "$rc" = 2
	check "not root: permission denied" grep -q "permission denied" \
		"$TMP/err"
fi

# Hung: the client gives up after its timeout with a clear message.
kill -STOP "$DPID"
t0=$(date +%s%N)
$FW daemon status 2>"$TMP/err"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill -CONT "$DPID"
echo "a status request to a stopped daemon took $ms ms"
check "hung daemon: exit 2" test "$rc" = 2
check "hung daemon: within 3 s" test "$ms" -lt 3000
check "hung daemon: says so" grep -q "did not answer" "$TMP/err"

kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=
$FW daemon status 2>"$TMP/err"; rc=$?
check "stopped daemon: exit 2" test "$rc" = 2
check "stopped daemon: not running" grep -q "fwctld is not running" "$TMP/err"
finish
