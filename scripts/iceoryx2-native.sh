#!/usr/bin/env bash
# Builds the iceoryx2 bridge's native library (iceoryx2/native) with cargo, as the Maven build of
# the iceoryx2 module does: ./scripts/iceoryx2-native.sh TARGET_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${1:?usage: iceoryx2-native.sh TARGET_DIR}
CARGO=$(command -v cargo 2>/dev/null || true)
if [ -z "$CARGO" ] && [ -x "$HOME/.cargo/bin/cargo" ]; then
    CARGO="$HOME/.cargo/bin/cargo"
fi
if [ -z "$CARGO" ]; then
    echo "flatdata-iceoryx2 needs Rust's cargo (1.89 or newer) to build its native library: install it with rustup, or put cargo on PATH" >&2
    exit 1
fi
exec "$CARGO" build --release --locked --quiet \
    --manifest-path "$ROOT/iceoryx2/native/Cargo.toml" --target-dir "$TARGET_DIR"
