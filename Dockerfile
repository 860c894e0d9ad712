# One image for the web server and the worker; the GPU pipeline runs on Modal, so no torch in here.
#   web:     docker run IMAGE            uvicorn, WEB_CONCURRENCY processes (default 4) on $PORT
#   worker:  docker run IMAGE worker     Dramatiq: "gpu" calls Modal, "default" runs the reaper and retention
#   migrate: docker run IMAGE migrate    once per release, before the new web and worker start
# Settings come from the environment (.env.example); the README's "Deployment" section lists them.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements/base.txt /tmp/base.txt
# Wheels only: the slim image has no compiler, and every pin in base.txt ships a manylinux wheel.
RUN /venv/bin/pip install --only-binary=:all: -r /tmp/base.txt

FROM ${PYTHON_IMAGE}
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production PORT=8000 WEB_CONCURRENCY=4
RUN groupadd --gid 10001 restyle && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin restyle
COPY --from=build /venv /venv
WORKDIR /app
# Owned by root and read-only to the app user: the code and static files never change at run time.
COPY . .
# collectstatic needs settings to import; these placeholders exist only for this build step. Byte-compiling
# here saves every container start from doing it (the app user cannot write /app).
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgresql://build/build REDIS_URL=redis://build:6379/0 \
    S3_BUCKET=build python manage.py collectstatic --noinput \
    && python -m compileall -q /app
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["web"]
