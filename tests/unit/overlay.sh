#!/bin/sh
# When fwctl apply keeps a live tree with what changed in front (an
# overlay chain, or elements of the flow map, opt_guard.c), and when it
# must not: a 2,000-rule ClassBench-like access list (stateless, with a
# flow cache) in a namespace, changed one rule at a time. Only in front
# of the very tree its records describe: after another tool's commit
# (unless the table is still what the records say: read back, they are
# renewed), apply --full, FWCTL_NO_OVERLAY, an apply of another file path and
# damaged records (cut short, a count too big for the file, another
# state's id), the tree is built anew (and what was in front goes). diff
# compiles as apply does. That the overlays give the new verdicts is
# overlay_test's and guard_test's (in process) and optimize_packets.sh's
# (real packets).
#
# Also when apply compiles only the lines that changed (the rest left out
# as they were, cli/compile_skip.c) and when it compiles the whole file:
# FWCTL_NO_SKIP, a definition changed, the line record damaged; a broken
# rule line is said once and changes nothing. That the table is the same
# either way is skip_test's.
: "${top_srcdir:?}" "${top_builddir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
cb=$top_builddir/tests/bench/classbench
[ -x "$cb" ] || { echo "needs $cb (make check builds it)"; exit 77; }
ns=ovl-$$
ref=ovl-$$-ref
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; ip netns del $ref 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns && ip netns add $ref || exit 99
cd "$tmp" || exit 99
. "$top_srcdir/tests/unit/tap.sh"
. "$top_srcdir/tests/unit/table_canon.sh"

"$cb" gen 2000 3 >acl.cb && "$cb" fw acl.cb stateless >rules.fw || exit 99
line=1000

apply() {	# apply [ARGS...]: fwctl -v apply of rules.fw, into out
	"$FWCTL" --netns $ns --rundir "$tmp/run" -v apply "$@" rules.fw \
		>out 2>&1 || { cat out; return 1; }
}
flip() {	# flip: the verdict of the next rule line flipped
	line=$((line + 7))
	awk -v n=$line 'FNR == n && !sub(/^accept /, "drop ") {
		sub(/^drop /, "accept ") } 1' rules.fw >rules.new &&
		mv rules.new rules.fw
}
overlay() { ip netns exec $ns nft list chain inet fwctl forward_t1_4_ov; }
# The elements of the flow map in front of the tree (opt_guard.c).
map_elems() {
	ip netns exec $ns nft list map inet fwctl forward_t1_4_gm 2>/dev/null |
		grep -o ' : \(accept\|drop\|return\)' | wc -l
}
# What changed is in front of the tree: an overlay chain or map elements.
in_front() { overlay >/dev/null 2>&1 || [ "$(map_elems)" -gt 0 ]; }
kept() { grep -q "^trees: 1 of 1 kept" out && in_front; }
anew() { ! grep -q "^trees:" out && ! in_front; }
apply_kept() { apply "$@" && kept; }
apply_anew() { apply "$@" && anew; }
# A verdict flipped: a few map elements, no overlay chain.
as_elements() { [ "$(map_elems)" -gt 0 ] && ! overlay >/dev/null 2>&1; }
little() { grep -q '; incremental, [0-9]\{1,2\} changes' out; }
# Whether a process of fwctl's releases the socket, for what the commit
# deleted (nlsock.h).
held() { grep -q '^socket: released by a holder process' out; }
not_held() { ! held; }
skipped() { grep -q '^lines: [0-9]* of [0-9]* left out' out; }
apply_skipped() { apply "$@" && kept && skipped; }
apply_whole() { apply "$@" && kept && ! skipped; }
no_skip_whole() { (export FWCTL_NO_SKIP=1; apply_whole); }
diff_none() {
	"$FWCTL" --netns $ns --rundir "$tmp/run" diff rules.fw >diff.out &&
		grep -qx 'no changes' diff.out
}
diff_overlay() {
	"$FWCTL" --netns $ns --rundir "$tmp/run" diff rules.fw >diff.out &&
		grep -q '^+ rule forward_t1_4_ov\|^~ map forward_t1_4_gm ' \
			diff.out &&
		! grep -q '^- chain forward_t1_4_[dl]' diff.out
}
no_overlay_anew() { (export FWCTL_NO_OVERLAY=1; apply) && anew; }
# Every location fwctl show gives (rules.fw:N) is the line of rules.fw
# that is the rule's text, in the kept tree too.
lines_right() {
	"$FWCTL" --netns $ns --rundir "$tmp/run" show >show.out || return 1
	awk 'NR == FNR { line[FNR] = $0; next }
	     $2 ~ /^rules\.fw:[0-9]+$/ {
		split($2, at, ":")
		t = $5
		for (i = 6; i <= NF; i++)
			t = t " " $i
		n++
		if (line[at[2]] != t) {
			print "not on its line: " $0
			bad++
		}
	     }
	     END { exit bad || n < 1000 }' rules.fw show.out
}
other_path() {
	cp rules.fw other.fw &&
	"$FWCTL" --netns $ns --rundir "$tmp/run" -v apply other.fw >out 2>&1 &&
		grep -q 'full replace: the live table came from another' out &&
		anew
}

