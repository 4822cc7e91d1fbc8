#!/bin/sh
# Golden exports: for each tests/unit/compile/NAME.fw, `fwctl export` must
# print exactly NAME.nft. Regenerate after an intended change with
#   FWCTL_REGEN=1 make check TESTS=tests/unit/golden.sh
# and review the diff like code.
: "${top_srcdir:?}" "${FWCTL:?}"
dir=$top_srcdir/tests/unit/compile
fail=0 n=0
cd "$dir" || exit 99
for fw in *.fw; do
	base=${fw%.fw}
	n=$((n + 1))
	out=$("$FWCTL" export "$fw" 2>&1)
	if [ -n "${FWCTL_REGEN:-}" ]; then
		printf '%s\n' "$out" >"$base.nft"
		continue
	fi
	if printf '%s\n' "$out" | diff -u "$base.nft" - >/dev/null; then
		echo "ok $n - $fw"
	else
		echo "not ok $n - $fw"
		printf '%s\n' "$out" | diff -u "$base.nft" -
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "no golden files found in $dir"; exit 99; }
exit $fail
