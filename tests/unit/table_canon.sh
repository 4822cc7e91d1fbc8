# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced: canon NS prints table inet fwctl of namespace NS in a form two
# tables with the same content share whatever order their objects were
# made in: without counters, line numbers cut, each block (set, map,
# chain) on one line and the blocks sorted.
canon() {
	ip netns exec $1 nft -s list table inet fwctl |
		sed 's/comment "\([^:"]*\):[0-9]*/comment "\1:L/' |
		awk '/^\t[a-z]/ && /\{$/ { b = $0; inb = 1; next }
		     inb && /^\t}$/ { print b; inb = 0; next }
		     inb { b = b "\001" $0; next }
		     { print "\002" $0 }' | sort
}
