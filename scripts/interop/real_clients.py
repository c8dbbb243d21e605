"""
Runs agencies' real TAXII clients against a wildintel hub and checks what they collected.

- taxii2-client (oasis-open/cti-taxii-client), with TokenAuth: discovery, the API root's
  collections, every collection read with as_pages (no limit on the first request).
- OpenCTI's TAXII2 connector client (OpenCTI-Platform/connectors,
  external-import/taxii2/src/connector/client_taxii.py), driven as connector.py drives it with
  TAXII2_USE_TOKEN=true, TAXII2_COLLECTIONS=wildintel.*, TAXII2_URL_QUERY_LIMIT=1000: two runs
  with the same client object, so its filters (and the `next` it keeps) carry over.

Neither is vendored: run-real-clients.sh puts their checkouts on PYTHONPATH. Each run is compared
with a plain reading of every collection (requests, Bearer, limit 1000, following next): every
object of every collection must be collected, once per collection and run.
Exit status 0 when both clients collected everything.
"""
import json
import sys
from datetime import datetime, timedelta
from types import SimpleNamespace

import requests
import taxii2client.v21 as tx21
from taxii2client.common import TokenAuth

ACCEPT = "application/taxii+json;version=2.1"


def reference(discovery, token):
    """Every collection's object versions, read the plain way."""
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}
    root = requests.compat.urljoin(discovery, requests.get(discovery, headers=headers).json()["api_roots"][0])
    out = {}
    for c in requests.get(f"{root}collections/", headers=headers).json().get("collections", []):
        versions, params = [], {"limit": "1000"}
        while True:
            r = requests.get(f"{root}collections/{c['id']}/objects/", headers=headers, params=params)
            r.raise_for_status()
            body = r.json()
            versions += [f"{o['id']} {o.get('modified', o.get('created'))}" for o in body.get("objects", [])]
            if not body.get("more"):
                break
            params = {"limit": "1000", "next": body["next"]}
        out[c["title"]] = sorted(versions)
    return out


def versions_of(objects):
    return sorted(f"{o['id']} {o.get('modified', o.get('created'))}" for o in objects)


def run_taxii2_client(discovery, token):
    server = tx21.Server(discovery, auth=TokenAuth(token))
    got = {}
    for root in server.api_roots:
        for coll in root.collections:
            objects = []
            for envelope in tx21.as_pages(coll.get_objects, per_request=0):
                objects += envelope.get("objects", [])
            got[coll.title] = versions_of(objects)
    return got


class Helper:
    def log_info(self, msg):
        print(f"  connector: {msg}", file=sys.stderr)

    def log_error(self, msg):
        print(f"  connector ERROR: {msg}", file=sys.stderr)
        self.errors += 1

    errors = 0


def run_connector(discovery, token, limit, runs=2):
    from pydantic import SecretStr
    from client_taxii import Taxii2

    # The settings as config_variables.py builds them from the environment: flat in older
    # connector releases, under `taxii2` (the token a SecretStr) in newer ones; both are given.
    settings = dict(use_token=True, use_apikey=False, apikey_key=None, apikey_value=None, username=None, password=None,
                    discovery_url=discovery, verify_ssl=True, cert_path=None, enable_url_query_limit=True, url_query_limit=limit)
    config = SimpleNamespace(**settings, token=token, taxii2v21=True,
                             taxii2=SimpleNamespace(**settings, token=SecretStr(token), v21=True))
    helper = Helper()
    client = Taxii2(helper, config)
    results, last_run = [], None
    for _ in range(runs):
        start = datetime.now()
        # connector.py process_message: limit, then added_after (initial history or last run).
        client.filters["limit"] = limit
        client.filters["added_after"] = last_run.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if last_run else datetime.now() - timedelta(hours=87600)
        root = client._get_root("wildintel")
        per_collection = {}
        for coll in root.collections:
            per_collection[coll.title] = versions_of(client.poll(coll))
        results.append(per_collection)
        last_run = start
    return results, helper.errors


def compare(name, got, expected):
    ok = True
    for title, versions in expected.items():
        mine = got.get(title, [])
        if sorted(set(mine)) != versions or len(mine) != len(set(mine)):
            ok = False
            print(f"{name}: {title}: collected {len(mine)} ({len(set(mine))} distinct), the collection holds {len(versions)}")
    total = sum(len(v) for v in got.values())
    print(f"{name}: {'OK' if ok else 'FAILED'}: {total} objects from {len(got)} collections")
    return ok


def main():
    discovery, token = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    expected = reference(discovery, token)
    print(f"hub: {sum(len(v) for v in expected.values())} objects in {len(expected)} collections")
    ok = compare("taxii2-client as_pages", run_taxii2_client(discovery, token), expected)
    runs, errors = run_connector(discovery, token, limit)
    ok = compare(f"OpenCTI connector run 1 (limit {limit})", runs[0], expected) and ok
    # The second run asks from the first run's start: nothing new may be missing, what it gets again is the same versions.
    second_ok = all(set(v) <= set(expected[t]) for t, v in runs[1].items())
    print(f"OpenCTI connector run 2: {'OK' if second_ok else 'FAILED'}: {sum(len(v) for v in runs[1].values())} objects, {errors} errors logged")
    print(json.dumps({"ok": ok and second_ok and errors == 0}))
    sys.exit(0 if ok and second_ok and errors == 0 else 1)


if __name__ == "__main__":
    main()
