#!/bin/bash
# The judge load of issue 14's programme: one fresh database and server per
# run, 3,000 contestants and 800 judges spread over EVENTS events, RATE
# marks/s offered (0 = as fast as acknowledgements return), 60 s.
#
#   bash bench/programme-scale.sh sqlite|mysql EVENTS RATE [DURATION]
#   bash bench/programme-scale.sh sqlite 85 2000     # the target's load
#   bash bench/programme-scale.sh sqlite 1 2000      # the same in one event
#
# mysql uses root@127.0.0.1:3306 and a scratch database it drops first.
# Figures and how to read them: docs/benchmarks.md, "Programme scale".
set -eu
kind=$1 events=$2 rate=$3 dur=${4:-60s}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $spid 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/skillscore" ./cmd/skillscore
go build -o "$work/judgeload" ./cmd/judgeload
"$work/skillscore" keys new --key-file "$work/keys" >/dev/null
if [ "$kind" = sqlite ]; then
	db=sqlite:$work/load.db
else
	dbn=skillscore_scale_e${events}_r${rate}
	mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $dbn; CREATE DATABASE $dbn CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	db="mysql:root@tcp(127.0.0.1:3306)/$dbn"
fi
port=$((18000 + RANDOM % 900))
echo "== $kind events=$events rate=$rate $(date -u +%H:%M:%S) load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/skillscore" serve --addr 127.0.0.1:$port --db "$db" --key-file "$work/keys" --log-level warn >"$work/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:$port/healthz && break; sleep 0.2; done
"$work/judgeload" --url http://127.0.0.1:$port --db "$db" --key-file "$work/keys" \
	--events "$events" --contestants 3000 --judges 800 --rate "$rate" --duration "$dur" --pid $spid
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%H:%M:%S)"
