# Shared set-up of the scripts that add captures after make.sh (make-bad-cv.sh, make-extra.sh,
# make-chains.sh). Sourced once they have set HERE, PKI, ONLY, NAMES (their capture names) and
# SCRIPT (their own file name): it defines log/die/selected, exits quietly when ONLY selects none
# of NAMES, checks for root and the PKI, installs the tools, makes $TMP (removed on exit, with the
# background processes in PIDS) and makes tlslite-ng importable.
log() { printf '== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$SCRIPT" "$*" >&2; exit 1; }
selected() { [[ $1 == $ONLY ]]; }

any=0
for n in "${NAMES[@]}"; do selected "$n" && any=1; done
[ "$any" = 1 ] || exit 0
[ "$(id -u)" = 0 ] || die "run as root (sudo bash $0)"
[ -f "$PKI/client-good.pem" ] || die "no PKI in $HERE/$PKI: run make.sh first"

# ---------------------------------------------------------------------------------------------
# dependencies: the tools make.sh uses, and tlslite-ng (pip, into a private directory: Debian's
# python3 is "externally managed", and --target leaves the system's packages alone)
need_pkgs=()
command -v tcpdump >/dev/null || need_pkgs+=(tcpdump)
command -v tshark  >/dev/null || need_pkgs+=(tshark)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v ss      >/dev/null || need_pkgs+=(iproute2)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v timeout >/dev/null || need_pkgs+=(coreutils)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
  apt-get "${apt_opts[@]}" install "${need_pkgs[@]}" || {
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get "${apt_opts[@]}" install "${need_pkgs[@]}"
  }
fi

TMP=$(mktemp -d "/tmp/tlstrace-${SCRIPT%.sh}.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! python3 -c 'import tlslite' 2>/dev/null; then
  log "installing tlslite-ng (pip --target, for this run only)"
  python3 -m pip --version >/dev/null 2>&1 ||
    apt-get -o DPkg::Lock::Timeout=900 -y --no-install-recommends install python3-pip
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$TMP/pylib" tlslite-ng
  export PYTHONPATH="$TMP/pylib${PYTHONPATH:+:$PYTHONPATH}"
  python3 -c 'import tlslite' || die "tlslite-ng does not import after pip install"
fi
