#!/usr/bin/env bash
# timeout: 300
# The Debian packages (make deb, docs/install.md): their control fields and
# contents (dpkg-deb), lintian (no errors), the man pages, the example
# configuration (xl -N), the GRUB script run by the real grub-mkconfig
# against a fake /boot in a private mount namespace, pvx-domains against a
# fake xl, and install, upgrade, remove and purge with dpkg --root in a
# scratch root (busybox as its /bin/sh), which must leave no file behind.
# No network, no QEMU.  KEEP=1 keeps the work directory (/tmp/pvx-packages.*).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
WORK=$(mktemp -d /tmp/pvx-packages.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
PASS=0
FAIL=0

ok() {
    PASS=$((PASS + 1))
    echo "PASS $1"
}
ko() {
    FAIL=$((FAIL + 1))
    echo "FAIL $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     | /'
    return 0
}
# check NAME CMD...: passes when CMD succeeds.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else ko "$name" "$out"; fi
}
# expect_eq NAME EXPECTED CMD...: passes when CMD prints EXPECTED.
expect_eq() {
    local name=$1 want=$2 got
    shift 2
    got=$("$@" 2>&1)
    if [ "$got" = "$want" ]; then ok "$name"; else ko "$name" "expected: $want
got:      $got"; fi
}
# As root here, or as root of a user namespace.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else unshare -r "$@"; fi
}

if ! make -s deb >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    echo "make deb failed"
    echo "0 passed, 1 failed"
    exit 1
fi
VERSION=$(sed -n 's/^#define PVX_VERSION_STR *"\(.*\)"/\1/p' hypervisor/include/pvx/version.h)
HYP=build/deb/pvx-hypervisor_${VERSION}_amd64.deb
UTILS=build/deb/pvx-utils_${VERSION}_amd64.deb
check "make deb made $HYP" test -s "$HYP"
check "make deb made $UTILS" test -s "$UTILS"

# ---- control fields ----
field() { dpkg-deb -f "$1" "$2"; }
for deb in "$HYP" "$UTILS"; do
    p=$(field "$deb" Package)
    expect_eq "$p: Version is version.h's" "$VERSION" field "$deb" Version
    expect_eq "$p: Architecture" amd64 field "$deb" Architecture
    for f in Maintainer Section Priority Installed-Size Description; do
        check "$p: has $f" test -n "$(field "$deb" "$f")"
    done
done
expect_eq "pvx-hypervisor: Section kernel" kernel field "$HYP" Section
expect_eq "pvx-utils: Section admin" admin field "$UTILS" Section
check "pvx-utils: Depends on libc6 (dpkg-shlibdeps)" bash -c "dpkg-deb -f '$UTILS' Depends | grep -q 'libc6 (>= '"
for rel in Conflicts Replaces; do
    expect_eq "pvx-utils: $rel Debian's xl and xenstore tools" "xen-utils-common, xenstore-utils" \
        field "$UTILS" "$rel"
done
expect_eq "pvx-utils: Provides xenstore-utils" xenstore-utils field "$UTILS" Provides

# ---- contents ----
dpkg-deb -c "$HYP" | awk '{print $1, $6}' >"$WORK/hyp.list"
dpkg-deb -c "$UTILS" | awk '{print $1, $6, $7, $8}' >"$WORK/utils.list"
has() { grep -qE "$2" "$WORK/$1.list"; }
check "pvx image in /boot" has hyp "^-rw-r--r-- ./boot/pvx-${VERSION}-amd64$"
check "GRUB script, executable" has hyp '^-rwxr-xr-x ./etc/grub.d/20_linux_pvx$'
check "GRUB settings" has hyp '^-rw-r--r-- ./etc/default/grub.d/pvx.cfg$'
for f in usr/sbin/xl usr/sbin/xenstored usr/sbin/pvxconsoled usr/sbin/pvx-lifecycled \
    usr/sbin/pvx-migrate usr/bin/pvxconsole usr/bin/xenstore usr/lib/pvx/pvx-domains \
    usr/lib/pvx/pvx-dom0; do
    check "pvx-utils: /$f, executable" has utils "^-rwxr-xr-x ./$f "
