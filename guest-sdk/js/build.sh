# Sourced by scripts/build-guest: builds the JavaScript guest in $src to
# $work/out.wasm. `witswitch` imports resolve to this SDK (guest-sdk/js/witswitch.js).
# quickjs: componentize-qjs, synchronous ABI, witswitch-only worlds (wit/quickjs.wit).
# starlingmonkey: componentize-js with the full world (fetch() maps to wasi:http);
#   `jco componentize` is not used: its sandboxed WIT reader fails on this machine.
sdk="$root/guest-sdk/js"
stage="$work/stage"
mkdir -p "$stage/node_modules/witswitch"
cp -r "$src/." "$stage/"
cp "$sdk/witswitch.js" "$stage/node_modules/witswitch/index.js"
printf '{"name":"witswitch","type":"module","main":"index.js"}\n' \
  >"$stage/node_modules/witswitch/package.json"
case "$engine" in
  quickjs)
    cp -r "$root/wit" "$work/wit"
    cp "$sdk/wit/quickjs.wit" "$work/wit/"
    (cd "$stage" && "$tools/npm/node_modules/.bin/componentize-qjs" --wit "$work/wit" \
      --world "$world-quickjs" --js "$main" --module-root . --sync -o "$work/out.wasm" >&2)
    ;;
  starlingmonkey)
    # StarlingMonkey does not resolve bare imports: bundle the script with the
    # SDK first (rolldown, from jco), keeping the WIT imports external.
    (cd "$stage" && "$tools/npm/node_modules/.bin/rolldown" "$main" --format esm \
      --external 'witswitch:*' --file "$work/bundle.js" >&2)
    (cd "$stage" && "$tools/npm/node_modules/.bin/componentize-js" "$work/bundle.js" \
      --wit "$root/wit" --world-name "$world" -o "$work/out.wasm" >&2)
    ;;
  *) die "engine must be quickjs or starlingmonkey, not $engine" ;;
esac
