"""Run scim2-tester against a tipgate SCIM endpoint.

Usage: run.py BASE_URL TOKEN_FILE

Every check scim2-tester offers for Users and Groups runs; the process exits
non-zero if any check reports an error or a critical finding (a MUST of RFC
7643/7644 broken), and prints every result either way.
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, token_file = sys.argv[1], sys.argv[2]
    with open(token_file) as f:
        token = f.read().strip()
    http = Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client, resource_types=["User", "Group"])
    failed = 0
    for r in results:
        bad = r.status in (Status.ERROR, Status.CRITICAL)
        failed += bad
        print(f"{r.status.name:<10} {r.title}" + (f": {r.reason}" if r.reason and r.status != Status.SUCCESS else ""))
    passed = sum(1 for r in results if r.status not in (Status.ERROR, Status.CRITICAL, Status.SKIPPED))
    print(f"scim2-tester: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
