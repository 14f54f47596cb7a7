# Shared by scripts/run and scripts/test: where things live, and installers that do nothing when
# the tool is already there. Everything is installed from the package registries by name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# One cargo target directory outside the clone, so a machine that has built once stays warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse/target}"
TOOLS="${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse/tools}"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"
DX_VERSION="0.7.10"
ESBUILD_VERSION="0.27.3"
BINARYEN_VERSION="129.0.0"
# dx must never try to download its helpers (that fails offline): it takes them from PATH.
export NO_DOWNLOADS=1

# dx builds the server with an explicit `--target <host>`; the tests do too, so that both land in
# the same target subdirectory and share compiled dependencies.
HOST_TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
SERVER_TEST_ARGS=(--profile server-dev --target "$HOST_TRIPLE" --features server)

TIMINGS=()
step() { # step "label" command...
  local label="$1"; shift
  local start=$SECONDS
  printf '\n==> %s\n' "$label" >&2
  "$@"
  TIMINGS+=("$(printf '%5ss  %s' $((SECONDS - start)) "$label")")
}
print_timings() {
  printf '\nTimings:\n' >&2
  for t in "${TIMINGS[@]}"; do printf '  %s\n' "$t" >&2; done
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
}

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
ensure_wasm_bindgen() {
  local want have
  want="$(wasm_bindgen_version)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    # Without --locked: the CLI's own lock pins a webpki-roots release the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_dx() {
  if ! dx --version 2>/dev/null | grep -q "^dioxus $DX_VERSION"; then
    cargo install dioxus-cli --version "$DX_VERSION" --locked --force
  fi
}

ensure_web_tools() { # esbuild and wasm-opt, which dx takes from PATH
  if ! [ -x "$TOOLS/node_modules/.bin/esbuild" ] || ! [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
      "esbuild@$ESBUILD_VERSION" "binaryen@$BINARYEN_VERSION"
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_web_tools
  ensure_wasm_bindgen
  ensure_dx
}
