#!/usr/bin/env bash
# Builds RunsheetFFI.xcframework: the Rust core (crate runsheet-ffi, bindings/) as a static
# library with its C headers and module map, in three slices:
#   ios-arm64                      aarch64-apple-ios             (phones)
#   ios-arm64_x86_64-simulator     aarch64-apple-ios-sim + x86_64-apple-ios, joined by lipo
#   macos-arm64_x86_64             aarch64-apple-darwin + x86_64-apple-darwin, joined by lipo
#                                  (so `swift test` links on a Mac)
# and the Swift bindings into Sources/RunsheetCore/Generated (`cargo xtask bindings`). The
# package's binary target (Package.swift: `.binaryTarget(name: "RunsheetFFI", path:
# "RunsheetFFI.xcframework")`) points at the result.
#
# Run on macOS with Xcode's command line tools and rustup, from anywhere:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios \
#       aarch64-apple-darwin x86_64-apple-darwin
#   ios/build-xcframework.sh            # the phone library: cargo profile `mobile`
#   ios/build-xcframework.sh --debug    # a debug build (quicker, large), for development
#
# The `mobile` profile (workspace Cargo.toml: LTO, one codegen unit, size-optimised, stripped)
# is the one whose size docs/ records.
# SQLCipher's crypto is the Rust provider in cipher/ (runsheet-cipher), as on Android and in the
# tests, not CommonCrypto: the repository's .cargo/config.toml says so, which is why cargo runs
# from the repository's root below.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

profile=mobile
case "${1:-}" in
    "") ;;
    --debug) profile=dev ;;
    *)
        echo "usage: $0 [--debug]" >&2
        exit 2
        ;;
esac
# Cargo writes the dev profile to target/<triple>/debug, the others to target/<triple>/<name>.
out_dir="$profile"
[[ "$profile" == dev ]] && out_dir=debug

for tool in cargo rustup lipo xcodebuild; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (macOS with Xcode and rustup)" >&2; exit 1; }
done

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
installed="$(rustup target list --installed)"
for target in "${targets[@]}"; do
    grep -qx "$target" <<<"$installed" || { echo "$0: rustup target add $target" >&2; exit 1; }
done

cd "$root"
if [[ "$profile" == mobile ]] && ! grep -q '^\[profile\.mobile\]' Cargo.toml; then
    echo "$0: the workspace Cargo.toml has no [profile.mobile]; use --debug or add the profile" >&2
    exit 1
fi
# The deployment targets match Package.swift's platforms (iOS 16, macOS 13).
export IPHONEOS_DEPLOYMENT_TARGET=16.0
export MACOSX_DEPLOYMENT_TARGET=13.0
for target in "${targets[@]}"; do
    echo "== cargo build -p runsheet-ffi --lib --profile $profile --target $target"
    cargo build -p runsheet-ffi --lib --profile "$profile" --target "$target"
done

# Swift bindings and the C headers (generated from the host build of the same crate).
cargo xtask bindings

lib() { echo "$root/target/$1/$out_dir/librunsheet_ffi.a"; }

work="$root/target/xcframework"
rm -rf "$work" "$here/RunsheetFFI.xcframework"
mkdir -p "$work/headers" "$work/ios-simulator" "$work/macos"
# One header per namespace (runsheet-protocol, runsheet-core, runsheet-ffi, ...), one module map.
cp "$root"/target/bindings/swift/*.h "$work/headers/"
cp "$root/target/bindings/swift/RunsheetFFI.modulemap" "$work/headers/module.modulemap"

lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
    -output "$work/ios-simulator/librunsheet_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" \
    -output "$work/macos/librunsheet_ffi.a"

xcodebuild -create-xcframework \
    -library "$(lib aarch64-apple-ios)" -headers "$work/headers" \
    -library "$work/ios-simulator/librunsheet_ffi.a" -headers "$work/headers" \
    -library "$work/macos/librunsheet_ffi.a" -headers "$work/headers" \
    -output "$here/RunsheetFFI.xcframework"

echo "== sizes ($profile)"
for target in "${targets[@]}"; do
    printf '%-24s %s bytes\n' "$target" "$(stat -f %z "$(lib "$target")")"
done
echo "built $here/RunsheetFFI.xcframework and $here/Sources/RunsheetCore/Generated/*.swift"
