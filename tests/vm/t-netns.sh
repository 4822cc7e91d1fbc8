#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 100 namespaces, ten alive at a time, each configured (hooks registered)
# with a session of its own, and dying while configured (nsstress.c);
# then the module must still serve a new namespace.
. "$top_srcdir/tests/vm/lib.sh"

"$top_builddir/tests/vm/nsstress" 100 10
check "100 namespaces: configured, isolated, sessions, deleted" test $? = 0
sleep 1
net_up
check "the module still works in a new namespace" \
	hs set profile 0 1 open accept 8
check "and reads back" sh -c \
	"ip netns exec $NSS '$HOOKCTL' config | grep -qx 'profiles 1'"
finish