done
check "pvx-utils: xenstore-read links to xenstore" has utils '^lrwxrwxrwx ./usr/bin/xenstore-read -> xenstore$'
for u in pvx-xenstored pvx-consoled pvx-lifecycled pvx-domains; do
    check "pvx-utils: $u.service" has utils "^-rw-r--r-- ./lib/systemd/system/$u.service "
done
for f in etc/pvx/xl.conf etc/pvx/example.cfg etc/default/pvx-domains usr/lib/modules-load.d/pvx.conf \
    usr/share/man/man1/xl.1.gz usr/share/man/man5/xl.cfg.5.gz usr/share/doc/pvx-utils/copyright; do
    check "pvx-utils: /$f" has utils "^-rw-r--r-- ./$f "
done
check "pvx-utils: /etc/pvx/auto/ (empty)" has utils '^drwxr-xr-x ./etc/pvx/auto/ '
dpkg-deb -e "$UTILS" "$WORK/utils-ctl"
dpkg-deb -e "$HYP" "$WORK/hyp-ctl"
expect_eq "pvx-utils: conffiles" $'/etc/default/pvx-domains\n/etc/pvx/example.cfg\n/etc/pvx/xl.conf' \
    cat "$WORK/utils-ctl/conffiles"
expect_eq "pvx-hypervisor: conffiles" $'/etc/default/grub.d/pvx.cfg\n/etc/grub.d/20_linux_pvx' \
    cat "$WORK/hyp-ctl/conffiles"
check "pvx-utils: md5sums match the files" bash -c "cd '$WORK' && mkdir x && dpkg-deb -x '$ROOT/$UTILS' x && cd x && md5sum --quiet -c ../utils-ctl/md5sums"
check "modules-load.d names the dom0 modules" bash -c \
    "for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback loop bridge; do grep -qx \$m '$WORK/x/usr/lib/modules-load.d/pvx.conf' || exit 1; done"

# ---- hardening: the packaged programs are built with dpkg-buildflags' flags ----
# (hardening=+all, make deb): PIE, full RELRO (GNU_RELRO and BIND_NOW), the
# stack protector (__stack_chk_fail) and _FORTIFY_SOURCE (__*_chk).
hardened() {
    local f=$1 why=""
    readelf -hW "$f" | grep -q 'Type: *DYN' || why="$why not-PIE"
    readelf -dW "$f" | grep -q 'FLAGS_1).*PIE' || why="$why no-PIE-flag"
    readelf -lW "$f" | grep -q GNU_RELRO || why="$why no-GNU_RELRO"
    readelf -dW "$f" | grep -q 'BIND_NOW' || why="$why no-BIND_NOW"
    readelf --dyn-syms -W "$f" | grep -q ' __stack_chk_fail' || why="$why no-stack-protector"
    readelf --dyn-syms -W "$f" | grep -qE ' __[a-z]+_chk(@|$)' || why="$why no-fortify"
    [ -z "$why" ] || {
        echo "$f:$why"
        return 1
    }
}
for f in usr/sbin/xl usr/sbin/xenstored usr/sbin/pvxconsoled usr/sbin/pvx-lifecycled \
    usr/sbin/pvx-migrate usr/bin/pvxconsole usr/bin/xenstore; do
    check "hardened: /$f (PIE, relro, now, stack protector, fortify)" hardened "$WORK/x/$f"
done

