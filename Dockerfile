# syntax=docker/dockerfile:1
# IOM case manager: one image for every Django process (web, migrate, workers, beat).
# See docs/deployment.md. Build: docker build -t iom-case-manager .

# --- Stage 1: front-end assets -------------------------------------------------------------
# Builds build/static/ from the pinned npm packages (package-lock.json); nothing of Node is
# carried into the runtime image.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scss/ scss/
COPY scripts/build-assets.mjs scripts/build-assets.mjs
RUN npm run --silent build

# --- Stage 2: runtime ----------------------------------------------------------------------
FROM python:3.13-slim-bookworm AS runtime

# STATIC_ROOT is /app/staticfiles, filled at build time below; nothing is mounted over /app.
# Generated files (IOM_MEDIA_ROOT) live on the /data/media volume.
# WEB_CONCURRENCY is gunicorn's own default for --workers; override it per deployment.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IOM_DATA_DIR=/app/var \
    IOM_MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# WeasyPrint's native libraries (Pango, HarfBuzz subsetting) and the fonts the PDFs use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged uid/gid so volume ownership is predictable across rebuilds.
RUN groupadd --system --gid 10001 iom \
    && useradd --system --uid 10001 --gid iom --home-dir /home/iom --create-home \
        --shell /usr/sbin/nologin iom

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The code stays owned by root: the process can read it but not change it.
COPY . .
COPY --from=assets /src/build/static/ build/static/

# Hashed, compressed static files for WhiteNoise. DJANGO_DEBUG must be false here so the manifest
# storage is used, as it is at run time. The values on this line exist only so the settings import
# during the build; none of them is used by a running container.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-1s92rWktWIaA9l5ShOjiVBZ \
    DJANGO_ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# Mount points for the named volumes, owned by the app user so a fresh volume inherits that.
RUN mkdir -p /data/media /data/beat \
    && chown -R iom:iom /data

USER iom:iom
EXPOSE 8000

# Workers come from WEB_CONCURRENCY (gunicorn reads it). Logs, including the access log, go to
# stdout/stderr for the container runtime to collect.
CMD ["gunicorn", "iom.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
