"""What beat does for the protocol, every few seconds instead of every minute: the outbox sweep
(`protocollo.tasks.sweep_outbox`, run here in the process, publishing to the broker as beat's task
would). A sweep that fails (Redis or PostgreSQL down) is logged and tried again at the next tick."""

import logging
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
django.setup()

from django.db import close_old_connections  # noqa: E402

from protocollo.tasks import sweep_outbox  # noqa: E402

logging.basicConfig(level=logging.INFO)
every = float(sys.argv[1])
while True:
    time.sleep(every)
    close_old_connections()
    try:
        print("sweep", sweep_outbox(older_than_seconds=int(every)), flush=True)
    except Exception as errore:
        print("sweep non riuscita:", errore, flush=True)
        from django.db import connection

        connection.close()