# ---- the systemd units (in the extracted package, with the host's targets) ----
V=$WORK/x
for t in /lib/systemd/system/*.target /lib/systemd/system/systemd-modules-load.service; do
    cp "$t" "$V/lib/systemd/system/" 2>/dev/null
done
check "systemd-analyze verify of the units" systemd-analyze verify --man=no --root="$V" \
    /lib/systemd/system/pvx-xenstored.service /lib/systemd/system/pvx-consoled.service \
    /lib/systemd/system/pvx-lifecycled.service /lib/systemd/system/pvx-domains.service
check "every unit starts only where Linux runs on Xen's interface, and only in pvx's dom0" bash -c \
    "for u in '$V'/lib/systemd/system/pvx-*.service; do grep -qx 'ConditionPathExists=/proc/xen' \$u && grep -qx 'ExecCondition=/usr/lib/pvx/pvx-dom0 is-dom0' \$u || exit 1; done"
check "console and lifecycle daemons come after xenstored" bash -c \
    "grep -qx 'After=pvx-xenstored.service' '$V/lib/systemd/system/pvx-consoled.service' && grep -q '^After=pvx-xenstored.service pvx-consoled.service' '$V/lib/systemd/system/pvx-lifecycled.service'"
check "pvx-domains comes after the daemons (so it stops before them)" \
    grep -q '^After=pvx-xenstored.service pvx-consoled.service pvx-lifecycled.service' "$V/lib/systemd/system/pvx-domains.service"
check "pvx-dom0 is-dom0 says no outside pvx's dom0 (here)" bash -c "! '$V/usr/lib/pvx/pvx-dom0' is-dom0"

# ---- lintian ----
lintian --tag-display-limit 0 "$HYP" "$UTILS" >"$WORK/lintian.out" 2>&1
sed 's/^/     | /' "$WORK/lintian.out"
check "lintian: no errors" bash -c "! grep -q '^E: ' '$WORK/lintian.out'"
check "lintian: no warnings" bash -c "! grep -q '^W: ' '$WORK/lintian.out'"
lintian --info --pedantic --tag-display-limit 0 "$UTILS" >"$WORK/lintian-i.out" 2>&1
check "lintian --info --pedantic: no hardening-* tag on pvx-utils" bash -c "! grep 'hardening-' '$WORK/lintian-i.out'"

# ---- man pages: rendered without groff warnings other than line breaking ----
for m in man1/xl.1.gz man5/xl.cfg.5.gz man8/xenstored.8.gz man8/pvxconsoled.8.gz man8/pvx-migrate.8.gz; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$WORK/x/usr/share/man/$m" \
        >"$WORK/man.out" 2>"$WORK/man.err"
    grep -v "can't break line\|cannot adjust line" "$WORK/man.err" >"$WORK/man.err2"
    check "man page $m renders cleanly" test ! -s "$WORK/man.err2"
done
check "xl(1) has its NAME line" bash -c "MANWIDTH=80 man -l '$WORK/x/usr/share/man/man1/xl.1.gz' 2>/dev/null | grep -q 'xl - manage pvx domains'"
check "pvxconsole(1), pvx-lifecycled(8), xenstore(1) include other pages" bash -c \
    "cd '$WORK/x/usr/share/man' && zcat man1/pvxconsole.1.gz | grep -qx '.so man8/pvxconsoled.8' && zcat man8/pvx-lifecycled.8.gz | grep -qx '.so man1/xl.1' && zcat man1/xenstore.1.gz | grep -qx '.so man8/xenstored.8' && test \"\$(readlink man1/xenstore-read.1.gz)\" = xenstore.1.gz"
check "xl.cfg(5) explains the disk specs" bash -c "MANWIDTH=80 man -l '$WORK/x/usr/share/man/man5/xl.cfg.5.gz' 2>/dev/null | grep -q 'DISK SPECS'"

# ---- the example configuration is valid for xl's parser ----
expect_eq "xl -N create accepts /etc/pvx/example.cfg" 'name="example"' \
    bash -c "'$WORK/x/usr/sbin/xl' -N create -q '$WORK/x/etc/pvx/example.cfg' | grep -o '^name=\"[a-z]*\"'"
printf 'name = "bad"\nmemory = lots\n' >"$WORK/bad.cfg"
check "xl -N create refuses a bad configuration" bash -c "! '$WORK/x/usr/sbin/xl' -N create -q '$WORK/bad.cfg'"

# ---- the GRUB script, through the real grub-mkconfig ----
# A private mount namespace shows grub-mkconfig a fake /boot, /etc/grub.d
# (only our script) and /etc/default, and stubs for grub-probe (the root
# device) and grub-mkrelpath (paths as they are); everything else is real.
G=$WORK/grub
mkdir -p "$G/boot" "$G/grub.d" "$G/default/grub.d" "$G/stub"
dpkg-deb -x "$HYP" "$G/pkg"
cp "$G/pkg/etc/grub.d/20_linux_pvx" "$G/grub.d/"
# GRUB's own header (the default entry, the terminal); not Debian's other entries.
cp /etc/grub.d/00_header "$G/grub.d/" 2>/dev/null
cp "$G/pkg/boot/pvx-${VERSION}-amd64" "$G/boot/"
cp "$G/pkg/boot/pvx-${VERSION}-amd64" "$G/boot/pvx-${VERSION}-amd64.dpkg-old"
for k in 6.1.0-7-amd64 6.1.0-10-amd64; do
    echo kernel >"$G/boot/vmlinuz-$k"
    printf 'CONFIG_XEN=y\nCONFIG_XEN_DOM0=y\n' >"$G/boot/config-$k"
    echo initrd >"$G/boot/initrd.img-$k"
done
echo kernel >"$G/boot/vmlinuz-5.10.0-nodom0"
printf 'CONFIG_XEN=y\n# CONFIG_XEN_DOM0 is not set\n' >"$G/boot/config-5.10.0-nodom0"
echo kernel >"$G/boot/vmlinuz-6.1.0-noinitrd"
printf 'CONFIG_XEN_DOM0=y\n' >"$G/boot/config-6.1.0-noinitrd"
printf 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=Debian\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="rootopt=1"\nGRUB_TERMINAL=console\n' \
    >"$G/default/grub"
cat >"$G/stub/grub-probe" <<'EOF'
#!/bin/sh
# grub-probe for the test: / and /boot are /dev/sda1, ext2, msdos partition 1.
for a in "$@"; do
    case "$a" in
    --target=device) echo /dev/sda1 ;;
    --target=fs) echo ext2 ;;
    --target=fs_uuid) echo 0123abcd-0000-4000-8000-000000000001 ;;
    --target=partmap) echo msdos ;;
    --target=abstraction | --target=partuuid | --target=cryptodisk_uuid) ;;
    --target=compatibility_hint) echo hd0,msdos1 ;;
    --target=hints_string) echo "--hint-bios=hd0,msdos1" ;;
    --target=*) exit 1 ;;
    esac
done
exit 0
EOF
printf '#!/bin/sh\necho "$1"\n' >"$G/stub/grub-mkrelpath"
chmod +x "$G/stub/"*
# mkconfig OUT [PVX-CFG]: grub-mkconfig's output with the package's pvx.cfg
# (or the given one).
mkconfig() {
    cp "${2:-$G/pkg/etc/default/grub.d/pvx.cfg}" "$G/default/grub.d/pvx.cfg"
    as_root unshare -m sh -c '
        set -e
        G=$1
        mount --make-rprivate / 2>/dev/null || true
        mount --bind "$G/boot" /boot
        mount --bind "$G/grub.d" /etc/grub.d
        mount --bind "$G/default" /etc/default
        mount --bind "$G/stub/grub-probe" "$(command -v grub-probe || echo /usr/sbin/grub-probe)"
        mount --bind "$G/stub/grub-mkrelpath" /usr/bin/grub-mkrelpath
        grub-mkconfig -o "$2"' sh "$G" "$1" >"$1.log" 2>&1
}
if ! command -v grub-mkconfig >/dev/null; then
    ko "grub-mkconfig is installed (grub-common)"
elif mkconfig "$G/grub.cfg"; then
    ok "grub-mkconfig with 20_linux_pvx (and grub-script-check of its output)"
    C=$G/grub.cfg
    entries() { grep -c "^[[:space:]]*menuentry '$1'" "$C"; }
    expect_eq "one top entry 'Debian GNU/Linux, with pvx'" 1 entries "Debian GNU/Linux, with pvx"
    expect_eq "one entry per dom0 kernel (3), none for a kernel without CONFIG_XEN_DOM0" 3 \
        entries "Debian GNU/Linux, with pvx ${VERSION}-amd64 and Linux [^' ]*"
    expect_eq "a recovery entry per kernel" 3 entries "Debian GNU/Linux, with pvx .*(recovery mode)"
    check "no entry for the .dpkg-old image or the non-dom0 kernel" bash -c "! grep -q 'dpkg-old\|nodom0' '$C'"
    check "the entries are in a submenu" grep -q "^submenu 'Advanced options for Debian GNU/Linux (with pvx)'" "$C"
    # The top entry: newest kernel (6.1.0-10 sorts after 6.1.0-7).
    sed -n "/^menuentry 'Debian GNU\/Linux, with pvx'/,/^}/p" "$C" >"$G/top"
    sed 's/^/     | /' "$G/top"
    check "top entry: multiboot2 pvx with GRUB_CMDLINE_PVX" \
        grep -qxP "\tmultiboot2 /boot/pvx-${VERSION}-amd64 dom0_mem=1024M" "$G/top"
    check "top entry: newest kernel as module2, its name, root, dom0's options" \
        grep -qxP "\tmodule2 /boot/vmlinuz-6.1.0-10-amd64 vmlinuz-6.1.0-10-amd64 root=/dev/sda1 ro rootopt=1 console=hvc0 quiet" "$G/top"
    check "top entry: its initrd as module2 --nounzip" \
        grep -qxP "\tmodule2 --nounzip /boot/initrd.img-6.1.0-10-amd64 initrd.img-6.1.0-10-amd64" "$G/top"
    check "top entry: GRUB finds /boot (search by UUID)" grep -q 'search --no-floppy --fs-uuid --set=root.*0123abcd' "$G/top"
    check "older kernel's entry" grep -qP "^\t\tmodule2 /boot/vmlinuz-6.1.0-7-amd64 vmlinuz-6.1.0-7-amd64 root=/dev/sda1 ro rootopt=1 console=hvc0 quiet$" "$C"
    check "a kernel without initrd: no initrd module" bash -c \
        "sed -n \"/and Linux 6.1.0-noinitrd'/,/}/p\" '$C' | grep -q 'module2 /boot/vmlinuz-6.1.0-noinitrd' && ! sed -n \"/and Linux 6.1.0-noinitrd'/,/}/p\" '$C' | grep -q initrd.img"
    check "recovery entry: single, no GRUB_CMDLINE_LINUX_DEFAULT" grep -qP \
        "^\t\tmodule2 /boot/vmlinuz-6.1.0-10-amd64 vmlinuz-6.1.0-10-amd64 root=/dev/sda1 ro single rootopt=1 console=hvc0$" "$C"
    # Every variable of pvx.cfg, and the default entry.
    sed -e 's/^GRUB_CMDLINE_PVX_DEFAULT=.*/GRUB_CMDLINE_PVX_DEFAULT="loglvl=all"/' \
        -e 's/^#GRUB_CMDLINE_LINUX_PVX_DEFAULT=.*/GRUB_CMDLINE_LINUX_PVX_DEFAULT="earlyprintk=xen"/' \
        -e 's/^GRUB_CMDLINE_PVX=.*/GRUB_CMDLINE_PVX="dom0_mem=2G console=com2"/' \
        -e 's/^PVX_OVERRIDE_GRUB_DEFAULT=0/PVX_OVERRIDE_GRUB_DEFAULT=1/' \
        "$G/pkg/etc/default/grub.d/pvx.cfg" >"$G/pvx2.cfg"
    if mkconfig "$G/grub2.cfg" "$G/pvx2.cfg"; then
        C=$G/grub2.cfg
        check "GRUB_CMDLINE_PVX and _DEFAULT in normal entries" grep -qP \
            "^\tmultiboot2 /boot/pvx-${VERSION}-amd64 dom0_mem=2G console=com2 loglvl=all$" "$C"
        check "only GRUB_CMDLINE_PVX in recovery entries" bash -c \
            "grep -A12 'recovery mode' '$C' | grep -qP '^\t\tmultiboot2 /boot/pvx-${VERSION}-amd64 dom0_mem=2G console=com2$'"
        check "GRUB_CMDLINE_LINUX_PVX_DEFAULT replaces GRUB_CMDLINE_LINUX_DEFAULT" grep -qP \
            "^\tmodule2 /boot/vmlinuz-6.1.0-10-amd64 vmlinuz-6.1.0-10-amd64 root=/dev/sda1 ro rootopt=1 console=hvc0 earlyprintk=xen$" "$C"
        check "PVX_OVERRIDE_GRUB_DEFAULT=1 makes the pvx entry the default" \
            grep -q 'set default="Debian GNU/Linux, with pvx"' "$C"
    else
        ko "grub-mkconfig with changed settings" "$(cat "$G/grub2.cfg.log")"
    fi
    rm "$G/boot/pvx-${VERSION}-amd64"
    if mkconfig "$G/grub3.cfg"; then
        check "no pvx image (package removed, conffiles kept): no pvx entry" bash -c "! grep -q 'with pvx\\|multiboot' '$G/grub3.cfg'"
    else
        ko "grub-mkconfig without a pvx image" "$(cat "$G/grub3.cfg.log")"
    fi
    if mkconfig "$G/grub4.cfg" "$G/pvx2.cfg"; then
        check "no pvx image, PVX_OVERRIDE_GRUB_DEFAULT=1 kept: GRUB's own default again" bash -c \
            "! grep -q 'with pvx\\|multiboot' '$G/grub4.cfg' && grep -q 'set default=\"0\"' '$G/grub4.cfg'"
    else
        ko "grub-mkconfig without a pvx image, override kept" "$(cat "$G/grub4.cfg.log")"
    fi
