#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1 that opens frontdesk for one test scheduler.
#
#   deploy/ssh/test-sshd.sh start STATE_DIR PORT [--user NAME] [--group NAME] [--staff USERNAME]
#                                 [--frontdesk PATH]
#   deploy/ssh/test-sshd.sh stop STATE_DIR
#
# start (as root): installs openssh-server when /usr/sbin/sshd is missing; creates the OS group
# and user (default frontdesk-test / fdsched; kept between runs, re-used as they are); makes host
# and client keys, settings.toml (os_users maps the user to STAFF, default the demo's "sam") and
# the demo practice's database in STATE_DIR; writes STATE_DIR/sshd_config (the same directives
# as docs/ssh.md) and starts sshd in the background. Log in with:
#   ssh -tt -i STATE_DIR/client_key -p PORT fdsched@127.0.0.1
# --frontdesk runs an installed frontdesk (e.g. /opt/frontdesk/bin/frontdesk) instead of this
# repo's. stop: ends that sshd (pid in STATE_DIR/sshd.pid) and the sessions it started.
#
# STATE_DIR must be an absolute path the test user can traverse (e.g. a 0755 dir under /tmp).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=$REPO/.venv
SSHD=/usr/sbin/sshd

die() { echo "test-sshd: $*" >&2; exit 1; }
say() { echo "test-sshd: $*"; }

usage() {
  sed -n '3,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2
  exit 2
}

ensure_sshd() {
  [[ -x $SSHD ]] && return 0
  say "installing openssh-server"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openssh-server; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server
  fi
  [[ -x $SSHD ]] || die "no $SSHD after installing openssh-server"
}

ensure_account() {  # group user
  local group=$1 user=$2
  if ! getent group "$group" >/dev/null; then
    groupadd --system "$group"
    say "created group $group"
  fi
  if ! id -u "$user" >/dev/null 2>&1; then
    # A shell, because sshd runs ForceCommand with it.
    useradd --create-home --gid "$group" --shell /bin/sh "$user"
    say "created user $user"
  elif [[ $(id -gn "$user") != "$group" ]]; then
    die "user $user exists and is not a test user (primary group not $group): use --user"
  fi
  # No password, but not "locked": with UsePAM no, sshd refuses even key logins to an
  # account whose password field starts with "!" (useradd's default).
  if [[ $(getent shadow "$user" | cut -d: -f2) == '!'* ]]; then
    usermod --password '*' "$user"
  fi
}

