#!/bin/sh
# A batch's probes to the port a stream's server answers on: the stream's
# server answers them, and no echo server of the batch listens there too.
# With two listeners (SO_REUSEPORT), the stream's connections were shared
# between them, and those the batch's server had taken when it stopped
# were closed unanswered: a stream request reset now and then.
. "$top_srcdir/tests/scenarios/runner/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

"$FWCTL" test "$data/stream-port.scn" >"$out" 2>&1 &
pid=$!
# The batch starts after the stream's first check (result line 2).
wait_ok 2 || fail "the stream did not start flowing"
sleep 1	# the icmp count runs 4 s: the batch's servers are up by now
grep -q '^ok 3 ' "$out" || fail "the http probe was not answered in 1 s"
listeners=$(ip netns exec "fwt$pid-b" ss -Hltn 'sport = :80' | wc -l)
[ "$listeners" = 1 ] ||
	fail "$listeners sockets listen on b port 80 during the batch, not 1"
wait $pid || fail "the scenario failed"
pid=
grep -q '^ok 5 ' "$out" || fail "the stream did not flow after the batch"
echo "PASS"
