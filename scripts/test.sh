#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian 12 machine and run the whole suite.
#   Debian packages: mosquitto, PostgreSQL, ffmpeg, Chromium (browser tests), CJK fonts,
#   Leaflet (the console's offline map library).
#   Python: .venv with the project and its [test] extras.
#   PostgreSQL: the Debian cluster is started and a throw-away role/database made for the tests.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k geofence`).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
source scripts/_venv.sh
source scripts/_postgres.sh

apt_install_missing mosquitto postgresql ffmpeg chromium fonts-noto-cjk libjs-leaflet
echo "==> Python environment (.venv)"
make_venv "[test]"
echo "==> PostgreSQL for the storage tests"
GCS_TEST_POSTGRES_URL="$(start_test_postgres)"
export GCS_TEST_POSTGRES_URL
# Missing infrastructure (broker, database, browser, footage) fails the run instead of skipping.
export GCS_TEST_STRICT=1
export PYTHONDONTWRITEBYTECODE=1
echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
