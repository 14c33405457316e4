"""Fault drills (`make drills`): each on an Aminder of its own (its own PostgreSQL and redis-server on
free ports, gunicorn, the two production workers, a sweep every 3 s in place of beat's minute), with 8
API clients that retry with the same Idempotency-Key as a payroll program should.

    .venv/bin/python bench/drills.py [--only redis worker postgres] [--n 200] [--quick]

- redis: Redis (broker and cache, one server as in docker-compose.yml) stopped for 60 s during 200
  submissions, then started again on its append-only file;
- worker: both workers killed with SIGKILL (whole process groups) mid-batch, started again 5 s later;
- postgres: PostgreSQL restarted (pg_ctl restart -m fast) under load.

Each prints made / saved / registered / receipted / gaps / duplicates, then one line per target:
`RATIO drill_<name>_lost <n> == 0 PASS|FAIL` and, for Redis, the slowest answer against 5 s.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.drills.drill import run
from tests.drills.stack import Stack

FULL = {
    "redis": {"duration": 90, "fault_at": 15, "fault_for": 60},
    "worker": {"duration": 40, "fault_at": 10, "fault_for": 5},
    "postgres": {"duration": 40, "fault_at": 10, "fault_for": 0},
}
QUICK = {
    "redis": {"duration": 10, "fault_at": 2, "fault_for": 5},
    "worker": {"duration": 10, "fault_at": 3, "fault_for": 3},
    "postgres": {"duration": 10, "fault_at": 3, "fault_for": 0},
}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=list(FULL), choices=list(FULL))
    parser.add_argument("--n", type=int, default=200, help="submissions per drill")
    parser.add_argument("--quick", action="store_true", help="20 submissions, faults of a few seconds")
    args = parser.parse_args()
    n = 20 if args.quick else args.n
    falliti = 0
    for tipo in args.only:
        stack = Stack().start()
        try:
            esito = run(stack, tipo, n=n, **(QUICK if args.quick else FULL)[tipo])
        finally:
            stack.stop()
        print("\n".join(esito.lines()), flush=True)
        print(f"RATIO drill_{tipo}_lost {esito.lost} == 0 {verdict(esito.lost == 0)}")
        falliti += esito.lost != 0
        if tipo == "redis":
            print(
                f"RATIO drill_redis_slowest_answer_s {esito.slowest:.2f} <= 5 {verdict(esito.slowest <= 5)}"
            )
            falliti += esito.slowest > 5
        print(f"  (log e dati in {stack.folder})", flush=True)
    return 1 if falliti else 0


if __name__ == "__main__":
    sys.exit(main())
