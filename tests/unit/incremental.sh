#!/bin/sh
# Incremental apply at the command line, in namespaces of its own: after
# packets went through, applying a file that differs in a few lines keeps
# the handles and counters of every other rule, changes only what differs,
# and leaves the table exactly as a full apply of the new file would
# (up to the FILE:LINE comments of kept rules below an inserted or deleted
# line, see fwctl(8); fwctl show says where they are now); fwctl diff
# shows the change (golden), apply --full
# replaces everything, a table not made by fwctl is replaced as a whole.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
ns=inc-$$
ref=inc-$$-ref
tmp=$(mktemp -d)
ns2=inc-$$-2
trap 'ip netns del $ns 2>/dev/null; ip netns del $ref 2>/dev/null; ip netns del $ns2 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns && ip netns add $ref && ip netns add $ns2 || exit 99
ip -n $ns link set lo up || exit 99
cd "$tmp" || exit 99
. "$top_srcdir/tests/unit/tap.sh"

base() {
	cat <<'RULES'
zone lan { interfaces lo }
set blocked = { 10.0.0.1, 10.0.0.2 }
policy input drop
drop input src @blocked counter
accept input from lan proto icmp counter
accept input proto tcp to port 22 counter
accept input proto tcp to port 80 counter
accept input proto tcp to port 80 counter
accept input proto tcp to port 443 counter
RULES
}

# The rule lines with handle and counters, comments cut ("FILE:LINE" of
# kept rules may be stale by design).
listing() { ip netns exec $1 nft -a list table inet fwctl; }
handles() { listing $1 | sed -n 's/.*# handle \([0-9]*\)$/\1/p' | sort; }
# What a full apply must equal: no handles, no counters, lines cut.
shape() {
	ip netns exec $1 nft -s list table inet fwctl |
		sed 's/comment "\([^:"]*\):[0-9]*/comment "\1:L/'
}
exact() { ip netns exec $1 nft -s list table inet fwctl; }
icmp_rule() { listing $ns | grep 'l4proto icmp counter' | sed 's/ comment "[^"]*"//'; }

# apply_case NAME: rules.fw (already written) applied to $ns
# incrementally and to $ref in full; then the checks.
apply_both() {
	"$FWCTL" --rundir "$tmp/run" --netns $ns -v apply rules.fw >"$tmp/apply.out" 2>&1 &&
		"$FWCTL" --rundir "$tmp/run-ref" --netns $ref apply --full rules.fw
}
common() { handles $ns >"$tmp/h.after"; comm -12 "$tmp/h.before" "$tmp/h.after" | wc -l; }

# case NAME LOST SAME: LOST live rules may go (a rule without a zone is
# in the base chain and in each zone's chain: it counts twice) (the others keep their
# handles), SAME is "exact" (as a full apply) or "shape" (lines cut).
case_check() {
	name=$1 lost=$2 same=$3
	before=$(wc -l <"$tmp/h.before")
	ok "$name: incremental apply" apply_both
	ok "... incremental, not a full replace" grep -q "incremental" "$tmp/apply.out"
	ok "... $lost rule(s) replaced, the others keep their handles" \
		test "$(common)" -eq $((before - lost))
	ok "... the icmp rule keeps handle and counters" \
		sh -c "test \"\$(cat '$tmp/icmp.before')\" = '$(icmp_rule)'"
	ok "... the table is what a full apply makes" \
		sh -c "test \"\$($same $ns)\" = \"\$($same $ref)\""
}

# Two ICMP echo requests to 127.0.0.1 (there is no ping here).
ping='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for i in range(2):
    s.sendto(b"\x08\x00\xf7\xff\x00\x00\x00\x00", ("127.0.0.1", 0))'

start() {	# back to the base file, counters made non-zero
	base >rules.fw
	"$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw >/dev/null 2>&1
	ip netns exec $ns python3 -c "$ping"
	handles $ns >"$tmp/h.before"
	icmp_rule >"$tmp/icmp.before"
}

start
ok "packets were counted" grep -q 'packets [1-9]' "$tmp/icmp.before"

