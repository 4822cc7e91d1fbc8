#!/bin/sh
# For every rule file the project ships or tests: `fwctl apply` in one
# network namespace and `fwctl export | nft -f -` in another must build the
# same table, down to the bytecode and the set elements (see also
# roundtrip_test.c, which does the same for an IR using every feature).
#
# Inspect rules queue packets. Where the kernel lacks the nft queue
# expression, nft cannot load the export text and fwctl uses the xt NFQUEUE
# target instead: such files are compared without the queue statements
# (export text) and the NFQUEUE targets (fwctl), and fwctl must have made
# exactly one target per queue statement.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null && command -v ip >/dev/null ||
	{ echo "SKIP: needs nft and ip"; exit 77; }
a=fwh-backend-$$-ra b=fwh-backend-$$-rb
ip netns add $a && ip netns add $b || { echo "SKIP: no netns"; exit 77; }
trap 'ip netns del $a; ip netns del $b; rm -rf "$tmp".*' EXIT
tmp=$(mktemp -u /tmp/fwctl-rt.XXXXXX)

views() {
	ip netns exec "$1" nft -s list table inet fwctl
	ip netns exec "$1" nft -s --debug=netlink list table inet fwctl |
		grep -E '^(inet fwctl [^@]|  \[)'
	ip netns exec "$1" nft -s --debug=netlink list table inet fwctl |
		awk '/^inet fwctl @/ { s = $3 } /^\telement/ { print s, $0 }' |
		sort
}

# The rules of a decision tree (chain NAME_tRUN_FAMILY_KIND..., and its
# flow cache's NAME_tRUN_FAMILY_c[wad]) read addresses without the family
# check nft puts before them (the tree is entered by family:
# ir_chain.nfproto), so nft lists fwctl's as raw payloads. Of those
# chains: the bytecode less family checks, and of the text only the
# comments.
tree_views() {
	awk -v tree_re='_t[0-9]+_[46]_([a-z][0-9a-f]+|c[wad])$' '
	held != "" {
		h = held
		held = ""
		if (/^  \[ cmp eq reg 1 0x0000000[2a] \]$/)
			next
		print h
	}
	/^\tchain / { tree = $2 ~ tree_re }
	/^inet fwctl [^@]/ { tree = $3 ~ tree_re }
	tree && /^  \[ meta load nfproto => reg 1 \]$/ { held = $0; next }
	tree && /^\t\t/ {
		if (!sub(/^\t\t.* comment "/, "\t\t... comment \""))
			$0 = "\t\t..."
	}
	{ print }'
}

# Whether nft can load a queue statement here (one transaction, no trace).
queue_native() {
	printf '%s\n' 'table inet fwctl_rtq {' \
		'chain c { type filter hook input priority 0; queue num 0; }' \
		'}' 'delete table inet fwctl_rtq' |
		ip netns exec $b nft -f - 2>/dev/null
}

# fwctl's side without its NFQUEUE targets; nft then lists a rule that
# only matched with two blanks before its comment.
strip_targets() {
	grep -v '^  \[ target name NFQUEUE rev 3 \]$' |
		sed 's/  comment "/ comment "/'
}

native=false
queue_native && native=true
fail=0 n=0
for fw in "$top_srcdir"/tests/unit/compile/*.fw "$top_srcdir"/rules/*.fw \
	  "$top_srcdir"/rules/examples/*.fw; do
	[ -f "$fw" ] || continue
	n=$((n + 1))
	cd "$(dirname "$fw")" || exit 99
	f=$(basename "$fw")
	strip=
	# A shape needs its interface: a veth pair for each one shaped.
	for ifn in $(sed -n 's/^ *shape \([^ ]*\) .*/\1/p' "$f"); do
		ip -n $a link show "$ifn" >/dev/null 2>&1 ||
			ip -n $a link add "$ifn" type veth peer name "$ifn-p"
	done
	if ! "$FWCTL" --netns $a --rundir "$tmp.run" apply "$f" \
		2>"$tmp.err" ||
	   ! "$FWCTL" export "$f" >"$tmp.nft"; then
		echo "not ok $n - $fw: apply or export failed"
		cat "$tmp.err"
		fail=1
		continue
	fi
	if ! $native && grep -q ' queue num ' "$tmp.nft"; then
		strip=$(grep -c ' queue num ' "$tmp.nft")
		sed -E 's/ queue num [0-9]+(-[0-9]+)?( [a-z,]+)? / /' \
			"$tmp.nft" >"$tmp.q" && mv "$tmp.q" "$tmp.nft"
	fi
	if ! ip netns exec $b nft -f "$tmp.nft"; then
		echo "not ok $n - $fw: apply, export or nft -f failed"
		cat "$tmp.err"
		fail=1
		continue
	fi
	views $a | tree_views >"$tmp.a"
	views $b | tree_views >"$tmp.b"
	if [ -n "$strip" ]; then
		targets=$(grep -c '^  \[ target name NFQUEUE rev 3 \]$' \
			"$tmp.a")
		strip_targets <"$tmp.a" >"$tmp.s" && mv "$tmp.s" "$tmp.a"
		if [ "$targets" != "$strip" ]; then
			echo "not ok $n - $fw: $targets NFQUEUE targets for" \
			     "$strip queue statements"
			fail=1
			continue
		fi
	fi
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
