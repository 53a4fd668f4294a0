#!/usr/bin/env bash
# The Debian package installed on this host for real: `netlab run` of the
# installed default topology from a directory outside the repository meets
# its targets, and purging the package leaves nothing behind (no file of the
# package, no namespace, no journal). Root; exits 77 (skipped) otherwise.
#   install-run-purge.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: installing a package needs root"; exit 77; fi
if dpkg-query -W -f='${Status}' netlab 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIP: a netlab package is already installed on this host; not replacing it"
  exit 77
fi

work=$(mktemp -d /tmp/netlab-pkgrun-XXXXXX)
installed=0
cleanup() {
  if ((installed)); then dpkg --purge netlab >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/netlab_*.deb)
ns_before=$(ip netns list | awk '{print $1}' | sort)

installed=1
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
[[ $(command -v netlab) == /usr/bin/netlab ]] || fail "netlab is not /usr/bin/netlab on the PATH"

cd "$work"
unset NETLAB_DATA_DIR NETLAB_LIBEXEC_DIR
rc=0
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin netlab run /usr/share/netlab/topologies/hybrid-backup.toml \
  --trials 1 --out "$work/run" >"$work/run.log" 2>&1 || rc=$?
cat "$work/run.log"
((rc == 0)) || fail "netlab run exited $rc"
[[ -s $work/run/report.json ]] || fail "no report.json"

dpkg --purge netlab >/dev/null
installed=0
for p in /usr/bin/netlab /usr/lib/netlab /usr/share/netlab /usr/share/man/man1/netlab.1.gz \
         /usr/share/bash-completion/completions/netlab /usr/share/zsh/vendor-completions/_netlab; do
  [[ ! -e $p ]] || fail "$p is left after purge"
done
ns_after=$(ip netns list | awk '{print $1}' | sort)
[[ $ns_before == "$ns_after" ]] || fail "namespaces changed: $(comm -13 <(echo "$ns_before") <(echo "$ns_after"))"
echo "installed, ran from $work, purged: nothing left"
