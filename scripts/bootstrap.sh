#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian/Ubuntu machine for RVQ Motion Studio:
#   1. Debian packages Qt needs for its xcb platform plugin, Xvfb (tests) and Mesa (software OpenGL);
#   2. a virtual environment at .venv with torch pinned first (an unpinned torch pulls GBs of CUDA);
#   3. the project in editable mode with its test extras.
# Re-running is cheap: apt is skipped when dpkg says every package is installed, pip when
# .venv/.installed is newer than pyproject.toml. Set BOOTSTRAP_VERBOSE=1 (or pass -v) to see
# apt and pip output; otherwise it is logged and shown only on failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERBOSE="${BOOTSTRAP_VERBOSE:-0}"
[[ "${1:-}" == "-v" || "${1:-}" == "--verbose" ]] && VERBOSE=1

VENV=.venv
STAMP="$VENV/.installed"
PYTHON="${PYTHON:-python3}"

# Runtime libraries PySide6 6.12's xcb platform plugin, QtGui/QtWidgets/QtOpenGL and the GLX/EGL
# integrations link against (readelf NEEDED), plus Xvfb for the virtual display, Mesa's software
# rasteriser for OpenGL without a GPU, and one font so widgets have text.
APT_PACKAGES=(
    xvfb xauth
    libgl1 libegl1 libgl1-mesa-dri
    libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
    libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
    libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0
    libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 libzstd1 fonts-dejavu-core
)

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

APT_SKIPPED=0
LOG="$(mktemp "${TMPDIR:-/tmp}/rvq-bootstrap.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

# Run a command quietly, keeping its output in $LOG and showing the tail only when it fails.
run() {
    if [[ "$VERBOSE" == 1 ]]; then
        "$@"
        return
    fi
    if ! "$@" >"$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        die "failed: $*"
    fi
}

# True when a Debian package (or its Ubuntu 24.04+/Debian 13 "t64" rename) is installed.
dpkg_installed() {
    local pkg
    for pkg in "$1" "${1}t64"; do
        [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" == installed ]] && return 0
    done
    return 1
}

install_apt_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian/Ubuntu system: install Xvfb, Mesa (software OpenGL) and Qt's xcb libraries yourself"
        return
    fi
    local wanted=("${APT_PACKAGES[@]}") missing=() pkg
    # Debian's python3 lacks venv/ensurepip until python3-venv is installed (which also brings python3).
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || wanted+=(python3-venv)
    for pkg in "${wanted[@]}"; do
        dpkg_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        return
    fi

    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        # Without a terminal sudo can only work passwordless; otherwise it would fail, not ask.
        if ! command -v sudo >/dev/null 2>&1 || { [[ ! -t 0 ]] && ! sudo -n true 2>/dev/null; }; then
            say "not root and no usable sudo: skipping apt. Ask an administrator to run:"
            say "  apt-get install --no-install-recommends ${missing[*]}"
            APT_SKIPPED=1
            return
        fi
        sudo=(sudo)
    fi
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    run "${sudo[@]}" apt-get update -q
    run "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

ensure_venv() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return
    fi
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: install Python 3.10 or newer"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "$("$PYTHON" --version 2>&1) is too old: RVQ Motion Studio needs Python 3.10 or newer"
    say "creating virtual environment $VENV"
    run "$PYTHON" -m venv --clear "$VENV"
    rm -f "$STAMP"
}

install_python_packages() {
    if [[ -f "$STAMP" && "$STAMP" -nt pyproject.toml ]]; then
        return
    fi
    # Take the exact torch pin from pyproject.toml so there is one place to change it.
    local torch_req
    torch_req="$(grep -oE '"torch==[^"]+"' pyproject.toml | tr -d '"' | head -n 1)"
    [[ -n "$torch_req" ]] || die "pyproject.toml must pin torch exactly (torch==X.Y.Z)"
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
    [[ "$VERBOSE" == 1 ]] || pip+=(-q)
    say "installing $torch_req and the project into $VENV (minutes on a fresh machine)"
    run "${pip[@]}" install "$torch_req"
    run "${pip[@]}" install -e '.[test]'
    touch "$STAMP"
}

install_apt_packages
ensure_venv
install_python_packages
if ((APT_SKIPPED)); then
    say "ready ($VENV), but the app and GUI tests need the Debian packages listed above"
else
    say "ready ($VENV)"
fi
