#!/usr/bin/env bash
# Install the station on a fresh Debian 12 machine and run it on its embedded defaults:
# SQLite in ./data, a simulated fleet and docks around Yongzhou, console on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
source scripts/_venv.sh
apt_install_missing ffmpeg libjs-leaflet
make_venv ""
exec .venv/bin/groundstation demo "$@"
