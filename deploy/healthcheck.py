"""Container health check without curl: GET the URL with the first allowed host name, exit 0 on 200.

python deploy/healthcheck.py http://127.0.0.1:8000/health/ready/
"""

import os
import sys
import urllib.parse
import urllib.request

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()
url = sys.argv[1]
if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
    sys.exit(f"URL non http(s): {url}")
request = urllib.request.Request(url, headers={"Host": host, "Accept": "text/plain"})  # noqa: S310
try:
    # The scheme is checked above: no file:// nor custom schemes.
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310  # nosec B310
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(error, file=sys.stderr)
    sys.exit(1)