else
    ko "grub-mkconfig with 20_linux_pvx" "$(cat "$G/grub.cfg.log")"
fi

# ---- pvx-domains against a fake xl ----
D=$WORK/domains
mkdir -p "$D/bin" "$D/auto"
cat >"$D/bin/xl" <<'EOF'
#!/bin/sh
# A fake xl: running domains in $D/running, every call in $D/calls.
D=${FAKE_XL_DIR:?}
echo "$*" >>"$D/calls"
touch "$D/running"
case "$1" in
-N) sed -n 's/^name *= *"\(.*\)"/name="\1" type=pv/p' "$4" | grep . ;;
create) n=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$3"); [ "$n" != fails ] && echo "$n" >>"$D/running" ;;
domid) grep -qx "$2" "$D/running" ;;
list) echo "Name ID Mem VCPUs State Time(s)"; echo "Domain-0 0 1024 1 r----- 1.0"
      awk '{ print $1, NR, 128, 1, "-b----", 0.1 }' "$D/running" ;;
shutdown) [ "$2" = stubborn ] || sed -i "/^$2\$/d" "$D/running" ;;
destroy) sed -i "/^$2\$/d" "$D/running" ;;
# save NAME FILE: the image holds the name; "nosave" cannot be saved.
save) [ "$2" != nosave ] && grep -qx "$2" "$D/running" && echo "$2" >"$3" && sed -i "/^$2\$/d" "$D/running" ;;
# restore FILE: an image that does not hold a name does not restore.
restore) n=$(cat "$2"); [ -n "$n" ] && [ "$n" != broken ] && echo "$n" >>"$D/running" ;;
*) exit 1 ;;
esac
EOF
chmod +x "$D/bin/xl"
printf 'name = "web"\n' >"$D/auto/web.cfg"
printf 'name = "db"\n' >"$D/auto/db.cfg"
printf 'name = "old"\n' >"$D/auto/old.cfg~"
printf 'PVX_DOMAINS_AUTO=%s\nPVX_DOMAINS_TIMEOUT=2\n' "$D/auto" >"$D/default"
PD=$WORK/x/usr/lib/pvx/pvx-domains
pvxd() { env PATH="$D/bin:$PATH" FAKE_XL_DIR="$D" PVX_DOMAINS_CONFIG="$D/default" "$PD" "$@"; }
echo db >"$D/running"
check "pvx-domains start" pvxd start
expect_eq "start: created what was not running, skipped backups" $'db\nweb' sort "$D/running"
check "start: creates nothing twice" bash -c "! grep -q '^create -q .*db.cfg' '$D/calls'"
printf 'name = "fails"\n' >"$D/auto/fails.cfg"
printf 'memory = 1\n' >"$D/auto/noname.cfg"
pvxd start >"$D/out" 2>&1
rc=$?
check "start fails when a domain could not be created (status $rc)" test "$rc" -ne 0
check "start: says which, and why" grep -q 'could not start fails' "$D/out"
check "start: a config without a name is reported" grep -q 'noname.cfg: not a valid domain configuration' "$D/out"
rm "$D/auto/fails.cfg" "$D/auto/noname.cfg"
echo stubborn >>"$D/running"
: >"$D/calls"
check "pvx-domains stop" pvxd stop
expect_eq "stop: every domU shut down, a stubborn one destroyed after the timeout" \
    $'shutdown db\nshutdown web\nshutdown stubborn\ndestroy stubborn' grep -E '^(shutdown|destroy)' "$D/calls"
