"""Deployment to a real scrapyd (docs/scrapyd.md), end to end on 127.0.0.1.

The test starts ``scrapyd`` with its own scrapyd.conf (free port, temp eggs/logs/dbs),
deploys a copy of this project with the real ``scrapyd-deploy`` (the copy's scrapy.cfg
gets a ``[deploy:test]`` target on that port, so the build files land in tmp, not in
the repository), schedules the ``articles`` spider with ``scrapyd-client schedule``
(the command of the documented cron line) against the mock server, polls
listjobs.json, then reads the job's outcome back the way an operator does: the log
through scrapyd's ``log_url`` and the run folder named by ``GLEANER_RUN_DIR``.

Skipped only when the scrapyd / scrapyd-deploy executables are not installed
(requirements-dev.txt installs them).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = "/news/104.html"
SEED_TITLE = "Chengdu Construction of Science and Technology Innovation Center"
SEED_SENTENCE = "Chengdu Future Science and Technology City will strive to build"
SEED_BOILERPLATE = ("Click:", "Pre:", "Next:", "Tel:", "+86-17091920596", "Copyright")
# Files besides the packages that scrapyd-deploy needs to build the egg.
PROJECT_FILES = ("scrapy.cfg", "setup.py", "pyproject.toml", "requirements.txt", "README.md")
COMPLETED_REASONS = ("finished", "closespider_pagecount")
MAX_PAGES = 8
START_TIMEOUT = 30.0
JOB_TIMEOUT = 90.0
SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {root}/eggs
logs_dir = {root}/logs
items_dir =
jobs_dir =
dbs_dir = {root}/dbs
poll_interval = 0.5
max_proc = 1
"""


def find_tool(name: str) -> str | None:
    """The console script installed next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


SCRAPYD = find_tool("scrapyd")
SCRAPYD_DEPLOY = find_tool("scrapyd-deploy")
SCRAPYD_CLIENT = find_tool("scrapyd-client")
pytestmark = pytest.mark.skipif(
    not (SCRAPYD and SCRAPYD_DEPLOY and SCRAPYD_CLIENT),
    reason="scrapyd / scrapyd-client executables not installed (pip install -r requirements-dev.txt)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(home: Path) -> dict[str, str]:
    """Environment for scrapyd and its clients: no PYTHONPATH (the job must run the
    deployed egg, not this checkout) and a HOME without ~/.scrapyd.conf or ~/.netrc."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["HOME"] = str(home)
    for name in ("NO_PROXY", "no_proxy"):  # loopback only, never through a proxy
        env[name] = ",".join(filter(None, [env.get(name), "127.0.0.1", "localhost"]))
    return env


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for loopback


