"""alphasweep on a real 3-host Slurm (hpc/slurm-local.sh up --nodes 3): hosts are network
namespaces on one machine, each with its own address, hostname and slurmd, so MPI ranks on
different hosts have different hostnames and talk TCP over the bridge.

Checked on the smoke spec (a few seconds each): `srun --mpi=pmix` across the hosts inside
`sbatch --nodes=3 --ntasks=7` and `mpirun` inside such an allocation give results bitwise equal
to one process, the file's `hostnames` lists the 3 hosts, Open MPI's own log shows the TCP
transport between hosts, and a job array spreads over the hosts.

The fault tests at the end (lose a worker's host, lose rank 0's host, partition a host, stop a
worker) each run on a fresh 3-host cluster, take under ~90 s, and print their row of the fault
table in hpc/MULTINODE.md (`pytest -s` shows them).
"""
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

from slurm_fixture import (BINARY, REPO, SMOKE, alphasweep_binary, assert_same_results,  # noqa: F401
                           multinode_cluster, multinode_slurm, netns_available, read_results)

SMOKE_TASKS = 120
SWEEP_SBATCH = REPO / "jobs" / "sweep.sbatch"


# ---------------------------------------------------------------------------------------------
# Helpers

def mpi_settings(slurm, verbose=False):
    """What Open MPI 4.1 needs across the hosts: TCP between hosts (vader within one), on the
    bridge's subnet only, for the ranks (btl) and for mpirun's daemons (oob)."""
    env = {"OMPI_MCA_btl": "tcp,vader,self", "OMPI_MCA_btl_tcp_if_include": slurm.subnet(),
           "OMPI_MCA_oob_tcp_if_include": slurm.subnet(), "OPENBLAS_NUM_THREADS": "1"}
    if verbose:
        env["OMPI_MCA_btl_base_verbose"] = "100"
    return env


def submit_sweep(slurm, directory, spec, out, nodes=3, ntasks=7, launcher="srun", extra=(), **env):
    """jobs/sweep.sbatch on `nodes` hosts with `ntasks` ranks; returns (job id, its log path)."""
    job_env = slurm.env(SPEC=spec, OUT=out, ALPHASWEEP=BINARY, ALPHASWEEP_LAUNCHER=launcher, **env)
    job = slurm.sbatch(f"--nodes={nodes}", f"--ntasks={ntasks}", "--time=00:20:00", *extra, SWEEP_SBATCH,
                       env=job_env, cwd=directory)
    return job, pathlib.Path(directory) / f"alphasweep-{job}.out"


def run_sweep(slurm, directory, spec, out, timeout=600, **kwargs):
    """submit_sweep, then wait for the end; returns (final states, log text)."""
    job, log = submit_sweep(slurm, directory, spec, out, **kwargs)
    states = slurm.wait(job, timeout=timeout)
    return states, log.read_text() if log.exists() else ""


def file_attributes(path):
    import h5py
    with h5py.File(path, "r") as f:
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}


def netns_pids(host):
    result = subprocess.run(["ip", "netns", "pids", host], capture_output=True, text=True, timeout=30)
    return [int(p) for p in result.stdout.split()]


def command_of(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def binary_processes():
    """{pid: (network namespace inode, command line)} of every running alphasweep process."""
    found = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "exe") != str(BINARY.resolve()):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            found[int(entry.name)] = (os.readlink(entry / "ns" / "net"), command_of(entry.name))
        except OSError:
            continue
    return found


def processes_in(host, name=None):
    """PIDs in host's network namespace (whose command line contains `name`)."""
    return [p for p in netns_pids(host) if name is None or name in command_of(p)]


def binaries_on(host):
    """PIDs of the alphasweep processes (ranks) running on a host."""
    namespace = f"net:[{os.stat(f'/run/netns/{host}').st_ino}]"
    return sorted(pid for pid, (ns, _) in binary_processes().items() if ns == namespace)


def lose_host(host):
    """Node loss: SIGKILL slurmd and every other process of the host (its namespace stays, as a
    powered-off machine's address would stay unanswered)."""
    pids = netns_pids(host)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


