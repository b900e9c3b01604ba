"""Prometheus metrics: what the server did, and what the database holds now.

Counters and histograms are kept per process by ``prometheus_client``. With
several uvicorn workers, ``copse serve`` points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh folder before the workers start, so each worker writes its values
there and a scrape answered by any worker adds them all up. Figures that
belong to the database rather than a process (accounts locked out) are read
from it at scrape time, so every instance reports the same.

Labels are bounded sets (operation names, route names, table kinds,
outcomes), never user input: an attacker cannot blow up the series count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "copse_requests",
    "HTTP requests served, by interface (api, web, ops), endpoint and outcome",
    ["interface", "endpoint", "outcome"],
)
LATENCY = Histogram(
    "copse_request_duration_seconds",
    "Time to serve a request, by interface and endpoint",
    ["interface", "endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
ROWS_UPLOADED = Counter(
    "copse_rows_uploaded",
    "Rows received in successful uploads, by table kind (task, ancillary, patient, "
    "patient_idnum, blobs)",
    ["kind"],
)
UPLOAD_BYTES = Counter("copse_upload_bytes", "Request body bytes of successful upload requests")
ACTIVE_UPLOADS = Gauge(
    "copse_active_uploads",
    "Upload requests being served right now",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "copse_db_pool_connections_in_use",
    "Database connections checked out of the pool (sampled after each request)",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "copse_db_pool_connections_open",
    "Database connections held open by the pool (sampled after each request)",
    multiprocess_mode="livesum",
)

PROCESS_METRICS: tuple[Collector, ...] = (
    REQUESTS,
    LATENCY,
    ROWS_UPLOADED,
    UPLOAD_BYTES,
    ACTIVE_UPLOADS,
    POOL_CHECKED_OUT,
    POOL_SIZE,
)

#: A scrape-time reading from the database: name, help, value.
DbReading = tuple[str, str, float]


class DatabaseCollector(Collector):
    """Gauges read from the database when scraped (same answer on every instance)."""

    def __init__(self, read: Callable[[], Iterable[DbReading]]) -> None:
        self._read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, help_text, value in self._read():
            yield GaugeMetricFamily(name, help_text, value=value)


def render(read_database: Callable[[], Iterable[DbReading]]) -> tuple[bytes, str]:
    """The metrics page (body, content type) for one scrape."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in PROCESS_METRICS:
            registry.register(collector)
    registry.register(DatabaseCollector(read_database))
    return generate_latest(registry), CONTENT_TYPE_LATEST
