#!/usr/bin/env python3
"""A against B: whole commands run interleaved, medians of wall time, CPU and peak RSS.

Usage: bench/ab.py REPS NAME 'COMMAND' NAME 'COMMAND' [NAME 'COMMAND' ...]

Runs every command once per repetition, in turn, REPS times, so that a machine whose speed
drifts slows every command alike; a single command timed alone, then the other, would compare
two machines. Prints, per command, the median, first and third quartile of wall time, the
median of user+sys CPU of the command and its children, and the median peak RSS (from
/usr/bin/time). A command that exits non-zero is reported as FAILED on that repetition, and
ab.py then exits 1.
Commands run through the shell; start any server they need first. Each command runs once,
untimed, before the repetitions: the launcher records a start-up cache on a jar's first run
(several seconds), which would otherwise land on one side's first repetition. Example, two
jars on one list, against `./bulkfetch serve` on its default port:

  bench/ab.py 11 \
    before "env BULKFETCH_JAR=/tmp/a.jar ./bulkfetch fetch LIST -c 64 -q -o /tmp/a.jsonl" \
    after  "env BULKFETCH_JAR=/tmp/b.jar ./bulkfetch fetch LIST -c 64 -q -o /tmp/b.jsonl"

After an interrupted session, remove those output files (and their .input files) first: a
run's file left unfinished is refused by a new run without --overwrite, which a jar from
before that option does not know.
"""
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def main(argv):
    if len(argv) < 4 or len(argv) % 2 != 0 or not argv[1].isdigit():
        sys.exit(__doc__)
    reps = int(argv[1])
    pairs = list(zip(argv[2::2], argv[3::2]))
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        # Results are kept by name: a second command of the same name would hide the first.
        sys.exit(f"ab.py: each command needs a name of its own: {' '.join(names)}")
    wall = {name: [] for name, _ in pairs}
    cpu = {name: [] for name, _ in pairs}
    rss = {name: [] for name, _ in pairs}
    for name, command in pairs:
        warm = subprocess.run(["sh", "-c", command], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if warm.returncode != 0:
            print(f"FAILED: {name}, untimed first run, exit {warm.returncode}")
    with tempfile.NamedTemporaryFile(prefix="ab-rss-") as rss_file:
        for rep in range(reps):
            for name, command in pairs:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file.name,
                                       "sh", "-c", command],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                elapsed = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if done.returncode != 0:
                    print(f"FAILED: {name}, repetition {rep + 1}, exit {done.returncode}")
                    continue
                wall[name].append(elapsed)
                cpu[name].append(after.ru_utime - before.ru_utime
                                 + after.ru_stime - before.ru_stime)
                with open(rss_file.name) as f:
                    rss[name].append(int(f.read().split()[-1]) / 1024)
                time.sleep(0.3)  # one run's teardown is not the next one's start
    failed = False
    for name, _ in pairs:
        failed = failed or len(wall[name]) < reps
        if not wall[name]:
            print(f"{name:20s} no successful run")
            continue
        q = sorted(wall[name])
        print(f"{name:20s} wall {statistics.median(q):7.3f} s (q1 {q[len(q) // 4]:.3f}, "
              f"q3 {q[3 * len(q) // 4]:.3f})  cpu {statistics.median(cpu[name]):6.2f} s  "
              f"rss {statistics.median(rss[name]):6.1f} MiB  runs {len(q)}")
    # A script comparing two builds must not take a command that failed for a result.
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
