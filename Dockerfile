# One image for the web server and the worker (the default target); the GPU pipeline runs on Modal or on the
# gpu-serve target below, so no torch in here.
#   web:     docker run IMAGE            uvicorn, WEB_CONCURRENCY processes (default 4) on $PORT
#   worker:  docker run IMAGE worker     Dramatiq: "gpu" calls Modal, "default" runs the reaper and retention
#   migrate: docker run IMAGE migrate    once per release, before the new web and worker start
# Settings come from the environment (.env.example); the README's "Deployment" section lists them.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements/base.lock /tmp/base.lock
# The lock file (`make lock`): every package pinned with its hashes, so each build installs the same files. Wheels
# only: the slim image has no compiler, and every package in it ships a manylinux wheel.
RUN /venv/bin/pip install --require-hashes --no-deps --only-binary=:all: -r /tmp/base.lock

# The self-hosted GPU server (`python -m gpu.serve`, README "Self-hosted GPU server"), on any machine with an
# NVIDIA GPU and its container toolkit:
#   docker build --target gpu-serve -t restyle-gpu .
#   docker run --gpus all -e RESTYLE_SERVE_TOKEN=... -p 8080:8080 -v restyle-inductor:/cache/inductor restyle-gpu
# The weights are baked in, as in the Modal image, so a container never downloads anything. PyPI's torch wheel
# brings its own CUDA libraries; the CUDA base image adds what the NVIDIA container runtime expects.
FROM nvidia/cuda:12.8.1-base-ubuntu24.04 AS gpu-serve
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=8080 \
    HF_HOME=/models/hf HF_HUB_CACHE=/models/hf/hub HF_HUB_DISABLE_TELEMETRY=1
# Ubuntu's python3 (3.12; the lock files cover it); opencv-python-headless bundles its libraries (no libGL, no
# GLib). The base image's release fixes these packages' versions.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* && python3 -m venv /venv
# Hash-checked, the whole closure: --no-deps keeps out the opencv-python that ultralytics asks for (the lock
# leaves it out; requirements/overrides.txt).
COPY requirements/serve.lock /tmp/serve.lock
RUN pip install --require-hashes --no-deps -r /tmp/serve.lock
WORKDIR /app
COPY gpu /app/gpu
RUN python -m gpu.fetch_models --cache-dir /models/hf/hub && python -m compileall -q /app
# After the download: at run time nothing may touch the network, and the real weights are required. Compiled
# kernels go to /cache/inductor: mount a volume there and a restarted container skips compiling.
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MODEL_PROFILE=sd15 RESTYLE_INDUCTOR_CACHE=/cache/inductor
RUN groupadd --gid 10001 restyle && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin restyle \
    && mkdir -p /cache/inductor && chown 10001:10001 /cache/inductor
USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "gpu.serve", "--host", "0.0.0.0"]

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