base | sed 's/port 22 /port 2222 /' >rules.fw
ok "diff of a one-rule and one-element change (golden)" sh -c \
	"sed 's/10.0.0.2 }/10.0.0.3 }/' rules.fw >r2 && mv r2 rules.fw &&
	 '$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | sed 's/#[0-9]*/#H/g' >diff.out &&
	 diff -u '$top_srcdir/tests/unit/golden/incremental.diff' diff.out"
# diff reads the live table from the cache, and the labels of the rules
# that go by a dump of their chains: what a dump of the table gives.
diff_cached() {
	"$FWCTL" -v --rundir "$tmp/run" --netns $ns diff rules.fw >"$tmp/dc.out" &&
	grep -qx 'records: the live table from the cache; the rules that go labeled by 2 chain dumps' "$tmp/dc.out" &&
	mv "$tmp/run/table.cache" "$tmp/table.cache" || return 1
	"$FWCTL" -v --rundir "$tmp/run" --netns $ns diff rules.fw >"$tmp/dd.out"
	rc=$?
	mv "$tmp/table.cache" "$tmp/run/table.cache"
	[ $rc = 0 ] && ! grep -q '^records: the live table' "$tmp/dd.out" &&
	grep -v '^records:' "$tmp/dc.out" | cmp -s - "$tmp/dd.out"
}
ok "... from the cache: as from a dump of the table" diff_cached
case_check "change a rule and an element" 2 exact
ok "... the new rule has a new handle" sh -c \
	"listing() { ip netns exec $ns nft -a list table inet fwctl; }; h=\$(listing | sed -n 's/.*dport 2222 .*# handle //p'); ! grep -qx \"\$h\" '$tmp/h.before'"
ok "... no changes left" sh -c "'$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | grep -qx 'no changes'"

# edit NAME LOST SAME SCRIPT: the base file edited by sed SCRIPT
edit() { start; base | sed "$4" >rules.fw; case_check "$1" "$2" "$3"; }
port25='accept input proto tcp to port 25 counter'
edit "insert at the top" 0 shape "3a $port25"
edit "insert in the middle" 0 shape "6a $port25"
edit "insert at the end" 0 exact "\$a $port25"
base | sed "3a $port25" >rules.fw
ok "... the next apply reads the table from the cache" sh -c \
	"'$FWCTL' --rundir '$tmp/run' --netns $ns -v apply rules.fw | grep -q 'ms (cache)'"
case_check "... and makes what a full apply makes" 0 shape
# A rule below an inserted line is kept: its comment keeps the line it
# was made at, and fwctl show and diff say where it is now (the cache).
where443() {	# where443 [-j]: the location show gives the port 443 rule
	if [ "$1" = -j ]; then
		"$FWCTL" --rundir "$tmp/run" --netns $ns -j show | python3 -c '
import json, sys
for c in json.load(sys.stdin)["chains"]:
    for r in c["rules"]:
        if "port 443" in (r["text"] or ""):
            print(r["location"])' | sort -u
	else
		"$FWCTL" --rundir "$tmp/run" --netns $ns show |
			awk '/port 443/ { print $2 }' | sort -u
	fi
}
start
ok "show: a rule's location is its line" test "$(where443)" = rules.fw:9
base | sed "3a $port25" >rules.fw
"$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw >/dev/null 2>&1
ok "... a line inserted above it: show says the line it is on now" \
	test "$(where443)" = rules.fw:10
ok "... and so does show -j" test "$(where443 -j)" = rules.fw:10
ok "... which its comment does not: it was made at line 9" sh -c \
	"listing() { ip netns exec $ns nft list table inet fwctl; }; listing | grep 'dport 443' | grep -q 'comment \"rules.fw:9\"'"
{ echo '# two lines'; echo '# more'; base | sed "3a $port25"; } >rules.fw
"$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw >/dev/null 2>&1
ok "... two more lines above it: it is on line 12" test "$(where443)" = rules.fw:12
sed '/port 443/d' rules.fw >r2.fw && mv r2.fw rules.fw
ok "... diff of its deletion names line 12" sh -c \
	"'$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | grep -q '^- rule input #[0-9]* (rules.fw:12): accept input proto tcp to port 443'"
