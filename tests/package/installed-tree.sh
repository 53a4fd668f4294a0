#!/usr/bin/env bash
# The Debian package, unpacked into a fresh root directory, works from outside
# the repository: the installed netlab finds its helpers in lib/netlab and
# its catalogue in share/netlab, validates and plans every catalogue file, and
# carries its manual page and completions. No root needed.
#   installed-tree.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
work=$(mktemp -d /tmp/netlab-pkgtest-XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/netlab_*.deb)
dpkg-deb -x "$deb" "$work/root"
root=$work/root
netlab=$root/usr/bin/netlab

# Nothing of the build tree or the environment may help it.
cd "$work"
export -n NETLAB_DATA_DIR NETLAB_LIBEXEC_DIR 2>/dev/null || true
unset NETLAB_DATA_DIR NETLAB_LIBEXEC_DIR

"$netlab" validate "$root"/usr/share/netlab/topologies/*.toml >/dev/null ||
  fail "the installed catalogue does not validate"
for f in "$root"/usr/share/netlab/topologies/*.toml; do
  "$netlab" plan "$f" >/dev/null || fail "netlab plan $f"
done

doctor=$("$netlab" doctor || true)
grep -q "templates and catalogue *$root/usr/share/netlab\$" <<<"$doctor" ||
  fail "doctor does not see the installed data: $doctor"
for h in netlab-probe netlab-traffic netlab-tunnel-watch netlab-delay; do
  grep -q "$h *$root/usr/lib/netlab/$h\$" <<<"$doctor" || fail "doctor does not find $h in lib/netlab"
done

zcat "$root/usr/share/man/man1/netlab.1.gz" | grep -q '^\.TH NETLAB 1' || fail "no manual page"
grep -q 'complete -o filenames -F _netlab netlab' "$root/usr/share/bash-completion/completions/netlab" ||
  fail "no bash completion"
head -1 "$root/usr/share/zsh/vendor-completions/_netlab" | grep -q '#compdef netlab' || fail "no zsh completion"

deps=$(dpkg-deb -f "$deb" Depends)
for d in frr iproute2 nftables; do
  grep -qw "$d" <<<"$deps" || fail "Depends lacks $d: $deps"
done
echo "package ok: $(basename "$deb"), $(dpkg-deb -c "$deb" | wc -l) entries"