check "stop: nothing left running" test ! -s "$D/running"
printf 'a\nb\nnosave\n' >"$D/running"
printf 'PVX_DOMAINS_STOP=save\nPVX_DOMAINS_SAVE_DIR=%s\n' "$D/save" >>"$D/default"
: >"$D/calls"
pvxd stop >"$D/out" 2>&1
check "stop with save" test $? = 0
expect_eq "stop with save: xl save of each domU into the save directory, a failed save shut down" \
    "save a $D/save/a|save b $D/save/b|save nosave $D/save/nosave|shutdown nosave" \
    bash -c "grep -E '^(save|shutdown|destroy)' '$D/calls' | paste -sd'|'"
check "stop with save: says where each one went" grep -q "saved a in $D/save/a" "$D/out"
check "stop with save: says which one could not be saved" grep -q 'could not save nosave; shutting it down' "$D/out"
expect_eq "stop with save: one image per saved domU, none for the failed one" $'a\nb' ls "$D/save"
check "stop with save: nothing left running" test ! -s "$D/running"
# The next start restores them, before it creates what the auto directory
# has; a broken image is set aside and its domain starts afresh.
echo broken >"$D/save/web"
: >"$D/calls"
pvxd start >"$D/out" 2>&1
rc=$?
check "start after a save fails when an image did not restore (status $rc)" test "$rc" -ne 0
expect_eq "start: the saved domUs restored, then the auto directory's created" \
    "restore $D/save/a|restore $D/save/b|restore $D/save/web|create -q $D/auto/db.cfg|create -q $D/auto/web.cfg" \
    bash -c "grep -E '^(restore|create)' '$D/calls' | paste -sd'|'"
