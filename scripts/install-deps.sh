#!/usr/bin/env bash
# Installs everything Kura needs to build, run and test on Debian 12, from
# Debian's packages only. Safe to run again.
set -euo pipefail
packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config python3 python3-botocore
  libboost-dev libboost-system-dev libssl-dev libsqlite3-dev librocksdb-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libpugixml-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev
  # request bodies parsed with the CPU's vector instructions (src/common/json_fast_parse.h)
  libsimdjson-dev
  # the service models' `pattern` constraints (src/protocol/model_pattern.h)
  libpcre2-dev
  # the server headers MariaDB's AWSAuthenticationPlugin is built against (src/dbauth/)
  libmariadbd-dev
  # the client libraries `kura drill` writes its workloads with (src/drill/)
  libpq-dev libmariadb-dev
  # engines Kura runs
  postgresql postgresql-contrib redis-server memcached mariadb-server mariadb-backup
  # clients the tests and the tour drive Kura with
  awscli python3-boto3 python3-pytest python3-pytest-xdist python3-psycopg2 postgresql-client
  mariadb-client python3-pymysql redis-tools curl wrk
  # a Memcached client that uses the nodes Auto Discovery finds (test_elasticache_auto_discovery.py)
  python3-pymemcache
  # a Redis Cluster client (test_elasticache_cluster_mode.py)
  python3-redis
  # the Prometheus text parser that reads /_kura/metrics (test_metrics.py)
  python3-prometheus-client
  # the AWS Common Runtime, botocore's SigV4a signer (test_sigv4a.py)
  python3-awscrt
  # the browser that shows the web console's pages (test_console.py; Node.js below drives it)
  chromium chromium-driver
  # the trace that proves no answer goes out before its sync (test_durability_order.py)
  strace
  # the plain HTTP server the DynamoDB benchmarks measure against (bench/ddb_write_ceiling.sh)
  nginx-light
  # sanitizer and fuzzing builds
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (playwright-core for test_console.py, the JavaScript SDK
# for test_client_compat_js.py): Debian's, unless the machine has its own
# (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Kura runs its own MariaDB servers: the distribution's own, where its
# install started one, is stopped (and under systemd kept from starting).
if pgrep -x mariadbd >/dev/null 2>&1 && [ -f /run/mysqld/mysqld.pid ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mariadb 2>/dev/null; then
    "${sudo_cmd[@]}" systemctl disable --now mariadb || true
  else
    "${sudo_cmd[@]}" service mariadb stop || "${sudo_cmd[@]}" kill "$(cat /run/mysqld/mysqld.pid)" || true
  fi
fi
# Extensions for the installed PostgreSQL major: pgaudit (RDS audit logs)
# and pgextwlist (the master user creates the allowed extensions).
major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
if [ -n "$major" ]; then
  extensions=()
  for p in "postgresql-$major-pgaudit" "postgresql-$major-pgextwlist"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || extensions+=("$p")
  done
  if [ ${#extensions[@]} -gt 0 ]; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${extensions[@]}" ||
      { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${extensions[@]}"; }
  fi
fi
