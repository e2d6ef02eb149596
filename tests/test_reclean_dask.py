"""Dask: a real distributed.LocalCluster (2 worker processes) gives the local run's records."""
from __future__ import annotations

import json
import os

import pytest
from test_reclean_support import article_html, load_jsonl, write_run_warc

from reclean import Options, run_reclean

pytest.importorskip("distributed")


def test_dask_local_cluster_matches_the_local_run_and_resumes_by_partition(tmp_path):
    src = tmp_path / "in"
    for run in range(3):  # three crawl run folders: three WARC partitions
        pages = {f"http://site.test/r{run}/{n}.html": article_html(run * 100 + n).encode()
                 for n in range(6)}
        write_run_warc(src / f"run{run}", pages, gzip_bodies=run == 1)
    (src / "saved").mkdir()
    for n in range(5):
        (src / "saved" / f"{n}.html").write_text(article_html(900 + n))
    (src / "saved" / "cut.html.gz").write_bytes(b"\x1f\x8b\x08\x00cut")

    def run(out, workers_override=2, **kw):
        return run_reclean(Options(inputs=(str(src),), out_dir=str(tmp_path / out),
                                   workers=workers_override, progress=False, **kw))

    local = run("local", workers_override=0)
    on_dask = run("dask", dask="local")
    assert on_dask["backend"] == "dask local" and on_dask["partitions"] == 9  # 3 WARCs, 6 pages
    assert load_jsonl(tmp_path / "dask" / "articles.jsonl") == \
        load_jsonl(tmp_path / "local" / "articles.jsonl")
    assert on_dask["records"] == local["records"] == 23
    assert on_dask["failures"] == local["failures"] == {"broken_gzip": 1}
    assert on_dask["skipped"] == local["skipped"] and on_dask["exit_code"] == 1
    parts = sorted(p.name for p in (tmp_path / "dask" / "parts").glob("part-*.jsonl"))
    assert parts == [f"part-{n:05d}.jsonl" for n in range(9)]
    part_rows = sum(len(p.read_text().splitlines())
                    for p in (tmp_path / "dask" / "parts").glob("part-*.jsonl"))
    assert part_rows == 23
    assert on_dask["worker_memory_mb"]["processes"] >= 1
    reclean_json = json.loads((tmp_path / "dask" / "reclean.json").read_text())
    assert reclean_json["records"] == 23
    from distributed import LocalCluster  # a scheduler address, as for a real cluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = run("remote", dask=cluster.scheduler_address)
    assert remote["backend"] == f"dask {cluster.scheduler_address}"
    remote_rows = load_jsonl(tmp_path / "remote" / "articles.jsonl")
    assert [r.pop("raw_ref") for r in remote_rows][-1].startswith(str(src.resolve()))
    local_rows = load_jsonl(tmp_path / "local" / "articles.jsonl")
    for row in local_rows:
        row.pop("raw_ref")
    assert remote_rows == local_rows  # paths sent absolute; everything else the same
    again = run("dask", dask="local", resume=True)
    assert again["partitions_reused"] == 9 and again["pages_cleaned_this_run"] == 0
    assert again["records"] == 23 and os.path.exists(tmp_path / "dask" / "articles.parquet")