expect_eq "start: restored images removed, the broken one kept aside" "web.failed" ls "$D/save"
check "start: says which image did not restore" grep -q "could not restore web; its image is kept as $D/save/web.failed" "$D/out"
expect_eq "start: restored and created domUs run" $'a\nb\ndb\nweb' sort "$D/running"
: >"$D/calls"
check "start again: a set-aside image is not restored" pvxd start
check "start again: nothing restored" bash -c "! grep -q '^restore' '$D/calls'"
printf 'a\n' >"$D/running"
echo PVX_DOMAINS_STOP=destroy >>"$D/default"
: >"$D/calls"
check "stop with destroy" pvxd stop
expect_eq "destroy: no shutdown asked" "destroy a" grep -E '^(shutdown|destroy)' "$D/calls"

# ---- install, upgrade, remove, purge in a scratch root ----
R=$WORK/root
mkdir -p "$R/bin" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/tmp" "$R/etc" "$R/boot" \
    "$R/dev" "$R/var/log"
echo scratch >"$R/etc/hostname"
echo kernel >"$R/boot/vmlinuz-6.1.0-10-amd64"
# The maintainer scripts redirect to /dev/null (a file will do).
mknod -m 666 "$R/dev/null" c 1 3 2>/dev/null || : >"$R/dev/null"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
cp /bin/busybox "$R/bin/busybox" 2>/dev/null
for a in sh rm rmdir cat grep sed echo; do ln -s busybox "$R/bin/$a"; done
NEXT=${VERSION}+test1
if ! python3 scripts/mkdeb.py --out "$WORK/v2" --version "$NEXT" >"$WORK/v2.log" 2>&1; then
    ko "a second build with version $NEXT" "$(cat "$WORK/v2.log")"
