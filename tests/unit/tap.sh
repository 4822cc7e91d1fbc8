# SPDX-License-Identifier: GPL-2.0-or-later
# The shell tests' checks, sourced: ok DESCRIPTION COMMAND... runs the
# command (output into $tmp/check, which the test makes) and prints a
# TAP line; a failure shows the first 40 lines of what it printed.
# status_is WANT COMMAND... succeeds when the command exits WANT (its
# output in $tmp/out, shown when it does not). tap_end prints the plan and
# exits 1 if any check failed.
n=0 fail=0
ok() {
	n=$((n + 1)); d=$1; shift
	if "$@" >"$tmp/check" 2>&1; then echo "ok $n - $d"
	else echo "not ok $n - $d"; head -40 "$tmp/check"; fail=1; fi
}
status_is() {
	want=$1; shift
	"$@" >"$tmp/out" 2>&1
	got=$?
	[ "$got" = "$want" ] ||
		{ echo "exit $got, want $want"; cat "$tmp/out"; return 1; }
}
tap_end() {
	echo "1..$n"
	exit $fail
}
