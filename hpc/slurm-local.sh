#!/usr/bin/env bash
# A real Slurm (munge + slurmctld + slurmd) on this machine, without systemd: one node, or N
# hosts made of network namespaces. For the end-to-end tests and for trying jobs/*.sbatch.
#
#   hpc/slurm-local.sh up [--nodes N]  install what is missing, start the daemons, wait until every node is idle
#   hpc/slurm-local.sh status          daemons, nodes and jobs
#   hpc/slurm-local.sh down            cancel this cluster's jobs, stop the daemons it started (by PID);
#                                      with N >= 2 also remove the namespaces, links and bridge
#   hpc/slurm-local.sh purge           down, then remove the state directory
#
# Multi-host use from this (root) namespace: `source $DIR/env; srun -N3 hostname; sbatch
# --nodes=3 --ntasks=7 jobs/sweep.sbatch; squeue`. Faults: `ip netns pids asn3 | xargs kill -9`,
# `ip netns exec asn3 ip link set eth0 down`. Evidence and measurements: hpc/MULTINODE.md.
#
# Everything lives in ${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm} (config, state, spool, logs,
# PIDs). After `up`, `source $DIR/env` points sinfo/sbatch/squeue at this cluster (SLURM_CONF).
# Idempotent: `up` on a running cluster and `down` on a stopped one do nothing and succeed.
# Every wait is bounded (ALPHASWEEP_SLURM_TIMEOUT, default 60 s). Needs root (slurmd runs jobs
# as their owner). Munge: the system munged (/run/munge) is reused when it answers, else
# started here and stopped by `down`.
#
# --nodes 1 (the default): slurmctld and one slurmd in this host's namespaces, node name =
# `hostname`. Ports: ALPHASWEEP_SLURM_PORTS="6817 6818" (slurmctld slurmd).
#
# --nodes N >= 2: N hosts on one machine. Each host is a network namespace with its own
# address, loopback, port space and (UTS namespace) hostname; all share the file system, the
# kernel and munge's Unix socket. Only addresses on the private bridge and loopback are used.
#
#     root namespace   bridge br-as 10.77.0.1/24      sbatch/srun/squeue run here (SLURM_CONF)
#     netns asctl      10.77.0.2   hostname asctl     slurmctld
#     netns asn1..asnN 10.77.0.11.. hostname asnI     slurmd -N asnI (job steps run here)
#
#   ALPHASWEEP_SLURM_NET=10.77.0   the /24 (x.y.z): bridge .1, controller .2, host I .(10+I)
#   ALPHASWEEP_SLURM_NS=as         prefix of the namespace/host names (asctl, asn1...), of the
#                                  bridge (br-as) and of the host ends of the veths (vasn1...)
#   ALPHASWEEP_SLURM_CPUS=4        CPUs each host declares (may exceed the real cores: see below)
#   ALPHASWEEP_SLURMD_TIMEOUT=20   SlurmdTimeout: seconds before an unanswering host is DOWN
#                                  and its jobs are ended (NODE_FAIL)
#   ALPHASWEEP_SLURM_MAX_ARRAY_SIZE=1001  MaxArraySize (Slurm's default; either cluster shape):
#                                  the tests lower it to check that `submit` splits a large array
#
# What Slurm 22.05 needed for N hosts on one machine, and why:
# - No --enable-multiple-slurmd build and no per-node ports: every slurmd is alone in its
#   network namespace, so all bind the same SlurmdPort (and slurmctld its SlurmctldPort in
#   asctl, which is also why this cluster can run beside the one-node cluster of root's
#   namespace on the same default ports).
# - `slurmd -N asnI` picks the node's line; NodeAddr=10.77.0.(10+I) is how slurmctld, srun and
#   the other slurmds reach it (no DNS needed for Slurm itself).
# - SlurmctldHost=asctl(10.77.0.2): slurmctld refuses to start unless gethostname() matches a
#   SlurmctldHost name, hence its own UTS namespace with hostname asctl.
# - Each daemon runs as `nsenter --net=/run/netns/NS unshare --uts --mount sh -c 'hostname NAME;
#   exec daemon'`. Job steps are forked by that slurmd (slurmstepd), so they inherit its
#   namespaces: a rank started on asn2 has hostname asn2 and only asn2's eth0 and lo.
# - SlurmdParameters=config_overrides: each host declares CPUs=$ALPHASWEEP_SLURM_CPUS although
#   the machine has fewer cores (otherwise slurmd registers with the real count, 2 here, and
#   `--ntasks=7` on 3 hosts cannot be allocated).
# - SlurmdSpoolDir, SlurmdPidFile and SlurmdLogFile carry %n, so the hosts, which share one
#   file system, keep separate spool (batch scripts, the pmix server socket), PID and log.
# - TmpFS=$DIR/node-tmp, node-local: each host's mount namespace binds $DIR/tmp/HOST there.
#   Slurm's pmix plugin creates TmpFS/spmix_appdir_UID_JOB.STEP on every host of a step and
#   fails with "File exists" when the hosts share /tmp (TmpFS has no %n).
# - $DIR/hosts, bind-mounted over /etc/hosts in the daemons' mount namespace, names every host,
#   so getaddrinfo("asn2") works inside the hosts (Open MPI's mpirun resolves node names).
# - The daemons enter their namespace with nsenter --net, not `ip netns exec`, which remounts
#   /sys without /sys/fs/cgroup: slurmd 22.05 then fails ("Unable to initialize cgroup plugin")
#   even with proctrack/linuxproc and task/none.
# - PartitionName=... LLN=YES: a job goes to the least loaded host, so the 1-rank tasks of a job
#   array spread over the hosts instead of filling asn1 first.
# - SlurmdTimeout (default 300 s in Slurm) bounds how long a job on a lost or partitioned host
#   lives: slurmctld pings each slurmd every SlurmdTimeout/3 s and, when one has not answered
#   for SlurmdTimeout, sets it DOWN and ends its jobs as NODE_FAIL. KillOnBadExit=1 makes a
#   step end when one task dies (srun --kill-on-bad-exit by default). Measured: with 300 an srun
#   job on a lost or partitioned host was still RUNNING 120 s later; with 20 the host is DOWN
#   27-30 s after the fault (hpc/MULTINODE.md has the fault table and what else to set).
#
# What Open MPI 4.1 needed across the hosts (the jobs set these; see Tests/python/test_multinode.py):
# - srun --mpi=pmix (MpiDefault=pmix): Slurm's pmix plugin wires the ranks up; no orted.
# - mpirun inside an allocation launches its orted daemons with srun (plm/slurm), one per host.
# - OMPI_MCA_btl=tcp,vader,self (or tcp,self): ranks on different hosts must use TCP; vader
#   (shared memory) only pairs ranks that Open MPI sees on the same host (same hostname).
# - OMPI_MCA_btl_tcp_if_include=10.77.0.0/24 and OMPI_MCA_oob_tcp_if_include=10.77.0.0/24:
#   inside a host there is only eth0 and lo, so these only guard against a job started in the
#   root namespace picking another interface.
# - OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 for mpirun as root.
#
# `down` removes everything `up` made, also after a partial `up`: it kills the daemons by PID,
# then whatever is left in each namespace (`ip netns pids`), deletes the namespaces (and with
# them the veth pairs), the bridge, and the controller state and spool (logs and config stay).
set -euo pipefail