fi
(cd "$R" && find . | sort) >"$WORK/before"
DPKG="dpkg --root=$R --force-depends --force-not-root"
dp() { as_root env PATH=/usr/sbin:/usr/bin:/sbin:/bin $DPKG "$@"; }
status() { dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}${Version}' "$1"; }
if [ ! -x "$R/bin/busybox" ]; then
    ko "busybox for the scratch root's /bin/sh (busybox-static)"
elif dp -i "$HYP" "$UTILS" >"$WORK/dpkg1.log" 2>&1; then
    ok "dpkg -i of both packages (maintainer scripts without update-grub or systemctl)"
    expect_eq "pvx-hypervisor installed" "ii $VERSION" status pvx-hypervisor
    expect_eq "pvx-utils installed" "ii $VERSION" status pvx-utils
    check "installed: /boot/pvx-$VERSION-amd64, xl, a unit, /etc/pvx/auto" test -f "$R/boot/pvx-$VERSION-amd64" -a \
        -x "$R/usr/sbin/xl" -a -f "$R/lib/systemd/system/pvx-domains.service" -a -d "$R/etc/pvx/auto"
    echo '# changed by the administrator' >>"$R/etc/pvx/xl.conf"
    if dp --force-confold -i "$WORK/v2/pvx-hypervisor_${NEXT}_amd64.deb" \
        "$WORK/v2/pvx-utils_${NEXT}_amd64.deb" >"$WORK/dpkg2.log" 2>&1; then
        ok "upgrade to $NEXT"
        expect_eq "pvx-utils upgraded" "ii $NEXT" status pvx-utils
        check "upgrade: the new image replaced the old one" test -f "$R/boot/pvx-$NEXT-amd64" -a ! -e "$R/boot/pvx-$VERSION-amd64"
        check "upgrade kept the administrator's xl.conf" grep -q 'changed by the administrator' "$R/etc/pvx/xl.conf"
    else
        ko "upgrade to $NEXT" "$(cat "$WORK/dpkg2.log")"
    fi
    mkdir -p "$R/var/log/pvx/console" "$R/var/lib/pvx/domains"
    echo log >"$R/var/log/pvx/xenstored.log"
    if dp -r pvx-utils pvx-hypervisor >"$WORK/dpkg3.log" 2>&1; then
        ok "dpkg -r of both"
        expect_eq "removed: only the conffiles stay" "rc $NEXT" status pvx-utils
        check "removed: programs and image gone, conffiles kept" test ! -e "$R/usr/sbin/xl" -a \
            ! -e "$R/boot/pvx-$NEXT-amd64" -a -f "$R/etc/pvx/xl.conf" -a -f "$R/etc/grub.d/20_linux_pvx"
    else
        ko "dpkg -r of both" "$(cat "$WORK/dpkg3.log")"
    fi
    if dp -P pvx-utils pvx-hypervisor >"$WORK/dpkg4.log" 2>&1; then
        ok "dpkg -P of both"
        expect_eq "purged: dpkg knows neither" "" bash -c "dpkg-query --admindir='$R/var/lib/dpkg' -W 'pvx-*' 2>/dev/null"
        (cd "$R" && find . | sort) >"$WORK/after"
        check "purged: nothing left but dpkg's own database" bash -c \
            "diff '$WORK/before' '$WORK/after' | grep '^[<>]' | grep -v '^> ./var/lib/dpkg/' | (! grep .)"
    else
        ko "dpkg -P of both" "$(cat "$WORK/dpkg4.log")"
    fi
else
    ko "dpkg -i of both packages" "$(cat "$WORK/dpkg1.log")"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
