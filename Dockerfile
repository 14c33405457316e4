FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY aminder aminder
COPY core core
COPY anagrafica anagrafica
COPY claims claims
COPY consuntivi consuntivi
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SECRET_KEY=build DJANGO_DEBUG=false DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 aminder && mkdir -p /srv/aminder/private && chown -R aminder /srv/aminder
USER aminder
EXPOSE 8000
CMD ["gunicorn", "aminder.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
