"""Travel times and distances between points: the matrices the optimizer and insertion read.

Providers are chosen by setting (`provider_from_settings`), each with a working local
implementation, as the house style asks:

- `GreatCircle` (the default, no network): haversine distance on the mean Earth sphere times a
  detour factor, duration = distance / speed. The defaults fit a large Chinese city:

  * detour factor 1.3: urban road networks are typically 1.2-1.4 times longer than the straight
    line between two addresses (grids, one-way streets, river crossings);
  * 25 km/h on average door to door, traffic lights and parking included;
  * 18 km/h in the rush hours, 07:00-09:00 and 17:00-19:00 local time (x0.72: peak-hour speeds
    in published congestion reports for Chinese megacities are about a quarter below the
    day's average). Rush-hour speeds scale with `speed_kmh` unless `speed_by_hour` is given.

  The local hour is that of `depart_at` in the provider's `tz` (the organisation's time zone);
  a naive `depart_at` is taken as already local. One departure hour applies to the whole
  matrix: good enough for a day plan's travel, and what keeps the matrix one table.
  500 points (250k pairs) take 0.1-0.2 s in pure Python on the shared 2-core machine: only
  one triangle is computed (the sphere is symmetric) from precomputed radians and cosines,
  with one sin, sin, sqrt and asin per pair.

- `OsrmTable`: OSRM's table service (`/table/v1/{profile}/...?annotations=duration,distance`),
  in blocks of at most `max_table_size` sources x `max_table_size` destinations, because
  osrm-routed refuses a table with more than `--max-table-size`^2 (default 100^2) entries.
  Unroutable pairs (`null`) fall back to the great-circle estimate for that pair; HTTP
  errors, timeouts and malformed answers raise `TravelError`. OSRM's table has no departure
  time: `depart_at` is ignored. This is the only impure part of the module: one stdlib
  `urllib.request` call per block (no new dependency).

- `CachedTravel`: a small LRU of whole matrices keyed by the points (6 decimals, ~0.1 m) and the
  provider's time bucket, so that repeated suggestions over the same day's points do not ask
  OSRM again.

Durations are whole seconds and distances whole metres, rounded to the nearest; the diagonal
is 0. Nothing here imports Flask or SQLAlchemy.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

# IUGG mean Earth radius: the sphere that minimises the haversine's error on average.
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_DETOUR_FACTOR = 1.3
DEFAULT_SPEED_KMH = 25.0
# Hours (local, start of the hour) of the morning and evening peaks, and their speed as a share
# of the average: 25 km/h x 0.72 = 18 km/h.
RUSH_HOURS = (7, 8, 17, 18)
RUSH_HOUR_FACTOR = 0.72
# osrm-routed's default --max-table-size.
OSRM_MAX_TABLE_SIZE = 100

PROVIDERS = ("great_circle", "osrm")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Matrix:
    # durations[i][j]: seconds from point i to point j.
    durations: tuple[tuple[int, ...], ...]
    # distances[i][j]: metres from point i to point j.
    distances: tuple[tuple[int, ...], ...]

    def __len__(self) -> int:
        return len(self.durations)


class TravelError(Exception):
    """The travel backend could not answer (HTTP error, timeout, malformed reply)."""


class TravelProvider(Protocol):
    def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
        """Durations and distances between every ordered pair of `points`."""
        ...


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (no detour)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(b.lon - a.lon) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    # min(): rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


class GreatCircle:
    """Straight-line distance x detour factor at a speed that may depend on the hour."""

    def __init__(
        self,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
        speed_kmh: float = DEFAULT_SPEED_KMH,
        speed_by_hour: Mapping[int, float] | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> None:
        if detour_factor < 1:
            raise ValueError("detour_factor must be >= 1 (a road is never shorter than the arc)")
        if speed_kmh <= 0:
            raise ValueError("speed_kmh must be positive")
        if speed_by_hour is None:
            speed_by_hour = dict.fromkeys(RUSH_HOURS, speed_kmh * RUSH_HOUR_FACTOR)
        for hour, speed in speed_by_hour.items():
            if not 0 <= hour <= 23 or speed <= 0:
                raise ValueError(f"speed_by_hour: bad entry {hour}: {speed}")
        self.detour_factor = detour_factor
        self.speed_kmh = speed_kmh
        self.speed_by_hour: dict[int, float] = dict(speed_by_hour)
        self.tz = tz

    def speed_at(self, depart_at: datetime | None) -> float:
        """km/h for a departure at `depart_at` (the average when it is None)."""
        if depart_at is None:
            return self.speed_kmh
        if self.tz is not None and depart_at.tzinfo is not None:
            depart_at = depart_at.astimezone(self.tz)
        return self.speed_by_hour.get(depart_at.hour, self.speed_kmh)

    def time_bucket(self, depart_at: datetime | None) -> Hashable:
        # The matrix depends on the departure time only through the speed.
        return self.speed_at(depart_at)

    def pair(self, a: Point, b: Point, *, depart_at: datetime | None = None) -> tuple[int, int]:
        """(seconds, metres) from a to b: the estimate OsrmTable uses for unroutable pairs."""
        metres = haversine_m(a, b) * self.detour_factor
        seconds = metres / (self.speed_at(depart_at) / 3.6)
        return int(seconds + 0.5), int(metres + 0.5)

    def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
        n = len(points)
        lats = [math.radians(p.lat) for p in points]
        lons = [math.radians(p.lon) for p in points]
        coss = [math.cos(lat) for lat in lats]
        metres_per_rad = 2 * EARTH_RADIUS_M * self.detour_factor
        seconds_per_metre = 3.6 / self.speed_at(depart_at)
        dist = [[0] * n for _ in range(n)]
        dur = [[0] * n for _ in range(n)]
        sin, asin, sqrt = math.sin, math.asin, math.sqrt
        for i in range(n):
            lat_i, lon_i, cos_i = lats[i], lons[i], coss[i]
            dist_i, dur_i = dist[i], dur[i]
            # Upper triangle only; the lower one is its mirror image.
            for j in range(i + 1, n):
                s_lat = sin((lats[j] - lat_i) * 0.5)
                s_lon = sin((lons[j] - lon_i) * 0.5)
                h = s_lat * s_lat + cos_i * coss[j] * s_lon * s_lon
                metres = metres_per_rad * asin(sqrt(h if h < 1.0 else 1.0))
                d = int(metres + 0.5)
                t = int(metres * seconds_per_metre + 0.5)
                dist_i[j] = d
                dur_i[j] = t
                dist[j][i] = d
                dur[j][i] = t
        return Matrix(
            durations=tuple(tuple(row) for row in dur),
            distances=tuple(tuple(row) for row in dist),
        )


class OsrmTable:
    """OSRM's table service over HTTP; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 5.0,
        profile: str = "driving",
        *,
        max_table_size: int = OSRM_MAX_TABLE_SIZE,
        fallback: GreatCircle | None = None,
    ) -> None:
        # urlopen also opens file:// and ftp:// URLs: accept only what an OSRM server speaks.
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"OSRM URL must be http(s): {base_url!r}")
        if max_table_size < 1:
            raise ValueError("max_table_size must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.profile = profile
        self.max_table_size = max_table_size
        self.fallback = fallback or GreatCircle()

    def time_bucket(self, depart_at: datetime | None) -> Hashable:
        return None  # the table service has no departure time

    def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
        n = len(points)
        dur: list[list[int | None]] = [[None] * n for _ in range(n)]
        dist: list[list[int | None]] = [[None] * n for _ in range(n)]
        for sources, destinations in self._blocks(n):
            block_dur, block_dist = self._table(points, sources, destinations)
            for row, i in enumerate(sources):
                for col, j in enumerate(destinations):
                    dur[i][j] = block_dur[row][col]
                    dist[i][j] = block_dist[row][col]
        durations: list[tuple[int, ...]] = []
        distances: list[tuple[int, ...]] = []
        for i in range(n):
            dur_row: list[int] = []
            dist_row: list[int] = []
            for j in range(n):
                seconds, metres = dur[i][j], dist[i][j]
                if i == j:
                    seconds, metres = 0, 0
                elif seconds is None or metres is None:
                    # Unroutable (a point snapped to an island of the road graph): an estimate
                    # keeps the plan going, where a hole would stop the whole solve.
                    seconds, metres = self.fallback.pair(points[i], points[j], depart_at=depart_at)
                dur_row.append(seconds)
                dist_row.append(metres)
            durations.append(tuple(dur_row))
            distances.append(tuple(dist_row))
        return Matrix(durations=tuple(durations), distances=tuple(distances))

    def _blocks(self, n: int) -> Iterator[tuple[range, range]]:
        size = self.max_table_size
        chunks = [range(start, min(start + size, n)) for start in range(0, n, size)]
        for sources in chunks:
            for destinations in chunks:
                yield sources, destinations

    def _table(
        self, points: Sequence[Point], sources: range, destinations: range
    ) -> tuple[list[list[int | None]], list[list[int | None]]]:
        """One request: sources x destinations, each point sent once."""
        indices = list(sources) + [j for j in destinations if j not in sources]
        position = {index: k for k, index in enumerate(indices)}
        coordinates = ";".join(f"{points[k].lon:.6f},{points[k].lat:.6f}" for k in indices)
        query = "annotations=duration,distance"
        if len(indices) > len(sources) or len(indices) > len(destinations):
            query += "&sources=" + ";".join(str(position[i]) for i in sources)
            query += "&destinations=" + ";".join(str(position[j]) for j in destinations)
        url = f"{self.base_url}/table/v1/{self.profile}/{coordinates}?{query}"
        body = self._get(url)
        try:
            durations = body["durations"]
            distances = body.get("distances")
            shape_ok = len(durations) == len(sources) and all(
                len(row) == len(destinations) for row in durations
            )
            if distances is not None:
                shape_ok = shape_ok and len(distances) == len(sources)
                shape_ok = shape_ok and all(len(row) == len(destinations) for row in distances)
            if not shape_ok:
                raise TravelError("OSRM table answer has the wrong shape")
            # OSRM versions before 5.8 answer durations only: distances are then estimated.
            return (
                [[_rounded(v) for v in row] for row in durations],
                [[_rounded(v) for v in row] for row in distances]
                if distances is not None
                else [[None] * len(destinations) for _ in sources],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TravelError(f"OSRM table answer is malformed: {exc!r}") from exc

    def _get(self, url: str) -> dict[str, Any]:
        # S310: urlopen would also open file:// URLs; __init__ accepts only http(s).
        request = urllib.request.Request(  # noqa: S310
            url, headers={"Accept": "application/json", "User-Agent": "fieldline-dispatch"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            with exc:  # closes the error's response body
                detail = _osrm_message(exc.read())
            raise TravelError(f"OSRM table request failed: HTTP {exc.code}{detail}") from exc
        except TimeoutError as exc:
            raise TravelError(f"OSRM table request timed out after {self.timeout_s} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise TravelError(f"OSRM table request timed out after {self.timeout_s} s") from exc
            raise TravelError(f"OSRM table request failed: {exc.reason}") from exc
        except OSError as exc:  # connection reset mid-answer and the like
            raise TravelError(f"OSRM table request failed: {exc}") from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise TravelError("OSRM table answer is not JSON") from exc
        if not isinstance(body, dict):
            raise TravelError("OSRM table answer is not a JSON object")
        if body.get("code") != "Ok":
            raise TravelError(
                f"OSRM table request failed: {body.get('code')}: {body.get('message', '')}"
            )
        return body


def _rounded(value: Any) -> int | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"not a travel value: {value!r}")
    return int(number + 0.5)


def _osrm_message(raw: bytes) -> str:
    """OSRM explains its 400s in JSON (`{"code": "TooBig", "message": ...}`)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return ""
    if isinstance(body, dict) and "code" in body:
        return f" ({body['code']}: {body.get('message', '')})"
    return ""


class CachedTravel:
    """Whole-matrix LRU cache in front of another provider. Thread-safe.

    The key is the points rounded to 6 decimals (~0.1 m) and the provider's `time_bucket` for
    `depart_at` when it has one (GreatCircle: the speed for that hour; OSRM: nothing), else the
    departure floored to the hour. No sub-matrix reuse: a request for a subset of cached
    points is a miss, which keeps the cache obviously correct.
    """

    def __init__(self, provider: TravelProvider, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.provider = provider
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Matrix] = OrderedDict()
        self._lock = threading.Lock()

    def _bucket(self, depart_at: datetime | None) -> Hashable:
        bucket = getattr(self.provider, "time_bucket", None)
        if callable(bucket):
            key: Hashable = bucket(depart_at)
            return key
        if depart_at is None:
            return None
        return depart_at.replace(minute=0, second=0, microsecond=0)

    def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
        key = (
            tuple((round(p.lat, 6), round(p.lon, 6)) for p in points),
            self._bucket(depart_at),
        )
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        # Computed outside the lock: an OSRM call must not block other threads' hits.
        result = self.provider.matrix(points, depart_at=depart_at)
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


def provider_from_settings(settings: Mapping[str, Any]) -> TravelProvider:
    """The provider the settings choose.

    Keys: `TRAVEL_PROVIDER` ("great_circle", the default, or "osrm"), `OSRM_URL` (required for
    osrm), `TRAVEL_DETOUR_FACTOR`, `TRAVEL_SPEED_KMH` (the great-circle model, also OSRM's
    fallback for unroutable pairs), `ORG_TIMEZONE` (for rush hours; default Asia/Shanghai).
    OSRM comes wrapped in a `CachedTravel`, since each matrix costs HTTP round trips; the great
    circle is cheaper to recompute than to key.
    """
    kind = str(settings.get("TRAVEL_PROVIDER") or "great_circle").strip().lower()
    great_circle = GreatCircle(
        detour_factor=float(settings.get("TRAVEL_DETOUR_FACTOR") or DEFAULT_DETOUR_FACTOR),
        speed_kmh=float(settings.get("TRAVEL_SPEED_KMH") or DEFAULT_SPEED_KMH),
        tz=ZoneInfo(str(settings.get("ORG_TIMEZONE") or "Asia/Shanghai")),
    )
    if kind == "great_circle":
        return great_circle
    if kind == "osrm":
        url = settings.get("OSRM_URL")
        if not url:
            raise ValueError("TRAVEL_PROVIDER=osrm needs OSRM_URL")
        return CachedTravel(OsrmTable(str(url), fallback=great_circle))
    raise ValueError(f"TRAVEL_PROVIDER must be one of {', '.join(PROVIDERS)}: {kind!r}")
