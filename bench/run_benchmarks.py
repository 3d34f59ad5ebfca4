#!/usr/bin/env python3
"""`make bench`: alphasweep measured against this machine's DGEMM rate and against NumPy.

In one run, on the same cores:
1. kernels (`alphasweep bench`): the BLAS core in use, single-thread DGEMM (n = 2048), normal
   generation, and per-instance CPU time for N = 64 … 1024 broken into sampling /
   eigendecomposition / Adam / MatSign / rest with their useful flops; the same DGEMM and the
   N = 1024 instance again with the other OPENBLAS_CORETYPE setting (unset if it is set,
   Haswell if it is not), so both environments are on record;
2. the default sweep (jobs/default.yaml) under mpirun with cores + 1 ranks: wall time, useful
   flops, achieved GFLOP/s, efficiency against DGEMM rate × cores, parallel efficiency,
   coordinator CPU, peak RSS per rank; and, in the same run, the previous version's default
   sweep (commit PREVIOUS_COMMIT, the last before `sampler: wishart`, built once into
   .build-previous/<commit>/ from `git archive` and cached there) with its own
   jobs/default.yaml (`sampler: joint`): the speed-up against the 2× target, and the α table
   of both (`analyze --format json`, current binary) compared cell by cell: each wishart α
   inside the joint sweep's 95 % CI; each phase's share of the sweep's time (sampling, of which
   Σ, eigensolver, each optimizer from the per-instance timings weighted by the grid's
   instance counts, and writing from the coordinator's CPU);
3. alphasweep against bench/numpy_reference.py on a fixed subset of the default sweep
   (replicate 0 of every (s, N): 42 instances, 210 tasks), both on `cores` processes with one
   BLAS thread each (--numpy-full times the whole sweep instead);
4. orchestration: bench/tiny-tasks.yaml (10^5 tiny tasks) under mpirun: coordinator CPU and
   wall per task, rows/s; and the results-file append rate (10^5 rows, flushed per 1000).

Writes bench-results/bench.json and prints a table.

    python3 bench/run_benchmarks.py [--skip-sweep] [--skip-previous] [--numpy-full] [--out bench-results]
                                    [--binary PATH] [--keep-coretype]

OPENBLAS_CORETYPE is unset for every measured program (alphasweep now and before, NumPy), so
OpenBLAS picks the CPU's own kernels (AVX-512 where there are); --keep-coretype keeps the
caller's setting. The previous build is cached: the first run adds its build (minutes).
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
BIN = REPO / ".build" / "release" / "alphasweep"
DEFAULT_SPEC = REPO / "jobs" / "default.yaml"
TINY_SPEC = REPO / "bench" / "tiny-tasks.yaml"
CLUSTER_SPEC = REPO / "bench" / "cluster.yaml"
# The last commit before `sampler: wishart`: the version the 2× target is measured against.
PREVIOUS_COMMIT = "a22467a"
SUMMARY = re.compile(r"wall ([\d.]+) s, coordinator CPU ([\d.]+) s, task time ([\d.]+) s, "
                     r"parallel efficiency ([\d.]+)% over (\d+) worker")


def ensure_python_packages():
    """numpy (PyPI) and PyYAML, installed with pip when missing."""
    missing = []
    for module, package in (("numpy", "numpy"), ("yaml", "pyyaml"), ("h5py", "h5py")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        print(f"bench: installing {' '.join(missing)} with pip", file=sys.stderr)
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", *missing]
        if subprocess.run(cmd).returncode != 0:
            subprocess.run(cmd + ["--break-system-packages"], check=True)


KEEP_CORETYPE = False


def env_with(**changes):
    env = dict(os.environ)
    if not KEEP_CORETYPE:
        env.pop("OPENBLAS_CORETYPE", None)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def bench_json(*args, env=None):
    out = subprocess.run([str(BIN), "bench", *map(str, args)], capture_output=True, text=True, env=env or env_with(),
                         check=True)
    return json.loads(out.stdout)


def previous_binary(commit):
    """The alphasweep binary and default spec of `commit`, built once into
    .build-previous/<full sha>/src (a `git archive` of the commit) and reused afterwards."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", commit + "^{commit}"], capture_output=True, text=True,
                         check=True).stdout.strip()
    src = REPO / ".build-previous" / sha / "src"
    binary = src / ".build" / "release" / "alphasweep"
    if not binary.exists():
        log(f"building the previous version {commit} ({sha[:12]}) into {src} (once; a few minutes)")
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        subprocess.run(["swift", "build", "-c", "release", "--package-path", str(src), "--product", "alphasweep"],
                       check=True, stdout=subprocess.DEVNULL)
    return binary, src / "jobs" / "default.yaml", sha


