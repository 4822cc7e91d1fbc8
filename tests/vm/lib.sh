# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the guest tests: tests/daemon/lib.sh (two namespaces on a
# veth pair, fwctld, check/finish) plus what the module needs: the nft
# rules of the module form and the hookctl helper.
. "$top_srcdir/tests/daemon/lib.sh"

HOOKCTL=$top_builddir/tests/vm/hookctl
hs() { ins "$HOOKCTL" "$@"; }

# The module form of `inspect ... tcp port {80, 443}, udp port 53` at the
# server: the inspect chain only puts profile 0 (mark 0x01000000) into
# the packet mark; fwhook.ko does the rest.
module_rules_up() {
	ins nft -f - <<-'NFT' || exit 1
	table inet fwhm {
		chain inspect {
			type filter hook input priority 10; policy accept;
			tcp dport { 80, 443 } meta mark set meta mark & 0x00ffffff | 0x01000000 accept
			udp dport { 53, 9000 } meta mark set meta mark & 0x00ffffff | 0x01000000 accept
		}
	}
	NFT
}

# session_field DPORT FIELD [REGEX]: FIELD of the first session to DPORT
# (whose line matches REGEX): retransmissions of earlier flows may have
# sessions too.
session_field() {
	hs sessions | awk -v p="$1" -v f="$2" -v re="${3:-.}" \
		'{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
		 v["dport"] == p && $0 ~ re { print v[f]; exit }'
}

BLAST=$top_builddir/tests/vm/blast

# udp_flow ADDR SECONDS: one UDP flow client -> server:9000; passes when
# the server received some of it.
udp_flow() {
	ins "$BLAST" recv 9000 "$2" >"$TMP/udp.recv" &
	sleep 0.3
	inc "$BLAST" send "$1" 9000 "$2" >/dev/null
	wait $!
	grep -q '^received [1-9]' "$TMP/udp.recv"
}

# wait_until COMMAND...: polls for up to 15 s (python starts slowly in
# an emulated CPU).
wait_until() {
	for _ in $(seq 30); do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}

hook_stat() { hs stats | awk -v f="$1" '$1 == f { print $2 }'; }
