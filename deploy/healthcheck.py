"""Container health check without curl: GET the URL with the first allowed host name, exit 0 on 200.

python deploy/healthcheck.py http://127.0.0.1:8000/health/ready/
"""

import os
import sys
import urllib.request

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()
request = urllib.request.Request(sys.argv[1], headers={"Host": host, "Accept": "text/plain"})  # noqa: S310
try:
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(error, file=sys.stderr)
    sys.exit(1)