def set_link(host, up):
    """Network partition: the host's only interface down (or back up)."""
    subprocess.run(["ip", "netns", "exec", host, "ip", "link", "set", "eth0", "up" if up else "down"],
                   check=True, timeout=30)


def node_states(slurm):
    result = slurm.run(["sinfo", "-h", "-N", "-o", "%N %T"], check=False, timeout=30)
    return dict(line.split() for line in result.stdout.splitlines() if len(line.split()) == 2)


def job_record(slurm, job):
    result = slurm.run(["scontrol", "show", "job", str(job)], check=False, timeout=30)
    fields = dict(re.findall(r"(\w+)=(\S+)", result.stdout))
    return fields


class Timeline:
    """Polls a job, the nodes and a results file; records when each thing changed (seconds
    from `t0`)."""

    def __init__(self, slurm, job, out, t0):
        self.slurm, self.job, self.out, self.t0 = slurm, job, pathlib.Path(out), t0
        self.events, self.last = [], {}

    def note(self, what, value):
        if self.last.get(what) != value:
            self.last[what] = value
            self.events.append((round(time.monotonic() - self.t0, 1), what, value))

    def poll(self):
        record = job_record(self.slurm, self.job)
        self.note("job", record.get("JobState", "gone"))
        for node, state in node_states(self.slurm).items():
            self.note(node, state)
        return record.get("JobState", "gone")

    def until_done(self, timeout):
        """Polls until the job is no longer active or `timeout` s from t0; True if it ended."""
        while time.monotonic() - self.t0 < timeout:
            state = self.poll()
            if state not in {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "gone"}:
                return True
            if state == "gone":
                return True
            time.sleep(0.5)
        return False


