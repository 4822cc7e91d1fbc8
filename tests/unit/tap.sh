# SPDX-License-Identifier: GPL-2.0-or-later
# The shell tests' checks, sourced: ok DESCRIPTION COMMAND... runs the
# command (output into $tmp/check, which the test makes) and prints a
# TAP line; a failure shows the first 40 lines of what it printed.
# tap_end prints the plan and exits 1 if any check failed.
n=0 fail=0
ok() {
	n=$((n + 1)); d=$1; shift
	if "$@" >"$tmp/check" 2>&1; then echo "ok $n - $d"
	else echo "not ok $n - $d"; head -40 "$tmp/check"; fail=1; fi
}
tap_end() {
	echo "1..$n"
	exit $fail
}