DIR=${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm}
TIMEOUT=${ALPHASWEEP_SLURM_TIMEOUT:-60}
read -r CTLD_PORT SLURMD_PORT <<<"${ALPHASWEEP_SLURM_PORTS:-6817 6818}"
case "${ALPHASWEEP_SLURM_MAX_ARRAY_SIZE:-1001}" in *[!0-9]*|"") echo "slurm-local.sh: ALPHASWEEP_SLURM_MAX_ARRAY_SIZE must be a number" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONF=$DIR/slurm.conf
PIDS=$DIR/pids
TOPOLOGY=$DIR/cluster        # written by `up --nodes N>=2` before it creates anything
NODES=1

log() { echo "slurm-local: $*" >&2; }
die() { log "error: $*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# alive NAME: the process we recorded for NAME is still that program (slurmd-asn1: slurmd).
# A zombie is dead; an empty command line (read while nsenter/unshare/sh exec the next program)
# is not a reason to think so.
alive() {
  local f=$PIDS/$1 pid cmd state
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$pid/stat" 2>/dev/null || true)
  [ "$state" != Z ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  [ -z "$cmd" ] || case "$cmd" in *"${1%%-*}"*) ;; *) return 1 ;; esac
}

# stop NAME: TERM the recorded PID, wait up to 10 s, then KILL; forget it.
stop() {
  local name=$1 pid i
  if alive "$name"; then
    pid=$(cat "$PIDS/$name")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$name" || break; sleep 0.1; done
    if alive "$name"; then log "$name ($pid) ignored TERM, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $name ($pid)"
  fi
  rm -f "$PIDS/$name"
}

