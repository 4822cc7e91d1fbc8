#!/bin/sh
# The flow cache in front of an access list's decision tree
# (cli/opt_flow.c): which lists get one, what it is made of, what the
# kernel holds, and that a one-rule change gives it new, empty sets while
# it sends only elements: the flow map's in front of the tree and the
# emptying of the cache (opt_guard.c), or, for a changed rule without a
# port, an overlay and new, empty sets.
# (optimize_packets.sh sends real packets through it, IPv4 and IPv6,
# answered from the tree, from the cache and after a change.)
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
ns=flow-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns || exit 99
. "$top_srcdir/tests/unit/tap.sh"

# acl N [stateful]: a forward access list of N 5-tuple rules, one in
# three a drop, stateless unless told.
acl() {
	[ "${2:-}" = stateful ] || echo "stateless"
	echo "policy forward accept"
	i=0
	while [ $i -lt "$1" ]; do
		v=accept
		[ $((i % 3)) = 0 ] && v=drop
		echo "$v forward proto tcp src 10.$((i / 250)).$((i % 250)).0/24 dst 192.168.$((i % 200)).0/24 dport $((1000 + i))"
		i=$((i + 1))
	done
}
has_cache() { grep -q '^	set forward_t1_4_fa_' "$1"; }
# A tree, but no cache in front of it.
tree_only() { ! has_cache "$1" && grep -q '^	chain forward_t1_4_' "$1"; }
# ... only the flow map for changes: its rule, then a goto to the tree.
front_only() {
	tree_only "$1" &&
	sed -n '/^	chain forward_t1_4_cw {/,/^	}/p' "$1" >front &&
	test "$(grep -c comment front)" = 2 &&
	grep -q '^		meta nfproto @forward_t1_4_gon .* vmap @forward_t1_4_gm ' front &&
	grep -q '^		goto forward_t1_4_' front
}
# run FILE: applies FILE as live.fw (an apply changes the same file
# incrementally only).
run() {
	cp "$1" live.fw && "$FWCTL" -v --netns $ns --rundir "$tmp/run" apply live.fw
}
sets() {
	ip netns exec $ns nft list sets table inet fwctl |
		sed -n 's/^	set \(forward_t1_4_f[adn]_[0-9a-f]*\) {/\1/p' | sort
}

cd "$tmp" || exit 99
acl 300 >acl.fw
"$FWCTL" export acl.fw >acl.nft
ok "300 stateless rules: a flow cache" has_cache acl.nft
ok "... the tree is entered through it" \
	grep -q 'meta nfproto ipv4 jump forward_t1_4_cw ' acl.nft
ok "... which looks the flow up in a map and three sets, then walks the tree" sh -c \
	"sed -n '/^	chain forward_t1_4_cw {/,/^	}/p' acl.nft >cw && test \$(grep -c 'ip saddr . ip daddr . meta l4proto . th sport . th dport @forward_t1_4_f[adn]_' cw) = 3 && grep -q 'return comment' cw && grep -q 'jump forward_t1_4_' cw && grep -q 'meta l4proto { tcp, udp } add @forward_t1_4_fn_' cw"
ok "... the flow map of changes first, empty" sh -c \
	"grep -m1 ' @forward_t1_4_' cw | grep -q 'th dport vmap @forward_t1_4_gm ' && sed -n '/^	map forward_t1_4_gm {/,/^	}/p' acl.nft >gm && grep -q 'flags interval' gm && ! grep -q elements gm"
ok "... looked up only when its switch holds the family: empty" sh -c \
	"grep -m1 ' @forward_t1_4_' cw | grep -q '^		meta nfproto @forward_t1_4_gon ip saddr ' && sed -n '/^	set forward_t1_4_gon {/,/^	}/p' acl.nft >gon && grep -q 'type nf_proto' gon && ! grep -q elements gon"
ok "... the tree's verdicts go through its chains that add the flow" sh -c \
	"test \$(grep -c 'goto forward_t1_4_ca ' acl.nft) -gt 50 && test \$(grep -c 'goto forward_t1_4_cd ' acl.nft) -gt 20"
ok "... no rule of the list accepts or drops by itself" sh -c \
	"! grep -E '(accept|drop) comment \"acl.fw:[0-9]+\"' acl.nft"
