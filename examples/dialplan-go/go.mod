// The example's module marker: scripts/build-guest generates the real module
// (wit_component, with the bindings and the SDK) and puts these sources in its
// export_wit_world package.
module wit_component/export_wit_world

go 1.25
