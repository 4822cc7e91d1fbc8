#!/bin/sh
# Every node of a run gets a run directory of its own, which the run's
# fwctl commands take as --rundir: the router's apply keeps its live cache
# (and would hand inspect rules to a daemon) there, never in /run/fwctld,
# where the host's own fwctld would take them. --keep shows the
# directories; this test then deletes what it kept.
. "$top_srcdir/tests/scenarios/runner/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

kept=
cleanup() {
	for n in $(sed -n 's/^# kept; to delete: for n in \([^;]*\);.*/\1/p' "$out"); do
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$kept" ] && rm -rf "$kept"
	rm -f "$out"
}
trap cleanup EXIT

"$FWCTL" test --keep "$top_srcdir/tests/scenarios/runner-rules.scn" \
	>"$out" 2>&1 || fail "the scenario failed"
kept=$(sed -n "s/^# kept the nodes' run directories in \(.*\)/\1/p" "$out")
[ -d "$kept" ] || fail "no run directories kept"
for node in fw c s; do
	[ -d "$kept/$node" ] || fail "no run directory for $node"
done
grep -q '^source .*runner/open.fw$\|^source .*runner/filter.fw$' \
	"$kept/fw/table.cache" 2>/dev/null ||
	fail "the router's live cache is not in its run directory"
[ -f "$kept/fw/inspect.conf" ] ||
	fail "the router's inspect configuration is not in its run directory"
echo "PASS"
