#!/bin/sh
# Golden exports: for each tests/unit/compile/NAME.fw, `fwctl export` must
# print exactly NAME.nft. Regenerate after an intended change with
#   FWCTL_REGEN=1 make check TESTS=tests/unit/golden.sh
# and review the diff like code.
: "${top_srcdir:?}" "${FWCTL:?}"
dir=$top_srcdir/tests/unit/compile
fail=0 n=0
cd "$dir" || exit 99
# NAME.explain, where there is one: `fwctl export --explain` the same way.
compare() {	# FILE EXPECTED [OPTION]
	n=$((n + 1))
	out=$("$FWCTL" export $3 "$1" 2>&1)
	if [ -n "${FWCTL_REGEN:-}" ]; then
		printf '%s\n' "$out" >"$2"
		return
	fi
	if printf '%s\n' "$out" | diff -u "$2" - >/dev/null; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		printf '%s\n' "$out" | diff -u "$2" -
		fail=1
	fi
}
for fw in *.fw; do
	base=${fw%.fw}
	compare "$fw" "$base.nft"
	[ -f "$base.explain" ] && compare "$fw" "$base.explain" --explain
done
[ $n -gt 0 ] || { echo "no golden files found in $dir"; exit 99; }
exit $fail
