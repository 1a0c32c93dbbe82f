#!/usr/bin/env bash
# Installs transformers.js (@huggingface/transformers, pinned) from npm into
# a cache folder and prints its node_modules path, for the check that
# Hugging Face's AutoTokenizer loads the folders plateau writes:
#
#   PLATEAU_NODE_MODULES=$(scripts/hf-js-deps.sh) go test ./cmd/export -run ExportTokenizer -v
#
# Install scripts are skipped (onnxruntime-node's downloads a runtime the
# tokenizer does not need). Exits non-zero, saying why on stderr, where node
# or npm is missing or the registry cannot be reached.
set -euo pipefail
version=4.3.2
dir=${PLATEAU_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/plateau/npm-transformers-$version}
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "hf-js-deps: $tool not found" >&2; exit 1; }
done
if [ ! -f "$dir/node_modules/@huggingface/transformers/package.json" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
    "@huggingface/transformers@$version" >&2) || { echo "hf-js-deps: npm install failed" >&2; exit 1; }
fi
echo "$dir/node_modules"
