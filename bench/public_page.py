"""Benchmark: the public credential page /c/<id> under load, on PostgreSQL and gunicorn.

Run as ``.venv/bin/python bench/public_page.py`` (options: ``--help``). It

1. creates (drops first) the database ``baeji_bench_public`` on
   postgres://postgres@127.0.0.1:5432 (``--database-url`` to change), migrates it and seeds one
   issuer with ``--awards`` awards (default 200, a few of them revoked) through the services;
2. serves the platform with gunicorn (``--workers`` × ``--threads``, gthread) on a free
   loopback port, BAEJI_DEBUG off, a secret key set;
3. loads /c/<id> for random ids from a second process: ``wrk`` when installed
   (``apt-get install wrk``), else a small Python client (threads, keep-alive http.client).
   Each run is bounded by ``--seconds`` (and, for the Python client, ``--requests``);
4. prints requests per second and p50/p99 latency for the HTML page and for the JSON
   (``Accept: application/ld+json``), after one cold pass over every id (its mean latency is
   printed too) and a warm-up of every worker; and the server's CPU time per request, the
   figure that does not depend on what else the machine is running;
5. revokes one award through the service and checks that every worker shows it at once.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's master and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master_pid in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (connecting to the 'postgres' one)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def seed(count: int, revoked: int) -> list[str]:
    """Migrate and seed one issuer with ``count`` awards; returns their public ids."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.achievements.services import achievement_create
    from baeji.awards.services import award_issue, award_revoke
    from baeji.organizations.services import organization_create

    call_command("migrate", interactive=False, verbosity=0)
    owner = user_get_or_create_for_email(email="staff@bench.example", name="Staff")
    organization = organization_create(slug="bench", name="벤치 청소년센터", by=owner)
    badges = [
        achievement_create(
            organization=organization,
            slug=f"badge-{n}",
            by=owner,
            name=f"코딩 {n}단계",
            description="파이썬으로 작은 프로그램을 만들고 설명할 수 있습니다.",
            criteria_md="- 변수와 반복문을 쓴다\n- 함수를 만든다\n- 결과를 발표한다",
            achievement_type="Badge",
            category="디지털",
            family="코딩",
            level=n,
            design={"shape": "circle", "color": "#1F5FAD", "icon": "code"},
        )
        for n in range(1, 4)
    ]
    ids = []
    for n in range(count):
        award = award_issue(
            achievement=badges[n % len(badges)],
            recipient_email=f"learner{n}@example.com",
            recipient_name=f"학습자 {n:03d}",
            issued_by=owner,
            narrative="수업 과제를 모두 제출했습니다." if n % 2 else None,
            result="통과" if n % 3 == 0 else None,
            notify=False,
        )
        if n < revoked:
            award_revoke(award=award, reason="벤치마크용 취소", by=owner)
        ids.append(award.public_id)
    connections.close_all()
    return ids


def start_server(port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn serving the WSGI application; returns once it answers."""
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "baeji.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/verify")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def python_load(
    port: int, paths: list[str], accept: str, *, requests: int, seconds: float, concurrency: int
) -> dict:
    """Threads with keep-alive connections GET random paths; bounded by count and time."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + seconds

    def worker(seed_value: int) -> None:
        rng = random.Random(seed_value)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                connection.request("GET", rng.choice(paths), headers={"Accept": accept})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - start)
            else:
                with lock:
                    errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "client": "python",
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * _percentile(latencies, 0.99) if latencies else float("nan"),
    }


WRK_SCRIPT = """
local paths = {%s}
local accept = "%s"
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = accept})
end
"""


def _wrk_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_load(port: int, paths: list[str], accept: str, *, seconds: float, concurrency: int) -> dict:
    """wrk (one thread, ``concurrency`` keep-alive connections) over random paths."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = ",".join(json.dumps(p) for p in paths)
        script.write(WRK_SCRIPT % (quoted, accept, random.randrange(1 << 30)))
    try:
        output = subprocess.run(
            [
                "wrk",
                "--latency",
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, int(seconds))}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: .*", output)
    return {
        "client": "wrk",
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _wrk_ms(latency["50"]),
        "p99_ms": _wrk_ms(latency["99"]),
    }


def cold_pass(port: int, paths: list[str]) -> float:
    """Every page once (nothing cached yet); returns the mean latency in milliseconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    for path in paths:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
    connection.close()
    return 1000 * (time.perf_counter() - started) / len(paths)