def peak_rss_of(cmd, env):
    """Runs `cmd`; returns (stdout, peak RSS in bytes of that process, from os.wait4)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({status})")
    return out, usage.ru_maxrss * 1024


def cluster_instance(threads):
    """One instance of bench/cluster.yaml (N = 4096, D = 8192, n = 32768) timed by phase with
    `threads` BLAS threads; then its peak memory: the peak RSS of a process that only samples
    and trains it as a worker does (`bench --profile`; the timing run holds extra copies),
    against the memory model's estimate and the instance's largest matrix."""
    env = env_with(OPENBLAS_NUM_THREADS=str(threads))
    start = time.perf_counter()
    out, _ = peak_rss_of([str(BIN), "bench", "--spec", str(CLUSTER_SPEC), "--sizes", "4096", "--dgemm-seconds", "0"], env)
    report = json.loads(out)
    inst = report["instances"][0]
    memory = report.get("memory", {})
    _, peak = peak_rss_of([str(BIN), "bench", "--spec", str(CLUSTER_SPEC), "--sizes", "4096", "--profile"], env)
    return {"threads": threads, "wall_seconds": time.perf_counter() - start, "cpu_seconds": inst["cpu_seconds"],
            "instance_wall_seconds": inst["cpu_seconds"].get("wall"), "useful_flops": inst["useful_flops"]["total"],
            "peak_rss_bytes": peak, "model_peak_bytes": memory.get("peak_bytes"),
            "largest_matrix_bytes": memory.get("largest_matrix_bytes"),
            "peak_over_largest_matrix": peak / memory["largest_matrix_bytes"] if memory.get("largest_matrix_bytes") else None,
            "load_average_at_end": os.getloadavg()}


def alpha_table(h5, out_json):
    """`alphasweep analyze --format json --no-store` of an archive (the current binary)."""
    out = subprocess.run([str(BIN), "analyze", str(h5), "--format", "json", "--no-store", "--no-theory"],
                         capture_output=True, text=True, env=env_with(), check=True).stdout
    pathlib.Path(out_json).write_text(out)
    return json.loads(out)


def compare_alpha_tables(candidate, reference):
    """Cell by cell over (optimizer, s): is the candidate's α inside the reference's 95 % CI?
    Also |Δα| against the half-width of the reference's CI."""
    def cells(report):
        return {(r["optimizer"], r["s"]): r for r in report}
    mine, theirs = cells(candidate), cells(reference)
    rows, inside = [], 0
    for key in sorted(theirs):
        if key not in mine:
            continue
        a, b = mine[key], theirs[key]
        low, high = b.get("ci_low"), b.get("ci_high")
        ok = low is not None and high is not None and low <= a["alpha"] <= high
        inside += ok
        half = (high - low) / 2 if low is not None and high is not None else float("nan")
        rows.append({"optimizer": key[0], "s": key[1], "alpha": a["alpha"], "alpha_reference": b["alpha"],
                     "reference_ci": [low, high], "inside": ok,
                     "delta_over_half_width": abs(a["alpha"] - b["alpha"]) / half if half > 0 else float("nan")})
    return {"cells": len(rows), "inside_reference_ci": inside, "rows": rows,
            "max_delta_over_half_width": max((r["delta_over_half_width"] for r in rows), default=float("nan"))}


