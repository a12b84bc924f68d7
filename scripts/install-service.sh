#!/usr/bin/env bash
# Installs Kura as a systemd service run by the unprivileged `kura` user:
#   - the `kura` system user and group (adduser --system --group, no login);
#   - the binary in /usr/local/bin/kura (root's, 0755);
#   - the unit /etc/systemd/system/kura.service (packaging/kura.service);
#   - /etc/kura/kura.env for credentials and settings (root's, 0600; kept);
#   - the data directory /var/lib/kura, kura's, mode 0700.
# Run as root after ./scripts/build.sh. Safe to run again: nothing already
# there is overwritten but the binary and the unit. It does not start the
# service: `systemctl enable --now kura` does, once kura.env is filled in.
#
#   sudo ./scripts/install-service.sh [--binary build/src/main/kura] [--prefix /]
#
# --prefix installs under another root (a package's staging tree, a test):
# then no user is created and nothing is given to it, only listed.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=build/src/main/kura
prefix=/
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
prefix=${prefix%/}
staging=false
[ -n "$prefix" ] && staging=true

if [ "$staging" = false ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-service.sh: run as root (sudo)" >&2
  exit 1
fi
if [ ! -x "$binary" ]; then
  echo "install-service.sh: no Kura binary at $binary (run ./scripts/build.sh first)" >&2
  exit 1
fi

data_dir=$prefix/var/lib/kura
unit=$prefix/etc/systemd/system/kura.service
env_file=$prefix/etc/kura/kura.env

# The user: a system account with no shell and no password, its home the
# data directory (nothing is ever read from it).
if [ "$staging" = false ]; then
  if ! getent passwd kura >/dev/null; then
    adduser --system --group --home /var/lib/kura --no-create-home --shell /usr/sbin/nologin \
      --gecos "Kura database platform" kura
  fi
  # The engines run as their own users; the packages that bring the
  # engines create them (postgres, redis, memcache). Say which are missing.
  for engine_user in postgres redis memcache; do
    getent passwd "$engine_user" >/dev/null || echo "note: no '$engine_user' user: its engine is not installed" >&2
  done
fi

install -d -m 0755 "$prefix/usr/local/bin" "$prefix/etc/systemd/system"
install -m 0755 "$binary" "$prefix/usr/local/bin/kura"
install -m 0644 packaging/kura.service "$unit"
install -d -m 0755 "$prefix/usr/local/share/doc/kura"
install -m 0644 docs/operations.md "$prefix/usr/local/share/doc/kura/operations.md"

# Settings and credentials: root's alone; systemd reads it before the
# service drops to kura.
install -d -m 0755 "$prefix/etc/kura"
if [ ! -e "$env_file" ]; then
  (umask 077 && cat >"$env_file" <<'EOF'
# Read by kura.service (EnvironmentFile). Kura refuses to listen beyond
# loopback without credentials; see docs/configuration.md.
#KURA_HOST=0.0.0.0
#KURA_ACCESS_KEY_ID=
#KURA_SECRET_ACCESS_KEY=
#KURA_CREDENTIALS_FILE=/etc/kura/credentials
#KURA_MAX_CONNECTIONS=0
EOF
  )
fi
chmod 0600 "$env_file"

# The data directory: kura's, 0700. One a root-run Kura left keeps its
# contents: what root owns there was written by Kura and is given to kura;
# the engines' trees stay their users'. Kura tightens its stores' modes at
# start.
install -d -m 0700 "$data_dir"
chmod 0700 "$data_dir"
if [ "$staging" = false ]; then
  find "$data_dir" -xdev -user root -exec chown -h kura:kura {} +
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "installed: systemctl enable --now kura (after filling in $env_file)"
  else
    echo "installed; systemd is not running here, so nothing was reloaded"
  fi
else
  echo "staged under $prefix: chown kura:kura $data_dir on the target"
fi
