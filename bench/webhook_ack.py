"""Webhook ack speed: Baton's Zendesk receiver against a bare Flask 202, same gunicorn, same run.

Run by hand: ``.venv/bin/python bench/webhook_ack.py`` (``--help`` for knobs, ``--profile`` for
where the time goes inside one request). It starts its own redis-server on a free loopback port
(temporary directory, no persistence), then gunicorn twice with the same worker count and class:
once on ``plugin.app:create_app()`` configured through the environment, once on a bare Flask app
whose one route answers 202 JSON. Load comes from ``wrk`` (Debian: ``sudo apt-get install -y wrk``)
with a Lua script replaying pre-generated, signed, unique Zendesk events over 16 concurrent
connections (gunicorn's sync workers close each after one response; wrk reconnects). Every
process it starts is stopped on exit; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "zendesk" / "zendesk_event_ticket_agent_assignment_changed.json"
SECRET = "bench-secret-not-for-production"
QUEUE = "baton"
BARE_APP = '''from flask import Flask, jsonify
app = Flask(__name__)
app.add_url_rule("/healthz", "healthz", lambda: jsonify({"status": "ok"}))
@app.post("/webhooks/zendesk")
def receive():
    return jsonify({"event_id": "bare", "status": "queued"}), 202
'''
# --gc-freeze: move everything loaded at start-up out of the collector's sight, so a full
# collection scans only what requests allocate (tens of milliseconds less each, on this machine).
GC_FREEZE_HOOK = """import gc


def post_worker_init(worker):
    gc.freeze()
"""
# One request a call from a per-thread list (thread k takes lines k, k+T, ...), so every
# request carries a distinct event; response() tallies statuses and keeps acknowledged ids.
WRK_LUA = r'''
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local file, nthreads, stamp = args[1], tonumber(args[2]), args[3]
  keep_ids = args[4] == "1"
  reqs, n, wrapped, queued, duplicate, other, bad, ids = {}, 0, 0, 0, 0, 0, 0, {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local sig, body = line:match("^([^\t]*)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", "/webhooks/zendesk", {
        ["Content-Type"] = "application/json",
        ["X-Zendesk-Webhook-Signature"] = sig,
        ["X-Zendesk-Webhook-Signature-Timestamp"] = stamp}, body)
    end
    i = i + 1
  end
end
function request()
  n = n + 1
  if n > #reqs then n, wrapped = 1, wrapped + 1 end
  return reqs[n]
end
function response(status, headers, body)
  if status ~= 202 then bad = bad + 1 return end
  local s = body:match('"status":%s*"(%a+)"')
  if s == "queued" then
    queued = queued + 1
    if keep_ids then ids[#ids + 1] = body:match('"event_id":%s*"([^"]*)"') end
  elseif s == "duplicate" then duplicate = duplicate + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {queued = 0, duplicate = 0, other = 0, bad = 0, wrapped = 0}
  local out = io.open(os.getenv("BENCH_IDS_OUT"), "w")
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
    for _, id in ipairs(thread:get("ids")) do out:write(id, "\n") end
  end
  out:close()
  local e = summary.errors
  t.requests, t.duration_us = summary.requests, summary.duration
  t.errors = e.connect + e.read + e.write + e.status + e.timeout
  t.p50_us, t.p99_us = latency:percentile(50), latency:percentile(99)
  t.max_us, t.mean_us = latency.max, latency.mean
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = string.format('"%s": %s', k, tostring(v)) end
  io.write("BENCH_RESULT {", table.concat(parts, ", "), "}\n")
end
'''


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout: float = 60.0) -> None:
    """Poll ``check`` until it returns true, or exit naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"bench: {what} did not come up within {timeout:.0f} s")


def start(stack: ExitStack, argv: list[str], env: dict | None = None, cwd: Path | None = None,
          log: Path | None = None) -> subprocess.Popen:
    """Start a process that is terminated (then killed) when the stack closes."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed by the stack
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log:
            out.close()
    stack.callback(stop)
    return proc


def start_redis(stack: ExitStack, workdir: Path) -> tuple[str, int]:
    """Start a throwaway redis-server; return its URL and pid."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench: redis-server not found (Debian: sudo apt-get install -y redis-server)")
    port = free_port()
    proc = start(stack, [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                         "no", "--dir", str(workdir)])
    import redis

    client = redis.Redis(port=port)
    wait_until(client.ping, "redis-server")
    return f"redis://127.0.0.1:{port}/0", proc.pid


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    finally:
        conn.close()


