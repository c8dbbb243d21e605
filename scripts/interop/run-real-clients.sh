#!/usr/bin/env bash
# Runs agencies' real TAXII clients against a demo hub (docs/interop.md "Tested with the real
# clients"): taxii2-client with TokenAuth, and OpenCTI's TAXII2 connector client as its connector
# runs it (TAXII2_USE_TOKEN=true, TAXII2_COLLECTIONS=wildintel.*, limit 1000, two runs).
#
#   [PORT=4700] [QUERY_LIMIT=1000] scripts/interop/run-real-clients.sh TAXII2_CLIENT_DIR CONNECTOR_SRC_DIR
#
# TAXII2_CLIENT_DIR: a checkout of github.com/oasis-open/cti-taxii-client (BSD-3-Clause);
# CONNECTOR_SRC_DIR: external-import/taxii2/src/connector of github.com/OpenCTI-Platform/connectors
# (Apache-2.0), the directory holding client_taxii.py. Neither is copied into this repository.
# Python: Debian's packages only (apt-get install python3-requests python3-six python3-dateutil
# python3-tz python3-pydantic); nothing from PyPI. Needs `npm install` done (the demo hub).
set -euo pipefail
client_dir=$(cd "${1:?TAXII2_CLIENT_DIR}" && pwd)
connector_dir=$(cd "${2:?CONNECTOR_SRC_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
port=${PORT:-4700}
work=$(mktemp -d)
demo_pid=
# The demo runs in its own process group (setsid): stopping it stops its hub and nodes too.
cleanup() { [ -n "$demo_pid" ] && kill -- "-$demo_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cd "$repo"
echo "starting the demo hub on port $port under $work"
setsid npm run --silent demo -- --dir "$work/demo" --port "$port" --json-out "$work/facts.json" > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 600); do
  [ -s "$work/facts.json" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log"; exit 1; }
  sleep 1
done
[ -s "$work/facts.json" ] || { echo "the demo did not come up"; exit 1; }
hub=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hubUrl"])' "$work/facts.json")

# The export token profile (docs/interop.md): its own sub, taxii:read only.
token=$(DATA_DIR="$work/demo/hub" CERTS_DIR="$work/demo/certs" HUB_ORIGIN="$hub" LOG_LEVEL=silent \
  npx --no-install wildintel token issue --agency demo-customs --sub opencti-feed --scope taxii:read --tlp AMBER --ttl 1h 2>/dev/null | tail -n 1)

# Debian's interpreter, whose packages the clients use (a pyenv or venv python3 may come first on PATH).
# QUERY_LIMIT: the connector's TAXII2_URL_QUERY_LIMIT (1000 as documented; a small one makes the
# demo's collections page, so the connector carries one collection's `next` to the next).
PYTHONPATH="$client_dir:$connector_dir" /usr/bin/python3 "$here/real_clients.py" "$hub/taxii2/" "$token" "${QUERY_LIMIT:-1000}"
