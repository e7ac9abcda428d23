# Sourced by scripts/build-guest: builds the Python guest in $src (module $main,
# default `app`, defining class WitWorld) to $work/out.wasm with componentize-py.
# The SDK (guest-sdk/python/witswitch.py) is on the module path.
module="${main:-app}"
module="${module%.py}"
"$tools/venv/bin/componentize-py" -d "$root/wit" -w "$world" componentize \
  -p "$root/guest-sdk/python" -p "$src" "$module" -o "$work/out.wasm" >&2