def inspect_counts(path):
    """(tasks done, tasks expected) from `alphasweep inspect` (folds a journal in), or None."""
    result = subprocess.run([str(BINARY), "inspect", str(path)], capture_output=True, text=True, timeout=120)
    m = re.search(r"tasks\s+(\d+) of (\d+) done", result.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else None


def fault_spec(directory, seeds):
    """jobs/default.yaml with fewer replicates: a sweep of about a minute on 2 workers."""
    text = (REPO / "jobs" / "default.yaml").read_text()
    text = re.sub(r"(?m)^seeds:.*$", f"seeds: {seeds}", text)
    path = pathlib.Path(directory) / f"fault-{seeds}.yaml"
    path.write_text(text)
    return path


# ---------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def smoke_reference(tmp_path_factory, alphasweep_binary):
    """One process, outside Slurm, in this machine's own namespace."""
    out = tmp_path_factory.mktemp("mn-reference") / "single.h5"
    subprocess.run([str(BINARY), "run", str(SMOKE), "--out", str(out)], check=True, capture_output=True,
                   timeout=600, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    return out


@pytest.fixture(scope="module")
def srun_run(multinode_slurm, alphasweep_binary, tmp_path_factory):
    """jobs/sweep.sbatch, srun --mpi=pmix, 7 ranks on 3 hosts, Open MPI's btl log on."""
    directory = tmp_path_factory.mktemp("mn-srun")
    out = directory / "srun.h5"
    t0 = time.monotonic()
    states, log = run_sweep(multinode_slurm, directory, SMOKE, out, launcher="srun", **mpi_settings(multinode_slurm, verbose=True))
    print(f"\nsbatch --nodes=3 --ntasks=7, srun --mpi=pmix, smoke: {time.monotonic() - t0:.1f} s from submission")
    return states, log, out


@pytest.fixture(scope="module")
def mpirun_run(multinode_slurm, alphasweep_binary, tmp_path_factory):
    """jobs/sweep.sbatch with ALPHASWEEP_LAUNCHER=mpirun, 7 ranks on 3 hosts."""
    directory = tmp_path_factory.mktemp("mn-mpirun")
    out = directory / "mpirun.h5"
    t0 = time.monotonic()
    states, log = run_sweep(multinode_slurm, directory, SMOKE, out, launcher="mpirun",
                            OMPI_MCA_plm_base_verbose="5", **mpi_settings(multinode_slurm, verbose=True))
    print(f"\nsbatch --nodes=3 --ntasks=7, mpirun, smoke: {time.monotonic() - t0:.1f} s from submission")
    return states, log, out


# ---------------------------------------------------------------------------------------------
# Tests

def test_each_host_has_its_own_name_address_and_network(multinode_slurm):
    slurm = multinode_slurm
    assert sorted(node_states(slurm)) == slurm.hosts
    assert set(node_states(slurm).values()) <= {"idle", "mixed", "allocated"}
    script = "echo $(hostname) $SLURMD_NODENAME $(ip -4 -o addr show eth0 | awk '{print $4}') $(readlink /proc/self/ns/net)"
    result = slurm.run(["srun", "--nodes=3", "--ntasks=3", "--mpi=none", "bash", "-c", script], timeout=120)
    rows = sorted(line.split() for line in result.stdout.splitlines())
    assert [r[0] for r in rows] == slurm.hosts, result.stdout        # hostname = node name
    assert [r[1] for r in rows] == slurm.hosts, result.stdout
    assert [r[2] for r in rows] == [f"{slurm.host_address(i)}/24" for i in range(1, 4)], result.stdout
    assert len({r[3] for r in rows}) == 3, result.stdout             # three network namespaces
    assert os.readlink("/proc/self/ns/net") not in {r[3] for r in rows}


def test_srun_pmix_on_three_hosts_is_bitwise_equal_to_one_process(srun_run, smoke_reference):
    states, log, out = srun_run
    assert states in (["COMPLETED"], []), f"{states}\n{log[-3000:]}"
    assert "launching 7 ranks with srun" in log
    rows = assert_same_results(smoke_reference, out)
    assert len(rows) == SMOKE_TASKS
    assert {int(r["rank"]) for r in rows.values()} <= set(range(1, 7))


def test_results_file_names_all_three_hosts(srun_run, mpirun_run, multinode_slurm):
    for _, log, out in (srun_run, mpirun_run):
        attributes = file_attributes(out)
        assert sorted(attributes["hostnames"].split(",")) == multinode_slurm.hosts, attributes["hostnames"]
        assert int(attributes["ranks"]) == 7


def tcp_evidence(log, slurm):
    """Open MPI's btl log lines showing rank-to-rank traffic between hosts over TCP."""
    hosts = slurm.hosts
    first = hosts[0]
    lines = []
    for host in hosts[1:]:
        uses_tcp = re.findall(rf"^\[{host}:\d+\] mca: bml: Using tcp btl for send to \[\[\d+,\d+\],0\] on node {first}$",
                              log, re.M)
        connected = re.findall(rf"^\[{host}:\d+\] btl:tcp: now connected to {re.escape(slurm.host_address(1))}, process "
                               rf"\[\[\d+,\d+\],0\]$", log, re.M)
        assert uses_tcp and connected, f"no TCP from {host} to rank 0 on {first}:\n{log[-3000:]}"
        # Shared memory only pairs ranks of one host.
        assert not re.search(rf"^\[{host}:\d+\] mca: bml: Using vader btl for send to .* on node (?!{host}$)",
                             log, re.M)
        lines += uses_tcp[:1] + connected[:1]
    return lines


def test_ranks_on_different_hosts_talk_tcp(srun_run, mpirun_run, multinode_slurm):
    for name, (_, log, _) in (("srun", srun_run), ("mpirun", mpirun_run)):
        lines = tcp_evidence(log, multinode_slurm)
        print(f"\n{name}: " + "\n".join(lines))
        for host in multinode_slurm.hosts[1:]:
            assert re.search(rf"^\[{host}:\d+\] btl: tcp: Found match: [\d.]+ \(eth0\)$", log, re.M), log[-3000:]


def test_mpirun_inside_an_allocation_is_bitwise_equal_to_one_process(mpirun_run, smoke_reference, multinode_slurm):
    states, log, out = mpirun_run
    assert states in (["COMPLETED"], []), f"{states}\n{log[-3000:]}"
    assert "launching 7 ranks with mpirun" in log
    # mpirun (on the first host) starts one orted per other host through srun (plm/slurm).
    assert re.search(r"plm:slurm: final top-level argv:\s*\n\s*srun .*--ntasks=2 orted", log), log[-3000:]
    assert len(assert_same_results(smoke_reference, out)) == SMOKE_TASKS


def test_job_array_tasks_land_on_different_hosts(multinode_slurm, smoke_reference, tmp_path):
    slurm = multinode_slurm
    out = tmp_path / "array"
    result = slurm.run([BINARY, "submit", SMOKE, "--array", "3", "--out", out, "--time", "00:20:00"], cwd=tmp_path,
                       env=slurm.env(**mpi_settings(slurm)))
    merge_id = int(re.search(r"merge job (\d+)", result.stdout + result.stderr).group(1))
    states = slurm.wait(merge_id, timeout=900)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((out / "logs").glob("*.out")))
    assert states in (["COMPLETED"], []), logs
    shard_hosts = [file_attributes(out / f"shard-{i}.h5")["hostnames"] for i in range(3)]
    assert sorted(shard_hosts) == slurm.hosts, f"shards ran on {shard_hosts}\n{logs}"
    assert len(assert_same_results(smoke_reference, out / "merged.h5")) == SMOKE_TASKS

# ---------------------------------------------------------------------------------------------
# Faults. Each test gets a fresh 3-host cluster of its own (FAULT_CLUSTER, beside the session's),
# torn down afterwards whatever the fault left behind. jobs/sweep.sbatch with 3 ranks on 3
# hosts: rank 0 (and the batch script) on host 1, one worker each on hosts 2 and 3. Each test
# prints its row of the fault table in hpc/MULTINODE.md (run with -s to see them).

FAULT_CLUSTER = {"ALPHASWEEP_SLURM_DIR": "/tmp/alphasweep-slurm-faults", "ALPHASWEEP_SLURM_NS": "asf",
                 "ALPHASWEEP_SLURM_NET": "10.77.4", "ALPHASWEEP_SLURMD_TIMEOUT": "20"}
# SlurmdTimeout=20: Slurm sets a silent host DOWN ~20-30 s after it stopped answering, ends the
# job's steps (NODE_FAIL) and, as jobs/sweep.sbatch asks for --requeue, requeues the job.
# LOST_RANK_SECONDS=8: the coordinator declares a silent worker lost after 8 s (its instances
# here take well under a second, so 20x their expected time is less than that).
LOST_RANK_SECONDS = 8
# Seconds from the fault to the job's end that a test accepts: Slurm's NODE_FAIL (SlurmdTimeout
# plus up to one ping interval, 25-40 s measured) plus KillWait (30 s: the workers ignore
# SIGTERM so that rank 0 can drain) plus slack for a loaded machine.
FAULT_BOUND = 100
FAULT_OPTIMIZERS = 5


@pytest.fixture
def fault_cluster():
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    hosts = [f"{FAULT_CLUSTER['ALPHASWEEP_SLURM_NS']}n{i}" for i in range(1, 4)]
    with multinode_cluster(FAULT_CLUSTER, hosts) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def fault_sweep(tmp_path_factory, alphasweep_binary):
    """A sweep of about 20 s on one core (the smoke spec, wider), and its uninterrupted result."""
    directory = tmp_path_factory.mktemp("mn-fault-spec")
    text = SMOKE.read_text()
    for key, value in (("D", "1024"), ("N", "[128, 256, 512]"), ("seeds", "30")):
        text = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
    spec = directory / "fault.yaml"
    spec.write_text(text)
    reference = directory / "reference.h5"
    subprocess.run([str(BINARY), "run", str(spec), "--out", str(reference)], check=True, capture_output=True,
                   timeout=900, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    return spec, reference, 2 * 3 * 30 * FAULT_OPTIMIZERS


# What the job log says when someone notices a fault (first appearance is timed).
LOG_MARKERS = {"coordinator: rank declared lost": "declared lost",
               "mpirun: lost a daemon": "ORTE has lost communication",
               "slurm: node failure": "NODE FAILURE",
               "coordinator: all done, MPI_Abort": "ending the job with MPI_Abort",
               "batch script: stop requested": "asking the run to stop",
               "run exited": "run exited with"}


class FaultTimeline(Timeline):
    """A Timeline that also times the first appearance of LOG_MARKERS in the job's log."""

    def __init__(self, slurm, job, out, t0, log):
        super().__init__(slurm, job, out, t0)
        self.log = pathlib.Path(log)

    def poll(self):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        for name, marker in LOG_MARKERS.items():
            if marker in text:
                self.note(name, "seen")
        return super().poll()

    def first(self, what, value=None):
        """Seconds from t0 of the first event `what` (with `value`), or None."""
        return next((t for t, w, v in self.events if w == what and (value is None or v == value)), None)


def start_faulted_sweep(slurm, directory, spec, out, lost_rank_seconds=LOST_RANK_SECONDS, launcher="srun", nodes=3,
                        **env):
    """jobs/sweep.sbatch, 3 ranks on 3 hosts; returns (job, log, FaultTimeline) once rows are
    arriving (timeline t0 = the job's start)."""
    job, log = submit_sweep(slurm, directory, spec, out, nodes=nodes, ntasks=3, launcher=launcher,
                            LOST_RANK_SECONDS=lost_rank_seconds, **mpi_settings(slurm), **env)
    slurm.wait(job, timeout=120, until=lambda s: s != ["PENDING"])
    timeline = FaultTimeline(slurm, job, out, time.monotonic(), log)
    deadline = time.monotonic() + 120
    while (inspect_counts(out) or (0, 0))[0] == 0:
        assert time.monotonic() < deadline and timeline.poll() == "RUNNING", (timeline.events, log.read_text())
        time.sleep(0.5)
    time.sleep(2)
    assert timeline.poll() == "RUNNING", f"the sweep ended before the fault: make it longer\n{log.read_text()}"
    return job, log, timeline


def resubmit_on(slurm, directory, spec, out, nodes, ntasks):
    """jobs/sweep.sbatch again (it resumes OUT) on the hosts still up; returns (states, log)."""
    states, log = run_sweep(slurm, directory, spec, out, nodes=nodes, ntasks=ntasks, timeout=300,
                            **mpi_settings(slurm))
    return states, log


def redispatched_tasks(log_text):
    """Tasks the coordinator took back from lost workers and handed to others (from its log)."""
    return FAULT_OPTIMIZERS * sum(int(n) for n in re.findall(r"declared lost; its (\d+) instance", log_text))


def wait_for_end(timeline, fault_at, hosts):
    """Polls until the job is no longer RUNNING and no rank is left on `hosts`, or FAULT_BOUND s
    after the fault; returns (job state or None, seconds after the fault)."""
    while time.monotonic() - fault_at < FAULT_BOUND:
        state = timeline.poll()
        if state != "RUNNING" and not any(binaries_on(h) for h in hosts):
            return state, time.monotonic() - fault_at
        time.sleep(0.5)
    return None, time.monotonic() - fault_at


def fault_row(capsys, fault, timeline, fault_at, ended, state, done, lost, identical, extra=""):
    """Prints the test's row of the fault table: seconds are from the fault."""
    since = lambda t: "-" if t is None else f"{t - (fault_at - timeline.t0):.0f} s"
    detect = {name: since(timeline.first(name)) for name in LOG_MARKERS}
    with capsys.disabled():
        print(f"\nFAULT ROW | {fault} | declared lost {detect['coordinator: rank declared lost']}, "
              f"slurm {detect['slurm: node failure']}, mpirun {detect['mpirun: lost a daemon']}, "
              f"all done + MPI_Abort {detect['coordinator: all done, MPI_Abort']}, "
              f"run exited {detect['run exited']} | "
              f"ended {ended:.0f} s ({state}) | tasks in file {done} | lost {lost} | identical after resume: "
              f"{identical} {extra}")
        print("  timeline (s from the job's start): " +
              ", ".join(f"{t} {what}={value}" for t, what, value in timeline.events))


def test_lost_worker_host_ends_the_job_within_bounded_time_and_resubmission_completes_it(
        fault_cluster, fault_sweep, tmp_path, capsys):
    slurm, (spec, reference, total) = fault_cluster, fault_sweep
    out = tmp_path / "lost.h5"
    job, log, timeline = start_faulted_sweep(slurm, tmp_path, spec, out)
    before = inspect_counts(out)[0]
    fault_at = time.monotonic()
    timeline.note("FAULT", f"SIGKILL everything on {slurm.hosts[2]}")
    lose_host(slurm.hosts[2])
    state, seconds = wait_for_end(timeline, fault_at, slurm.hosts[:2])
    log_text = log.read_text()
    done = inspect_counts(out)
    slurm.run(["scancel", str(job)], check=False)   # a requeued job would wait for host 3
    assert state is not None, f"job {job} still running {FAULT_BOUND} s after the host was lost\n{log_text}"
    assert done is not None, log_text
    if done[0] < total:
        states, resumed_log = resubmit_on(slurm, tmp_path, spec, out, nodes=2, ntasks=3)
        assert states in (["COMPLETED"], []), resumed_log
    assert len(assert_same_results(reference, out)) == total
    fault_row(capsys, "worker host lost", timeline, fault_at, seconds, state, f"{done[0]}/{total} (before {before})",
              f"{total - done[0]} redone on resume, {redispatched_tasks(log_text)} re-dispatched in the run", True)


def test_lost_coordinator_host_ends_the_job_and_the_requeued_job_completes_it_on_the_others(
        fault_cluster, fault_sweep, tmp_path, capsys):
    """Submitted with --nodes=2-3: after NODE_FAIL Slurm requeues the job (sweep.sbatch asks for
    --requeue) and it may start again on the two hosts left, where it resumes the file."""
    slurm, (spec, reference, total) = fault_cluster, fault_sweep
    out = tmp_path / "coordinator.h5"
    job, log, timeline = start_faulted_sweep(slurm, tmp_path, spec, out, nodes="2-3")
    before = inspect_counts(out)[0]
    fault_at = time.monotonic()
    timeline.note("FAULT", f"SIGKILL everything on {slurm.hosts[0]} (rank 0, the batch script, slurmd)")
    lose_host(slurm.hosts[0])
    # The workers must not outlive their coordinator: none left on hosts 2 and 3.
    state, seconds = wait_for_end(timeline, fault_at, slurm.hosts[1:])
    done = inspect_counts(out)
    assert state is not None, f"job {job} (or a worker) still running {FAULT_BOUND} s after rank 0's host was lost"
    assert done is not None and done[0] < total, done
    assert node_states(slurm)[slurm.hosts[0]].startswith("down"), node_states(slurm)
    # Requeued: PENDING. Slurm holds a requeued job for a while before it may start again; the
    # test lets it start now.
    deadline = time.monotonic() + 60
    while timeline.poll() != "PENDING":
        assert time.monotonic() < deadline, timeline.events
        time.sleep(0.5)
    slurm.run(["scontrol", "update", f"JobId={job}", "StartTime=now"])
    restarted = time.monotonic()
    states = slurm.wait(job, timeout=300)
    recovered = time.monotonic() - fault_at
    resumed_log = log.read_text()
    assert states in (["COMPLETED"], []), f"{states}\n{resumed_log}"
    assert "exists: resuming it" in resumed_log, resumed_log
    # The resumed run was on hosts 2 and 3 only (the file's `hostnames` keeps every run's hosts).
    assert f"on {slurm.hosts[1][:-1]}[2-3]" in resumed_log, resumed_log
    assert sorted(file_attributes(out)["hostnames"].split(",")) == slurm.hosts, resumed_log
    assert len(assert_same_results(reference, out)) == total
    in_flight = re.search(r"(\d+) task\(s\) were in flight", resumed_log)
    fault_row(capsys, "coordinator host lost", timeline, fault_at, seconds, state,
              f"{done[0]}/{total} (before {before})",
              f"{in_flight.group(1) if in_flight else 0} in flight, {total - done[0]} redone on resume", True,
              f"| requeued job done {recovered:.0f} s after the fault ({time.monotonic() - restarted:.0f} s after its start)")


# srun: Slurm's pmix plugin wires the ranks; mpirun: Open MPI's own daemons (orted), with the
# TCP keepalive jobs/sweep.sbatch sets for them.
@pytest.mark.parametrize("launcher", ["srun", "mpirun"])
def test_partitioned_worker_is_declared_lost_and_the_run_goes_on_without_it(fault_cluster, fault_sweep, tmp_path,
                                                                           capsys, launcher):
    slurm, (spec, reference, total) = fault_cluster, fault_sweep
    out = tmp_path / "partition.h5"
    job, log, timeline = start_faulted_sweep(slurm, tmp_path, spec, out, launcher=launcher)
    before = inspect_counts(out)[0]
    fault_at = time.monotonic()
    timeline.note("FAULT", f"eth0 of {slurm.hosts[2]} down")
    set_link(slurm.hosts[2], up=False)
    try:
        state, seconds = wait_for_end(timeline, fault_at, slurm.hosts[:2])
        orphans = binaries_on(slurm.hosts[2])
    finally:
        set_link(slurm.hosts[2], up=True)
    log_text = log.read_text()
    done = inspect_counts(out)
    slurm.run(["scancel", str(job)], check=False)
    assert state is not None, f"job {job} still running {FAULT_BOUND} s after the partition\n{log_text}"
    assert done is not None, log_text
    assert "declared lost" in log_text, log_text
    # The worker cut off from rank 0 may still be computing: Slurm kills it once the host
    # answers again and re-registers; the fixture's `down` kills it in any case.
    if done[0] < total:
        assert resume_alone(spec, out).returncode == 0
    assert len(assert_same_results(reference, out)) == total
    fault_row(capsys, f"worker host partitioned ({launcher})", timeline, fault_at, seconds, state,
              f"{done[0]}/{total} (before {before})",
              f"{total - done[0]} redone on resume, {redispatched_tasks(log_text)} re-dispatched in the run", True,
              f"| left on the cut-off host: {len(orphans)} rank(s)")


def resume_alone(spec, out):
    """`alphasweep run SPEC --out F --resume` in one process, outside Slurm."""
    return subprocess.run([str(BINARY), "run", str(spec), "--out", str(out), "--resume"], capture_output=True,
                          text=True, timeout=900, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))


STRAGGLER_STOP_SECONDS = 15


def test_straggler_stopped_for_a_while_delays_the_sweep_and_changes_nothing(fault_cluster, fault_sweep, tmp_path,
                                                                            capsys):
    slurm, (spec, reference, total) = fault_cluster, fault_sweep
    # The same sweep without a fault, on the same cluster: the baseline of the efficiency.
    t0 = time.monotonic()
    states, baseline_log = run_sweep(slurm, tmp_path, spec, tmp_path / "baseline.h5", nodes=3, ntasks=3, timeout=300,
                                     **mpi_settings(slurm))
    baseline = time.monotonic() - t0
    assert states in (["COMPLETED"], []), baseline_log
    out = tmp_path / "straggler.h5"
    t0 = time.monotonic()
    # A stop shorter than the loss bound: the worker is slow, not lost.
    job, log, timeline = start_faulted_sweep(slurm, tmp_path, spec, out, lost_rank_seconds=60)
    workers = binaries_on(slurm.hosts[2])
    assert workers, netns_pids(slurm.hosts[2])
    fault_at = time.monotonic()
    timeline.note("FAULT", f"SIGSTOP the worker on {slurm.hosts[2]}")
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(2 * STRAGGLER_STOP_SECONDS):
            timeline.poll()
            time.sleep(0.5)
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    timeline.note("SIGCONT", "sent")
    ended = timeline.until_done(timeout=300)
    faulted = time.monotonic() - t0
    assert ended and timeline.last.get("job") == "COMPLETED", (timeline.events, log.read_text())
    assert not any(s.startswith("down") for s in node_states(slurm).values()), node_states(slurm)
    assert len(assert_same_results(reference, out)) == total
    # 2 workers; one stopped for STRAGGLER_STOP_SECONDS loses at best half that in wall time.
    efficiency = baseline / faulted
    fault_row(capsys, f"straggler (SIGSTOP {STRAGGLER_STOP_SECONDS} s)", timeline, fault_at, faulted, "COMPLETED",
              f"{total}/{total}", 0, True,
              f"| wall {faulted:.1f} s vs {baseline:.1f} s unfaulted (submission to end): efficiency {efficiency:.2f}")