def warm_up(port: int, paths: list[str], workers: int) -> None:
    """Fill every worker's cache: each worker keeps its own (Django's default in-process
    cache), and a connection stays with one worker, so several connections each ask for
    every page."""
    threads = [threading.Thread(target=cold_pass, args=(port, paths)) for _ in range(workers * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def revocation_shows_at_once(port: int, public_id: str, workers: int) -> bool:
    """Revoke through the service, then ask (new connections, so every worker answers) for
    the page: each answer must say revoked, although the valid report was cached before."""
    from baeji.awards.models import Award
    from baeji.awards.services import award_revoke

    award_revoke(award=Award.objects.get(public_id=public_id), reason="bench", by=None)
    for _ in range(workers * 8):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", f"/c/{public_id}", headers={"Accept": "text/html"})
        body = connection.getresponse().read().decode("utf-8")
        connection.close()
        if 'class="status ok"' in body or 'class="status bad"' not in body:
            return False
    return True


def main() -> int:
    """Seed, serve, load, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/baeji_bench_public"
    )
    parser.add_argument("--awards", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured run")
    parser.add_argument("--requests", type=int, default=20000, help="cap (Python client)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"

    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="baeji-bench-public-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "baeji.settings",
        "DATABASE_URL": args.database_url,
        "BAEJI_DATA_DIR": str(data_dir),
        "BAEJI_DEBUG": "0",
        "BAEJI_SECRET_KEY": secrets.token_urlsafe(50),
        "BAEJI_KEK": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "BAEJI_BASE_URL": f"http://127.0.0.1:{port}",
        "BAEJI_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    print(f"database {args.database_url} (recreated); data dir {data_dir}", flush=True)
    recreate_database(args.database_url)
    started = time.perf_counter()
    ids = seed(args.awards, revoked=max(1, args.awards // 40))
    print(f"seeded {len(ids)} awards in {time.perf_counter() - started:.1f} s", flush=True)

    server = start_server(port, env, args.workers, args.threads)
    try:
        paths = [f"/c/{public_id}" for public_id in ids]
        print(f"gunicorn {args.workers} workers × {args.threads} threads on 127.0.0.1:{port}")
        print(f"cold pass over {len(paths)} pages: {cold_pass(port, paths):.1f} ms mean")
        warm_up(port, paths, args.workers)
        print(
            f"load: {client}, {args.concurrency} connections, {args.seconds:g} s per run"
            + (f", at most {args.requests} requests" if client == "python" else "")
        )
        for label, accept in (
            ("HTML", "text/html,application/xhtml+xml"),
            ("JSON", "application/ld+json"),
        ):
            cpu_before = server_cpu_seconds(server.pid)
            if client == "wrk":
                result = wrk_load(
                    port, paths, accept, seconds=args.seconds, concurrency=args.concurrency
                )
            else:
                result = python_load(
                    port,
                    paths,
                    accept,
                    requests=args.requests,
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                )
            cpu_ms = 1000 * (server_cpu_seconds(server.pid) - cpu_before) / result["requests"]
            extra = f", {result['socket_errors']}" if result.get("socket_errors") else ""
            print(
                f"  {label:4}  {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.1f} ms   "
                f"p99 {result['p99_ms']:6.1f} ms   ({result['requests']} requests, "
                f"{result['errors']} non-200{extra})",
                flush=True,
            )
            print(
                f"        server CPU {cpu_ms:.2f} ms per request "
                f"(so ≈ {2000 / cpu_ms:.0f} req/s on two cores the server had to itself)",
                flush=True,
            )
        shown = revocation_shows_at_once(port, ids[-1], args.workers)
        print(f"revocation shown at once by every worker: {'yes' if shown else 'NO'}")
        return 0 if shown else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
