#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Packets/s of one inspected UDP flow, decided (accepted) by fwctld after
# its budget: without rules, with the nft-native ct mark form of issue 4,
# and with fwhook.ko. Prints FWVM-BENCH lines; fails only when a run
# delivers nothing.
. "$top_srcdir/tests/vm/lib.sh"

BLAST=$top_builddir/tests/vm/blast
SECS=${FWVM_BENCH_SECONDS:-5}

native_rules() {
	ins nft -f - <<-'NFT' || exit 1
	table inet fwhb {
		chain inspect_input {
			type filter hook input priority 10; policy accept;
			ct mark & 0xc0000000 == 0xc0000000 drop
			ct mark & 0x80000000 == 0x80000000 accept
			udp dport 9000 queue num 0 bypass
		}
		chain inspect_input_mark {
			type filter hook input priority 20; policy accept;
			meta mark & 0x80000000 == 0x80000000 ct mark set meta mark
		}
	}
	NFT
}

module_rules() {
	ins nft -f - <<-'NFT' || exit 1
	table inet fwhb {
		chain inspect_input {
			type filter hook input priority 10; policy accept;
			udp dport 9000 meta mark set meta mark & 0xc0ffffff | 0x01000000
		}
	}
	NFT
	hs set profile 0 1 open accept 4
}

# run NAME: one measurement with whatever rules are in place.
run() {
	ins "$BLAST" recv 9000 "$SECS" >"$TMP/recv" &
	rpid=$!
	sleep 0.3
	inc "$BLAST" send 10.99.0.2 9000 "$((SECS + 1))" >"$TMP/sent"
	wait "$rpid"
	pps=$(awk '{ print $4 }' "$TMP/recv")
	echo "FWVM-BENCH $1 pps ${pps:-0} ($(cat "$TMP/sent"), $(cat "$TMP/recv"))"
	[ "${pps:-0}" -gt 0 ] || FAILS=$((FAILS + 1))
	ins conntrack -F 2>/dev/null
}

net_up
daemon_up "queues 0" "fail-open" "default accept" "budget 4"
run baseline
native_rules
run nft-native
ins nft delete table inet fwhb
module_rules
run fwhook
hs stats
hs off
finish
