#!/usr/bin/env bash
# Builds one of the project's Rust crates with cargo, as the Maven build does:
#   ./scripts/cargo-build.sh MANIFEST TARGET_DIR
# (the iceoryx2 bridge's native library, the reference peer of the interop tests).
set -euo pipefail
MANIFEST=${1:?usage: cargo-build.sh MANIFEST TARGET_DIR}
TARGET_DIR=${2:?usage: cargo-build.sh MANIFEST TARGET_DIR}
CARGO=$(command -v cargo 2>/dev/null || true)
if [ -z "$CARGO" ] && [ -x "$HOME/.cargo/bin/cargo" ]; then
    CARGO="$HOME/.cargo/bin/cargo"
fi
if [ -z "$CARGO" ]; then
    echo "flatdata needs Rust's cargo (1.89 or newer) to build $MANIFEST: install it with rustup, or put cargo on PATH" >&2
    exit 1
fi
exec "$CARGO" build --release --locked --quiet --manifest-path "$MANIFEST" --target-dir "$TARGET_DIR"