def phase_shares(kernels, spec_path):
    """Each phase's share of the sweep's instance time: per-instance CPU seconds by phase at
    each N, weighted by how many instances of that N the grid has."""
    import yaml
    spec = yaml.safe_load(pathlib.Path(spec_path).read_text())
    per_n = len(spec["s"]) * spec["seeds"]
    phases = ["covariance", "sampling_other", "eigendecomposition", "adam", "matsign", "gd", "sqrtng", "ng"]
    totals = dict.fromkeys(phases, 0.0)
    timed = {inst["N"]: inst["cpu_seconds"] for inst in kernels["instances"]}
    for N in spec["N"]:
        c = timed.get(N)
        if c is None:
            continue
        for phase in phases:
            value = c["sampling"] - c["covariance"] if phase == "sampling_other" else c[phase]
            totals[phase] += per_n * max(value, 0.0)
    whole = sum(totals.values())
    return {k: v / whole for k, v in totals.items()} if whole > 0 else {}


def mpirun_sweep(spec, out_h5, ranks, workdir, env=None, binary=None):
    """Runs a sweep under hpc/mpirun-local.sh with every rank wrapped by rss_wrap.py."""
    for path in pathlib.Path(workdir).glob("rss.*"):
        path.unlink()
    for suffix in ("", ".journal", ".lock"):
        pathlib.Path(str(out_h5) + suffix).unlink(missing_ok=True)
    cmd = ["bash", str(REPO / "hpc" / "mpirun-local.sh"), str(ranks), sys.executable, str(REPO / "bench" / "rss_wrap.py"),
           str(workdir), str(binary or BIN), "run", str(spec), "--out", str(out_h5), "--log-interval", "3600"]
    load_before = os.getloadavg()
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env or env_with())
    outer = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    m = SUMMARY.search(result.stderr)
    if not m:
        raise RuntimeError(f"no summary line in the run's stderr:\n{result.stderr[-3000:]}")
    rss = {}
    for path in pathlib.Path(workdir).glob("rss.*"):
        rank, kb, cpu = path.read_text().split()
        rss[int(rank)] = {"peak_rss_mb": int(kb) / 1024, "cpu_seconds": float(cpu)}
    return {"load_average_at_start": load_before, "load_average_at_end": os.getloadavg(), "wall_seconds": float(m.group(1)), "coordinator_cpu_seconds": float(m.group(2)),
            "task_seconds": float(m.group(3)), "parallel_efficiency": float(m.group(4)) / 100,
            "workers": int(m.group(5)), "ranks": ranks, "mpirun_seconds": outer,
            "ranks_detail": {str(k): rss[k] for k in sorted(rss)}}


def swift_losses(h5):
    import h5py
    with h5py.File(h5, "r") as f:
        g = f["results"]
        opt = g["optimizer"].asstr()[...]
        return {(float(s), int(n), int(r), o): float(t)
                for s, n, r, o, t in zip(g["s"][...], g["N"][...], g["replicate"][...], opt, g["test_loss"][...])}


def loss_agreement(swift, numpy_rows):
    """Per optimizer: the mean over (s, N) of log(L_numpy / L_alphasweep) on the subset (the
    two draw different random numbers, so this is ≈ 0 up to sampling noise, not exactly 0)."""
    import math
    out = {}
    for row in numpy_rows:
        key = (row["s"], row["N"], row["replicate"], row["optimizer"])
        if key in swift and swift[key] > 0 and row["test_loss"] > 0:
            out.setdefault(row["optimizer"], []).append(math.log(row["test_loss"] / swift[key]))
    return {o: sum(v) / len(v) for o, v in out.items()}