# The frontdesk the test user runs: this repo's venv when the user can import frontdesk from it;
# else (the checkout sits in a folder only root can enter — a mktemp -d folder, root's home — or
# its interpreter does, e.g. pyenv in /root) a venv in STATE_DIR, made from the system's python
# of the same minor version, holding an installed copy of frontdesk and of what it imports
# (copy-install.py). A copy, not a pointer: the repo's venv has frontdesk in editable mode, which
# points back into the checkout.
launcher() {  # state user
  local state=$1 user=$2
  if runuser -u "$user" -- "$VENV/bin/python" -c 'import frontdesk' 2>/dev/null; then
    echo "$VENV/bin/frontdesk"
    return
  fi
  local minor site python
  minor=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
  python=$(command -v "/usr/bin/python$minor" || true)
  [[ -n $python ]] || die "$user cannot run $VENV/bin/python and there is no /usr/bin/python$minor"
  if [[ ! -x $state/venv/bin/frontdesk ]]; then
    "$python" -m venv --without-pip "$state/venv" >&2
    local own_site
    own_site=$("$state/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    "$VENV/bin/python" "$REPO/deploy/ssh/copy-install.py" "$site" "$own_site" "$REPO"
    cat > "$state/venv/bin/frontdesk" <<EOF
#!$state/venv/bin/python
import sys
from frontdesk.cli import main
if __name__ == '__main__':
    sys.exit(main())
EOF
    chmod 0755 "$state/venv/bin/frontdesk"
    chmod -R a+rX "$state/venv"
  fi
  runuser -u "$user" -- "$state/venv/bin/python" -c 'import frontdesk.cli' >&2 \
    || die "$user cannot import frontdesk from $state/venv"
  echo "$state/venv/bin/frontdesk"
}

start() {
  local state=${1:-} port=${2:-}
  [[ -n $state && -n $port ]] || usage
  shift 2
  local user=fdsched group=frontdesk-test staff=sam fd=
  while (($#)); do
    case $1 in
      --user) user=$2; shift 2 ;;
      --group) group=$2; shift 2 ;;
      --staff) staff=$2; shift 2 ;;
      --frontdesk) fd=$2; shift 2 ;;  # e.g. /opt/frontdesk/bin/frontdesk
      *) usage ;;
    esac
  done
  [[ $EUID -eq 0 ]] || die "start must run as root (it runs sshd and adds an OS user)"
  [[ $state == /* ]] || die "STATE_DIR must be an absolute path: $state"
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1024 || port > 65535)); then
    die "PORT must be a number from 1024 to 65535: $port"
  fi

  ensure_sshd
  ensure_account "$group" "$user"
  mkdir -p "$state"
  runuser -u "$user" -- test -x "$state" \
    || die "$user cannot reach $state: make it and every folder above it traversable (o+x)"

  [[ -n $fd ]] || fd=$(launcher "$state" "$user")
  runuser -u "$user" -- "$fd" --version >/dev/null || die "$user cannot run $fd"
  say "frontdesk for $user: $fd"

  # Keys: the server's host key and the client's key, allowed for the test user.
  [[ -f $state/ssh_host_ed25519_key ]] \
    || ssh-keygen -q -t ed25519 -N '' -C frontdesk-test-host -f "$state/ssh_host_ed25519_key"
  [[ -f $state/client_key ]] \
    || ssh-keygen -q -t ed25519 -N '' -C frontdesk-test-client -f "$state/client_key"
  install -m 0644 "$state/client_key.pub" "$state/authorized_keys"

  # frontdesk's files as docs/ssh.md lays them out: settings the group can read, and the
  # [storage] shared_group setting, so frontdesk itself makes the data folder the group's
  # (setgid, 2770) and the database group-writable (0660).
  install -d -o root -g "$group" -m 0750 "$state/config"
  cat > "$state/config/settings.toml" <<EOF
[signin]
os_users = { "$user" = "$staff" }

[storage]
shared_group = "$group"
EOF
  chown "root:$group" "$state/config/settings.toml"
  chmod 0640 "$state/config/settings.toml"
  local db=$state/data/frontdesk.db
  if [[ ! -f $db ]]; then
    FRONTDESK_CONFIG_DIR=$state/config "$fd" --db "$db" db seed-demo >/dev/null
    say "seeded the demo practice into $db"
  fi

  cat > "$state/sshd_config" <<EOF
# Throwaway sshd for testing frontdesk over SSH (deploy/ssh/test-sshd.sh); loopback only.
ListenAddress 127.0.0.1
Port $port
HostKey $state/ssh_host_ed25519_key
PidFile $state/sshd.pid
AuthorizedKeysFile $state/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowGroups $group
AcceptEnv LANG LC_*

# The block docs/ssh.md adds to /etc/ssh/sshd_config, with this test's paths.
Match Group $group
    ForceCommand exec $fd
    SetEnv FRONTDESK_CONFIG_DIR=$state/config FRONTDESK_DATA_DIR=$state/data
    PermitTTY yes
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    X11Forwarding no
    AllowAgentForwarding no
    PermitTunnel no
    PermitUserRC no
    AcceptEnv LANG LC_* COLORTERM
    ClientAliveInterval 5
    ClientAliveCountMax 2
EOF

  if [[ -f $state/sshd.pid ]] && kill -0 "$(cat "$state/sshd.pid")" 2>/dev/null; then
    die "an sshd from $state is already running (pid $(cat "$state/sshd.pid")): stop it first"
  fi
  rm -f "$state/sshd.pid"
  mkdir -p /run/sshd && chmod 0755 /run/sshd  # sshd's privilege separation directory
  "$SSHD" -t -f "$state/sshd_config"
  "$SSHD" -f "$state/sshd_config" -E "$state/sshd.log"  # forks into the background
  local _
  for _ in $(seq 1 50); do
    [[ -s $state/sshd.pid ]] && break
    sleep 0.1
  done
  [[ -s $state/sshd.pid ]] || die "sshd did not start; see $state/sshd.log"
  say "sshd pid $(cat "$state/sshd.pid") on 127.0.0.1:$port, config $state/sshd_config"
  say "log in: ssh -tt -i $state/client_key -p $port $user@127.0.0.1"
}

stop() {
  local state=${1:-}
  [[ -n $state ]] || usage
  local pidfile=$state/sshd.pid
  if [[ ! -s $pidfile ]]; then
    say "no sshd pid file in $state: nothing to stop"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null \
      && [[ $(tr '\0' ' ' < "/proc/$pid/cmdline") == *"$state/sshd_config"* ]]; then
    # The sessions it started are its children; ending them hangs up their frontdesk.
    local child
    for child in $(pgrep -P "$pid" || true); do kill "$child" 2>/dev/null || true; done
    kill "$pid"
    local _
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && die "sshd pid $pid did not stop"
    say "stopped sshd pid $pid"
  else
    say "sshd pid $pid from $state is not running"
  fi
  rm -f "$pidfile"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) usage ;;
esac
