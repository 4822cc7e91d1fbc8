#!/bin/sh
# Shared leaf tails (cli/opt_tail.c) in the export of a ClassBench-like
# list: they exist, each is entered by goto from two chains or more, a
# packet meets at most one goto per 4 rules, and --explain counts a rule's
# copies as the export holds them. (optimize_test checks the verdicts of
# such tables against the linear list packet by packet; optimize_packets.sh
# sends real packets through the same 3,000-rule list.)
: "${top_builddir:?}" "${FWCTL:?}"
cb=$top_builddir/tests/bench/classbench
[ -x "$cb" ] || { echo "needs $cb (make check builds it)"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top_srcdir/tests/unit/tap.sh"
cd "$tmp" || exit 99

"$cb" gen 3000 1 >acl.cb && "$cb" fw acl.cb >acl.fw || exit 99
"$FWCTL" export acl.fw >acl.nft || exit 99
"$FWCTL" export --explain acl.fw >acl.explain || exit 99

# chain NAME -> its rules, one "CHAIN<TAB>RULE" line each, without the
# note after a raw pair ("# ip saddr ...").
awk '/^\tchain / { c = $2; next } /^\t}/ { c = "" }
     c && /^\t\t/ && !/^\t\t(type|policy) / {
	sub(/^\t\t/, ""); sub(/" # .*$/, "\""); print c "\t" $0 }' \
	acl.nft >rules.tsv
grep -o 'forward_t[0-9]*_[46]_x[0-9a-f]*' rules.tsv | sort -u >tails
ok "the list's leaves share tails: $(wc -l <tails) chains" test -s tails
ok "... each entered by goto from two chains or more" sh -c '
	while read -r x; do
		n=$(grep -c "goto $x\( \|$\)" rules.tsv)
		[ "$n" -ge 2 ] || { echo "$x: $n gotos"; exit 1; }
	done <tails'
ok "... holding 4 rules or more, the last one maybe a goto" awk -F'\t' '
	NR == FNR { tail[$1] = 1; next }
	$1 in tail { n[$1]++ }
	END { for (x in tail) if (n[x] < 4) { print x, n[x]; bad = 1 }
	      exit bad }' tails rules.tsv
ok "... with the rules of the list, not new ones: each has its comment" awk -F'\t' '
	NR == FNR { tail[$1] = 1; next }
	$1 in tail && !/comment "acl.fw:[0-9]+"$/ &&
	    !/^[^\t]*\tgoto [a-z0-9_]* comment "fwctl: decision tree"$/ {
		print; bad = 1 }
	END { exit bad }' tails rules.tsv
# --explain: "acl.fw:LINE: RULE", then "-> ...: decides in E map
# elements, C copies in leaf chains"; the export: rules commented
# acl.fw:LINE in the tree's leaves and tails.
awk -F'\t' '$1 ~ /_t[0-9]+_[46]_[lx][0-9a-f]+$/ &&
	    match($2, /comment "acl.fw:[0-9]+"$/) {
		l = substr($2, RSTART + 16); sub(/"$/, "", l); n[l]++ }
	END { for (l in n) print l, n[l] }' rules.tsv | sort -n >copies.export
awk '/^acl\.fw:[0-9]+: / { split($1, f, ":"); line = f[2] }
     / cop(y|ies) in leaf chains$/ && $(NF - 4) > 0 { print line, $(NF - 4) }' \
	acl.explain | sort -n >copies.explain
ok "--explain counts the copies the export holds ($(wc -l <copies.export) rules)" \
	cmp copies.export copies.explain
tap_end
