"""Every check of scim2-tester (PyPI) against a Gatehouse server's /scim/v2.

    python check.py http://127.0.0.1:PORT/scim/v2 TOKEN

Prints one line per check (with the reason of any that did not succeed), then a summary line;
exits 1 if any check failed or none ran.
"""

import sys
from collections import Counter

from httpx import Client
from scim2_client.engines.httpx import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    client = SyncSCIMClient(Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30))
    client.discover()
    results = check_server(client)
    counts: Counter[str] = Counter()
    for r in results:
        counts[r.status.name] += 1
        where = f" [{r.resource_type}]" if r.resource_type else ""
        line = f"{r.status.name:8} {r.title}{where}"
        if r.status != Status.SUCCESS and r.reason:
            line += f": {r.reason}"
        print(line)
    failed = counts[Status.ERROR.name] + counts[Status.CRITICAL.name]
    summary = ", ".join(f"{n} {name.lower()}" for name, n in sorted(counts.items()))
    print(f"scim2-tester: {len(results)} checks: {summary}")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
