#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 100 namespaces, each configured (hooks registered) and with a session
# of its own, deleted while configured: the pernet exit must unhook and
# free them all, and the module must stay usable.
. "$top_srcdir/tests/vm/lib.sh"

N=100
P=fwh-vm-ns-$$
made=0
cleanup_ns() {
	for i in $(seq $N); do ip netns del "$P-$i" 2>/dev/null; done
}
trap 'cleanup_ns; cleanup' EXIT

for i in $(seq $N); do
	ip netns add "$P-$i" || break
	ip -n "$P-$i" link set lo up
	ip netns exec "$P-$i" nft -f - <<-'NFT' || break
	table inet t {
		chain out {
			type filter hook output priority 10; policy accept;
			udp dport 9 meta mark set 0x01000000
		}
	}
	NFT
	ip netns exec "$P-$i" "$HOOKCTL" set idle $((i % 50 + 1)) \
		profile $i 1 open accept 2 || break
	# No reader on the queue: bypass, then the default after 2.
	ip netns exec "$P-$i" "$BLAST" send 127.0.0.1 9 0.05 >/dev/null ||
		break
	made=$((made + 1))
done
check "$N namespaces configured, each with traffic" test "$made" = "$N"
check "a namespace sees only its own session" sh -c \
	"ip netns exec $P-7 '$HOOKCTL' stats | grep -qx 'sessions 1'"
check "its session fell to the default after the budget" sh -c \
	"ip netns exec $P-7 '$HOOKCTL' sessions | grep -q 'verdict accept reason budget'"
check "its configuration is its own" sh -c \
	"ip netns exec $P-7 '$HOOKCTL' config | grep -qx 'profile 0 queues 7-7 fail-open default accept budget 2'"
cleanup_ns
sleep 1
check "all deleted" sh -c "! ip netns list | grep -q '$P-'"
net_up
check "the module still works in a new namespace" \
	hs set profile 0 1 open accept 8
check "and reads back" sh -c \
	"ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 1'"
finish
