# The Aminder image: web (gunicorn), worker, beat and migrate run it with different commands.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The same lock `make` installs (requirements/development.txt adds only the dev tools to it).
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes -r requirements/production.txt
# What is copied is filtered by .dockerignore: no .env, var/, .git, tests or virtualenv.
COPY . .
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
    && rm -rf var/aminder.sqlite3
RUN useradd --system --uid 1000 --home-dir /app aminder \
    && mkdir -p /srv/aminder/private && chown aminder /srv/aminder/private
USER 1000
EXPOSE 8000
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["gunicorn", "aminder.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
