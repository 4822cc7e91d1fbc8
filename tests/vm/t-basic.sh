#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The family and its configuration: round trip, per-namespace isolation,
# strict policies, switching off.
. "$top_srcdir/tests/vm/lib.sh"

net_up
check "the family is there" hs present
check "unconfigured: no profiles" sh -c \
	"ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 0'"
check "set two profiles" hs set idle 30 max 1000 \
	profile 0 1 open accept 8 profile 4 2 closed deny 6
hs config
check "read back: idle and max" \
	sh -c "ip netns exec $NSS '$HOOKCTL' config | grep -qx 'idle 30' &&
	       ip netns exec $NSS '$HOOKCTL' config | grep -qx 'max 1000'"
check "read back: profile 1" sh -c "ip netns exec $NSS '$HOOKCTL' config |
	grep -qx 'profile 1 queues 4-5 fail-closed default deny budget 6'"
check "other namespaces are not configured" \
	sh -c "ip netns exec $NSC '$HOOKCTL' config | grep -qx 'profiles 0'"
check_not "queue count 65 is refused" hs set profile 0 65 open accept 8
check_not "budget 0 is refused" hs set profile 0 1 open accept 0
check_not "budget 1001 is refused" hs set profile 0 1 open accept 1001
check_not "a range beyond queue 65535 is refused" \
	hs set profile 65535 2 open accept 8
check_not "idle 86401 is refused" hs set idle 86401 profile 0 1 open accept 8
check "a refused change leaves the old one" sh -c \
	"ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 2'"
check_not "deleting an unknown session: ENOENT" hs del 12345
check "off" hs off
check "off: no profiles" sh -c "ip netns exec $NSS '$HOOKCTL' config |
	grep -qx 'profiles 0'"
finish
