#!/bin/sh
# For every rule file the project ships or tests: `fwctl apply` in one
# network namespace and `fwctl export | nft -f -` in another must build the
# same table, down to the bytecode and the set elements (see also
# roundtrip_test.c, which does the same for an IR using every feature).
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null && command -v ip >/dev/null ||
	{ echo "SKIP: needs nft and ip"; exit 77; }
a=fwh-backend-$$-ra b=fwh-backend-$$-rb
ip netns add $a && ip netns add $b || { echo "SKIP: no netns"; exit 77; }
trap 'ip netns del $a; ip netns del $b; rm -f "$tmp".*' EXIT
tmp=$(mktemp -u /tmp/fwctl-rt.XXXXXX)

views() {
	ip netns exec "$1" nft -s list table inet fwctl
	ip netns exec "$1" nft -s --debug=netlink list table inet fwctl |
		grep -E '^(inet fwctl [^@]|  \[)'
	ip netns exec "$1" nft -s --debug=netlink list table inet fwctl |
		awk '/^inet fwctl @/ { s = $3 } /^\telement/ { print s, $0 }' |
		sort
}

fail=0 n=0
for fw in "$top_srcdir"/tests/unit/compile/*.fw "$top_srcdir"/rules/*.fw \
	  "$top_srcdir"/rules/examples/*.fw; do
	[ -f "$fw" ] || continue
	n=$((n + 1))
	cd "$(dirname "$fw")" || exit 99
	f=$(basename "$fw")
	if ! "$FWCTL" --netns $a apply "$f" 2>"$tmp.err" ||
	   ! "$FWCTL" export "$f" >"$tmp.nft" ||
	   ! ip netns exec $b nft -f "$tmp.nft"; then
		echo "not ok $n - $fw: apply, export or nft -f failed"
		cat "$tmp.err"
		fail=1
		continue
	fi
	views $a >"$tmp.a"
	views $b >"$tmp.b"
	if [ -s "$tmp.a" ] && cmp -s "$tmp.a" "$tmp.b"; then
		echo "ok $n - $fw"
	else
		echo "not ok $n - $fw: fwctl apply (-) vs nft -f export (+)"
		diff -u "$tmp.a" "$tmp.b"
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "no rule files found"; exit 99; }
exit $fail
