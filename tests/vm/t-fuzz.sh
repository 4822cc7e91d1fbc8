#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 10,000 malformed generic netlink messages in a namespace of their own,
# while traffic crosses a configured module there; then the module must
# still answer and pass packets.
. "$top_srcdir/tests/vm/lib.sh"

net_up
module_rules_up
hs set profile 0 1 open accept 4 || exit 1
ins $PEER stream-server 443 20000000 &
sleep 0.5
inc $PEER tls-client 10.99.0.2 443 during.fuzz.example 20000000 \
	>/dev/null 2>&1 &
client=$!
ins "$top_builddir/tests/vm/nlfuzz" 10000 "$$"
check "10,000 messages, all answered, unprivileged ones refused" \
	test $? = 0
wait "$client"
check "packets still pass afterwards" udp_flow 10.99.0.2 0.5
check "the module still answers" hs stats
finish