def start_gunicorn(stack: ExitStack, target: str, env: dict, workdir: Path, args: argparse.Namespace,
                   name: str) -> tuple[subprocess.Popen, int]:
    """Serve ``target`` with gunicorn on a free loopback port; access log off."""
    port = free_port()
    config = workdir / "gunicorn_conf.py"  # explicit, so no gunicorn.conf.py from elsewhere applies
    config.write_text(GC_FREEZE_HOOK if args.gc_freeze else "")
    argv = [sys.executable, "-m", "gunicorn", "--config", str(config), "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--worker-class", args.worker_class, "--log-level", "warning",
            "--backlog", "2048"]
    if args.worker_class == "gthread":
        argv += ["--threads", str(args.threads)]
    proc = start(stack, argv + [target], env=env, cwd=workdir, log=workdir / f"{name}.log")
    wait_until(lambda: proc.poll() is None and healthy(port), f"gunicorn ({name}); see its log")
    return proc, port


def signed_lines(count: int, start_at: int, stamp: str) -> list[str]:
    """Make ``count`` signed, unique Zendesk events: 'signature<TAB>body' lines."""
    template = json.loads(FIXTURE.read_text())
    key = SECRET.encode()
    lines = []
    for i in range(start_at, start_at + count):
        template["id"] = f"bench-{i:09d}-{template['detail']['id']}"
        body = json.dumps(template, separators=(",", ":")).encode()
        digest = hmac.new(key, stamp.encode() + body, hashlib.sha256).digest()
        lines.append(base64.b64encode(digest).decode() + "\t" + body.decode())
    return lines


