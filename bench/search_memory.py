"""Memory of a process serving searches: heap against mapped index files.

    python bench/search_memory.py --work-dir DIR [--size large] [--requests 300] [--writes 10]

Uses the site and Whoosh index bench/search.py keeps in DIR (run it first with the same
--work-dir and --size). Runs `--requests` searches and "similar" lookups of 1-3 words,
with `--writes` index writes spread among them (each makes the next search open a new
searcher, as posts do on a live site), and prints the process's resident memory split
into anonymous pages (the heap) and file-backed ones (the memory-mapped index: shared
page cache the kernel can reclaim), from /proc/self/smaps_rollup (Linux).
"""
import argparse
import gc
import os
import random
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import VOCABULARY  # bench/search.py, next to this file


def memory() -> str:
    sizes = {}
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            name, *value = line.split()
            if name in ("Rss:", "Anonymous:"):
                sizes[name[:-1]] = int(value[0]) // 1024
    return (f"RSS {sizes['Rss']:,} MB = heap {sizes['Anonymous']:,} MB"
            f" + mapped files {sizes['Rss'] - sizes['Anonymous']:,} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--size", default="large")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--writes", type=int, default=10)
    args = parser.parse_args()
    instance = args.work_dir / f"{args.size}-whoosh"
    os.environ["ASKDESK_INSTANCE_DIR"] = str(instance)

    from forum import create_app
    from forum import search as search_index
    from forum.search import Document
    from forum.services import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.sqlite3",
                      "SEARCH_BACKEND": "whoosh", "RATELIMIT_ENABLED": False})
    rng = random.Random(5)
    queries = [" ".join(rng.sample(VOCABULARY[:2_000], rng.randint(1, 3)))
               for _ in range(args.requests)]
    every = max(1, args.requests // args.writes) if args.writes else 0
    written = []
    print(f"start: {memory()}")
    with app.app_context():
        index = search_index.backend()
        search.search_page(None, "wifi firmware update")
        print(f"after the first search: {memory()}")
        for n, text in enumerate(queries, 1):
            search.search_page(None, text)
            search.similar(None, text)
            if every and n % every == 0:
                doc_id = 10 ** 9 + n
                index.upsert([Document("thread", doc_id, f"memory bench {text}", text, "bench",
                                       (), False, 0, datetime.now(), datetime.now())])
                written.append(doc_id)
        print(f"after {len(queries)} searches and similar, {len(written)} writes: {memory()}")
        gc.collect()
        print(f"after gc.collect(): {memory()}")
        index.delete("thread", written)


if __name__ == "__main__":
    main()