rm -f "$tmp/run/table.cache"
ok "... without the cache, show says where it was made" \
	test "$(where443)" = rules.fw:9
edit "delete a rule" 2 exact '/port 443/d'
edit "swap two rules" 4 exact 's/port 22 /port 4430 /; s/port 443 /port 22 /; s/port 4430 /port 443 /'
edit "a third identical rule" 0 shape '7a accept input proto tcp to port 80 counter'
edit "one identical rule less" 2 exact '8d'
edit "set elements added and removed" 0 exact 's/10.0.0.1, 10.0.0.2/10.0.0.2, 10.0.0.7, 10.0.9.0\/24/'
edit "a zone (chain) appears" 1 exact '$a zone wan { interfaces wan0 }
$a accept input from wan proto tcp to port 8443 counter'
ok "... its chain is there" sh -c "ip netns exec $ns nft list chain inet fwctl input_wan >/dev/null"
base >rules.fw
case_check "... and disappears" 1 exact
ok "... its chain is gone" sh -c "! ip netns exec $ns nft list chain inet fwctl input_wan 2>/dev/null"
start
base | sed 's/policy input drop/policy input accept/' >rules.fw
ok "a policy change: diff says so" sh -c "'$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | grep -qx '~ policy input drop -> accept'"
case_check "a policy change" 0 exact
ok "... then diff has nothing to say" sh -c "'$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | grep -qx 'no changes'"

start
base | sed 's/port 22 /port 2222 /' >rules.fw
ok "apply --full" sh -c "'$FWCTL' -v --rundir '$tmp/run' --netns $ns apply --full rules.fw >'$tmp/full.out'"
ok "... -v says so, counts every rule and times the batch" sh -c \
	"grep -q 'full replace: --full, [1-9][0-9]* changes' '$tmp/full.out' && grep -q 'batch [0-9]*\.[0-9][0-9] ms' '$tmp/full.out' && ! grep -q 'batch 0\.00 ms' '$tmp/full.out'"
ok "... and each stage of compiling" grep -Eq \
	'^compile: [0-9.]+ ms: read and parse [0-9.]+ ms, check [0-9.]+ ms, lower [0-9.]+ ms, optimize [0-9.]+ ms$' "$tmp/full.out"
ok "fwctl -v check: the kernel rules and the stages" sh -c \
	"'$FWCTL' -v check rules.fw | grep -q '^rules.fw: ok, [1-9][0-9]* kernel rules' && '$FWCTL' -v check rules.fw | grep -q '^compile: .* optimize [0-9.]* ms'"
ok "... replaces every rule: counters start again" sh -c \
	"listing() { ip netns exec $ns nft -a list table inet fwctl; }; listing | grep 'l4proto icmp counter' | grep -q 'packets 0 '"

ip netns exec $ns nft delete table inet fwctl
ip netns exec $ns nft add table inet fwctl
ip netns exec $ns nft add chain inet fwctl input
ip netns exec $ns nft add rule inet fwctl input tcp dport 1 accept
ok "a table not made by fwctl: diff says it is replaced" sh -c \
	"'$FWCTL' --rundir '$tmp/run' --netns $ns diff rules.fw | grep -q 'replaced as a whole: the live table was not made by fwctl'"
ok "... apply replaces it" "$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw
ok "... as a full apply would" sh -c "test \"\$(exact $ns)\" = \"\$(exact $ref)\""

# Many chains (70 zones): fwctl reads the rules a chain at a time (one
# dump of a big table is quadratic in the kernel); without the cache,
# the change must still be found and applied exactly.
zones() {
	for z in $(seq 70); do
		echo "zone z$z { interfaces z$z }"
		echo "accept input from z$z proto tcp to port $1 counter"
	done
}
zones 22 >rules.fw
ok "70 zones applied" "$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw
zones 22 | sed 's/from z35 proto tcp to port 22/from z35 proto tcp to port 2222/' >rules.fw
rm -f "$tmp/run/table.cache"
ok "... one rule changed, read without the cache" apply_both
ok "... incremental, the table read by dumps" sh -c \
	"grep -q incremental '$tmp/apply.out' && ! grep -q '(cache)' '$tmp/apply.out'"