ok "... typed as nft types a concatenation, dynamic, with a timeout" sh -c \
	"sed -n '/^	set forward_t1_4_fa_/,/^	}/p' acl.nft | tr -d '\t' | tr '\n' ' ' | grep -q '^set forward_t1_4_fa_[0-9a-f]* { type ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service size 65536 flags dynamic,timeout timeout 5s }'"
ok "... none for IPv6, which no rule matches" sh -c "! grep -q '_t1_6_c[wad]' acl.nft"
"$FWCTL" --no-flow-cache export acl.fw >nocache.nft
no_front() { tree_only "$1" && ! grep -q forward_t1_4_cw "$1"; }
ok "--no-flow-cache: none, nor a flow map" no_front nocache.nft
acl 200 >small.fw
"$FWCTL" export small.fw >small.nft
ok "200 rules: none" tree_only small.nft
ok "... but the flow map for changes in front of the tree" front_only small.nft
acl 300 stateful >ct.fw
"$FWCTL" export ct.fw >ct.nft
ok "a chain that tracks connections: none" tree_only ct.nft
ok "... but the flow map for changes" front_only ct.nft
{ acl 300; echo "accept forward proto icmp icmp type echo-request"; } >icmp.fw
"$FWCTL" export icmp.fw >icmp.nft
ok "a list with an ICMP type: none" tree_only icmp.nft
ok "... but the flow map for changes" front_only icmp.nft
{ echo "set peers = { 10.9.9.9 }"; acl 300; echo "drop forward src @peers"; } >named.fw
"$FWCTL" export named.fw >named.nft
ok "a list with a named set: none" tree_only named.nft
ok "... but the flow map for changes" front_only named.nft

ok "the kernel takes it" run acl.fw
boot=$(cat /proc/sys/kernel/random/boot_id)
# kept: the probe's answer is in the records, for this boot (feature.h).
kept() {
	grep -qx "boot $boot" run/features && grep -qx flow_cache run/features
}
ok "... which the probe found, kept for this boot" kept
sets >sets.before
ok "... its flow sets" test "$(wc -l <sets.before)" = 3
ok "... dynamic, of the flow's concatenation" sh -c \
	"ip netns exec $ns nft list set inet fwctl $(head -1 sets.before) | grep -q 'type ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service'"
run acl.fw >out.same
sets >sets.same
ok "the same file again: nothing sent, the same sets" sh -c \
	"grep -q 'incremental, 0 changes' out.same && cmp sets.same sets.before"
awk 'NR == 152 { if (!sub(/^accept /, "drop ")) sub(/^drop /, "accept ") } 1' \
	acl.fw >acl2.fw
# map_elems: the verdicts in the IPv4 flow map, in the kernel.
map_elems() {
	ip netns exec $ns nft list map inet fwctl forward_t1_4_gm |
		grep -o ' : \(accept\|drop\|return\)' | wc -l
}
cp acl2.fw live.fw
"$FWCTL" --netns $ns --rundir "$tmp/run" diff live.fw >diff.changed
ok "one rule's verdict changed: diff shows flow map elements, no rule" sh -c \
	"grep -q '^~ map forward_t1_4_gm emptied, [1-9][0-9]* elements' diff.changed && grep -q '^+ element map forward_t1_4_gm: 10\.' diff.changed && grep -q 'rules +0 -0' diff.changed"
ok "... and the cache sets not emptied (the map answers first)" sh -c \
	"! grep -q '^~ set' diff.changed"
ok "... the map switched on: an element, no rule" \
	grep -qx '+ element set forward_t1_4_gon: ipv4' diff.changed
run acl2.fw >out.changed
sets >sets.changed
ok "... applied incrementally" grep -q incremental out.changed
want=$(sed -n 's/^~ map forward_t1_4_gm emptied, \([0-9]*\) elements/\1/p' diff.changed)
got=$(map_elems)
ok "... as those elements: ${want:-?}, ${got:-?} in the kernel's map" sh -c \
	"grep -q '0 rules in their trees, ${want:-x} map elements' out.changed && test '$got' = '${want:-x}'"
ok "... the cache keeps its sets" cmp sets.changed sets.before
ok "... the switch holds ipv4" sh -c \
	"ip netns exec $ns nft list set inet fwctl forward_t1_4_gon | grep -q 'elements = { ipv4 }'"
run acl2.fw >out.again
ok "... the same file again: nothing sent" grep -q 'incremental, 0 changes' out.again
# A rule deleted: no other rule matches its packets, the map returns them.
sed 152d acl.fw >acl4.fw
run acl4.fw >out.deleted
ok "a rule deleted: its box returns" sh -c \
	"ip netns exec $ns nft list map inet fwctl forward_t1_4_gm | grep -q ' 1149 : return'"
