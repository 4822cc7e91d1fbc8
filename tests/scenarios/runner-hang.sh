#!/bin/sh
# A probe that hangs (here: stopped) is killed at its hard deadline and
# reported; the run goes on, ends normally and leaves nothing behind.
. "$top_srcdir/tests/scenarios/runner/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

"$FWCTL" test "$data/hang.scn" >"$out" 2>&1 &
pid=$!
# ICMP needs no server: once line 1 is out, the only child is the count.
tries=0
until grep -q '^ok 1 ' "$out" && probe=$(pgrep -P $pid); do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "the count probe did not start"
	sleep 0.1
done
kill -STOP $probe
wait $pid
status=$?
[ $status -eq 1 ] || fail "exit $status, not 1"
grep -q '^not ok 2 - hang.scn:6: .*: the probe hung and was killed' "$out" ||
	fail "the hung probe is not reported"
grep -q '^ok 3 - ' "$out" || fail "the run did not go on"
ls /run/netns 2>/dev/null | grep -q "^fwt$pid-" && fail "namespaces left"
state=$(sed 's/.*) //' "/proc/$probe/stat" 2>/dev/null | cut -c1)
[ -z "$state" ] || [ "$state" = Z ] || fail "the hung probe is still there"
echo "PASS"