def get_json(url: str) -> dict[str, Any]:
    with OPENER.open(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def post_form(url: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    """POST a form (what ``curl URL -d a=1 -d b=2`` sends) and decode the JSON answer."""
    data = urllib.parse.urlencode(fields).encode("ascii")
    with OPENER.open(url, data=data, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def get_text(url: str) -> str:
    with OPENER.open(url, timeout=10) as response:
        return response.read().decode("utf-8", errors="replace")


def wait_for_daemon(proc: subprocess.Popen, url: str, timeout: float) -> bool:
    """True once daemonstatus.json answers ok; False if scrapyd exited or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if get_json(f"{url}daemonstatus.json").get("status") == "ok":
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def stop_group(proc: subprocess.Popen) -> None:
    """Stop scrapyd and the crawl processes it spawned (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A running scrapyd on 127.0.0.1: its base URL, folder and environment."""
    root = tmp_path_factory.mktemp("scrapyd")
    home = root / "home"
    home.mkdir()
    env = isolated_env(home)
    for _attempt in range(3):  # the free port may be taken before scrapyd binds it
        port = free_port()
        (root / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port, root=root), "utf-8")
        log = open(root / "scrapyd.out", "wb")  # noqa: SIM115
        proc = subprocess.Popen([SCRAPYD], cwd=root, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        if wait_for_daemon(proc, url, START_TIMEOUT):
            break
        stop_group(proc)
        log.close()
    else:
        pytest.fail("scrapyd did not start:\n" + (root / "scrapyd.out").read_text("utf-8")[-3000:])
    try:
        yield {"url": url, "root": root, "env": env, "home": home}
    finally:
        stop_group(proc)
        log.close()


def package_names(pyproject: Path) -> list[str]:
    """Top-level packages named in pyproject.toml's setuptools ``find`` includes."""
    config = tomllib.loads(pyproject.read_text("utf-8"))
    includes = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({name.rstrip("*").split(".")[0] for name in includes})


def copy_project(dest: Path, target_url: str) -> Path:
    """This project's buildable files in ``dest``, with a ``[deploy:test]`` target."""
    dest.mkdir()
    for name in package_names(REPO_ROOT / "pyproject.toml"):
        shutil.copytree(REPO_ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in PROJECT_FILES:
        shutil.copy2(REPO_ROOT / name, dest / name)
    with open(dest / "scrapy.cfg", "a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {target_url}\n")
    return dest


def run_tool(*args: str, cwd: Path, env: dict[str, str], timeout: int = 120,
             ) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def wait_for_job(url: str, job_id: str, timeout: float) -> dict[str, Any] | None:
    """The job's entry in listjobs.json once finished, or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = get_json(f"{url}listjobs.json?project=gleaner")
        done = [job for job in jobs.get("finished", []) if job["id"] == job_id]
        if done:
            return done[0]
        time.sleep(0.5)
    return None


@pytest.fixture(scope="module")
def job(scrapyd, mockserver, tmp_path_factory) -> dict[str, Any]:
    """Deploy, schedule one crawl of the mock site, wait for it; everything it left."""
    url, env = scrapyd["url"], scrapyd["env"]
    project = copy_project(tmp_path_factory.mktemp("deploy") / "project", url.rstrip("/"))
    deploy = run_tool(SCRAPYD_DEPLOY, "test", "--version", "r1", cwd=project, env=env)
    assert deploy.returncode == 0, deploy.stderr[-3000:] + deploy.stdout[-2000:]

    job_id = "test-" + uuid.uuid4().hex[:12]
    run_dir = tmp_path_factory.mktemp("out") / job_id
    schedule = run_tool(
        SCRAPYD_CLIENT, "schedule", "-t", "test", "-p", "gleaner",
        "--arg", f"start={mockserver}{SEED_PATH}", "--arg", f"jobid={job_id}",
        "--arg", f"setting=GLEANER_RUN_DIR={run_dir}", "--arg", f"setting=GLEANER_RUN_ID={job_id}",
        "--arg", f"setting=CLOSESPIDER_PAGECOUNT={MAX_PAGES}",
        "--arg", "setting=AUTOTHROTTLE_ENABLED=0", "articles", cwd=project, env=env, timeout=30)
    assert schedule.returncode == 0, schedule.stderr[-3000:] + schedule.stdout[-2000:]

    finished = wait_for_job(url, job_id, JOB_TIMEOUT)
    daemon_log = (scrapyd["root"] / "scrapyd.out").read_text("utf-8", errors="replace")
    assert finished is not None, f"job {job_id} not finished in {JOB_TIMEOUT}s:\n{daemon_log[-3000:]}"
    return {
        "id": job_id, "url": url, "project": project, "run_dir": run_dir, "base": mockserver,
        "deploy": deploy, "schedule": schedule, "finished": finished,
        "log": get_text(url + finished["log_url"].lstrip("/")),
    }


@pytest.fixture(scope="module")
def bad_job(job, tmp_path_factory) -> dict[str, Any]:
    """A job scheduled with curl's form fields and a start value that is not a URL."""
    run_dir = tmp_path_factory.mktemp("bad") / "run"
    answer = post_form(f"{job['url']}schedule.json", [
        ("project", "gleaner"), ("spider", "articles"), ("start", "www.example.com/news"),
        ("setting", f"GLEANER_RUN_DIR={run_dir}")])
    assert answer["status"] == "ok", answer
    finished = wait_for_job(job["url"], answer["jobid"], JOB_TIMEOUT)
    assert finished is not None, f"job {answer['jobid']} not finished in {JOB_TIMEOUT}s"
    return {"run_dir": run_dir, "log": get_text(job["url"] + finished["log_url"].lstrip("/"))}


@pytest.fixture(scope="module")
def incremental(job, tmp_path_factory) -> list[dict[str, Any]]:
    """Two jobs of one site config with a crawl state, one after the other: run.json of each."""
    root = tmp_path_factory.mktemp("incremental")
    site_file = root / "mock.yaml"
    site_file.write_text(f"name: mock\nstart_urls: ['{job['base']}/news/index.html']\n", "utf-8")
    reports = []
    for n in (1, 2):
        run_dir = root / "out" / f"run{n}"
        answer = post_form(f"{job['url']}schedule.json", [
            ("project", "gleaner"), ("spider", "articles"), ("site", str(site_file)),
            ("setting", f"GLEANER_STATE_DIR={root / 'state'}"),
            ("setting", f"GLEANER_RUN_DIR={run_dir}"), ("setting", "AUTOTHROTTLE_ENABLED=0")])
        finished = wait_for_job(job["url"], answer["jobid"], JOB_TIMEOUT)
        assert finished is not None, f"job {answer['jobid']} not finished in {JOB_TIMEOUT}s"
        reports.append(json.loads((run_dir / "run.json").read_text("utf-8")))
    return reports


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_deploy_uploads_the_project_with_its_spider(job):
    answer = json.loads(job["deploy"].stdout.strip().splitlines()[-1])
    assert answer["status"] == "ok" and answer["project"] == "gleaner", answer
    assert answer["spiders"] == 1 and answer["version"] == "r1"
    assert get_json(f"{job['url']}listspiders.json?project=gleaner")["spiders"] == ["articles"]
    assert get_json(f"{job['url']}listversions.json?project=gleaner")["versions"] == ["r1"]
    # scrapyd-deploy used the committed setup.py shim, it did not write its own
    assert (job["project"] / "setup.py").read_text("utf-8") == \
        (REPO_ROOT / "setup.py").read_text("utf-8")


def test_schedule_returns_the_requested_job_id(job):
    assert job["schedule"].stdout.strip() == f"gleaner / articles => {job['id']}"
    assert job["finished"]["spider"] == "articles" and job["finished"]["end_time"]


def test_job_log_shows_a_clean_finish(job):
    log = job["log"]
    closed = re.search(r"Spider closed \((\w+)\)", log)
    assert closed and closed.group(1) in COMPLETED_REASONS, log[-3000:]
    assert not re.search(r"\] (ERROR|CRITICAL):", log), log[-5000:]
    assert "Traceback" not in log and "log_count/ERROR" not in log
    # the schedule's settings reached Scrapy, and scrapyd's own LOG_FILE
    assert re.search(rf"'CLOSESPIDER_PAGECOUNT': '?{MAX_PAGES}'?", log)
    assert re.search(rf"'LOG_FILE': '[^']*{job['id']}\.log'", log)


def test_run_folder_has_report_archive_and_exports(job):
    run_dir = job["run_dir"]
    report = json.loads((run_dir / "run.json").read_text("utf-8"))
    assert report["completed"] is True and report["run_id"] == job["id"]
    assert report["finish_reason"] in COMPLETED_REASONS
    assert report["counts"]["pages_fetched"] >= 2  # requests in flight at the cap still finish
    assert report["settings"]["CLOSESPIDER_PAGECOUNT"] == MAX_PAGES
    assert report["counts"]["errors"] == {}
    assert report["files"]["raw"] and all((run_dir / f).stat().st_size > 0
                                          for f in report["files"]["raw"])
    assert {"articles.jsonl", "articles.csv", "articles.parquet"} <= {p.name for p in run_dir.iterdir()}


def test_job_exports_the_clean_seed_article(job):
    records = read_jsonl(job["run_dir"] / "articles.jsonl")
    by_url = {r["url"]: r for r in records}
    seed = by_url[job["base"] + SEED_PATH]
    assert seed["title"] == SEED_TITLE
    assert SEED_SENTENCE in seed["text"]
    for junk in SEED_BOILERPLATE:
        assert junk.lower() not in seed["text"].lower(), junk
    assert seed["date_published"] == "2021-07-17T16:38:28"
    assert all(r["crawl_run_id"] == job["id"] for r in records)
    assert len(records) == len({r["record_id"] for r in records}) >= 2


def test_bad_start_fails_with_a_clear_reason_in_the_log(bad_job):
    assert "articles spider needs -a start=<http(s) URL>" in bad_job["log"], bad_job["log"][-3000:]
    assert "'www.example.com/news'" in bad_job["log"]
    assert not (bad_job["run_dir"] / "run.json").exists()
    # the traceback names the spider's file: inside the deployed egg, not this checkout
    assert "/eggs/gleaner/r1.egg/crawler/spiders/articles.py" in bad_job["log"]


def test_scheduled_runs_of_a_site_config_are_incremental(incremental):
    first, second = incremental
    assert first["site"] == second["site"] == "mock"
    assert first["health"]["exit_code"] == 0 and second["health"]["exit_code"] == 0, second["health"]
    assert first["counts"]["articles_new"] >= 7
    assert second["counts"]["articles_new"] == 0 and second["counts"]["articles_changed"] == 0
    assert second["counts"]["not_modified"] + second["counts"]["articles_unchanged"] \
        == first["counts"]["articles_new"]
