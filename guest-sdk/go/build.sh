# Sourced by scripts/build-guest: builds the Go guest in $src (package
# export_wit_world) to $work/out.wasm with standard Go:
#   1. wit-bindgen go generates the bindings as module wit_component;
#   2. the SDK (guest-sdk/go/witswitch) and the sources join that module;
#   3. go.mod points go.bytecodealliance.org/pkg at the copy shipped in the
#      wit-bindgen-go crate (no Go module proxy needed);
#   4. GOOS=wasip1 go build -buildmode=c-shared, then wasm-tools embeds the WIT
#      and wraps the module into a component with the preview1 reactor adapter.
mod="$work/mod"
mkdir -p "$mod"
(cd "$mod" && "$tools/cargo/bin/wit-bindgen" go -w "$world" "$root/wit" >/dev/null 2>&1) ||
  die "wit-bindgen go failed for world $world"
cp -r "$root/guest-sdk/go/witswitch" "$mod/witswitch"
mkdir -p "$mod/export_wit_world"
find "$src" -maxdepth 1 -name '*.go' -exec cp {} "$mod/export_wit_world/" \;
pkg_version="$(sed -n 's/^[[:space:]]*go.bytecodealliance.org\/pkg \(v[^[:space:]]*\).*/\1/p' "$mod/go.mod")"
cat >"$mod/go.mod" <<GOMOD
module wit_component

go 1.25

require go.bytecodealliance.org/pkg ${pkg_version:-v0.4.0}

replace go.bytecodealliance.org/pkg => $tools/go-pkg
GOMOD
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off
export GOCACHE="$tools/go-build-cache" GOPATH="$tools/gopath"
(cd "$mod" && GOOS=wasip1 GOARCH=wasm "$tools/venv/bin/go" build -buildmode=c-shared \
  -ldflags=-checklinkname=0 -o "$work/core.wasm" . >&2)
"$tools/venv/bin/wasm-tools" component embed -w "$world" "$root/wit" "$work/core.wasm" \
  -o "$work/embedded.wasm"
"$tools/venv/bin/wasm-tools" component new --adapt "$tools/adapter/wasi_snapshot_preview1.reactor.wasm" \
  "$work/embedded.wasm" -o "$work/out.wasm"