def cpu_seconds(pids: list[int]) -> float:
    """Sum user+system CPU seconds of the given processes (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """Return CPU seconds all processors have spent busy since boot (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Return the pids whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def run_wrk(port: int, lines_file: Path, stamp: str, seconds: float, args: argparse.Namespace,
            ids_out: Path, keep_ids: bool, watch: list[int]) -> dict:
    """Run wrk once; return its tallies plus CPU use of wrk and of the watched processes."""
    script = lines_file.parent / "replay.lua"
    script.write_text(WRK_LUA)
    argv = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{int(seconds)}s",
            "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}", "--",
            str(lines_file), str(args.wrk_threads), stamp, "1" if keep_ids else "0"]
    before = cpu_seconds(watch), cpu_seconds([args.redis_pid]), machine_busy()
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BENCH_IDS_OUT": str(ids_out)})
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    line = next((x for x in out.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if line is None:
        alive = sum(Path(f"/proc/{pid}").exists() for pid in watch)
        logs = "".join(f"\n--- {log.name}, last lines:\n" + "\n".join(log.read_text().splitlines()[-15:])
                       for log in sorted(lines_file.parent.glob("*.log")))
        sys.exit(f"bench: wrk gave no result (gunicorn processes alive: {alive} of {len(watch)})\n"
                 f"{out}\n{err}{logs}")
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["wrk_cpu"] = (usage.ru_utime + usage.ru_stime) / wall
    result["server_cpu"] = (cpu_seconds(watch) - before[0]) / wall
    result["redis_cpu"] = (cpu_seconds([args.redis_pid]) - before[1]) / wall
    result["machine_cpu"] = (machine_busy() - before[2]) / wall
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def bench_server(name: str, port: int, watch: list[int], workdir: Path, args: argparse.Namespace,
                 offset: int) -> tuple[dict, Path, int]:
    """Warm a server up, then measure it; each phase replays its own unique, freshly signed events."""
    import redis

    ids_out = workdir / f"{name}-ids.txt"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for phase, seconds in (("warmup", args.warmup), ("measure", args.duration)):
        lines_file = workdir / f"{name}-{phase}.txt"
        # The bare app ignores bodies, so it may cycle through a few; Baton needs one per request.
        count = args.max_rate * seconds + 1000 if name == "baton" else 5000
        lines_file.write_text("\n".join(signed_lines(count, offset, stamp)) + "\n")
        offset += count
        if phase == "measure":
            time.sleep(0.5)  # let warm-up's last requests land before the queue is emptied
            if name == "baton":
                redis.Redis.from_url(args.redis_url).flushdb()
            busy = machine_busy()
            time.sleep(1)  # what the machine does without us: other work skews every figure
            background = machine_busy() - busy
        result = run_wrk(port, lines_file, stamp, seconds, args, ids_out, name == "baton", watch)
    result["background_cpu"] = background
    return result, ids_out, offset


def check_queue(redis_url: str, ids_file: Path, connections: int) -> tuple[bool, str]:
    """Check that every acknowledged event is a queued RQ job and that nothing is doubled."""
    import redis

    from plugin.events import Event
    from plugin.queue import job_id_for

    client = redis.Redis.from_url(redis_url)
    time.sleep(0.5)  # requests in flight when wrk stopped finish on the server
    queued = [x.decode() for x in client.lrange(f"rq:queue:{QUEUE}", 0, -1)]
    acked = ids_file.read_text().split()
    wanted = {job_id_for(Event(id=i, vendor="zendesk", kind="assignment_changed", ticket_id="",
                               occurred_at="")) for i in acked}
    dedupe_keys = sum(1 for _ in client.scan_iter("baton:dedupe:zendesk:*", count=1000))
    missing = wanted - set(queued)
    in_flight = len(queued) - len(acked)
    ok = (not missing and len(set(queued)) == len(queued) == dedupe_keys
          and 0 <= in_flight <= connections)
    return ok, (f"queue length {len(queued)}, acknowledged 'queued' {len(acked)}, dedupe keys {dedupe_keys}; "
                f"acknowledged but not queued: {len(missing)}; "
                f"queued after wrk stopped reading (in flight at the cut-off): {in_flight}")


def profile(redis_url: str, count: int, workdir: Path) -> None:
    """Time the stages of ``count`` in-process requests and count Redis round trips per submit."""
    import cProfile
    import io
    import pstats
    from statistics import median

    import redis.connection

    from plugin.app import create_app
    from plugin.config import load_settings
    from plugin.webhooks import zendesk

    os.chdir(workdir)  # no config/baton.toml here: defaults plus the environment below
    app = create_app(load_settings(environ={"REDIS_URL": redis_url, "BATON_ZENDESK_WEBHOOK_SECRET": SECRET,
                                            "DATABASE_URL": "sqlite://"}))
    queue = app.extensions["baton"].queue
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pending = iter([line.split("\t", 1) for line in signed_lines(3 * count + 200, 0, stamp)])
    redis_io = {"seconds": 0.0, "trips": 0}

    def timed(method, trip: bool):
        def wrapper(self, *args, **kwargs):
            redis_io["trips"] += trip
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                redis_io["seconds"] += time.perf_counter() - started
        return wrapper

    def whole() -> float:
        signature, body = next(pending)
        data = body.encode()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/zendesk", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr, "CONTENT_TYPE": "application/json",
                   "CONTENT_LENGTH": str(len(data)), "HTTP_X_ZENDESK_WEBHOOK_SIGNATURE": signature,
                   "HTTP_X_ZENDESK_WEBHOOK_SIGNATURE_TIMESTAMP": stamp}
        started = time.perf_counter()
        b"".join(app.wsgi_app(environ, lambda status, headers: None))
        return time.perf_counter() - started

    def staged() -> list[float]:
        signature, body = next(pending)
        data = body.encode()
        headers = {zendesk.SIGNATURE_HEADER: signature, zendesk.TIMESTAMP_HEADER: stamp}
        redis_io.update(seconds=0.0, trips=0)
        t0 = time.perf_counter()
        zendesk.verify(data, headers, [SECRET], 300, datetime.now(UTC))
        t1 = time.perf_counter()
        parsed = zendesk.parse_json_object(data)
        t2 = time.perf_counter()
        event = zendesk.normalize(parsed, None, data)
        t3 = time.perf_counter()
        assert queue.submit(event) == "queued"
        t4 = time.perf_counter()
        event.to_dict()
        t5 = time.perf_counter()
        return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, redis_io["seconds"], t5 - t4, redis_io["trips"]]

    for _ in range(200):
        whole()  # warm imports, caches and the connection
    original = redis.connection.Connection.send_packed_command, redis.connection.Connection.read_response
    redis.connection.Connection.send_packed_command = timed(original[0], True)
    redis.connection.Connection.read_response = timed(original[1], False)
    try:  # alternate, so that other work on the machine weighs on both alike
        totals, stages = zip(*((whole(), staged()) for _ in range(count)), strict=True)
    finally:
        redis.connection.Connection.send_packed_command, redis.connection.Connection.read_response = original
    medians = (median(column) * 1e6 for column in zip(*stages, strict=True))
    verify, parse, normalize, submit, io_wait, to_dict, trips = medians
    total = median(totals) * 1e6
    print(f"in-process, {count} signed unique events, median wall-clock microseconds per request")
    print(f"  whole request (app.wsgi_app)     {total:6.0f}")
    print(f"  verify (HMAC, timestamp)         {verify:6.0f}")
    print(f"  parse (json.loads)               {parse:6.0f}")
    print(f"  normalize (Event)                {normalize:6.0f}")
    print(f"  submit (dedupe + enqueue)        {submit:6.0f}")
    print(f"    Redis I/O, {trips / 1e6:.0f} round trip(s)      {io_wait:6.0f}")
    print(f"    event.to_dict()                {to_dict:6.0f}")
    print(f"    RQ job, encoding, the rest     {submit - io_wait - to_dict:6.0f}")
    print(f"  Flask, Werkzeug, response        {total - verify - parse - normalize - submit:6.0f}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        whole()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    print(f"\ncProfile of {count} more whole requests, top 15 by own time:")
    print("\n".join(text.getvalue().splitlines()[6:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per server and round (10)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per server and round (3)")
    parser.add_argument("--rounds", type=int, default=2, help="bare then Baton, this many times (2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for both servers (2)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker with gthread (4)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="both servers: gc.freeze() in each worker once the app is loaded")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--max-rate", type=int, default=6000,
                        help="requests/s to pre-generate unique events for (6000)")
    parser.add_argument("--profile", type=int, nargs="?", const=3000, metavar="N",
                        help="instead: time the stages of N in-process requests (3000)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
        workdir = Path(tmp)
        args.redis_url, args.redis_pid = start_redis(stack, workdir)
        if args.profile:
            profile(args.redis_url, args.profile, workdir)
            return
        if shutil.which("wrk") is None:
            sys.exit("bench: wrk not found. Install it (Debian/Ubuntu: sudo apt-get install -y wrk) and rerun.")
        (workdir / "bare_app.py").write_text(BARE_APP)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BATON_", "REDIS_", "DATABASE_"))}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(workdir)])
        baton_env = {**env, "REDIS_URL": args.redis_url, "BATON_ZENDESK_WEBHOOK_SECRET": SECRET,
                     "DATABASE_URL": f"sqlite:///{workdir / 'baton.db'}"}
        from plugin.store import Store

        # Create the tables before the workers start: two workers creating them at once can fail
        # with "table ... already exists", and gunicorn then shuts down.
        Store(baton_env["DATABASE_URL"])
        servers = {name: start_gunicorn(stack, target, server_env, workdir, args, name)
                   for name, target, server_env in (("bare", "bare_app:app", env),
                                                    ("baton", "plugin.app:create_app()", baton_env))}
        print(f"webhook ack: gunicorn -w {args.workers} ({describe(args)}{', gc.freeze()' * args.gc_freeze}) "
              f"for both, wrk -t{args.wrk_threads} "
              f"-c{args.connections} -d{args.duration}s after {args.warmup}s warm-up each, loopback, "
              f"{os.cpu_count()} CPUs, {args.rounds} round(s)")
        failed, offset, rounds = False, 0, []
        for number in range(1, args.rounds + 1):
            results = {}
            for name, (proc, port) in servers.items():
                watch = children(proc.pid) + [proc.pid]
                results[name], ids_file, offset = bench_server(name, port, watch, workdir, args, offset)
            ok, detail = check_queue(args.redis_url, ids_file, args.connections)
            results["baton"]["queue_ok"], results["baton"]["queue_detail"] = ok, detail
            failed |= not report(number, results)
            rounds.append(results)
    if len(rounds) > 1:
        summarize(rounds)
    if failed:
        sys.exit(1)


def summarize(rounds: list[dict]) -> None:
    """Print medians and ranges over the rounds, and over the quiet ones alone."""
    from statistics import median

    quiet = [r for r in rounds if max(r["bare"]["background_cpu"], r["baton"]["background_cpu"]) <= 0.15]
    for label, chosen in (("all", rounds), ("quiet", quiet)):
        if not chosen:
            print(f"\n{label} rounds: none")
            continue
        figures = {"bare req/s": [r["bare"]["rps"] for r in chosen],
                   "baton req/s": [r["baton"]["rps"] for r in chosen],
                   "ratio": [r["baton"]["rps"] / r["bare"]["rps"] for r in chosen],
                   "baton p99 ms": [r["baton"]["p99_us"] / 1000 for r in chosen],
                   "baton CPU ms/req": [r["baton"]["server_cpu"] / r["baton"]["rps"] * 1000 for r in chosen]}
        print(f"\n{label} rounds ({len(chosen)}): " + "; ".join(
            f"{k} {median(v):.2f} ({min(v):.2f}-{max(v):.2f})" if max(v) < 10 else
            f"{k} {median(v):.0f} ({min(v):.0f}-{max(v):.0f})" for k, v in figures.items()))


def describe(args: argparse.Namespace) -> str:
    return args.worker_class + (f", {args.threads} threads" if args.worker_class == "gthread" else "")


def report(number: int, results: dict) -> bool:
    """Print one round's figures side by side, the ratio and the checks; return whether they hold."""
    print(f"\nround {number}")
    print(f"{'server':<8}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
          f"{'CPU ms/req':>11}   CPU: {'gunicorn':>8}{'redis':>6}{'wrk':>5}{'machine':>8}{'background':>12}")
    for name, r in results.items():
        print(f"{name:<8}{r['rps']:>8.0f}{r['p50_us'] / 1000:>8.2f}{r['p99_us'] / 1000:>8.2f}"
              f"{r['max_us'] / 1000:>8.2f}{r['errors'] + r['bad']:>7}{r['server_cpu'] / r['rps'] * 1000:>11.2f}"
              f"        {r['server_cpu']:>8.0%}{r['redis_cpu']:>6.0%}{r['wrk_cpu']:>5.0%}{r['machine_cpu']:>8.0%}"
              f"{r['background_cpu']:>12.0%}")
    baton, bare = results["baton"], results["bare"]
    if max(baton["background_cpu"], bare["background_cpu"]) > 0.15:
        print("warning: other work kept the machine busy before a run ('background' above 15%); "
              "these figures are skewed by it: rerun when the machine is quiet")
    ratio = baton["rps"] / bare["rps"]
    all_queued = baton["queued"] == baton["requests"] and baton["errors"] == 0 and not baton["wrapped"]
    print(f"ratio baton/bare: {ratio:.2f} (goal >= 0.35); baton p99 {baton['p99_us'] / 1000:.2f} ms "
          f"(goal <= 25 ms)")
    print(f"every Baton response 202 queued: {'yes' if all_queued else 'NO'} ({baton['queued']} of "
          f"{baton['requests']}; duplicate {baton['duplicate']}, other {baton['other']}, non-202 "
          f"{baton['bad']}, socket errors {baton['errors']}"
          + (", ran out of pre-generated events: raise --max-rate" if baton["wrapped"] else "") + ")")
    print(f"nothing lost: {'yes' if baton['queue_ok'] else 'NO'} ({baton['queue_detail']})")
    return all_queued and baton["queue_ok"]


if __name__ == "__main__":
    main()