slurm_env() { SLURM_CONF=$CONF "$@"; }

node_state() { slurm_env sinfo -h -o %T 2>/dev/null | head -1; }

# ready_nodes: how many nodes answer (idle, mixed, allocated or completing).
ready_nodes() {
  slurm_env sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 ~ /^(idle|mixed|allocated|completing)$/ {n++} END {print n+0}'
}

show_logs() {
  local f
  for f in "$DIR"/slurmctld.log "$DIR"/slurmd*.log "$DIR"/ctld.out "$DIR"/slurmd*.out; do
    [ -s "$f" ] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 0
}

ensure_packages() {
  local p missing=0
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing=1
  done
  if [ $missing -eq 1 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing Slurm and munge"
    bash "$HERE/install-deps.sh" --slurm
  fi
  if [ "$NODES" -ge 2 ] && { ! command -v ip >/dev/null || ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null; }; then
    log "installing iproute2 and util-linux (ip netns, unshare, nsenter)"
    apt-get install -y -q iproute2 util-linux >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q iproute2 util-linux >/dev/null; }
  fi
}

ensure_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged --force   # daemonizes; writes /run/munge/munged.pid
  local i
  for i in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || die "munged does not answer (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$PIDS/munged"
  log "started munged ($(cat "$PIDS/munged"))"
}

# The settings both cluster shapes share.
common_conf() {
  cat <<EOF
ClusterName=local
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
MailProg=/bin/true
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=30
MaxArraySize=${ALPHASWEEP_SLURM_MAX_ARRAY_SIZE:-1001}
StateSaveLocation=$DIR/state
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmctldLogFile=$DIR/slurmctld.log
EOF
}

write_conf() {
  local host nodeline
  host=$(hostname)
  nodeline=$(slurmd -C | head -1)
  case "$nodeline" in NodeName=*) ;; *) die "slurmd -C printed no node line: $nodeline" ;; esac
  mkdir -p "$DIR/state" "$DIR/spool"
  {
    echo "# Written by hpc/slurm-local.sh: a single-node Slurm for alphasweep's tests."
    echo "SlurmctldHost=$host"
    common_conf
    cat <<EOF
SlurmdSpoolDir=$DIR/spool
SlurmdPidFile=$DIR/slurmd.pid
SlurmdLogFile=$DIR/slurmd.log
$nodeline State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  } >"$CONF.new"
  mv "$CONF.new" "$CONF"
  printf 'export SLURM_CONF=%q\n' "$CONF" >"$DIR/env"
}

# ---------------------------------------------------------------- one node (root namespace)

