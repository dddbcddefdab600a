# The portal's image: one image for web (gunicorn), worker (celery worker) and beat (celery beat).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=portal.settings

# PYTHONPATH: the source tree in /app, not the copy that pip installs, is what runs, so that the settings
# find templates/, static/ and locale/ beside it (BASE_DIR).
WORKDIR /app

# Dependencies first, in their own layer, so that a code change doesn't reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Static files are collected at build time with DEBUG off (hashed, compressed names for WhiteNoise); the
# dummy key exists only for that step and is not in the image's environment.
COPY . .
RUN pip install --no-deps . \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal \
    && SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz DEBUG=false \
        python manage.py collectstatic --noinput \
    && chown -R portal:portal /app/staticfiles

USER portal
EXPOSE 8000

# web; docker-compose.yml runs the worker and beat from the same image with another command
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-"]
