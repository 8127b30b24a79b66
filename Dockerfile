# ORAKL production image: `docker build -t orakl . && docker run --env-file .env -v orakl-data:/app/data orakl`
# `docker stop` sends SIGTERM: runs in flight get 10 s to finish, so give it more than Docker's
# default 10 s before SIGKILL (`docker stop -t 30`, compose `stop_grace_period: 30s`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Runtime dependencies only: the project without its dev extras.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install . && useradd --create-home --uid 10001 orakl
COPY data ./data
RUN chown -R orakl:orakl /app/data

# The health endpoint, for the HEALTHCHECK below and for Prometheus (`/metrics`). Inside the
# container it listens on every interface; it is reachable from outside only if published.
ENV ORAKL_HEALTH_PORT=8080 ORAKL_HEALTH_HOST=0.0.0.0
EXPOSE 8080

USER orakl
VOLUME ["/app/data"]
# Healthy while the scheduler runs jobs: /health answers 503 before the gateway is ready and
# while stopping, and urlopen raises on it. The slim image has no curl; Python is there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['ORAKL_HEALTH_PORT']}/health\", timeout=4)"]
CMD ["python", "-m", "bot", "run"]
