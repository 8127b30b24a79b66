# ORAKL production image: `docker build -t orakl . && docker run --env-file .env -v orakl-data:/app/data orakl`
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

USER orakl
VOLUME ["/app/data"]
CMD ["python", "-m", "bot", "run"]
