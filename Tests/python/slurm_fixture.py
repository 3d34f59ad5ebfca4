"""Real Slurm clusters for the end-to-end tests (hpc/slurm-local.sh), and helpers to drive them.

`local_slurm` (session) brings a single-node cluster up and, if this session started it, down at
the end. It skips only when the tests are not run as root or Slurm cannot be installed; any
other failure to start is a test failure. Jobs are polled with `scontrol show job` (no accounting).

`multinode_slurm` (session) brings up a 3-host cluster (`slurm-local.sh up --nodes 3`: network
namespaces on a private bridge) beside it: its own state directory, bridge, namespace names and
subnet (MULTINODE_DEFAULTS), and its daemons bind their default ports inside their own network
namespaces, so both clusters can be up at once and neither test module has to tear the other's
down. It skips only when not root or `ip netns` is unavailable; it tears the cluster down at the
end of the session (also after failures) unless it found it already up.
"""
import contextlib
import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("ALPHASWEEP_BIN", REPO / ".build" / "release" / "alphasweep"))
SMOKE = REPO / "jobs" / "smoke.yaml"
SLURM_LOCAL = REPO / "hpc" / "slurm-local.sh"
ACTIVE_STATES = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "RESIZING",
                 "SUSPENDED", "STAGE_OUT", "SIGNALING"}


class LocalSlurm:
    def __init__(self, directory, started_here, hosts=(), net=None):
        self.directory = pathlib.Path(directory)
        self.conf = self.directory / "slurm.conf"
        self.started_here = started_here
        self.hosts = list(hosts)  # multi-host cluster: host names = network namespace names
        self.net = net            # and its /24 (x.y.z): host i (1-based) is x.y.z.(10+i)

    def host_address(self, i):
        return f"{self.net}.{10 + i}"

    def subnet(self):
        return f"{self.net}.0/24"

    def env(self, **extra):
        env = dict(os.environ)
        env["SLURM_CONF"] = str(self.conf)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run(self, argv, check=True, timeout=120, **kwargs):
        result = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout,
                                env=kwargs.pop("env", None) or self.env(), **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def sbatch(self, *args, env=None, cwd=None):
        """Submits with --parsable; returns the job id (int)."""
        result = self.run(["sbatch", "--parsable", *args], env=env, cwd=cwd)
        return int(result.stdout.strip().splitlines()[-1].split(";")[0])

    def states(self, job_id):
        """JobState of every record of a job (one per array task); [] once Slurm forgot it."""
        result = self.run(["scontrol", "show", "job", str(job_id)], check=False)
        if result.returncode != 0:
            return []
        return re.findall(r"JobState=(\S+)", result.stdout)

    def wait(self, job_id, timeout=900, until=None):
        """Polls until no record of the job is active (or `until(states)` holds); returns the states."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.states(job_id)
            if until is not None and until(states):
                return states
            if until is None and not ACTIVE_STATES.intersection(states):
                return states
            if time.monotonic() > deadline:
                self.run([SLURM_LOCAL, "status"], check=False)
                raise AssertionError(f"job {job_id} still {states} after {timeout} s")
            time.sleep(0.5)

    def job_ids(self):
        return set(self.run(["squeue", "-h", "-o", "%A"]).stdout.split())


@pytest.fixture(scope="session")
def local_slurm(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the local Slurm needs root (slurmd starts jobs as their owner)")
    directory = os.environ.get("ALPHASWEEP_SLURM_DIR", "/tmp/alphasweep-slurm")
    env = dict(os.environ, ALPHASWEEP_SLURM_DIR=directory)
    t0 = time.monotonic()
    up = subprocess.run(["bash", str(SLURM_LOCAL), "up"], capture_output=True, text=True, env=env, timeout=1800)
    if up.returncode != 0:
        if shutil.which("slurmctld") is None or shutil.which("sbatch") is None:
            pytest.skip(f"Slurm is not installed and could not be installed:\n{up.stderr[-2000:]}")
        raise AssertionError(f"hpc/slurm-local.sh up failed:\n{up.stdout}\n{up.stderr}")
    started_here = "already up" not in up.stderr
    print(f"\nlocal Slurm {'started' if started_here else 'reused'} in {time.monotonic() - t0:.1f} s ({directory})")
    yield LocalSlurm(directory, started_here)
    if started_here:
        subprocess.run(["bash", str(SLURM_LOCAL), "down"], env=env, timeout=300)


# The 3-host test cluster: apart from a developer's `hpc/slurm-local.sh up --nodes N` (defaults
# /tmp/alphasweep-slurm, br-as, asn1.., 10.77.0.0/24). Each can be overridden from the environment.
MULTINODE_DEFAULTS = {"ALPHASWEEP_SLURM_DIR": "/tmp/alphasweep-slurm-3hosts", "ALPHASWEEP_SLURM_NS": "ast",
                      "ALPHASWEEP_SLURM_NET": "10.77.3"}
MULTINODE_HOSTS = 3


def multinode_settings():
    """The environment of slurm-local.sh for the 3-host test cluster (ALPHASWEEP_MN_SLURM_DIR,
    _NS, _NET override the defaults), and the cluster's host names."""
    settings = {k: os.environ.get("ALPHASWEEP_MN_" + k[len("ALPHASWEEP_"):], v) for k, v in MULTINODE_DEFAULTS.items()}
    hosts = [f"{settings['ALPHASWEEP_SLURM_NS']}n{i}" for i in range(1, MULTINODE_HOSTS + 1)]
    return settings, hosts