ok "... as a full apply would" sh -c "test \"\$(exact $ns)\" = \"\$(exact $ref)\""
# A full apply leaves the cache too (handles counted between the echoes
# of a sample): the next apply reads no dump, and with it changes one
# rule exactly, the others keeping their handles.
ok "a full apply, then one with nothing to send, read from the cache" sh -c \
	"'$FWCTL' --rundir '$tmp/run' --netns $ns apply --full rules.fw >/dev/null &&
	 '$FWCTL' --rundir '$tmp/run' --netns $ns -v apply rules.fw >'$tmp/same.out' &&
	 grep -q 'incremental, 0 changes' '$tmp/same.out' &&
	 grep -q 'ms (cache)' '$tmp/same.out'"
# The records' files by inode: a file written anew is renamed in place.
records() {
	ls -i "$tmp/run" | grep -E ' (trees\.(base|lines|id)|table\.cache)$' |
		sort -k2
}
records_kept() {
	records >"$tmp/rec.before" &&
	"$FWCTL" --rundir "$tmp/run" --netns $ns apply rules.fw >/dev/null &&
	records | cmp - "$tmp/rec.before" &&
	test "$(wc -l <"$tmp/rec.before")" = 4
}
ok "... and again: no record is written again" records_kept
handles $ns >"$tmp/h.before"
sed 's/from z7 proto tcp to port 22 /from z7 proto tcp to port 2222 /' rules.fw >r2.fw
mv r2.fw rules.fw
ok "... one rule changed after it, read from the cache" apply_both
ok "... incremental, from the cache" sh -c \
	"grep -q incremental '$tmp/apply.out' && grep -q '(cache)' '$tmp/apply.out'"
ok "... its records written during the batch (the handles foreseen)" \
	grep -q '^records: written during the batch' "$tmp/apply.out"
# No process stays in the namespace: the one that holds apply's netlink
# socket for its slow release (nlsock_hold_spawn(); after a batch that
# deletes or replaces anything, as the full apply above) goes too.
gone() {
	for i in $(seq 50); do
		[ -z "$(ip netns pids $ns)" ] && return 0
		sleep 0.1
	done
	ip netns pids $ns | xargs -r ps -o pid,args -p
	return 1
}
ok "... no process stays in the namespace" gone
ok "... one rule replaced, the others keep their handles" \
	test "$(common)" -eq $(($(wc -l <"$tmp/h.before") - 1))
ok "... as a full apply would" sh -c "test \"\$(exact $ns)\" = \"\$(exact $ref)\""

# The live table keeps the name its file was applied by: another name of
# the same file (absolute, a symbolic link) is the same rules, a copy is
# another file.
ln -s rules.fw link.fw
ok "the same file by its absolute name: incremental, nothing to change" sh -c \
	"'$FWCTL' -v --rundir '$tmp/run' --netns $ns apply '$tmp/rules.fw' >'$tmp/path.out' && grep -q 'incremental, 0 changes' '$tmp/path.out'"
ok "... and by a symbolic link" sh -c \
	"'$FWCTL' -v --rundir '$tmp/run' --netns $ns apply link.fw >'$tmp/path.out' && grep -q 'incremental, 0 changes' '$tmp/path.out'"
cp rules.fw copy.fw
ok "... a copy is another file: the table is replaced as a whole" sh -c \
	"'$FWCTL' --rundir '$tmp/run' --netns $ns diff copy.fw | grep -q 'replaced as a whole: the live table came from another rule file'"
