# One image for the web server and the worker; the GPU pipeline runs on Modal, so no torch here.
#   web:    docker run IMAGE            (ASGI, several worker processes)
#   worker: docker run IMAGE worker     (Dramatiq, the "gpu" queue calls Modal)
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements/base.txt /tmp/base.txt
RUN /venv/bin/pip install -r /tmp/base.txt

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DJANGO_ENV=production PORT=8000 WEB_CONCURRENCY=4
RUN useradd --create-home --uid 10001 restyle
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=restyle:restyle . .
# collectstatic needs settings to import; these placeholders exist only for this build step.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgresql://build/build REDIS_URL=redis://build:6379/0 \
    S3_BUCKET=build python manage.py collectstatic --noinput
USER restyle
EXPOSE 8000
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["web"]