def main():
    parser = argparse.ArgumentParser(description="alphasweep benchmarks (make bench)")
    parser.add_argument("--out", default=str(REPO / "bench-results"))
    parser.add_argument("--skip-sweep", action="store_true", help="skip the full default sweep")
    parser.add_argument("--numpy-full", action="store_true", help="compare on the whole default sweep (slow)")
    parser.add_argument("--skip-previous", action="store_true", help="do not build or time the previous version")
    parser.add_argument("--skip-cluster", action="store_true", help="skip the cluster-sized instance (bench/cluster.yaml)")
    parser.add_argument("--keep-coretype", action="store_true", help="keep the caller's OPENBLAS_CORETYPE")
    parser.add_argument("--sizes", default="16,32,64,128,256,512,1024")
    parser.add_argument("--binary", help="the alphasweep binary to measure (default: .build/release/alphasweep)")
    args = parser.parse_args()
    global BIN, KEEP_CORETYPE
    KEEP_CORETYPE = args.keep_coretype
    if args.binary:
        BIN = pathlib.Path(args.binary).resolve()

    if not BIN.exists():
        sys.exit(f"bench: {BIN} is missing: run `swift build -c release` (make bench does)")
    ensure_python_packages()
    outdir = pathlib.Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    ranks = cores + 1
    loadavg = os.getloadavg()
    bench_start = time.perf_counter()
    report = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cores": cores, "ranks": ranks,
              "load_average_at_start": loadavg, "openblas_coretype": env_with().get("OPENBLAS_CORETYPE"),
              "command": " ".join(sys.argv)}
    previous = None
    if not args.skip_sweep and not args.skip_previous:
        build_start = time.perf_counter()
        previous = previous_binary(PREVIOUS_COMMIT)
        report["previous_build_seconds"] = time.perf_counter() - build_start
    if loadavg[0] > 0.5:
        log(f"note: load average {loadavg[0]:.2f} at start: other work on this machine skews wall-clock figures")

    log("kernels: DGEMM, normals, per-instance timings")
    kernels = bench_json("--spec", DEFAULT_SPEC, "--sizes", args.sizes)
    report["kernels"] = kernels
    alt_value = None if env_with().get("OPENBLAS_CORETYPE") else "Haswell"
    log(f"kernels with OPENBLAS_CORETYPE={alt_value or '(unset)'}")
    report["kernels_other_coretype"] = bench_json("--sizes", "1024", env=env_with(OPENBLAS_CORETYPE=alt_value))
    dgemm = kernels["blas"]["dgemm_flops_per_second"]
    sweep_flops = kernels["sweep"]["useful_flops"]

    if not args.skip_sweep:
        log(f"default sweep on {ranks} ranks (about a minute or two)")
        sweep = mpirun_sweep(DEFAULT_SPEC, outdir / "default.h5", ranks, outdir)
        sweep["useful_flops"] = sweep_flops
        sweep["achieved_flops_per_second"] = sweep_flops / sweep["wall_seconds"]
        sweep["efficiency_vs_dgemm"] = sweep["achieved_flops_per_second"] / (dgemm * cores)
        sweep["task_flops_per_second_per_core"] = sweep_flops / sweep["task_seconds"]
        # Load-robust companion: useful flops per CPU second of the workers against DGEMM per
        # CPU second (other processes on the machine inflate wall time, not CPU time).
        worker_cpu = sum(v["cpu_seconds"] for k_, v in sweep["ranks_detail"].items() if k_ != "0")
        dgemm_cpu = kernels["blas"].get("dgemm_flops_per_cpu_second", dgemm)
        sweep["worker_cpu_seconds"] = worker_cpu
        sweep["efficiency_per_cpu_second_vs_dgemm"] = sweep_flops / worker_cpu / dgemm_cpu
        # A shared or throttled machine changes speed over minutes: DGEMM again right after the
        # sweep shows the drift; against the faster of the two rates the ratio is conservative.
        after = bench_json("--sizes", "", "--dgemm-seconds", "3")["blas"]["dgemm_flops_per_second"]
        sweep["dgemm_after_flops_per_second"] = after
        sweep["dgemm_drift"] = after / dgemm - 1
        sweep["efficiency_vs_best_dgemm"] = sweep["achieved_flops_per_second"] / (max(dgemm, after) * cores)
        report["default_sweep"] = sweep
        shares = phase_shares(kernels, DEFAULT_SPEC)
        # Writing: the coordinator's CPU (it appends and flushes the rows) against all CPU.
        writing = sweep["coordinator_cpu_seconds"] / (sweep["coordinator_cpu_seconds"] + worker_cpu)
        sweep["phase_shares"] = {**{k: v * (1 - writing) for k, v in shares.items()}, "writing": writing}
        current_alpha = alpha_table(outdir / "default.h5", outdir / "analyze-current.json")

        if previous:
            prev_bin, prev_spec, prev_sha = previous
            log(f"the previous version's default sweep ({PREVIOUS_COMMIT}, {prev_spec.name}) on {ranks} ranks")
            prev = mpirun_sweep(prev_spec, outdir / "previous.h5", ranks, outdir, binary=prev_bin)
            prev["commit"] = prev_sha
            prev_alpha = alpha_table(outdir / "previous.h5", outdir / "analyze-previous.json")
            report["previous_sweep"] = prev
            report["speedup_vs_previous"] = prev["wall_seconds"] / sweep["wall_seconds"]
            # Load-robust companion: the workers' CPU seconds (others' work inflates wall time).
            prev["worker_cpu_seconds"] = sum(v["cpu_seconds"] for k_, v in prev["ranks_detail"].items() if k_ != "0")
            report["cpu_speedup_vs_previous"] = prev["worker_cpu_seconds"] / worker_cpu
            report["alpha_vs_previous"] = compare_alpha_tables(current_alpha, prev_alpha)

    # alphasweep and NumPy on the same subset, same cores.
    import yaml
    spec = yaml.safe_load(DEFAULT_SPEC.read_text())
    if args.numpy_full:
        subset_spec, replicates = DEFAULT_SPEC, ",".join(map(str, range(spec["seeds"])))
    else:
        subset_spec, replicates = outdir / "subset.yaml", "0"
        subset_spec.write_text(re.sub(r"(?m)^seeds:.*$", "seeds: 1        # replicate 0 of every (s, N)",
                                      DEFAULT_SPEC.read_text()))
    sub_flops = bench_json("--spec", subset_spec, "--sizes", "", "--dgemm-seconds", "0")["sweep"]["useful_flops"]
    log("subset: alphasweep")
    swift_sub = mpirun_sweep(subset_spec, outdir / "subset.h5", ranks, outdir)
    log(f"subset: numpy reference on {cores} processes")
    np_json = outdir / "numpy.json"
    subprocess.run([sys.executable, str(REPO / "bench" / "numpy_reference.py"), str(subset_spec), "--replicates", replicates,
                    "--processes", str(cores), "--json", str(np_json)], check=True, env=env_with())
    np_result = json.loads(np_json.read_text())
    report["numpy_comparison"] = {
        "subset": "whole default sweep" if args.numpy_full else "replicate 0 of every (s, N) of jobs/default.yaml",
        "tasks": np_result["tasks"], "useful_flops": sub_flops,
        "alphasweep_wall_seconds": swift_sub["wall_seconds"], "alphasweep_mpirun_seconds": swift_sub["mpirun_seconds"],
        "numpy_wall_seconds": np_result["wall_seconds"], "numpy_version": np_result["numpy"],
        "speedup": np_result["wall_seconds"] / swift_sub["wall_seconds"],
        "mean_log_loss_ratio_numpy_vs_alphasweep": loss_agreement(swift_losses(outdir / "subset.h5"), np_result["rows"]),
    }

    if not args.skip_cluster:
        report["cluster_instance"] = []
        for threads in (1, 2):
            log(f"cluster-sized instance (bench/cluster.yaml) with OPENBLAS_NUM_THREADS={threads}")
            report["cluster_instance"].append(cluster_instance(threads))

    log("orchestration: 10^5 tiny tasks")
    tiny = mpirun_sweep(TINY_SPEC, outdir / "tiny.h5", ranks, outdir)
    tasks = yaml.safe_load(TINY_SPEC.read_text())
    tiny["tasks"] = len(tasks["s"]) * len(tasks["N"]) * tasks["seeds"] * len(tasks["optimizers"])
    tiny["coordinator_cpu_us_per_task"] = 1e6 * tiny["coordinator_cpu_seconds"] / tiny["tasks"]
    tiny["wall_us_per_task"] = 1e6 * tiny["wall_seconds"] / tiny["tasks"]
    tiny["rows_per_second"] = tiny["tasks"] / tiny["wall_seconds"]
    report["tiny_tasks"] = tiny
    report["append"] = bench_json("--sizes", "", "--dgemm-seconds", "0", "--append-rows", "100000",
                                  "--append-batch", "1000", "--scratch", outdir)["append"]
    for name in ("default.h5", "previous.h5", "subset.h5", "tiny.h5"):
        for suffix in ("", ".journal", ".lock"):
            (outdir / (name + suffix)).unlink(missing_ok=True)
    report["bench_seconds"] = time.perf_counter() - bench_start

    (outdir / "bench.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    print_table(report)
    print(f"\nall figures: {outdir / 'bench.json'}")


def print_table(r):
    k = r["kernels"]
    alt = r["kernels_other_coretype"]
    cores = r["cores"]
    dgemm = k["blas"]["dgemm_flops_per_second"]
    lines = []

    def row(name, value, target=""):
        lines.append(f"| {name} | {value} | {target} |")

    load = r["load_average_at_start"]
    lines.append(f"load average at start: {load[0]:.2f} ({r['cores']} cores; anything above ~0.3 means other work "
                 "competed for the cores and inflates wall-clock figures)\n")
    lines.append("| figure | value | target |")
    lines.append("|---|---|---|")
    row("BLAS core (OPENBLAS_CORETYPE)", f"{k['blas']['core']} ({k['blas']['openblas_coretype'] or 'unset'}); "
        f"CPU supports {k['blas']['cpu_supports']}")
    row("DGEMM n=2048, 1 thread", f"{dgemm / 1e9:.1f} GFLOP/s")
    a_inst = alt["instances"][0] if alt["instances"] else None
    row(f"…with OPENBLAS_CORETYPE={alt['blas']['openblas_coretype'] or 'unset'} ({alt['blas']['core']})",
        f"DGEMM {alt['blas']['dgemm_flops_per_second'] / 1e9:.1f} GFLOP/s"
        + (f"; N={a_inst['N']} instance {a_inst['cpu_seconds']['total']:.3f} s, {a_inst['gflops_per_second']:.1f} GFLOP/s"
           if a_inst else ""))
    row("normals (ziggurat+Philox)", f"{k['normals_per_second'] / 1e6:.0f} M/s")
    for inst in k["instances"]:
        c, f = inst["cpu_seconds"], inst["useful_flops"]
        row(f"instance N={inst['N']} (CPU s: sampling[normals]/eig/Adam/MatSign/rest)",
            f"{c['total']:.3f} s = {c['sampling']:.3f} [{c['normals']:.3f}] / {c['eigendecomposition']:.3f} / "
            f"{c['adam']:.3f} / {c['matsign']:.3f} / {c['rest']:.3f}; {f['total'] / 1e9:.2f} GFlop, "
            f"{inst['gflops_per_second']:.1f} GFLOP/s ({inst['gflops_per_second'] * 1e9 / dgemm:.0%} of DGEMM)")
    s = r.get("default_sweep")
    if s:
        row(f"default sweep wall, P={s['ranks']}", f"{s['wall_seconds']:.1f} s ({s['useful_flops'] / 1e12:.2f} TFlop useful)")
        row("achieved", f"{s['achieved_flops_per_second'] / 1e9:.1f} GFLOP/s = {s['efficiency_vs_dgemm']:.0%} of DGEMM × {cores}",
            "≥ 60 %")
        if "dgemm_after_flops_per_second" in s:
            row("…against DGEMM re-measured after the sweep",
                f"DGEMM {s['dgemm_after_flops_per_second'] / 1e9:.1f} GFLOP/s (drift {s['dgemm_drift']:+.0%}); "
                f"{s['efficiency_vs_best_dgemm']:.0%} of the faster of the two × {cores}")
        row("…per worker CPU second (load-robust)",
            f"{s['useful_flops'] / s['worker_cpu_seconds'] / 1e9:.1f} GFLOP/s per core = "
            f"{s['efficiency_per_cpu_second_vs_dgemm']:.0%} of DGEMM per CPU second")
        row("parallel efficiency", f"{s['parallel_efficiency']:.1%}", "≥ 97 %")
        if "phase_shares" in s:
            row("share of the sweep's time", ", ".join(f"{k} {v:.1%}" for k, v in s["phase_shares"].items()))
        row("coordinator CPU", f"{s['coordinator_cpu_seconds']:.2f} s")
        rss = ", ".join(f"rank {k_}: {v['peak_rss_mb']:.0f} MB" for k_, v in s["ranks_detail"].items())
        row("peak RSS per rank", rss, "small multiple of largest instance")
    p = r.get("previous_sweep")
    if p:
        ls, lp = s["load_average_at_start"][0], p["load_average_at_start"][0]
        row(f"vs previous version {p['commit'][:7]} (its default sweep, joint sampler), P={p['ranks']}",
            f"{p['wall_seconds']:.1f} s → {s['wall_seconds']:.1f} s: {r['speedup_vs_previous']:.2f}× faster "
            f"(load average {lp:.1f} / {ls:.1f} at their starts); worker CPU {p['worker_cpu_seconds']:.1f} s → "
            f"{s['worker_cpu_seconds']:.1f} s: {r['cpu_speedup_vs_previous']:.2f}×", "≥ 2×")
        a = r["alpha_vs_previous"]
        row("α table (wishart) inside the joint sweep's 95 % CI",
            f"{a['inside_reference_ci']}/{a['cells']} cells; max |Δα| = {a['max_delta_over_half_width']:.2f} CI half-widths",
            "all cells")
    n = r["numpy_comparison"]
    row(f"vs NumPy {n['numpy_version']} ({n['subset']}, {n['tasks']} tasks)",
        f"alphasweep {n['alphasweep_wall_seconds']:.1f} s, NumPy {n['numpy_wall_seconds']:.1f} s: {n['speedup']:.1f}× faster",
        "≥ 5×")
    for c in r.get("cluster_instance", []):
        t_ = c["cpu_seconds"]
        row(f"cluster instance D=8192 N=4096 n=32768 (wishart), {c['threads']} BLAS thread(s)",
            f"wall {t_['wall']:.1f} s (sampling {t_['sampling']:.1f} [Σ {t_['covariance']:.1f}], eig {t_['eigendecomposition']:.1f}, "
            f"Adam {t_['adam']:.1f}, MatSign {t_['matsign']:.1f}, rest {t_['rest']:.1f} s CPU); peak RSS "
            f"{c['peak_rss_bytes'] / 1e9:.2f} GB (model {c['model_peak_bytes'] / 1e9:.2f} GB) = "
            f"{c['peak_over_largest_matrix']:.2f}× its largest matrix", "≤ 3×")
    t = r["tiny_tasks"]
    row(f"10^5 tiny tasks, P={t['ranks']}", f"wall {t['wall_seconds']:.1f} s ({t['wall_us_per_task']:.0f} µs/task), "
        f"coordinator CPU {t['coordinator_cpu_us_per_task']:.1f} µs/task", "≤ 50 µs/task")
    row("results rows/s (tiny sweep; append+flush per 1000 rows)",
        f"{t['rows_per_second']:.0f}; {r['append']['rows_per_second']:.0f}", "≥ 10^5 rows/s")
    if "bench_seconds" in r:
        lines.append(f"\nmake bench took {r['bench_seconds']:.0f} s" + (f" (of which building the previous version "
                     f"{r['previous_build_seconds']:.0f} s)" if r.get("previous_build_seconds", 0) > 5 else ""))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
