"""Time per page request in-process, for comparing two versions of the code.

    python bench/page_time.py TREE --database-url URL --instance DIR [--requests N]

Loads the app from TREE (this checkout, or a `git worktree` of an older commit) on a
site that `bench/run.py` generated, signs in as the load benchmark's reader, and asks
for the load benchmark's thread page (about 30 answers) N times, one after another,
through the Flask test client. It prints the median wall time and the mean CPU time of
this process per request. On PostgreSQL the wall time also holds the round trips and
the server's own work, which the CPU time leaves out. Old and new trees run
alternately give a fair comparison where wrk's figures move with the machine.
"""
import argparse
import os
import re
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", required=True, help="the site's instance folder")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    os.chdir(args.tree)
    os.environ.update({"ASKDESK_DATABASE_URL": args.database_url,
                       "ASKDESK_INSTANCE_DIR": args.instance})
    from bench import generate
    from bench.run import READER, pick_targets
    from forum import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    path = pick_targets(app).thread
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post("/login", data={"csrf_token": token, "login": READER,
                                "password": generate.BENCH_PASSWORD})
    assert f">{READER}<" in client.get(path).get_data(as_text=True), "not signed in"
    for _ in range(50):  # warm the caches
        client.get(path)
    wall, cpu = [], []
    for _ in range(args.requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        assert client.get(path).status_code == 200
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"{args.tree} {path} signed in: wall median {statistics.median(wall):.2f} ms, "
          f"CPU mean {statistics.mean(cpu):.2f} ms ({args.requests} requests)")


if __name__ == "__main__":
    main()