up_single() {
  local t0=$1 i state=""
  if alive slurmctld && alive slurmd; then
    state=$(node_state || true)
    case "$state" in idle|mixed|allocated|completing)
      log "already up (node $state); source $DIR/env"; return 0 ;;
    esac
  fi
  ensure_packages
  ensure_munge
  write_conf
  # A half-up cluster (one daemon died) is restarted whole.
  stop slurmd; stop slurmctld
  setsid slurmctld -D -f "$CONF" >"$DIR/ctld.out" 2>&1 </dev/null &
  echo $! >"$PIDS/slurmctld"
  setsid slurmd -D -f "$CONF" >"$DIR/slurmd.out" 2>&1 </dev/null &
  echo $! >"$PIDS/slurmd"
  for i in $(seq 1 $((TIMEOUT * 5))); do
    state=$(node_state || true)
    case "$state" in idle|mixed|allocated|completing) break ;; esac
    alive slurmctld || { show_logs; die "slurmctld exited during start"; }
    alive slurmd || { show_logs; die "slurmd exited during start"; }
    sleep 0.2
  done
  case "$state" in idle|mixed|allocated|completing) ;;
    *) show_logs; die "node not idle after ${TIMEOUT}s (sinfo says '${state:-nothing}'); daemons left running: $0 status, $0 down" ;;
  esac
  log "up in $(elapsed "$t0") s (node $state); source $DIR/env"
}

