#!/usr/bin/env python3
"""Runs a command and records its peak resident memory: one line "RANK MAXRSS_KB CPU_S" in
OUTDIR/rss.RANK (RANK from Open MPI's environment). Used by run_benchmarks.py under mpirun:

    mpirun ... python3 bench/rss_wrap.py OUTDIR alphasweep run SPEC --out F.h5
"""
import os
import sys


def main():
    outdir, command = sys.argv[1], sys.argv[2:]
    rank = os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMIX_RANK", "0"))
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(os.path.join(outdir, f"rss.{rank}"), "w") as f:
        f.write(f"{rank} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}\n")
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
