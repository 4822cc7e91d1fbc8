#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The suite inside the VM (run by tests/vm/init in a chroot of the host's
# /): loads fwhook.ko, runs each t-NAME.sh, then the benchmark, and
# prints one FWVM line per test and a summary for the host.
VM=$top_srcdir/tests/vm
export top_srcdir top_builddir
cd /tmp || exit 1

modprobe -a nf_tables nf_conntrack nft_ct nft_queue nfnetlink_queue veth \
	nf_conntrack_netlink nft_compat xt_NFQUEUE 2>&1
insmod "$top_builddir/kmod/fwhook.ko" || { echo "FWVM cannot load fwhook.ko"; exit 1; }

# The first packet conntrack hashes (and fwhook's first session) flips a
# get_random_once static key, and the kernel patches its own code while
# the packet path runs. Under emulation that once locked both CPUs up
# (1 run in ~100 of the suites: soft lockups with both CPUs trapping int3
# at the patched site in nf_conntrack's hash_conntrack_raw, fwhook not on
# the stack). So one namespace takes that path alone first, and the
# patching finishes while nothing else runs.
"$top_builddir/tests/vm/nsstress" 1 1 >/dev/null ||
	echo "FWVM warm-up: nsstress 1 1 failed"
sleep 1

wanted() { case ",$FWVM_ONLY," in *,all,*|*,$1,*) return 0;; esac; return 1; }

pass=0
fail=0
for t in basic fuzz netns datapath scenarios rmmod; do
	wanted "$t" || continue
	echo "FWVM-TEST $t"
	if sh "$VM/t-$t.sh"; then
		echo "FWVM-PASS $t"
		pass=$((pass + 1))
	else
		echo "FWVM-FAIL $t"
		fail=$((fail + 1))
	fi
done
if wanted bench; then
	echo "FWVM-TEST bench"
	grep -q '^fwhook ' /proc/modules || insmod "$top_builddir/kmod/fwhook.ko"
	sh "$VM/bench.sh" || { echo "FWVM-FAIL bench"; fail=$((fail + 1)); }
fi
echo "FWVM-SUMMARY pass=$pass fail=$fail"
[ "$fail" = 0 ]
