#!/bin/sh
# The inline sets of a big table (cli/ir_share.c): past 256 anonymous
# sets, those alike in many rules become one set "shared_<hash of its
# content>" that every such rule looks up, the kernel takes it, and a
# second apply sends nothing; a set of up to 4 elements that one rule
# holds alone becomes a copy of the rule per element, unless the rule
# does more than give a verdict (a counter) or the set is bigger; a small
# file keeps its sets inline; a set of the file by the shared set's name
# keeps them inline too. (optimize_packets.sh sends real packets through
# both: its random files have hundreds of inline sets.)
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
ns=share-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns || exit 99
. "$top_srcdir/tests/unit/tap.sh"

# rules N: N rules with the same inline port set, as written (no tree).
rules() {
	echo "policy input accept"
	i=0
	while [ $i -lt "$1" ]; do
		echo "drop input proto tcp dport { 7, 9, 1000-1100 } src 10.$((i / 250)).$((i % 250)).1"
		i=$((i + 1))
	done
	echo "drop input proto tcp dport { 5, 6 } src 10.9.9.9 counter"
	echo "drop input proto tcp dport { 1, 2, 3, 4, 5 } src 10.9.9.8"
	echo "drop input proto tcp dport { 11, 12 } src 10.9.9.7"
}
export_of() { "$FWCTL" --no-optimize export "$1"; }
count() { grep -c -- "$1" "$2"; }

cd "$tmp" || exit 99
rules 300 >big.fw
rules 200 >small.fw
export_of big.fw >big.nft
name=$(sed -n 's/.* dport @\(shared_[0-9a-f]\{16\}\) .*/\1/p' big.nft | sort -u)
ok "300 rules: one shared set" test "$(echo "$name" | wc -l)" = 1
ok "... that all 300 look up" test "$(count "dport @$name " big.nft)" = 300
ok "... holding the elements" sh -c \
	"sed -n '/^	set $name {/,/^	}/p' big.nft | grep -q 'elements = { 7, 9, 1000-1100 }'"
export_of small.fw >small.nft
ok "... a rule's own set of 2: a rule per element" sh -c \
	"grep -q 'saddr 10.9.9.7 th dport 11 drop' big.nft && grep -q 'saddr 10.9.9.7 th dport 12 drop' big.nft"
ok "... a rule's own set with a counter: inline" grep -q 'saddr 10.9.9.9 th dport { 5, 6 } counter drop' big.nft
ok "... a rule's own set of 5: inline" grep -q 'saddr 10.9.9.8 th dport { 1, 2, 3, 4, 5 } drop' big.nft
ok "200 rules: inline, as written" sh -c \
	"! grep -q shared_ small.nft && test \$(grep -c 'dport { 7, 9, 1000-1100 }' small.nft) = 200 && grep -q 'dport { 11, 12 }' small.nft"

ok "the kernel takes it" "$FWCTL" --no-optimize --netns $ns --rundir "$tmp/run" apply big.fw
ok "... one named set in the table" sh -c \
	"ip netns exec $ns nft list sets table inet fwctl | grep -c 'set $name ' | grep -qx 1"
ok "... the rules look it up" sh -c \
	"test \$(ip netns exec $ns nft list chain inet fwctl input | grep -c 'dport @$name') = 300"
ok "... the same file again sends nothing" sh -c \
	"'$FWCTL' --no-optimize -v --netns $ns --rundir '$tmp/run' apply big.fw | grep -q 'incremental, 0 changes'"
sed 's/^drop input proto tcp dport { 7, 9, 1000-1100 } src 10.0.0.1$/drop input proto tcp dport { 7, 9, 1000-1101 } src 10.0.0.1/' \
	big.fw >big2.fw
ok "one rule's set changed: applied" "$FWCTL" --no-optimize --netns $ns --rundir "$tmp/run" apply big2.fw
ok "... 299 share, 1 is written out" sh -c \
	"ip netns exec $ns nft list chain inet fwctl input >list.txt && test \$(grep -c 'dport @$name' list.txt) = 299 && test \$(grep -c 'saddr 10.0.0.1 [a-z]* dport' list.txt) = 3 && grep -q 'saddr 10.0.0.1 [a-z]* dport 1000-1101 drop' list.txt"

{ echo "set $name = { 4 }"; cat big.fw; } >clash.fw
export_of clash.fw >clash.nft
ok "a set of the file named like it: not shared, each rule's own" sh -c \
	"! grep -q 'dport @$name' clash.nft && test \$(grep -c 'th dport 1000-1100 drop' clash.nft) = 300 && grep -q 'set $name' clash.nft"
ok "... and the kernel takes that" "$FWCTL" --no-optimize --netns $ns --rundir "$tmp/run" apply clash.fw
tap_end
