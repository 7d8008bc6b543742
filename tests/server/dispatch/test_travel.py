"""Travel providers: the great-circle model's arithmetic, OSRM against a local fake server,
the cache, and the choice by setting."""

from __future__ import annotations

import json
import math
import random
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from server.dispatch.travel import (
    EARTH_RADIUS_M,
    CachedTravel,
    GreatCircle,
    Matrix,
    OsrmTable,
    Point,
    TravelError,
    haversine_m,
    provider_from_settings,
)
from tests.serving import http_peer

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLES_SQUARE = Point(31.2304, 121.4737)
PUDONG_AIRPORT = Point(31.1443, 121.8083)


def _law_of_cosines_m(a: Point, b: Point) -> float:
    """An independent formula for the same sphere, to check the haversine against."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dlon = math.radians(b.lon - a.lon)
    cos_c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dlon)
    return EARTH_RADIUS_M * math.acos(min(1.0, cos_c))


def _city(n: int, seed: int = 7) -> list[Point]:
    rng = random.Random(seed)
    return [
        Point(round(rng.uniform(31.0, 31.4), 6), round(rng.uniform(121.2, 121.7), 6))
        for _ in range(n)
    ]


# Great circle


def test_peoples_square_to_pudong_airport_is_about_33_km_as_the_crow_flies():
    metres = haversine_m(PEOPLES_SQUARE, PUDONG_AIRPORT)
    assert 32_500 < metres < 34_000
    assert metres == pytest.approx(_law_of_cosines_m(PEOPLES_SQUARE, PUDONG_AIRPORT), abs=1)


def test_one_degree_of_latitude_is_111_195_m():
    assert haversine_m(Point(30, 121), Point(31, 121)) == pytest.approx(111_195, abs=1)


def test_matrix_applies_detour_factor_and_speed():
    provider = GreatCircle(detour_factor=1.5, speed_kmh=30.0, speed_by_hour={})
    matrix = provider.matrix([PEOPLES_SQUARE, PUDONG_AIRPORT])
    road_m = haversine_m(PEOPLES_SQUARE, PUDONG_AIRPORT) * 1.5
    assert matrix.distances[0][1] == round(road_m)
    assert matrix.durations[0][1] == round(road_m / (30 / 3.6))
    # 33.2 km x 1.5 at 30 km/h: just under 100 minutes.
    assert 95 * 60 < matrix.durations[0][1] < 100 * 60


def test_default_detour_and_speed():
    matrix = GreatCircle().matrix([PEOPLES_SQUARE, PUDONG_AIRPORT])
    road_m = haversine_m(PEOPLES_SQUARE, PUDONG_AIRPORT) * 1.3
    assert matrix.distances[1][0] == round(road_m)
    assert matrix.durations[1][0] == round(road_m / (25 / 3.6))


def test_matrix_is_symmetric_with_a_zero_diagonal_and_matches_the_pairwise_formula():
    points = _city(40)
    provider = GreatCircle()
    matrix = provider.matrix(points)
    assert len(matrix) == 40
    for i, a in enumerate(points):
        assert matrix.durations[i][i] == matrix.distances[i][i] == 0
        for j, b in enumerate(points):
            assert matrix.durations[i][j] == matrix.durations[j][i]
            assert matrix.distances[i][j] == matrix.distances[j][i]
            if i != j:
                assert (matrix.durations[i][j], matrix.distances[i][j]) == provider.pair(a, b)


def test_empty_and_single_point_matrices():
    assert GreatCircle().matrix([]) == Matrix((), ())
    assert GreatCircle().matrix([PEOPLES_SQUARE]) == Matrix(((0,),), ((0,),))


def test_rush_hours_are_slower_in_the_organisations_time_zone():
    provider = GreatCircle(tz=SHANGHAI)
    assert provider.speed_at(None) == 25.0
    assert provider.speed_at(datetime(2026, 3, 2, 8, 15, tzinfo=SHANGHAI)) == 18.0
    assert provider.speed_at(datetime(2026, 3, 2, 17, 0, tzinfo=SHANGHAI)) == 18.0
    # The evening peak is 17:00-19:00: 19:00 is back to the average.
    assert provider.speed_at(datetime(2026, 3, 2, 19, 0, tzinfo=SHANGHAI)) == 25.0
    assert provider.speed_at(datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)) == 25.0
    # 00:15 UTC is 08:15 in Shanghai.
    assert provider.speed_at(datetime(2026, 3, 2, 0, 15, tzinfo=UTC)) == 18.0
    # A naive time is taken as local.
    assert provider.speed_at(datetime(2026, 3, 2, 7, 59, tzinfo=UTC).replace(tzinfo=None)) == 18.0

    off_peak = provider.matrix([PEOPLES_SQUARE, PUDONG_AIRPORT])
    peak = provider.matrix(
        [PEOPLES_SQUARE, PUDONG_AIRPORT], depart_at=datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)
    )
    assert peak.distances == off_peak.distances
    assert peak.durations[0][1] == round(off_peak.distances[0][1] / (18 / 3.6))


def test_rush_hours_scale_with_the_average_speed_unless_given():
    assert GreatCircle(speed_kmh=40).speed_at(datetime(2026, 3, 2, 8, tzinfo=UTC)) == pytest.approx(
        28.8
    )
    flat = GreatCircle(speed_by_hour={})
    assert flat.speed_at(datetime(2026, 3, 2, 8, tzinfo=UTC)) == 25.0
    night = GreatCircle(speed_by_hour={2: 40.0})
    assert night.speed_at(datetime(2026, 3, 2, 2, 30, tzinfo=UTC)) == 40.0
    assert night.speed_at(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) == 25.0


@pytest.mark.parametrize(
    "kwargs", [{"detour_factor": 0.9}, {"speed_kmh": 0}, {"speed_by_hour": {24: 20.0}}]
)
def test_great_circle_rejects_impossible_parameters(kwargs):
    with pytest.raises(ValueError, match=r"detour_factor|speed"):
        GreatCircle(**kwargs)


# OSRM, against a local fake of its table service


def fake_duration(a: Point, b: Point) -> float:
    """Deliberately unlike the great circle, asymmetric, and with fractions to round."""
    return abs(a.lat - b.lat) * 10_000 + abs(a.lon - b.lon) * 20_000 + (0.4 if a.lat < b.lat else 0)


def fake_distance(a: Point, b: Point) -> float:
    return fake_duration(a, b) * 7.5


@dataclass(frozen=True)
class Request:
    points: list[Point]
    annotations: list[str]
    sources: list[int]
    destinations: list[int]


@dataclass
class FakeOsrm:
    url: str = ""
    mode: str = "ok"  # ok | error500 | slow | not_ok | garbage
    max_table_size: int = 100
    unroutable: set[tuple[float, float]] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str) -> tuple[int, bytes]:
        parts = urlsplit(path)
        segments = parts.path.split("/")
        assert segments[1:4] == ["table", "v1", "driving"], parts.path
        points = [
            Point(float(lat), float(lon))
            for lon, lat in (pair.split(",") for pair in segments[4].split(";"))
        ]
        query = parse_qs(parts.query, strict_parsing=True)
        all_indices = ";".join(str(i) for i in range(len(points)))
        sources = [int(i) for i in query.get("sources", [all_indices])[0].split(";")]
        destinations = [int(i) for i in query.get("destinations", [all_indices])[0].split(";")]
        self.requests.append(Request(points, query["annotations"], sources, destinations))
        if query["annotations"] != ["duration,distance"]:
            return 400, b'{"code": "InvalidQuery", "message": "annotations"}'
        # osrm-routed's own rule (plugins/table.hpp): sources x destinations <= max^2.
        if len(sources) * len(destinations) > self.max_table_size**2:
            return 400, b'{"code": "TooBig", "message": "Too many table coordinates"}'
        if self.mode == "error500":
            return 500, b"internal error"
        if self.mode == "not_ok":
            return 200, b'{"code": "NoTable", "message": "No table found"}'
        if self.mode == "garbage":
            return 200, b"<html>proxy says hello</html>"
        if self.mode == "slow":
            self.release.wait(5)

        def cell(fn: Callable[[Point, Point], float], i: int, j: int) -> float | None:
            a, b = points[i], points[j]
            if (a.lat, a.lon) in self.unroutable or (b.lat, b.lon) in self.unroutable:
                return None if i != j else 0.0
            return fn(a, b)

        body = {
            "code": "Ok",
            "durations": [[cell(fake_duration, i, j) for j in destinations] for i in sources],
            "distances": [[cell(fake_distance, i, j) for j in destinations] for i in sources],
        }
        return 200, json.dumps(body).encode()


@pytest.fixture
def osrm() -> Iterator[FakeOsrm]:
    fake = FakeOsrm()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = fake.answer(self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_peer(Handler) as url:
        fake.url = url
        try:
            yield fake
        finally:
            fake.release.set()  # a slow answer still waiting ends before the server stops


def _expected(points: Sequence[Point]) -> Matrix:
    def grid(fn: Callable[[Point, Point], float]) -> tuple[tuple[int, ...], ...]:
        return tuple(
            tuple(0 if i == j else int(fn(a, b) + 0.5) for j, b in enumerate(points))
            for i, a in enumerate(points)
        )

    return Matrix(durations=grid(fake_duration), distances=grid(fake_distance))


def test_osrm_table_in_one_request(osrm):
    points = _city(5)
    matrix = OsrmTable(osrm.url).matrix(points)
    assert matrix == _expected(points)
    assert len(osrm.requests) == 1
    request = osrm.requests[0]
    assert request.points == points  # lon,lat order in the URL, 6 decimals
    assert request.annotations == ["duration,distance"]


def test_osrm_table_is_built_from_blocks_within_the_table_size(osrm):
    osrm.max_table_size = 3
    points = _city(7)
    matrix = OsrmTable(osrm.url, max_table_size=3).matrix(points)
    assert matrix == _expected(points)
    # Blocks of sources {0-2, 3-5, 6} x destinations {0-2, 3-5, 6}.
    assert len(osrm.requests) == 9
    assert all(len(r.sources) <= 3 and len(r.destinations) <= 3 for r in osrm.requests)
    # Each point is sent once per request, even on the diagonal blocks.
    assert all(len(r.points) == len(set(r.points)) for r in osrm.requests)
    blocks = sorted(
        (
            [points.index(r.points[k]) for k in r.sources],
            [points.index(r.points[k]) for k in r.destinations],
        )
        for r in osrm.requests
    )
    chunks = [[0, 1, 2], [3, 4, 5], [6]]
    assert blocks == sorted((a, b) for a in chunks for b in chunks)


def test_a_table_too_big_for_the_server_is_a_travel_error(osrm):
    osrm.max_table_size = 3
    with pytest.raises(TravelError, match=r"HTTP 400.*TooBig"):
        OsrmTable(osrm.url, max_table_size=4).matrix(_city(4))


def test_unroutable_pairs_fall_back_to_the_great_circle(osrm):
    points = _city(4)
    island = points[2]
    osrm.unroutable.add((island.lat, island.lon))
    fallback = GreatCircle(detour_factor=1.4, speed_kmh=20.0)
    matrix = OsrmTable(osrm.url, fallback=fallback).matrix(points)
    expected = _expected(points)
    for i in range(4):
        for j in range(4):
            if i == j:
                assert matrix.durations[i][j] == matrix.distances[i][j] == 0
            elif 2 in (i, j):
                pair = fallback.pair(points[i], points[j])
                assert (matrix.durations[i][j], matrix.distances[i][j]) == pair
            else:
                assert matrix.durations[i][j] == expected.durations[i][j]
                assert matrix.distances[i][j] == expected.distances[i][j]


def test_http_500_is_a_travel_error(osrm):
    osrm.mode = "error500"
    with pytest.raises(TravelError, match="HTTP 500"):
        OsrmTable(osrm.url).matrix(_city(3))


def test_osrm_error_code_is_a_travel_error(osrm):
    osrm.mode = "not_ok"
    with pytest.raises(TravelError, match="NoTable"):
        OsrmTable(osrm.url).matrix(_city(3))


def test_non_json_answer_is_a_travel_error(osrm):
    osrm.mode = "garbage"
    with pytest.raises(TravelError, match="not JSON"):
        OsrmTable(osrm.url).matrix(_city(3))


def test_timeout_is_a_travel_error(osrm):
    osrm.mode = "slow"
    with pytest.raises(TravelError, match=r"timed out after 0\.2 s"):
        OsrmTable(osrm.url, timeout_s=0.2).matrix(_city(3))


def test_unreachable_server_is_a_travel_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens there any more.
    with pytest.raises(TravelError, match="failed"):
        OsrmTable(f"http://127.0.0.1:{port}", timeout_s=1).matrix(_city(2))


def test_osrm_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        OsrmTable("file:///etc/passwd")


# Cache


class CountingProvider:
    def __init__(self, inner: GreatCircle) -> None:
        self.inner = inner
        self.calls = 0

    def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
        self.calls += 1
        return self.inner.matrix(points, depart_at=depart_at)

    def time_bucket(self, depart_at: datetime | None) -> object:
        return self.inner.time_bucket(depart_at)


def test_cache_hits_on_the_same_points_and_hour_bucket():
    inner = CountingProvider(GreatCircle(tz=SHANGHAI))
    cache = CachedTravel(inner)
    points = _city(5)
    first = cache.matrix(points)
    # Differences below the 6th decimal (~0.1 m) are the same place.
    nudged = [Point(p.lat + 1e-8, p.lon - 1e-8) for p in points]
    assert cache.matrix(nudged) is first
    assert (cache.hits, cache.misses, inner.calls) == (1, 1, 1)

    # 10:00 and 14:00 both run at the average speed: the same matrix as no departure time.
    assert cache.matrix(points, depart_at=datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)) is first
    assert cache.matrix(points, depart_at=datetime(2026, 3, 2, 14, tzinfo=SHANGHAI)) is first
    # The rush hour is another bucket.
    peak = cache.matrix(points, depart_at=datetime(2026, 3, 2, 8, tzinfo=SHANGHAI))
    assert peak.durations != first.durations
    assert (cache.hits, cache.misses, inner.calls) == (3, 2, 2)
    # Another order of the same points is another matrix.
    cache.matrix(list(reversed(points)))
    assert (cache.hits, cache.misses) == (3, 3)


def test_cache_evicts_the_least_recently_used():
    inner = CountingProvider(GreatCircle())
    cache = CachedTravel(inner, maxsize=2)
    a, b, c = _city(2, seed=1), _city(2, seed=2), _city(2, seed=3)
    cache.matrix(a)
    cache.matrix(b)
    cache.matrix(a)  # a is now the most recent
    cache.matrix(c)  # evicts b
    cache.matrix(a)
    assert inner.calls == 3
    cache.matrix(b)
    assert inner.calls == 4


def test_cache_without_time_bucket_keys_by_the_hour():
    class Plain:
        calls = 0

        def matrix(self, points: Sequence[Point], *, depart_at: datetime | None = None) -> Matrix:
            self.calls += 1
            return Matrix(((0,),), ((0,),))

    inner = Plain()
    cache = CachedTravel(inner)
    cache.matrix([PEOPLES_SQUARE], depart_at=datetime(2026, 3, 2, 10, 5, tzinfo=UTC))
    cache.matrix([PEOPLES_SQUARE], depart_at=datetime(2026, 3, 2, 10, 55, tzinfo=UTC))
    cache.matrix([PEOPLES_SQUARE], depart_at=datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    assert inner.calls == 2


def test_cached_osrm_asks_the_server_once(osrm):
    cache = CachedTravel(OsrmTable(osrm.url))
    points = _city(4)
    cache.matrix(points, depart_at=datetime(2026, 3, 2, 8, tzinfo=SHANGHAI))
    cache.matrix(points, depart_at=datetime(2026, 3, 2, 15, tzinfo=SHANGHAI))
    assert len(osrm.requests) == 1
    assert (cache.hits, cache.misses) == (1, 1)


# Settings


def test_great_circle_is_the_default_provider():
    provider = provider_from_settings({})
    assert isinstance(provider, GreatCircle)
    assert (provider.detour_factor, provider.speed_kmh) == (1.3, 25.0)


def test_great_circle_parameters_come_from_settings():
    provider = provider_from_settings(
        {"TRAVEL_PROVIDER": "great_circle", "TRAVEL_DETOUR_FACTOR": "1.2", "TRAVEL_SPEED_KMH": 30}
    )
    assert isinstance(provider, GreatCircle)
    assert (provider.detour_factor, provider.speed_kmh) == (1.2, 30.0)
    assert provider.speed_at(datetime(2026, 3, 2, 0, 30, tzinfo=UTC)) == pytest.approx(21.6)


def test_osrm_provider_from_settings(osrm):
    provider = provider_from_settings(
        {"TRAVEL_PROVIDER": "osrm", "OSRM_URL": osrm.url + "/", "TRAVEL_SPEED_KMH": 20}
    )
    assert isinstance(provider, CachedTravel)
    assert isinstance(provider.provider, OsrmTable)
    assert provider.provider.fallback.speed_kmh == 20.0
    points = _city(3)
    assert provider.matrix(points) == _expected(points)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"TRAVEL_PROVIDER": "osrm"}, "OSRM_URL"),
        ({"TRAVEL_PROVIDER": "google"}, "great_circle, osrm"),
    ],
)
def test_bad_provider_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        provider_from_settings(settings)