# ... by the name from the root: applied as "rules.fw" here, the file is
# still the same seen from another directory, and status names it so.
from_elsewhere() {
	"$FWCTL" --rundir "$tmp/run" --netns $ns apply --full rules.fw &&
	"$FWCTL" --rundir "$tmp/run" --netns $ns status |
		grep -q "source $tmp/rules.fw" &&
	(cd / && "$FWCTL" -v --rundir "$tmp/run" --netns $ns apply \
		"$tmp/rules.fw") >"$tmp/path.out" &&
	grep -q 'incremental, 0 changes' "$tmp/path.out"
}
ok "... the live table names its file from the root, found from anywhere" \
	from_elsewhere
# Two applies at once into two namespaces, with one run directory (as
# with the default one): each writes its records in turn (records.lock),
# and each then believes only its own; so an apply after them still
# makes what a full apply makes, whichever wrote last.
base >v1.fw
base | sed 's/port 443 /port 8443 /; s/10.0.0.2 }/10.0.0.9 }/' >v2.fw
at_once() {	# at_once FILE-FOR-NS FILE-FOR-NS2
	cp "$1" a.fw && cp "$2" b.fw &&
	{ "$FWCTL" --rundir "$tmp/shared" --netns $ns apply a.fw >/dev/null & } &&
	"$FWCTL" --rundir "$tmp/shared" --netns $ns2 apply b.fw >/dev/null &&
	wait $!
}
races() {
	cp v2.fw a.fw && "$FWCTL" --rundir "$tmp/run-ref" --netns $ref apply --full a.fw >/dev/null || return 1
	for i in 1 2 3 4 5 6; do
		at_once v1.fw v2.fw && at_once v2.fw v1.fw || return 1
		[ "$(exact $ns)" = "$(exact $ref)" ] || { echo "round $i: not what a full apply makes"; return 1; }
	done
	ls "$tmp/shared" | grep -E '\.(tmp|new)$' && return 1
	return 0
}
ok "two applies at once, one run directory: each as a full apply, nothing left aside" races

# While another apply writes records (it holds records.lock), an apply
# neither waits nor writes any: the records left describe an older
# state, and the next apply reads the live table back instead.
held() {
	cp v1.fw a.fw && "$FWCTL" --rundir "$tmp/shared" --netns $ns apply a.fw >/dev/null &&
	cp v2.fw a.fw && flock -o "$tmp/shared/records.lock" \
		"$FWCTL" -v --rundir "$tmp/shared" --netns $ns apply a.fw >"$tmp/held.out" &&
	grep -q 'incremental' "$tmp/held.out" &&
	! grep -q '^records:' "$tmp/held.out" &&
	! ls "$tmp/shared" | grep -E '\.(tmp|new)$'
}
ok "an apply while another writes the records: it writes none" held
ok "... the next reads the live table back, and makes what a full apply makes" sh -c \
	"'$FWCTL' -v --rundir '$tmp/shared' --netns $ns apply a.fw >'$tmp/next.out' &&
	 grep -q 'incremental, 0 changes' '$tmp/next.out' && ! grep -q '(cache)' '$tmp/next.out' &&
	 test \"\$(ip netns exec $ns nft -s list table inet fwctl)\" = \"\$(ip netns exec $ref nft -s list table inet fwctl)\""

# Records of an older generation (live_renew.c): after another table's
# commit they are believed again, the table read back being what they
# say; not after another tool added an element to fwctl's set, which
# the apply then takes out.
renew_apply() {	# renew_apply WHAT: an apply says its records were WHAT
	"$FWCTL" -v --rundir "$tmp/renew" --netns $ns2 apply rules.fw >"$tmp/renew.out" &&
	grep -q "^records: of an older generation .*, $1\$" "$tmp/renew.out"
}
base >rules.fw
"$FWCTL" --rundir "$tmp/renew" --netns $ns2 apply rules.fw &&
	"$FWCTL" --rundir "$tmp/run-ref" --netns $ref apply --full rules.fw &&
	ip netns exec $ns2 nft add table ip other || exit 99
