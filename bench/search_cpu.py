"""CPU per search request in-process, for comparing two versions of the code.

    python bench/search_cpu.py TREE [--instance DIR]

Loads the app from TREE (this checkout, or a `git worktree` of an older commit) on the
site and index that `bench/search.py --size large --work-dir /tmp/ss-bench` built, and
sends its 300 searches and 300 similar-question titles through the Flask test client,
printing the CPU time each took (mean and median). CPU time, unlike wall time, hardly
moves with whatever else this machine runs, so old and new trees run alternately give a
fair comparison.
"""
import argparse
import os
import random
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--instance", default="/tmp/ss-bench/large-whoosh")
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    os.chdir(args.tree)
    os.environ["ASKDESK_INSTANCE_DIR"] = args.instance
    from bench.search import PRODUCTS, VOCABULARY, sentence
    from forum import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.instance}/bench.sqlite3",
                      "SEARCH_BACKEND": "whoosh", "RATELIMIT_ENABLED": False})
    rng = random.Random(11)  # the queries of bench/search.py
    words = VOCABULARY[:2_000]
    searches = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(300)]
    titles = [f"{rng.choice(PRODUCTS)} {sentence(rng, rng.randint(4, 8))}" for _ in range(300)]
    client = app.test_client()
    for q in searches[:30]:  # open the searcher, warm the caches
        client.get("/api/v1/search", query_string={"q": q})
    for path, queries, param in (("/api/v1/search", searches, "q"),
                                 ("/api/v1/search/similar", titles, "title")):
        cpu = []
        for q in queries:
            started = time.process_time()
            assert client.get(path, query_string={param: q}).status_code == 200
            cpu.append((time.process_time() - started) * 1000)
        print(f"{args.tree} {path}: CPU mean {statistics.mean(cpu):.2f} ms, "
              f"median {statistics.median(cpu):.2f} ms")


if __name__ == "__main__":
    main()
