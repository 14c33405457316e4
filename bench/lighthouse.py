"""Lighthouse on the pages of the company-side journey, in the production mode, desktop and mobile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_lighthouse .venv/bin/python bench/lighthouse.py --runs 3

Needs `npm ci` (Lighthouse is a devDependency) and Debian's Chromium. The database named by
DATABASE_URL is a scratch one: the script migrates it and loads the demo world (`demo_data`). It
collects the static files with their Brotli/gzip copies into a temporary directory, starts gunicorn in
the production mode (WhiteNoise serves the static files, as in the image) on a loopback port, and signs
Mario Rossi (legale rappresentante of Alfa Meccanica) in with a session cookie sent as a header.

Each page runs `--runs` times per form factor (mobile: Lighthouse's default Moto G Power with simulated
slow 4G and 4x CPU slowdown; desktop: its desktop preset); the median score is printed, with one line
per page `RATIO lighthouse_mobile_<page> <score> >= 90 PASS|FAIL` for the mobile performance target of
issue 18. Chromium runs with the network-free flags of the browser tests. Figures, not a test: the
machine is shared and the scores move with its load.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=it-IT",
]
CATEGORIES = ["performance", "accessibility", "best-practices"]
TARGET = 90

# The setup that runs in Django (embedded mode is enough: it only writes the database) and prints, as
# JSON, the session cookie of Mario Rossi and the URLs of the journey's pages.
SETUP = """
import json
from django.conf import settings
from django.test import Client
from anagrafica.models import Azienda, User
from claims.constants import StatoDomanda
from claims.models import Domanda

mario = User.objects.get(codice_fiscale="RSSMRA80A01L219M")
azienda = Azienda.objects.get(ragione_sociale="Alfa Meccanica S.r.l.")
bozza = Domanda.objects.filter(azienda=azienda, stato=StatoDomanda.BOZZA).order_by("pk").first()
client = Client()
client.force_login(mario)
pages = {
    "accesso": ("/accesso/", False),
    "aziende": ("/", True),
    "azienda": (f"/aziende/{azienda.pk}/", True),
    "passo_1": (f"/domande/{bozza.pk}/passo/1/", True),
    "passo_2": (f"/domande/{bozza.pk}/passo/2/", True),
    "riepilogo": (f"/domande/{bozza.pk}/passo/6/", True),
    "domande": ("/domande/", True),
}
print(json.dumps({
    "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
    "pages": pages,
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a loopback URL built here
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} non risponde")


def lighthouse(url: str, *, cookie: str | None, desktop: bool, out: Path) -> dict[str, float]:
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--locale=it",
    ]
    if desktop:
        args.append("--preset=desktop")
    if cookie:
        args.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    # On a loaded machine Lighthouse now and then loses its trace (NO_NAVSTART): try again, twice.
    for attempt in range(3):
        done = subprocess.run(args, check=False, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
        if done.returncode == 0:
            break
        print(f"  Lighthouse non riuscito su {url} (tentativo {attempt + 1})", flush=True)
    else:
        raise SystemExit(f"Lighthouse non riesce a misurare {url}")
    report = json.loads(out.read_text())
    if report["finalDisplayedUrl"] != url:  # e.g. sent to the sign-in page: not the page meant
        raise SystemExit(f"{url} ha portato a {report['finalDisplayedUrl']}")
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    audits = report["audits"]
    scores["fcp_ms"] = audits["first-contentful-paint"]["numericValue"]
    scores["lcp_ms"] = audits["largest-contentful-paint"]["numericValue"]
    scores["kib"] = audits["total-byte-weight"]["numericValue"] / 1024
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per page and form factor (median)")
    parser.add_argument("--pages", nargs="*", help="only these pages (names as printed)")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse manca: `npm ci` nella radice del progetto")
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL: un database di prova, che lo script migra e riempie (demo_data)")

    work = Path(tempfile.mkdtemp(prefix="aminder-lighthouse-"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AMINDER_"))}
    base.update(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, PRIVATE_MEDIA_ROOT=str(work / "private"))
    # One secret key: the session made by the setup must hold in the production server.
    secret_key = "bench-lighthouse-" + "q8Wm3Zr7Tx2Lp9Vn4Kd6Hs1Jf5" * 2
    embedded = {**base, "DJANGO_SECRET_KEY": secret_key, "DJANGO_DEBUG": "false"}
    production = {
        **base,
        "AMINDER_MODE": "production",
        "DJANGO_SECRET_KEY": secret_key,
        "AMINDER_PUBLIC_URL": "https://aminder.test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: Lighthouse counts localhost as secure, and nginx's TLS is not measured.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "dummymail://",
        "STATIC_ROOT": str(work / "static"),
        "DJANGO_STATIC_PRECOMPRESS": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"),
    }
    (work / "prometheus").mkdir()
    print("migrate, demo_data, collectstatic (Brotli e gzip)…", flush=True)
    manage(embedded, "migrate", "--noinput", "-v0")
    manage(embedded, "demo_data")
    setup = json.loads(manage(embedded, "shell", "-c", SETUP, capture=True).strip().splitlines()[-1])
    manage(production, "collectstatic", "--noinput", "-v0")

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "aminder.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=production, start_new_session=True,
    )  # fmt: skip
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        wait_for(f"http://127.0.0.1:{port}/health/live/")
        for name, (path, signed_in) in setup["pages"].items():
            if options.pages and name not in options.pages:
                continue
            for form in ("mobile", "desktop"):
                for run in range(options.runs):
                    scores = lighthouse(
                        f"http://127.0.0.1:{port}{path}",
                        cookie=setup["cookie"] if signed_in else None,
                        desktop=form == "desktop",
                        out=work / f"{name}-{form}-{run}.json",
                    )
                    results.setdefault((name, form), []).append(scores)
                runs = results[(name, form)]
                median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                print(
                    f"{name:10} {form:7} performance {median['performance']:5.0f} "
                    f"(runs {' '.join(str(r['performance']) for r in runs)})  "
                    f"accessibility {median['accessibility']:3.0f}  best-practices {median['best-practices']:3.0f}  "
                    f"FCP {median['fcp_ms']:5.0f} ms  LCP {median['lcp_ms']:5.0f} ms  {median['kib']:5.0f} KiB",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    for (name, form), runs in results.items():
        if form == "mobile":
            score = statistics.median(r["performance"] for r in runs)
            print(
                f"RATIO lighthouse_mobile_{name} {score:.0f} >= {TARGET} {'PASS' if score >= TARGET else 'FAIL'}"
            )


if __name__ == "__main__":
    main()
