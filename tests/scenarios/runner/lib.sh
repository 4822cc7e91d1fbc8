# Shared by the runner's shell self-tests (sourced, not run): where the
# data is, a scratch file for the runner's output, and fail(), which shows
# that output and stops a run still going ($pid) so it cleans up after
# itself on SIGTERM.
data="$top_srcdir/tests/scenarios/runner"
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT

pid=
fail() {
	echo "FAIL: $*"
	sed 's/^/  | /' "$out"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
	exit 1
}

# The names of namespaces left by the run with process id $1.
leftover() {
	ls /run/netns 2>/dev/null | grep "^fwt$1-"
}

# Waits up to 10 s for result line $1 of the run to be "ok"; false if not.
wait_ok() {
	tries=0
	until grep -q "^ok $1 " "$out"; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || return 1
		sleep 0.1
	done
}