ok "... diff, which reads the map back, sees no change" sh -c \
	"'$FWCTL' --netns $ns --rundir '$tmp/run' diff live.fw | grep -qx 'no changes'"
# Back to the file the tree was built from: no change to guard.
run acl.fw >out.back
switched_off() {
	grep -q incremental out.back && test "$(map_elems)" = 0 &&
	ip netns exec $ns nft list set inet fwctl forward_t1_4_gon >gon.back &&
	! grep -q elements gon.back
}
ok "back to the first file: the map emptied, switched off" switched_off
# A rule that checks no port: a packet without one (a fragment) would not
# reach the map, so the change goes in front as an overlay chain.
awk 'NR == 152 { sub(/ dport [0-9]+$/, "") } 1' acl.fw >acl3.fw
run acl3.fw >out.portless
sets >sets.portless
ok "a changed rule without a port: an overlay chain" sh -c \
	"grep -q 'in front: 2 rules changed, [0-9]* guards, [1-9][0-9]* rules in their trees, 0 map elements' out.portless && ip netns exec $ns nft list chain inet fwctl forward_t1_4_ov >/dev/null"
ok "... the map emptied" test "$(map_elems)" = 0
ok "... and new flow sets instead of the old ones" sh -c \
	"test \$(wc -l <sets.portless) = 3 && test -z \"\$(comm -12 sets.portless sets.before)\""

# A kernel without dynamic concatenated sets (or interval maps of them),
# as fwctl's probe reports it
# when told to (FWCTL_PROBE_DENY): the same list without the cache.
ok "status: this kernel passes the flow cache probe" sh -c \
	"'$FWCTL' --netns $ns status | grep -Eq '^ *flow cache \(concatenated sets \+ maps\) +yes'"
# (Two names: the list is read up to its commas.)
deny() { FWCTL_PROBE_DENY=queue,flow_cache "$@"; }
deny run acl.fw >out.deny 2>err.deny
ok "a kernel without them: applied all the same" grep -q "applied" out.deny
ok "... with a warning that says why" grep -q \
	"warning: this kernel has no dynamic concatenated sets" err.deny
sets >sets.deny
ip netns exec $ns nft list table inet fwctl >table.deny
ok "... without the cache: no flow sets, no cache chains, the tree" sh -c \
	"test ! -s sets.deny && ! grep -q 'chain forward_t1_4_c[wad] ' table.deny && grep -q 'chain forward_t1_4_' table.deny"
ok "... fwctl diff chooses as apply does: no changes" sh -c \
	"FWCTL_PROBE_DENY=flow_cache '$FWCTL' --netns $ns --rundir '$tmp/run' diff live.fw 2>/dev/null | grep -qx 'no changes'"
ok "... and without the denial, the cache is the difference" sh -c \
	"'$FWCTL' --netns $ns --rundir '$tmp/none' diff live.fw | grep -q '^+ chain forward_t1_4_cw'"
ok "... which diff asked the kernel and kept nowhere" test ! -e "$tmp/none/features"
ok "check --kernel asks it too" \
	"$FWCTL" --netns $ns --rundir "$tmp/checked" -v check --kernel acl.fw
ok "... and keeps nothing either" test ! -e "$tmp/checked/features"
# (The denial won over the probe's answer kept in run/features.) A table
# applied anew: the kernel not asked again this boot; a record of another
# boot is not believed.
anew() {	# anew OUT: flush, apply acl.fw (-v into OUT): with a cache
	"$FWCTL" --netns $ns --rundir "$tmp/run" flush >/dev/null &&
	run acl.fw >"$1" &&
	ip netns exec $ns nft list table inet fwctl >"$1.nft" &&
	has_cache "$1.nft"
}
ok "a table anew: its flow cache" anew out.kept
ok "... the kernel not asked" \
	grep -qx 'probe: flow caches: as found on this boot' out.kept
sed 's/^boot .*/boot 00000000-0000-0000-0000-000000000000/' run/features \
	>features.other && cp features.other run/features
ok "a record of another boot: its flow cache" anew out.other
ok "... the kernel asked" grep -q '^probe: flow caches: the kernel asked' out.other
ok "... and its answer kept for this boot" kept
tap_end
