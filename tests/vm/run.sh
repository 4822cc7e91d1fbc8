#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fwhook.ko in QEMU (software emulation): builds an initramfs from the
# host's busybox and the guest kernel's 9p modules, boots Debian's
# linux-image with the host's / shared read-only, runs tests/vm/guest.sh
# there and returns its result. Any WARN, BUG, oops, refcount or KASAN
# line in the guest's kernel log fails the run. A soft lockup panics the
# guest at once, with every CPU's stack on the console (loglevel 5 shows
# warnings), instead of hanging until the timeout with nothing to read.
#
# Needs: qemu-system-x86_64, busybox (static), cpio, a kernel image
# matching KERNEL_DIR (the headers fwhook.ko was built with), root.
# FWVM_ONLY="basic fuzz ..." runs only those guest tests.
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root"
# make distcheck builds the module from the tarball; the guest suite
# already ran in the main make check (scripts/test sets this).
[ -z "$FWVM_SKIP" ] || skip "FWVM_SKIP is set: $FWVM_SKIP"
for p in qemu-system-x86_64 busybox cpio; do
	command -v $p >/dev/null || skip "no $p (scripts/deps installs it)"
done
[ -n "$KERNEL_DIR" ] || skip "no kernel headers (configure found none)"
kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	"$KERNEL_DIR/include/generated/utsrelease.h" 2>/dev/null)
[ -n "$kver" ] || skip "no kernel release in $KERNEL_DIR"
image=/boot/vmlinuz-$kver
[ -r "$image" ] || skip "no kernel image $image (linux-image-amd64)"
[ -d "/lib/modules/$kver/kernel" ] || skip "no modules for $kver"
ko=$top_builddir/kmod/fwhook.ko
[ -f "$ko" ] || skip "fwhook.ko was not built"
case $(file -L "$(command -v busybox)") in
*static*) ;; *) skip "busybox is not static (busybox-static)";;
esac

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP

# initramfs: busybox, the modules for virtio + 9p in dependency order.
root=$TMP/root
mkdir -p "$root/bin" "$root/mods" "$root/proc" "$root/sys" "$root/dev" \
	"$root/host"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh mount mkdir insmod cat chroot poweroff dmesg uname nproc \
	printf chmod; do
	ln -s busybox "$root/bin/$a"
done
modprobe -a -S "$kver" --show-depends virtio_pci 9pnet_virtio 9p 2>/dev/null |
awk '$1 == "insmod" { print $2 }' | while read -r m; do
	grep -qx "$(basename "$m")" "$root/mods/order" 2>/dev/null && continue
	cp "$m" "$root/mods/"
	basename "$m" >>"$root/mods/order"
done
[ -s "$root/mods/order" ] || skip "cannot resolve the 9p modules of $kver"
# Compressed modules: busybox insmod reads plain ELF only.
for m in "$root"/mods/*.ko.xz; do
	[ -e "$m" ] || break
	xz -d "$m"
done
sed -i 's/\.ko\.xz$/.ko/' "$root/mods/order"
cp "$top_srcdir/tests/vm/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) \
	>"$TMP/initrd.gz"

only=$(echo "${FWVM_ONLY:-all}" | tr ' ' ,)
echo "booting $kver under qemu (TCG), suite: $only"
timeout 1500 qemu-system-x86_64 -m 1024 -smp 2 -nographic -no-reboot \
	-kernel "$image" -initrd "$TMP/initrd.gz" \
	-append "console=ttyS0 loglevel=5 panic=-1 oops=panic softlockup_panic=1 softlockup_all_cpu_backtrace=1 fwvm.src=$top_srcdir fwvm.build=$top_builddir fwvm.only=$only" \
	-fsdev local,id=h,path=/,readonly=on,security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=h,mount_tag=host \
	</dev/null 2>&1 | sed -u 's/\r//g' | tee "$TMP/console"

# The guest's kernel log comes last and is long: what failed is repeated
# below it, each line with its guest test, where a log's tail shows it.
awk '/^FWVM-TEST / { t = $2 }
     /^FAIL: |^not ok |^\(once more\)|^FWVM-FAIL|^FWVM-SUMMARY|^FWVM cannot|^FWVM-BENCH/ {
	print "digest: " t ": " $0 }' "$TMP/console"
rc=$(sed -n 's/^FWVM-END rc=\([0-9]*\).*/\1/p' "$TMP/console")
[ -n "$rc" ] || { echo "FAIL: the guest did not finish"; exit 1; }
bad=$(sed -n '/^FWVM-DMESG-BEGIN/,/^FWVM-DMESG-END/p' "$TMP/console" |
	grep -E 'WARNING:|BUG[: ]|Oops|refcount_t|KASAN|UBSAN|Call Trace|general protection|RCU stall|blocked for more than|list_(add|del) corruption')
if [ -n "$bad" ]; then
	echo "FAIL: the guest kernel complained:"
	echo "$bad"
	exit 1
fi
echo "guest suite exit status: $rc"
[ "$rc" = 0 ] && exit 0
[ "$rc" = 77 ] && exit 77
exit 1