ok "the list applied: the tree built" apply_anew
ok "... its records beside the cache" test -s run/trees.base -a -s run/trees.id
flip
ok "one rule changed: the tree kept, the change in front" apply_kept
ok "... as flow map elements, not an overlay chain" as_elements
ok "... the batch held little" little
ok "... it deleted nothing: fwctl closed its socket itself" not_held
ok "... compiling only the line that changed" skipped
ok "diff of the same file: no changes" diff_none
ip netns exec $ns nft list ruleset >before.nft || exit 99
cp rules.fw good.fw
awk 'FNR == 1014 { $0 = $0 " dport 99999" } 1' good.fw >rules.fw
bad_edit() {
	! "$FWCTL" --netns $ns --rundir "$tmp/run" apply rules.fw >out 2>&1 &&
	grep -q '^rules.fw:1014:[0-9]*: error: ' out &&
	grep -q '^rules.fw: 1 error, nothing applied' out &&
	ip netns exec $ns nft list ruleset | cmp -s - before.nft
}
ok "a broken rule line: its error, counted once, and nothing changed" \
	bad_edit
mv good.fw rules.fw
flip
ok "diff of another change: what goes in front, not a new tree" diff_overlay
ok "... and apply does that" apply_kept
ok "... it emptied the map of the first change: a holder has the socket" \
	held

# After another tool's commit the records are of an older generation:
# the table is read back, and they are believed again only if it is
# what they say (live_renew.c). Else the tree is built anew, and the
# table is what a full apply makes.
renewal() { grep -q "^records: of an older generation .*, $1\$" out; }
renewed() { apply && kept && renewal 'unchanged: renewed'; }
not_believed() {
	apply && anew && renewal 'changed since: not believed' &&
	"$FWCTL" --netns $ref --rundir "$tmp/run-ref" apply --full rules.fw &&
	test "$(canon $ns)" = "$(canon $ref)"
}
a_map() {	# the first of the tree's maps with elements
	ip netns exec $ns nft list maps inet |
		awk '/^\tmap / { m = $2 } / : goto / && m { print m; exit }'
}
ip netns exec $ns nft add table inet other || exit 99
flip
ok "after another tool's commit elsewhere: the tree kept, records renewed" \
	renewed
flip
ok "... and the next change kept it too, no table read" sh -c \
	"'$FWCTL' --netns $ns --rundir '$tmp/run' -v apply rules.fw >out &&
	 grep -q '^trees: 1 of 1 kept' out && ! grep -q '^records: of an' out"
ip netns exec $ns nft insert rule inet fwctl forward accept || exit 99
flip
ok "a rule of another tool in fwctl's table: not believed, built anew" \
	not_believed
map=$(a_map)
ip netns exec $ns nft flush map inet fwctl "$map" || exit 99
flip
ok "a tree's map emptied by another tool: not believed, built anew" \
	not_believed
ip netns exec $ns nft add chain inet fwctl stray || exit 99
flip
ok "a chain of another tool: not believed, built anew" not_believed
flip
ok "... and the next change kept the tree again" apply_kept
flip
ok "apply --full: built anew" apply_anew --full
flip
ok "FWCTL_NO_OVERLAY: built anew" no_overlay_anew
flip
ok "... and without it, kept again" apply_kept
# Overlays add up: these stay within the 16 changed rules of one.
flip
echo "# a comment at the end" >>rules.fw
ok "a rule and a comment changed: the other lines left out" apply_skipped
flip
ok "FWCTL_NO_SKIP: the whole file compiled, the tree kept" no_skip_whole
{ echo "define unused = 22"; cat rules.fw; } >rules.new && mv rules.new rules.fw
line=$((line + 1))
flip
ok "a definition added: the whole file compiled, the tree kept" apply_whole
ok "... show: the rules below it are on their lines now" lines_right
flip
ok "... and the next change left lines out again" apply_skipped
ok "... show: every rule on its line" lines_right
{ echo "# two comment lines"; echo "#"; cat rules.fw; } >rules.new &&
	mv rules.new rules.fw
line=$((line + 2))
ok "two lines inserted at the top: the tree kept" apply_skipped
ok "... and nothing sent (no rule names its lines)" \
	grep -q '; incremental, 0 changes' out
ok "... show: every rule two lines down" lines_right
{ echo "# one more"; cat rules.fw; } >rules.new && mv rules.new rules.fw
line=$((line + 1))
abs_skipped() {	# the same file by another name: its lines are these
	"$FWCTL" --netns $ns --rundir "$tmp/run" -v apply "$tmp/rules.fw" \
		>out 2>&1 && kept && skipped
}
ok "one more, applied by the file's absolute name: lines left out" \
	abs_skipped
ok "... show: every rule on its line" lines_right
flip
head -c 200 run/trees.lines >run/lines.short && mv run/lines.short run/trees.lines
ok "line record cut short: the whole file compiled" apply_whole
flip
ok "... and the next change left lines out again" apply_skipped
flip
printf 'X' | dd of=run/trees.lines bs=1 seek=5000 conv=notrunc 2>/dev/null ||
	exit 99
ok "a byte of the line record damaged: the whole file compiled" apply_whole
flip
ok "another file path: a full replace, built anew" other_path
apply || exit 99
flip
# The first record's rule count (at byte 360, after the file's head and
# the record's names) made 2^31: read as damaged, not allocated.
printf '\000\000\000\200\000\000\000\000' |
	dd of=run/trees.base bs=1 seek=360 conv=notrunc 2>/dev/null || exit 99
ok "a record's rule count damaged: built anew" apply_anew
flip
head -c 100 run/trees.base >run/trees.short && mv run/trees.short run/trees.base
ok "records cut short: built anew" apply_anew
flip
echo "id nothing" >run/trees.id
ok "records of another state: built anew" apply_anew
tap_end
