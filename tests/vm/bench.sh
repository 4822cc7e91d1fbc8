#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Packets/s of one inspected UDP flow, decided (accepted) by fwctld after
# its budget: without rules, with the nft-native ct mark form of issue 4,
# and with fwhook.ko, in alternating rounds; prints the median of each as
# FWVM-BENCH lines. Fails only when a form delivers nothing.
. "$top_srcdir/tests/vm/lib.sh"

SECS=${FWVM_BENCH_SECONDS:-3}

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
			udp dport 9000 meta mark set meta mark & 0x00ffffff | 0x01000000 accept
		}
	}
	NFT
	hs set profile 0 1 open accept 4
}

# measure NAME: one run of the flow with whatever rules are in place;
# appends its packets/s to $TMP/NAME.
measure() {
	ins "$BLAST" recv 9000 "$SECS" >"$TMP/recv" &
	rpid=$!
	sleep 0.3
	inc "$BLAST" send 10.99.0.2 9000 "$((SECS + 1))" >/dev/null
	wait "$rpid"
	awk '{ print $4 }' "$TMP/recv" >>"$TMP/$1"
	ins conntrack -F 2>/dev/null
}

baseline() { measure baseline; }
native() { native_rules; measure nft-native; ins nft delete table inet fwhb; }
module() {
	module_rules
	measure fwhook
	hs stats >"$TMP/fwhook.stats"
	hs off
	ins nft delete table inet fwhb
}

median() { sort -n "$TMP/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'; }

net_up
daemon_up "profile" "queues 0" "fail-open" "default accept" "budget 4"
# Alternating rounds: the emulated CPU is shared, so its speed drifts.
for _ in $(seq "${FWVM_BENCH_ROUNDS:-5}"); do
	baseline
	native
	module
done
for name in baseline nft-native fwhook; do
	echo "FWVM-BENCH $name pps $(median "$name") (runs: $(tr '\n' ' ' <"$TMP/$name"))"
	[ "$(median "$name")" -gt 0 ] || FAILS=$((FAILS + 1))
done
echo "fwhook counters of the last run:"
cat "$TMP/fwhook.stats"
finish