cancel_jobs() {
  local jobs i
  alive slurmctld || return 0
  jobs=$(slurm_env timeout 20 squeue -h -o %A 2>/dev/null | sort -u || true)
  [ -n "$jobs" ] || return 0
  log "cancelling jobs: $(echo $jobs)"
  # shellcheck disable=SC2086
  slurm_env timeout 20 scancel $jobs 2>/dev/null || true
  for i in $(seq 1 50); do [ -z "$(slurm_env timeout 10 squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
}

# stop_munged: the munged this directory started, unless another cluster's daemons still use it
# (then it stays, as the machine's munged that the next `up` reuses).
stop_munged() {
  alive munged || { rm -f "$PIDS/munged"; return 0; }
  if command -v pgrep >/dev/null && [ -n "$(pgrep -x -r R,S,D slurmctld; pgrep -x -r R,S,D slurmd)" ]; then
    log "leaving munged ($(cat "$PIDS/munged")) running: another Slurm on this machine uses it"
    rm -f "$PIDS/munged"
    return 0
  fi
  stop munged
}

down_single() {
  cancel_jobs
  stop slurmd
  stop slurmctld
  stop_munged
  return 0
}

# ---------------------------------------------------------------- N hosts (network namespaces)

# Names and addresses of an N-host cluster, from the environment or from $TOPOLOGY.
multi_names() {
  NET=${ALPHASWEEP_SLURM_NET:-10.77.0}
  NSP=${ALPHASWEEP_SLURM_NS:-as}
  CPUS=${ALPHASWEEP_SLURM_CPUS:-4}
  SLURMD_TIMEOUT=${ALPHASWEEP_SLURMD_TIMEOUT:-20}
  if [ -s "$TOPOLOGY" ]; then
    # shellcheck disable=SC1090
    . "$TOPOLOGY"
  fi
  case "$NET" in *[!0-9.]*|'') die "ALPHASWEEP_SLURM_NET must look like 10.77.0, not '$NET'" ;; esac
  case "$NSP" in *[!a-z0-9]*|'') die "ALPHASWEEP_SLURM_NS must be lower-case letters and digits, not '$NSP'" ;; esac
  [ ${#NSP} -le 8 ] || die "ALPHASWEEP_SLURM_NS '$NSP' is too long (interface names have 15 characters)"
  BRIDGE=br-$NSP
  CTL=${NSP}ctl
  CTL_ADDR=$NET.2
}
host_name() { echo "$NSP"n"$1"; }
host_addr() { echo "$NET.$((10 + $1))"; }

# start_in_ns PIDNAME NS HOSTNAME OUT CMD...: a daemon in network namespace NS, with its own UTS
# namespace named HOSTNAME and its own mount namespace, in which $DIR/hosts is /etc/hosts and
# $DIR/tmp/HOSTNAME is $DIR/node-tmp (the node-local TmpFS); its PID in $PIDS/PIDNAME. The PID
# is the daemon's own: setsid (not a group leader here), nsenter, unshare and sh each exec the
# next program. (Not `ip netns exec`: it remounts /sys, which hides /sys/fs/cgroup, and slurmd
# 22.05 will not start without its cgroup plugin.)
start_in_ns() {
  local pidname=$1 ns=$2 name=$3 out=$4; shift 4
  mkdir -p "$DIR/tmp/$name" "$DIR/node-tmp"
  setsid nsenter --net="/run/netns/$ns" unshare --uts --mount --propagation slave -- \
    sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2/tmp/$0" "$2/node-tmp" && hostname "$0" &&
           shift 2 && exec "$@"' "$name" "$DIR/hosts" "$DIR" "$@" \
    >"$out" 2>&1 </dev/null &
  echo $! >"$PIDS/$pidname"
}

write_multi_conf() {
  local i mem
  mem=$(slurmd -C | head -1 | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  mkdir -p "$DIR/state" "$DIR/spool"
  {
    echo "# Written by hpc/slurm-local.sh --nodes $NODES: $NODES hosts (network namespaces) on one machine."
    echo "SlurmctldHost=$CTL($CTL_ADDR)"
    common_conf
    cat <<EOF
SlurmdSpoolDir=$DIR/spool/%n
SlurmdPidFile=$DIR/slurmd-%n.pid
SlurmdLogFile=$DIR/slurmd-%n.log
SlurmdParameters=config_overrides
TmpFS=$DIR/node-tmp
SlurmdTimeout=$SLURMD_TIMEOUT
KillOnBadExit=1
EOF
    for i in $(seq 1 "$NODES"); do
      echo "NodeName=$(host_name "$i") NodeAddr=$(host_addr "$i") CPUs=$CPUS RealMemory=${mem:-1000} State=UNKNOWN"
    done
    # LLN: a job goes to the least loaded host, so small jobs (array tasks) spread over the hosts.
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP LLN=YES"
  } >"$CONF.new"
  mv "$CONF.new" "$CONF"
  printf 'export SLURM_CONF=%q\n' "$CONF" >"$DIR/env"
}

# add_ns NS ADDR: a namespace with lo and eth0 (a veth whose other end is on the bridge).
add_ns() {
  local ns=$1 addr=$2 veth=v$1
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE"
  ip link set "$veth" up
  ip netns exec "$ns" ip addr add "$addr/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
}

write_hosts() {
  local i
  {
    echo "127.0.0.1 localhost"
    echo "$NET.1 ${NSP}bridge"
    echo "$CTL_ADDR $CTL"
    for i in $(seq 1 "$NODES"); do echo "$(host_addr "$i") $(host_name "$i")"; done
  } >"$DIR/hosts"
}

all_namespaces() {
  local i
  echo "$CTL"
  for i in $(seq 1 "$NODES"); do host_name "$i"; done
}

up_multi() {
  local t0=$1 i ns ready=0 j
  multi_names
  if [ -s "$TOPOLOGY" ]; then
    if [ "$RECORDED_NODES" != "$NODES" ]; then
      die "a $RECORDED_NODES-host cluster is recorded in $DIR: run '$0 down' first (or use another ALPHASWEEP_SLURM_DIR)"
    fi
    local all=1
    alive slurmctld || all=0
    for i in $(seq 1 "$NODES"); do alive "slurmd-$(host_name "$i")" || all=0; done
    if [ $all -eq 1 ] && [ "$(ready_nodes)" -eq "$NODES" ]; then
      log "already up ($NODES hosts); source $DIR/env"; return 0
    fi
    log "restarting a half-up $NODES-host cluster"
    down_multi
    multi_names
  fi
  if alive slurmctld || alive slurmd; then
    die "a one-node cluster is running from $DIR: run '$0 down' first (or use another ALPHASWEEP_SLURM_DIR)"
  fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    die "bridge $BRIDGE exists but is not recorded in $DIR: another cluster uses it (set ALPHASWEEP_SLURM_NS and ALPHASWEEP_SLURM_NET, or remove it)"
  fi
  for ns in $(all_namespaces); do
    [ ! -e "/run/netns/$ns" ] || die "network namespace $ns exists but is not recorded in $DIR (ip netns del $ns)"
  done
  ensure_packages
  command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || die "ip netns is not available"
  ensure_munge
  mkdir -p "$DIR/tmp"
  # Recorded first, so that `down` can undo a partial `up`.
  cat >"$TOPOLOGY" <<EOF
RECORDED_NODES=$NODES
NET=$NET
NSP=$NSP
CPUS=$CPUS
SLURMD_TIMEOUT=$SLURMD_TIMEOUT
EOF
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  add_ns "$CTL" "$CTL_ADDR"
  for i in $(seq 1 "$NODES"); do
    add_ns "$(host_name "$i")" "$(host_addr "$i")"
    mkdir -p "$DIR/spool/$(host_name "$i")"
  done
  write_hosts
  write_multi_conf
  start_in_ns slurmctld "$CTL" "$CTL" "$DIR/ctld.out" slurmctld -D -f "$CONF"
  # slurmd registers once at start (and retries only slowly): start them when slurmctld answers.
  for j in $(seq 1 $((TIMEOUT * 10))); do
    slurm_env timeout 5 scontrol ping 2>/dev/null | grep -q UP && break
    alive slurmctld || { show_logs; down_multi; die "slurmctld exited during start"; }
    sleep 0.1
  done
  slurm_env timeout 5 scontrol ping 2>/dev/null | grep -q UP || { show_logs; down_multi; die "slurmctld does not answer after ${TIMEOUT}s"; }
  for i in $(seq 1 "$NODES"); do
    ns=$(host_name "$i")
    start_in_ns "slurmd-$ns" "$ns" "$ns" "$DIR/slurmd-$ns.out" slurmd -D -N "$ns" -f "$CONF"
  done
  for j in $(seq 1 $((TIMEOUT * 5))); do
    ready=$(ready_nodes)
    [ "$ready" -eq "$NODES" ] && break
    alive slurmctld || { show_logs; down_multi; die "slurmctld exited during start"; }
    for i in $(seq 1 "$NODES"); do
      alive "slurmd-$(host_name "$i")" || { show_logs; down_multi; die "slurmd on $(host_name "$i") exited during start"; }
    done
    sleep 0.2
  done
  if [ "$ready" -ne "$NODES" ]; then
    slurm_env sinfo -N >&2 || true
    show_logs
    die "only $ready of $NODES hosts idle after ${TIMEOUT}s; daemons left running: $0 status, $0 down"
  fi
  log "up in $(elapsed "$t0") s ($NODES hosts $(host_name 1)..$(host_name "$NODES") on $BRIDGE $NET.0/24, slurmctld on $CTL $CTL_ADDR); source $DIR/env"
}

# kill_ns NS: SIGKILL whatever still runs in NS (job steps, orphaned ranks), bounded wait.
kill_ns() {
  local ns=$1 pids i
  [ -e "/run/netns/$ns" ] || return 0
  for i in $(seq 1 50); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    [ "$i" -eq 1 ] && log "killing what is left in $ns: $(echo $pids)"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  log "warning: processes still in $ns after 5 s: $(echo $pids)"
}

down_multi() {
  local i ns
  multi_names
  NODES=${RECORDED_NODES:-$NODES}
  cancel_jobs
  for i in $(seq 1 "$NODES"); do stop "slurmd-$(host_name "$i")"; done
  stop slurmctld
  for ns in $(all_namespaces); do
    kill_ns "$ns"
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || log "warning: could not delete namespace $ns"; fi
    ip link del "v$ns" 2>/dev/null || true        # gone with the namespace, unless that failed
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  stop_munged
  rm -rf "$DIR/state" "$DIR/spool" "$DIR/tmp" "$DIR/node-tmp" "$TOPOLOGY"
  log "down: $NODES hosts, their namespaces and $BRIDGE removed"
}

status_multi() {
  local i ns name
  multi_names
  NODES=$RECORDED_NODES
  echo "hosts: $NODES ($(host_name 1)..$(host_name "$NODES") on $BRIDGE $NET.0/24; slurmctld on $CTL $CTL_ADDR)"
  for name in munged slurmctld $(for i in $(seq 1 "$NODES"); do echo "slurmd-$(host_name "$i")"; done); do
    if alive "$name"; then echo "$name: running (pid $(cat "$PIDS/$name"))"
    elif [ "$name" = munged ] && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then echo "munged: running (not started here)"
    else echo "$name: not running"; fi
  done
  for ns in $(all_namespaces); do
    if [ -e "/run/netns/$ns" ]; then echo "netns $ns: $(ip netns pids "$ns" 2>/dev/null | wc -l) processes"
    else echo "netns $ns: missing"; fi
  done
  if alive slurmctld; then
    echo "SLURM_CONF=$CONF"
    slurm_env timeout 10 sinfo -N -o "%N %P %T %C %m" || true
    slurm_env timeout 10 squeue -o "%.12i %.9P %.24j %.8T %.10M %.6D %R" || true
  fi
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local t0
  t0=$(date +%s.%N)
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd must be able to start jobs as their owner)"
  mkdir -p "$DIR" "$PIDS"
  if [ "$NODES" -eq 1 ]; then
    [ ! -s "$TOPOLOGY" ] || die "a multi-host cluster is recorded in $DIR: run '$0 down' first (or use another ALPHASWEEP_SLURM_DIR)"
    up_single "$t0"
  else
    up_multi "$t0"
  fi
}

cmd_down() {
  mkdir -p "$PIDS"
  if [ -s "$TOPOLOGY" ]; then down_multi; else down_single; fi
}

cmd_status() {
  local name
  if [ -s "$TOPOLOGY" ]; then status_multi; return 0; fi
  for name in munged slurmctld slurmd; do
    if alive "$name"; then echo "$name: running (pid $(cat "$PIDS/$name"))"
    elif [ "$name" = munged ] && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then echo "munged: running (not started here)"
    else echo "$name: not running"; fi
  done
  if alive slurmctld; then
    echo "SLURM_CONF=$CONF"
    slurm_env sinfo -N -o "%N %P %T %C %m" || true
    slurm_env squeue -o "%.12i %.9P %.24j %.8T %.10M %.6D %R" || true
  fi
}

usage() {
  echo "usage: $0 up [--nodes N] | down | status | purge   (state in \${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm})" >&2
  exit 2
}

command=${1:-}
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) [ $# -ge 2 ] || usage; NODES=$2; shift 2 ;;
    --nodes=*) NODES=${1#--nodes=}; shift ;;
    *) usage ;;
  esac
done
case "$NODES" in ''|*[!0-9]*) die "--nodes wants a number of hosts, not '$NODES'" ;; esac
[ "$NODES" -ge 1 ] && [ "$NODES" -le 200 ] || die "--nodes must be 1..200, not $NODES"

case "$command" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  purge) cmd_down; rm -rf "$DIR"; log "removed $DIR" ;;
  *) usage ;;
esac
