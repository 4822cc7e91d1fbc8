#!/bin/sh
# Shaping at the command line, in a namespace of its own: a shaped
# interface that is missing is an error at its shape while the rest is
# applied; the next apply shapes it once it exists; a hand-made HTB tree
# (handle 1:) is never taken for fwctl's; apply removes what the file no
# longer shapes; flush gives every interface its default qdisc back;
# shape show prints the classes by name, -j as JSON.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
ns=fwshape-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns || exit 99
. "$top_srcdir/tests/unit/tap.sh"
# A run directory of its own: /run/fwctld is the host's daemon's.
fw() { "$FWCTL" --netns $ns --rundir "$tmp/run" "$@"; }
qdisc() {	# qdisc IF KIND: the root qdisc of IF is KIND
	ip netns exec $ns tc qdisc show dev "$1" root | grep -q "^qdisc $2 "
}
links() { ip netns exec $ns ip -o link show; }

cat >"$tmp/both.fw" <<'RULES'
policy input drop
shape upl rate 50mbit {
    class web rate 20mbit ceil 50mbit match proto tcp port { 80, 443 }
    class rest rate 10mbit ceil 50mbit default
}
shape own ingress rate 20mbit
shape gone rate 10mbit { class all rate 10mbit default }
RULES
cat >"$tmp/less.fw" <<'RULES'
shape gone rate 10mbit { class all rate 10mbit default }
RULES
veth() {	# no dummy devices in this kernel: a veth pair, both ends up
	ip -n $ns link add "$1" type veth peer name "$1-peer" &&
		ip -n $ns link set dev "$1" up &&
		ip -n $ns link set dev "$1-peer" up
}
veth upl && veth own && veth mine || exit 99
# An admin's own tree, which fwctl must leave alone.
ip netns exec $ns tc qdisc add dev mine root handle 1: htb default 1 || exit 99

ok "a missing shaped interface: exit 2" status_is 2 fw apply "$tmp/both.fw"
ok "... an error at the shape" \
	grep -q "both.fw:7:7: error: interface 'gone' does not exist" "$tmp/out"
ok "... the rules are applied" \
	sh -c "ip netns exec $ns nft list chain inet fwctl input | grep -q 'policy drop'"
ok "... the other interfaces are shaped" qdisc upl htb
ok "... ingress through an IFB" sh -c "$(printf '%s' "ip netns exec $ns ip link show fwi\$(ip netns exec $ns cat /sys/class/net/own/ifindex)")"
ok "... the hand-made 1: tree stays" sh -c "ip netns exec $ns tc qdisc show dev mine | grep -q 'htb 1:'"
veth gone
ok "once it exists, apply shapes it (exit 0)" status_is 0 fw apply "$tmp/both.fw"
ok "... gone has its tree" qdisc gone htb
ok "shape show names the classes" sh -c "'$FWCTL' --netns $ns shape show | grep -q '^  web  *fc:10 .*20mbit  *50mbit'"
ok "... the default class too" sh -c "'$FWCTL' --netns $ns shape show | grep -q '^  rest  *fc:11 .*10mbit  *50mbit'"
ok "shape show -j is JSON" sh -c "'$FWCTL' --netns $ns shape show -j | python3 -c 'import json,sys; d=json.load(sys.stdin); assert {s[\"interface\"] for s in d} == {\"upl\", \"own\", \"gone\"}'"
ok "apply of a smaller file: exit 0" status_is 0 fw apply "$tmp/less.fw"
ok "... upl loses its tree" qdisc upl noqueue
ok "... own loses its IFB" sh -c "! links | grep -q ' fwi'"
ok "... own loses its ingress qdisc" sh -c "! ip netns exec $ns tc qdisc show dev own | grep -q ingress"
ok "... gone keeps its tree" qdisc gone htb
ok "flush: exit 0" status_is 0 fw flush
ok "... gone has its default qdisc back" qdisc gone noqueue
ok "... the hand-made 1: tree still stays" sh -c "ip netns exec $ns tc qdisc show dev mine | grep -q 'htb 1:'"
ok "... shape show prints nothing" sh -c "[ -z \"\$('$FWCTL' --netns $ns shape show)\" ]"
ok "shape without show is a usage error" status_is 64 fw shape
tap_end
