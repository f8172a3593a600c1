#!/usr/bin/env bash
# Builds the release server and the bench, installs wrk if missing, and prints
# the data-accounts figures (issue 4). Extra arguments go to every subcommand,
# e.g. `crates/bench/run.sh --markdown /tmp/figures.md`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq wrk
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq wrk
    fi
fi
cargo build --release -p datacoop -p datacoop-bench
bench="$CARGO_TARGET_DIR/release/datacoop-bench"
"$bench" import "$@"
"$bench" load --wrk "$@"
"$bench" stream "$@"
