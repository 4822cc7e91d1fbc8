#!/bin/sh
# SIGINT or SIGTERM in the middle of a run: the runner deletes every
# namespace it made and its run directories, its servers and probes die
# with it, and it dies of the signal (so a shell or make sees an
# interrupted run, not a result).
. "$top_srcdir/tests/scenarios/runner/lib.sh"

# Running, not a zombie waiting for whoever adopted it to reap it.
alive() {
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

# The run's temporary directory goes here (TMPDIR), to be seen gone.
tmp=$(mktemp -d) || exit 99
trap 'rm -f "$out"; rm -rf "$tmp"' EXIT

for sig_num in INT:2 TERM:15; do
	sig=${sig_num%:*}
	TMPDIR=$tmp "$FWCTL" test "$data/slow.scn" >"$out" 2>&1 &
	pid=$!
	# Wait for the slow count: the first result line is printed then.
	wait_ok 1 || fail "SIG$sig: the run did not start"
	[ -n "$(leftover $pid)" ] || fail "SIG$sig: no namespace to clean"
	[ -d "$tmp"/fwctl-test-*/r ] || fail "SIG$sig: no run directory"
	echo x >"$(echo "$tmp"/fwctl-test-*/r)/file"
	children=$(pgrep -P $pid)
	[ -n "$children" ] || fail "SIG$sig: no probe running"
	kill -$sig $pid
	wait $pid
	status=$?
	[ $status -eq $((128 + ${sig_num#*:})) ] ||
		fail "SIG$sig: exit $status, not death by the signal"
	[ -z "$(leftover $pid)" ] ||
		fail "SIG$sig: namespaces left: $(leftover $pid)"
	[ -z "$(ls "$tmp")" ] || fail "SIG$sig: left in TMPDIR: $(ls -R "$tmp")"
	# SIGKILL is not instant: give the children a moment to go.
	for child in $children; do
		tries=0
		while alive "$child"; do
			tries=$((tries + 1))
			[ $tries -lt 30 ] ||
				fail "SIG$sig: child $child still alive"
			sleep 0.1
		done
	done
done
echo "PASS"
