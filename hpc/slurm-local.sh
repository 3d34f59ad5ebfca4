#!/usr/bin/env bash
# A real single-node Slurm (munge + slurmctld + slurmd) on this machine, without systemd.
# For the end-to-end tests and for trying the jobs/*.sbatch scripts before a cluster.
#
#   hpc/slurm-local.sh up       install what is missing, start the daemons, wait until the node is idle
#   hpc/slurm-local.sh status   daemons, nodes and jobs
#   hpc/slurm-local.sh down     cancel this cluster's jobs, stop the daemons it started (by PID)
#   hpc/slurm-local.sh purge    down, then remove the state directory
#
# Everything lives in ${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm} (config, state, spool, logs,
# PIDs). After `up`, `source $DIR/env` points sinfo/sbatch/squeue at this cluster (SLURM_CONF).
# Idempotent: `up` on a running cluster and `down` on a stopped one do nothing and succeed.
# Needs root (slurmd runs jobs as their owner). Ports: ALPHASWEEP_SLURM_PORTS="6817 6818"
# (slurmctld slurmd) by default. Munge: the system munged (/run/munge) is reused when it
# answers, else started here and stopped by `down`.
set -euo pipefail

DIR=${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm}
TIMEOUT=${ALPHASWEEP_SLURM_TIMEOUT:-60}
read -r CTLD_PORT SLURMD_PORT <<<"${ALPHASWEEP_SLURM_PORTS:-6817 6818}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONF=$DIR/slurm.conf
PIDS=$DIR/pids

log() { echo "slurm-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

# alive NAME: the process we recorded for NAME is still that program.
alive() {
  local f=$PIDS/$1 pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$1"
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

show_logs() {
  local f
  for f in "$DIR"/slurmctld.log "$DIR"/slurmd.log "$DIR"/ctld.out "$DIR"/slurmd.out; do
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

write_conf() {
  local host nodeline
  host=$(hostname)
  nodeline=$(slurmd -C | head -1)
  case "$nodeline" in NodeName=*) ;; *) die "slurmd -C printed no node line: $nodeline" ;; esac
  mkdir -p "$DIR/state" "$DIR/spool"
  cat >"$CONF.new" <<EOF
# Written by hpc/slurm-local.sh: a single-node Slurm for alphasweep's tests.
ClusterName=local
SlurmctldHost=$host
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
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
$nodeline State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.new" "$CONF"
  printf 'export SLURM_CONF=%q\n' "$CONF" >"$DIR/env"
}

cmd_up() {
  local t0 i state=""
  t0=$(date +%s.%N)
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd must be able to start jobs as their owner)"
  mkdir -p "$DIR" "$PIDS"
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
  log "up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s (node $state); source $DIR/env"
}

cmd_down() {
  local jobs i
  if alive slurmctld; then
    jobs=$(slurm_env squeue -h -o %A 2>/dev/null | sort -u || true)
    if [ -n "$jobs" ]; then
      log "cancelling jobs: $(echo $jobs)"
      # shellcheck disable=SC2086
      slurm_env scancel $jobs 2>/dev/null || true
      for i in $(seq 1 50); do [ -z "$(slurm_env squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
    fi
  fi
  stop slurmd
  stop slurmctld
  stop munged
  return 0
}

cmd_status() {
  local name
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

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  purge) cmd_down; rm -rf "$DIR"; log "removed $DIR" ;;
  *) echo "usage: $0 up|down|status|purge   (state in \${ALPHASWEEP_SLURM_DIR:-/tmp/alphasweep-slurm})" >&2; exit 2 ;;
esac
