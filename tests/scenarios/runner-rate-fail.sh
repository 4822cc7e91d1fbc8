#!/bin/sh
# Measurements fail the right way: a rate below or above its range, a
# rate with nothing to measure, and a latency probe stuck behind a
# saturated token bucket, each with the figure that made it fail.
# lock: alone (tests/lock)
. "$top_srcdir/tests/scenarios/runner/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

"$FWCTL" test "$data/rate-fails.scn" >"$out" 2>&1
status=$?
[ $status -eq 1 ] || fail "failing measurements: exit $status, not 1"
grep -q '^not ok 1 - rate-fails.scn:13: .*: below 20.00 Mbit/s ([0-9.]* Mbit/s over 1000 ms)$' "$out" ||
	fail "a rate below its range did not fail"
grep -q '^not ok 2 - rate-fails.scn:14: .*: above 5.00 Mbit/s' "$out" ||
	fail "a rate above its range did not fail"
grep -q '^not ok 3 - rate-fails.scn:16: .*: the measurement failed: nothing arrived' "$out" ||
	fail "a rate with nothing arriving did not fail"
grep -q '^ok 4 - rate-fails.scn:21: ' "$out" || fail "the bulk load failed"
grep -q '^not ok 5 - rate-fails.scn:22: .*: the median round trip is .*p95 ' "$out" ||
	fail "latency behind a full queue did not fail"
grep -q '^# rate-fails.scn: 1 passed, 4 failed$' "$out" || fail "no summary"
exit 0
