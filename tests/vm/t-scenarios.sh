#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The inspect scenarios of the daemon issue, unchanged, with fwhook.ko
# loaded: fwctl apply finds the module and compiles the module form, the
# same expectations hold. Then the module form itself: fwctl status names
# the engine and fwctl sessions shows the flows.
. "$top_srcdir/tests/vm/lib.sh"

FWCTL=$top_builddir/fwctl
# A failing scenario shows its report and gets one more run: some steps
# have time limits (1 MB within 1 s) that an emulated CPU shared with
# other work misses now and then, with or without the module.
scenario() {
	"$FWCTL" test "$1" >"$TMP/scn.out" 2>&1 && return 0
	grep -v '^ok ' "$TMP/scn.out"
	echo "(once more)"
	"$FWCTL" test "$1" >"$TMP/scn.out" 2>&1 && return 0
	grep -v '^ok ' "$TMP/scn.out"
	return 1
}
for scn in "$top_srcdir"/tests/scenarios/inspect-*.scn; do
	scenario "$scn"
	check "scenario $(basename "$scn") with the module" test $? = 0
done

net_up
printf '%s\n' 'inspect input proto tcp port 443 deny sni { "bad.example" }' \
	>"$TMP/rules.fw"
ins $PEER stream-server 443 100000 &
check "apply in the module form" \
	ins "$FWCTL" --rundir "$TMP" apply "$TMP/rules.fw"
ins nft list table inet fwctl >"$TMP/live.nft"
check "the inspect chain only marks the profile" \
	grep -q 'dport 443 meta mark set meta mark .* 0x01000000 accept' \
	"$TMP/live.nft"
check_not "no ct mark rules, no _mark chain" \
	grep -q 'ct mark\|inspect_input_mark' "$TMP/live.nft"
check "the module has the profile" sh -c \
	"ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 1'"
check "fwctl status names the engine" sh -c \
	"ip netns exec $NSS '$FWCTL' status | grep -q '^inspect engine: fwhook.ko (1 profiles'"
daemon_up "profile" "queues 0" "fail-open" "default accept" "budget 8" \
	"deny sni bad.example"
check "an allowed flow passes" \
	inc $PEER tls-client 10.99.0.2 443 good.example 100000
check_not "a denied flow is blocked" \
	inc $PEER tls-client 10.99.0.2 443 bad.example 1
ins "$FWCTL" sessions
check "fwctl sessions: the allowed flow, accepted by the daemon" sh -c \
	"ip netns exec $NSS '$FWCTL' sessions | grep -q 'accept *daemon'"
check "fwctl sessions: the denied flow, denied in the kernel" sh -c \
	"ip netns exec $NSS '$FWCTL' sessions | grep -q 'deny *daemon'"
check "fwctl sessions -j is JSON with the counters" sh -c \
	"ip netns exec $NSS '$FWCTL' sessions -j | python3 -c \
	'import json, sys; s = json.load(sys.stdin); \
	 assert any(x[\"verdict\"] == \"accept\" and x[\"bytes\"] > 100000 for x in s)'"
check "fwctl flush switches the module off" sh -c \
	"ip netns exec $NSS '$FWCTL' --rundir '$TMP' flush &&
	 ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 0'"
finish
