#!/bin/sh
# fwctl test fails the right way: exit 1 on a wrong expectation, with the
# line that says why, and exit 1 on a parse error with its location,
# before building anything. No namespace may be left behind either way.
. "$top_srcdir/tests/scenarios/runner/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

"$FWCTL" test "$data/fails.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "a failing expectation: exit $status, not 1"
grep -q '^ok 1 - fails.scn:8: a -> b tcp 80 accept' "$out" ||
	fail "no 'ok 1' line"
grep -q '^not ok 2 - fails.scn:9: a -> b tcp 80 drop: got accept' "$out" ||
	fail "no 'not ok 2' line saying what happened"
grep -q '^# fails.scn: 1 passed, 1 failed$' "$out" || fail "no summary"
[ -z "$(leftover $pid)" ] || fail "namespaces left: $(leftover $pid)"

# A UDP probe that timed out says only that (once it added stack bytes),
# and that its next hop answered: the rules, not the link, lost it.
"$FWCTL" test "$data/fails-udp.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "a dropped UDP probe: exit $status, not 1"
grep -q '^not ok 1 - fails-udp.scn:18: c -> s udp 5353 accept: got drop; next hop 192.168.1.1 on eth0 answered ARP ([0-9]* ms)$' \
	"$out" || fail "a dropped UDP probe: $(grep '^not ok' "$out")"
[ -z "$(leftover $pid)" ] || fail "namespaces left: $(leftover $pid)"

# A probe the link lost says so: its next hop never answered.
"$FWCTL" test "$data/lost-link.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "probes lost on the link: exit $status, not 1"
for line in \
	'1 - lost-link.scn:19: .*: got drop; next hop 10.0.0.99 on eth0 never answered ARP (' \
	'2 - lost-link.scn:20: .*: got drop; next hop fd00:a::99 on eth0 never answered neighbour discovery (' \
	'3 - lost-link.scn:21: .*: got drop; next hop 10.0.0.1 on eth0 answered ARP ('; do
	grep -q "^not ok $line" "$out" ||
		fail "no 'not ok $line' line: $(grep '^not ok' "$out")"
done
grep -q '^ok 4 - lost-link.scn:22: a -> b tcp 22 accept' "$out" ||
	fail "the link that works did not pass"
[ -z "$(leftover $pid)" ] || fail "namespaces left: $(leftover $pid)"

# Steps fail too: an apply that should have been refused, and one that
# should not, with what fwctl apply said.
"$FWCTL" test "$data/fails-apply.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "failing steps: exit $status, not 1"
grep -q '^not ok 1 - fails-apply.scn:8: .*: fwctl apply succeeded' "$out" ||
	fail "an accepted 'fails' step did not fail"
grep -q '^not ok 2 - fails-apply.scn:9: .*: fwctl apply exited with 1' "$out" ||
	fail "a refused step did not fail"
grep -q '^#   .*broken.fw:3:32: error: ' "$out" ||
	fail "the refused step does not show why"
grep -q '^ok 3 - ' "$out" || fail "the run stopped at a failed step"
[ -z "$(leftover $pid)" ] || fail "namespaces left: $(leftover $pid)"

# Streams fail: one cut off (no bytes move), one that never connects; a
# count that is wrong says what it got.
"$FWCTL" test "$data/died.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "dead streams: exit $status, not 1"
grep -q '^ok 1 - died.scn:8: stream s1 c -> s tcp 5001 (connected in' "$out" ||
	fail "the first stream did not start"
grep -q '^not ok 4 - died.scn:11: s1 flowing: no bytes moved' "$out" ||
	fail "a stream cut off is not reported"
grep -q '^not ok 5 - died.scn:12: stream s2 .*: connect: Connection timed out' \
	"$out" || fail "a stream that never connected is not reported"
grep -q '^not ok 6 - died.scn:13: .*expect 100: got [0-9]' "$out" ||
	fail "a wrong conntrack count does not say what it got"
[ -z "$(leftover $pid)" ] || fail "namespaces left: $(leftover $pid)"

# Without vsftpd an ftp expectation is skipped, never passed: exit 77
# when everything else passed.
FWCTL_VSFTPD=/nonexistent "$FWCTL" test "$data/ftp-skip.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 77 ] || fail "a skipped ftp expectation: exit $status, not 77"
grep -q '^ok 2 - ftp-skip.scn:7: .* # SKIP vsftpd is not installed' "$out" ||
	fail "the skip does not say why"
grep -q '^# ftp-skip.scn: 1 passed, 0 failed, 1 skipped$' "$out" ||
	fail "the summary does not count the skip"
# A failure elsewhere still makes the run fail (1), skip or not.
FWCTL_VSFTPD=/nonexistent "$FWCTL" test "$data/ftp-skip.scn" \
	"$data/fails.scn" >"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "a skip and a failure: exit $status, not 1"

# --keep would leave whatever was built: a parse error must build nothing,
# not even for a valid scenario given before the broken one.
"$FWCTL" test --keep "$data/fails.scn" "$data/parse-error.scn" \
	>"$out" 2>&1 &
pid=$!
wait $pid
status=$?
[ $status -eq 1 ] || fail "a parse error: exit $status, not 1"
grep -q "parse-error.scn:9:13: error: unknown node 'c'" "$out" ||
	fail "the parse error has no location"
grep -q '^    expect a -> c tcp 80 accept$' "$out" ||
	fail "the parse error does not quote the line"
grep -q '^ok' "$out" && fail "something ran despite the parse error"
[ -z "$(leftover $pid)" ] || fail "namespaces created: $(leftover $pid)"
# Not root: skipped (77), saying why. The scenario is copied where the
# user nobody can read it; without setpriv, or a binary nobody can run,
# this part is left out.
nobody="setpriv --reuid 65534 --regid 65534 --clear-groups"
if command -v setpriv >/dev/null && $nobody test -x "$FWCTL"; then
	scn=$(mktemp) || exit 99
	cp "$data/fails.scn" "$scn" && chmod 644 "$scn"
	$nobody "$FWCTL" test "$scn" >"$out" 2>&1
	status=$?
	rm -f "$scn"
	[ $status -eq 77 ] || fail "not root: exit $status, not 77"
	grep -q 'skipped: network namespaces need root' "$out" ||
		fail "not root: no reason given"
fi
echo "PASS"