ok "another table's commit: the records renewed" renew_apply 'unchanged: renewed'
ok "... and the apply read the table from them" grep -q 'ms (cache)' "$tmp/renew.out"
ip netns exec $ns2 nft add element inet fwctl blocked_v4 '{ 10.9.9.9 }' || exit 99
ok "an element added to fwctl's set by another tool: not believed" \
	renew_apply 'changed since: not believed'
ok "... the apply took it out: as a full apply makes it" sh -c \
	"test \"\$(exact $ns2)\" = \"\$(exact $ref)\""
# A dormant table filters nothing: another tool's flag is undone.
ip netns exec $ns2 nft add table inet fwctl '{ flags dormant; }' || exit 99
ok "a table made dormant by another tool: status says so" sh -c \
	"'$FWCTL' --netns $ns2 status | grep -q '^table inet fwctl: present, DORMANT'"
ok "... not believed" renew_apply 'changed since: not believed'
ok "... the table replaced, as a full apply makes it: not dormant" sh -c \
	"grep -q 'full replace: the live table is dormant' '$tmp/renew.out' &&
	 test \"\$(exact $ns2)\" = \"\$(exact $ref)\""
# A set whose elements expire changes unseen: its elements are not
# compared to renew the records, and the apply after reads them back.
printf 'set t = { 192.0.2.1, 192.0.2.5 } timeout 1h\npolicy input accept\ndrop input src @t\n' >rules.fw
t_elems() { ip netns exec $1 nft list set inet fwctl t_v4 | sed -n 's/ expires [^ ,}]*//g; s/^.*elements = //p'; }
"$FWCTL" --rundir "$tmp/renew" --netns $ns2 apply rules.fw >/dev/null &&
	ip netns exec $ns2 nft add table ip other2 || exit 99
ok "a set with a timeout: records renewed after another table's commit" \
	renew_apply 'unchanged: renewed'
ip netns exec $ns2 nft add element inet fwctl t_v4 '{ 192.0.2.9 }' || exit 99
ok "... and after another tool's element in it" renew_apply 'unchanged: renewed'
taken_out() {
	grep -q 'incremental, 1 changes' "$tmp/renew.out" &&
	test "$(t_elems $ns2)" = '{ 192.0.2.1, 192.0.2.5 }'
}
ok "... which the apply read back and took out" taken_out

