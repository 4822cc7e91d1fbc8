#!/bin/sh
# Incremental apply of random edits to big random rule files (opt_sample:
# zones, named sets, IPv4 and IPv6, input and forward, accept, drop and
# reject, compiled into decision trees of verdict maps and chains): after
# every round of edits, the table that `fwctl apply` made by sending only
# the difference is the table a full apply of the same file makes in a
# namespace of its own, set by set and chain by chain (the order nft
# lists them in is the order they were made; the FILE:LINE of rules kept
# below an inserted or deleted line may be stale, see fwctl(8)), it went
# incrementally, and the next apply reads the cache it wrote.
#
# An edit is one of: a rule's verdict flipped, a rule deleted, a rule
# copied to another place, an element taken from or added to a named
# set, a policy flipped. One named set, big4, is big enough (1,200
# addresses and prefixes) for its committed elements to be recorded
# (elems_record.h): an edit of it is diffed against the record. Seeds are
# fixed, so a failure repeats.
: "${top_srcdir:?}" "${top_builddir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
SAMPLE=$top_builddir/tests/unit/opt_sample
SEEDS=${SEEDS:-"11 12 13"}
RULES=${RULES:-1500}
ROUNDS=${ROUNDS:-6}
ns=incr-$$
ref=incr-$$-ref
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; ip netns del $ref 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns && ip netns add $ref || exit 99
cd "$tmp" || exit 99
. "$top_srcdir/tests/unit/tap.sh"
. "$top_srcdir/tests/unit/table_canon.sh"

same_table() {
	canon $ns >"$tmp/inc.canon"
	canon $ref >"$tmp/full.canon"
	cmp -s "$tmp/inc.canon" "$tmp/full.canon" && return 0
	diff "$tmp/full.canon" "$tmp/inc.canon" | tr '\001' '\n' | head -30
	return 1
}

# edit SEED: 1 to 3 random edits of rules.fw, said on stdout.
edit() {
	awk -v seed="$1" '
	{ line[NR] = $0 }
	END {
		srand(seed)
		for (e = int(rand() * 3) + 1; e > 0; e--)
			one()
		for (i = 1; i <= NR; i++)
			if (i in line)
				print line[i] >"rules.new"
	}
	# An element of big4 taken out, or one added (of 10.201-250.x.x).
	function big4_edit(i,   n, e, r, v, j) {
		v = line[i]
		sub(/^set big4 = \{ /, "", v)
		sub(/ }$/, "", v)
		n = split(v, e, ", ")
		if (rand() < 0.5 && n > 1100) {
			r = int(rand() * n) + 1
			v = ""
			for (j = 1; j <= n; j++)
				if (j != r)
					v = v (v == "" ? "" : ", ") e[j]
			line[i] = "set big4 = { " v " }"
			return "less"
		}
		line[i] = "set big4 = { " v ", 10." (201 + int(rand() * 50)) "." \
			  int(rand() * 256) "." (1 + 2 * int(rand() * 100)) " }"
		return "more"
	}
	function pick(re,   i, tries) {
		for (tries = 0; tries < 1000; tries++) {
			i = int(rand() * NR) + 1
			if ((i in line) && line[i] ~ re)
				return i
		}
		return 0
	}
	function one(   k, i, j, v) {
		k = int(rand() * 13)
		if (k < 4 && (i = pick("^(accept|drop) "))) {
			v = line[i]
			if (!sub(/^accept /, "drop ", v))
				sub(/^drop /, "accept ", v)
			print "flip " i; line[i] = v
		} else if (k < 6 && (i = pick("^(accept|drop|reject) "))) {
			print "delete " i; delete line[i]
		} else if (k < 8 && (i = pick("^(accept|drop|reject) ")) &&
			   (j = pick("^(accept|drop|reject) "))) {
			print "copy " i " before " j
			line[j] = line[i] "\n" line[j]
		} else if (k < 9 && (i = pick("^set s[46m]_[0-9]+ = \\{ .*, "))) {
			v = line[i]
			if (rand() < 0.5) {
				sub(/, [^,]* }$/, " }", v); print "set less " i
			} else {
				sub(/ }$/, ", " (rand() < 0.5 ? "100.71.2." int(rand() * 256) : "fd00:77::" int(rand() * 9999)) " }", v)
				print "set more " i
			}
			line[i] = v
		} else if (k >= 10 && (i = pick("^set big4 = "))) {
			print "big4 " big4_edit(i)
		} else if ((i = pick("^policy (input|forward) "))) {
			v = line[i]
			if (!sub(/ accept$/, " drop", v))
				sub(/ drop$/, " accept", v)
			print "policy " i; line[i] = v
		}
	}' rules.fw && mv rules.new rules.fw
}

# big4 SEED: the big set (distinct /32s and /28s, never adjacent) and a
# rule that looks it up.
big4() {
	awk -v seed="$1" 'BEGIN {
		srand(seed)
		printf "set big4 = { "
		for (i = 0; i < 1200; i++)
			printf "%s10.%d.%d.%s", i ? ", " : "", int(i / 6),
			       i % 6 * 32 + 1, rand() < 0.3 ? "0/28" : "1"
		print " }"
		print "drop input src @big4 proto tcp to port 9"
	}'
}

# Every tree built anew (no overlay in front of a kept one): the table
# must then be what a full apply makes; overlays: optimize_packets.sh.
apply_inc() {
	FWCTL_NO_OVERLAY=1 "$FWCTL" --rundir "$tmp/run" --netns $ns -v apply rules.fw >"$tmp/apply.out" 2>&1 ||
		{ cat "$tmp/apply.out"; return 1; }
}

for seed in $SEEDS; do
	rm -rf "$tmp/run" "$tmp/run-ref"
	ip netns exec $ns nft delete table inet fwctl 2>/dev/null
	"$SAMPLE" "$seed" "$RULES" "$tmp" eth1 >/dev/null || exit 99
	big4 "$seed" >>rules.fw
	ok "seed $seed: $RULES random rules applied" apply_inc
	ok "... a new table: full" grep -q "full replace: no live table" "$tmp/apply.out"
	round=1
	while [ $round -le "$ROUNDS" ]; do
		# An edit may make the file wrong (a set's last IPv6 address
		# gone under an IPv6-only rule): another then.
		cp rules.fw rules.prev
		for try in 1 2 3 4 5 6 7 8; do
			edits=$(edit "$seed$round$try" | paste -sd, -)
			"$FWCTL" check rules.fw >/dev/null 2>&1 && break
			cp rules.prev rules.fw
		done
		ok "seed $seed round $round ($edits): applied" apply_inc
		ok "... incrementally" grep -q "; incremental, " "$tmp/apply.out"
		ok "... from the cache" grep -q "(cache)" "$tmp/apply.out"
		"$FWCTL" --rundir "$tmp/run-ref" --netns $ref apply --full rules.fw >/dev/null 2>&1 ||
			{ echo "not ok - full apply of round $round"; fail=1; }
		ok "... the table is what a full apply makes" same_table
		round=$((round + 1))
	done
done
tap_end
