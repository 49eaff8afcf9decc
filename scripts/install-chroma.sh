#!/usr/bin/env bash
# Installs Chroma (the `chromadb` PyPI package, 1.5.9 when available) into its own venv at
#   $(bench_cache_dir)/venvs/chroma
# Skips when $(bench_cache_dir)/venvs/chroma/bin/chroma --help already works. About 90 s, 500 MB.
#
# Environment:
#   CHROMA_VERSION   version to install (default 1.5.9; falls back to the newest if unavailable)
#   BENCH_PYTHON     python3 used to create the venv (default: python3 on PATH)
#   BENCH_FORCE=1    recreate the venv
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WANT=${CHROMA_VERSION:-1.5.9}
VENV="$(bench_cache_dir)/venvs/chroma"
CHROMA="$VENV/bin/chroma"

chroma_ok() { [[ -x $CHROMA ]] && "$CHROMA" --help >/dev/null 2>&1; }

installed_version() {
    "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("chromadb"))' 2>/dev/null || echo '?'
}

if [[ "${BENCH_FORCE:-0}" != 1 ]] && chroma_ok; then
    ok "chroma already installed: $CHROMA (chromadb $(installed_version))"
    exit 0
fi

PY=$(bench_python)
need_cmd "$PY" "set BENCH_PYTHON to a python3"
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    # Debian's python3 needs python3-venv for `-m venv` with pip
    if [[ $(command -v "$PY") == /usr/bin/* ]]; then
        apt_install python3-venv
    else
        die "$PY cannot create venvs with pip (no venv/ensurepip module)"
    fi
fi

if [[ -d $VENV ]]; then
    log "removing existing venv $VENV (broken, or BENCH_FORCE=1)"
    rm -rf "$VENV"
fi
mkdir -p "$(dirname "$VENV")"
log "creating venv $VENV with $("$PY" --version 2>&1)"
run_logged chroma-venv "$PY" -m venv "$VENV" || die "python3 -m venv failed"

PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)

# Is the wanted version on the index? (one lookup)
# (Captured first: `pip ... | grep -q` would fail under pipefail when grep exits early.)
spec="chromadb==$WANT"
versions=$("${PIP[@]}" index versions chromadb 2>/dev/null | sed -n 's/^Available versions: //p' || true)
if [[ -z $versions ]]; then
    warn "could not list chromadb versions; trying chromadb==$WANT anyway"
elif [[ ",${versions// /}," != *",$WANT,"* ]]; then
    warn "chromadb $WANT not found on the package index; installing the newest chromadb"
    spec="chromadb"
fi

t0=$(now_s)
log "pip install $spec into the venv (about 90 s; log: $(bench_log_dir)/chroma-pip.log)"
if ! run_logged chroma-pip "${PIP[@]}" install --progress-bar off "$spec"; then
    rm -rf "$VENV"
    die "pip install $spec failed"
fi

if ! chroma_ok; then
    "$CHROMA" --help 2>&1 | tail -n 20 | sed 's/^/    /' >&2 || true
    die "$CHROMA --help does not work after install"
fi
ok "chroma installed: $CHROMA (chromadb $(installed_version), $(( $(now_s) - t0 )) s, $(du -sh "$VENV" | cut -f1))"