# A big set (elems_record.h): the elements it was committed with are kept
# beside the cache, and a change of one of them is diffed against those,
# not against all of them read back; a damaged record is read back.
bigset() {	# bigset FIRST: 1,500 prefixes and ranges, and a port set
	awk -v first="$1" 'BEGIN {
		printf "set big = { %s", first
		for (i = 1; i <= 1500; i++)
			printf ", 10.%d.%d.0/%d", int(i / 100), i % 100 * 2,
			       i % 3 ? 24 : 25
		printf ", 172.16.0.1-172.16.3.7 }\nset ports = { 1"
		for (i = 2; i <= 1100; i++)
			printf ", %d", i * 7
		print " }"
		print "policy input accept"
		print "drop input src @big"
		print "drop input proto tcp to port @ports"
	}'
}
big_apply() {	# big_apply: rules.fw into $ns2 (-v in big.out) and in full into $ref
	"$FWCTL" -v --rundir "$tmp/big" --netns $ns2 apply rules.fw >"$tmp/big.out" &&
	"$FWCTL" --rundir "$tmp/run-ref" --netns $ref apply --full rules.fw &&
	test "$(exact $ns2)" = "$(exact $ref)"
}
from_records() { grep -q '^records: the live elements of 1 changed set, not read back$' "$tmp/big.out"; }
bigset 192.0.2.1 >rules.fw
ok "a set of 1,500 elements and one of 1,100 ports" big_apply
ok "... their elements recorded" test -s "$tmp/big/sets/big_v4" -a -s "$tmp/big/sets/ports"
bigset 192.0.2.99 >rules.fw
# fwctl diff takes the live elements from the record too, and says what
# a diff that reads them back says.
big_diff() {
	"$FWCTL" -v --rundir "$tmp/big" --netns $ns2 diff rules.fw >"$tmp/bigdiff.out" &&
	"$FWCTL" --rundir "$tmp/none" --netns $ns2 diff rules.fw >"$tmp/bigdiff.ref" &&
	grep -qx -- '- element set big_v4: 192.0.2.1' "$tmp/bigdiff.ref" &&
	grep -qx -- '+ element set big_v4: 192.0.2.99' "$tmp/bigdiff.ref" &&
	grep -v '^records:' "$tmp/bigdiff.out" | cmp -s - "$tmp/bigdiff.ref" &&
	grep -qx 'records: the live elements of 1 changed set, not read back' "$tmp/bigdiff.out"
}
ok "diff of one element changed: from the record, as read back" big_diff
ok "one element changed: as a full apply makes it" big_apply
ok "... the live elements from the record, not read back" from_records
ok "... two changes sent" grep -q 'incremental, 2 changes' "$tmp/big.out"
bigset 192.0.2.1 | sed 's/, 7700 }/ }/; s/10\.3\.4\.0\/24/10.3.4.128\/25/' >rules.fw
ok "a port gone, a prefix halved: as a full apply makes it" big_apply
bigset 192.0.2.1 >rules.fw
ok "... and back" big_apply
bigset 192.0.2.5 >rules.fw
printf 'X' | dd of="$tmp/big/sets/big_v4" bs=1 seek=900 conv=notrunc 2>/dev/null || exit 99
# diff checks a record as apply does: a damaged one is not believed
damaged_diff() {
	"$FWCTL" -v --rundir "$tmp/big" --netns $ns2 diff rules.fw >"$tmp/bigdiff.out" &&
	"$FWCTL" --rundir "$tmp/none" --netns $ns2 diff rules.fw >"$tmp/bigdiff.ref" &&
	grep -qx -- '+ element set big_v4: 192.0.2.5' "$tmp/bigdiff.ref" &&
	grep -v '^records: the live table from the cache' "$tmp/bigdiff.out" |
		cmp -s - "$tmp/bigdiff.ref"
}
ok "a damaged record: diff reads the elements back" damaged_diff
ok "a damaged record: the elements read back, as a full apply makes it" \
	big_apply
ok "... not from the record" sh -c "! grep -q '^records: the live elements' '$tmp/big.out'"
# fwctl flush takes the records with the table: none is left to be found
# out of date, and the next apply says there are none (only that it wrote
# the new ones during its batch).
flushed() {
	"$FWCTL" --rundir "$tmp/big" --netns $ns2 flush &&
	! ls "$tmp/big" | grep -E '^(table|trees|sets)' &&
	"$FWCTL" -v --rundir "$tmp/big" --netns $ns2 apply rules.fw >"$tmp/big.out" &&
	grep -q 'full replace: no live table' "$tmp/big.out" &&
	grep -qx 'records: written during the batch, for the handles the kernel then gave' "$tmp/big.out" &&
	! grep '^records:' "$tmp/big.out" | grep -qv 'written during the batch' &&
	test -s "$tmp/big/sets/big_v4" && test -s "$tmp/big/table.cache"
}
ok "flush removes the records; the apply after writes them anew" flushed
# A damaged live cache is not believed: a chain's policy there that reads
# as the file's new one would leave the old policy live.
policy_file() { printf 'policy input %s\naccept input proto tcp to port 22\n' "$1" >pol.fw; }
damaged_cache() {
	policy_file drop &&
	"$FWCTL" --rundir "$tmp/pol" --netns $ns apply pol.fw &&
	grep -aq '^chain input 1 1 0 0 ' "$tmp/pol/table.cache" &&
	sed -i 's/^chain input 1 1 0 0 /chain input 1 1 0 1 /' "$tmp/pol/table.cache" &&
	policy_file accept &&
	"$FWCTL" -v --rundir "$tmp/pol" --netns $ns apply pol.fw >"$tmp/pol.out" &&
	! grep -q '(cache)' "$tmp/pol.out" &&
	listing $ns | grep -q 'hook input .* policy accept;'
}
ok "a damaged live cache: the table read back, the policy changed" damaged_cache
tap_end