def netns_available():
    """Why a multi-host cluster cannot be made here, or None."""
    if os.geteuid() != 0:
        return "a multi-host local Slurm needs root (network namespaces, slurmd)"
    if shutil.which("ip") is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "iproute2"], capture_output=True, timeout=600)
    for tool in ("ip", "unshare", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    probe = f"astprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True, timeout=30)
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, timeout=30)
    if made.returncode != 0:
        return f"ip netns is not available: {made.stderr.strip()}"
    return None


@contextlib.contextmanager
def multinode_cluster(settings, hosts):
    """`slurm-local.sh up --nodes len(hosts)` with `settings` (its environment); yields a LocalSlurm
    and runs `down` at the end, also after a failure or a partial `up`, unless it was already up."""
    env = dict(os.environ, **settings)
    directory = settings["ALPHASWEEP_SLURM_DIR"]

    def down():
        subprocess.run(["bash", str(SLURM_LOCAL), "down"], env=env, timeout=300)

    t0 = time.monotonic()
    try:
        up = subprocess.run(["bash", str(SLURM_LOCAL), "up", "--nodes", str(len(hosts))], capture_output=True,
                            text=True, env=env, timeout=1800)
    except BaseException:
        down()
        raise
    if up.returncode != 0:
        if shutil.which("slurmctld") is None or shutil.which("sbatch") is None:
            pytest.skip(f"Slurm is not installed and could not be installed:\n{up.stderr[-2000:]}")
        down()  # whatever a partial `up` left (`up` cleans after itself, but not after a timeout)
        raise AssertionError(f"hpc/slurm-local.sh up --nodes {len(hosts)} failed:\n{up.stdout}\n{up.stderr}")
    started_here = "already up" not in up.stderr
    print(f"\n{len(hosts)}-host local Slurm {'started' if started_here else 'reused'} in "
          f"{time.monotonic() - t0:.1f} s ({directory}: {', '.join(hosts)})")
    try:
        yield LocalSlurm(directory, started_here, hosts, settings["ALPHASWEEP_SLURM_NET"])
    finally:
        if started_here:
            down()


@pytest.fixture(scope="session")
def multinode_slurm():
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    settings, hosts = multinode_settings()
    with multinode_cluster(settings, hosts) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def alphasweep_binary():
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `swift build -c release` first (make test does)")
    return BINARY


def read_results(path):
    """The /results table as {(optimizer, s, N, replicate): row dict}; asserts each key once."""
    import h5py
    with h5py.File(path, "r") as f:
        group = f["results"]
        columns = {name: group[name][()] for name in group}
    rows = {}
    for i in range(len(columns["s"])):
        row = {name: (v[i].decode() if isinstance(v[i], bytes) else v[i]) for name, v in columns.items()}
        key = (row["optimizer"], float(row["s"]), int(row["N"]), int(row["replicate"]))
        assert key not in rows, f"{path}: task {key} appears twice"
        rows[key] = row
    return rows


def assert_same_results(reference, other, columns=("test_loss", "train_loss", "lr"), subset=False):
    """Key by key, bitwise in the float columns (NaN included); `subset`: other may lack keys."""
    import struct
    ref, got = read_results(reference), read_results(other)
    if subset:
        assert set(got) <= set(ref), sorted(set(got) - set(ref))[:5]
    else:
        assert set(got) == set(ref), (sorted(set(ref) - set(got))[:5], sorted(set(got) - set(ref))[:5])
    for key in got:
        for column in columns:
            a, b = struct.pack("<d", float(ref[key][column])), struct.pack("<d", float(got[key][column]))
            assert a == b, f"{key} {column}: {ref[key][column]!r} vs {got[key][column]!r}"
        assert ref[key]["status"] == got[key]["status"], key
    return got
