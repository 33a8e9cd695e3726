#!/usr/bin/env bash
# Builds RunsheetFFI.xcframework (the Rust core as a static library for iOS devices and
# simulators, with its C header and module map) and the Swift bindings, for the RunsheetCore
# Swift package. Run on macOS with Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   ios/build-xcframework.sh [--release]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
profile=debug
cargo_flags=()
if [[ "${1:-}" == "--release" ]]; then
    profile=release
    cargo_flags=(--release)
fi

cd "$root"
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    cargo build -p runsheet-ffi --lib --target "$target" "${cargo_flags[@]}"
done

# Swift bindings and the C header (generated from the host build of the same crate).
cargo xtask bindings

work="$root/target/xcframework"
rm -rf "$work" "$here/RunsheetFFI.xcframework"
mkdir -p "$work/headers" "$work/sim"
# One header per namespace (runsheet-protocol, runsheet-core, runsheet-ffi), one module map.
cp "$root"/target/bindings/swift/*.h "$work/headers/"
cp "$root/target/bindings/swift/RunsheetFFI.modulemap" "$work/headers/module.modulemap"

lipo -create \
    "$root/target/aarch64-apple-ios-sim/$profile/librunsheet_ffi.a" \
    "$root/target/x86_64-apple-ios/$profile/librunsheet_ffi.a" \
    -output "$work/sim/librunsheet_ffi.a"

xcodebuild -create-xcframework \
    -library "$root/target/aarch64-apple-ios/$profile/librunsheet_ffi.a" -headers "$work/headers" \
    -library "$work/sim/librunsheet_ffi.a" -headers "$work/headers" \
    -output "$here/RunsheetFFI.xcframework"

echo "built $here/RunsheetFFI.xcframework and ios/Sources/RunsheetCore/Generated/*.swift"
