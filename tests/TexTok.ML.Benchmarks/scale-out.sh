#!/usr/bin/env bash
# Scaling of the two scale-out paths on this machine, 1 against 2 workers, each measured REPEATS times:
#  - data-parallel training (samples/DataParallelTraining): one process with 1 and 2 threads, and mpirun -np 2 with
#    1 thread per rank, at global batches 16 and 64, 100 steps;
#  - sharded tokenizing on Orleans (samples/ShardedTokenize): one silo, 1 and 2 shards in flight, 2048 scenes.
# Writes DIR/scale-out.json (every run's report.json, gathered). Run on an otherwise idle machine.
#   bash tests/TexTok.ML.Benchmarks/scale-out.sh DIR [REPEATS]
set -euo pipefail
out=${1:?usage: scale-out.sh DIR [REPEATS]}; repeats=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"; out=$(cd "$out" && pwd)
dotnet build "$root/samples/DataParallelTraining" -c Release -v q >/dev/null
dotnet build "$root/samples/ShardedTokenize" -c Release -v q >/dev/null
dp="$root/samples/DataParallelTraining/bin/Release/net10.0/DataParallelTraining.dll"
st="$root/samples/ShardedTokenize/bin/Release/net10.0/ShardedTokenize.dll"
for r in $(seq 1 "$repeats"); do
  for b in 16 64; do
    dotnet "$dp" --steps 100 --batch $b --threads 1 --out "$out/train/r$r-one-process-1-thread-b$b" >/dev/null
    dotnet "$dp" --steps 100 --batch $b --threads 2 --out "$out/train/r$r-one-process-2-threads-b$b" >/dev/null
    mpirun --allow-run-as-root --oversubscribe -np 2 dotnet "$dp" --steps 100 --batch $b --threads 1 --out "$out/train/r$r-mpi-2-ranks-b$b" >/dev/null
  done
  pipeline=()
  [ -f "$out/tokenize/r1/tokenizer.zip" ] && pipeline=(--pipeline "$out/tokenize/r1/tokenizer.zip")
  dotnet "$st" --rows 2048 --shard 64 --workers 1,2 "${pipeline[@]}" --out "$out/tokenize/r$r" >/dev/null
done
# Every report.json under a folder as a JSON array of {"run": its folder's name, "report": its contents}.
gather() {
  local first=1
  echo '['
  for f in "$1"/*/report.json; do
    [ $first = 1 ] || echo ','; first=0
    printf '    {"run": "%s", "report": %s}' "$(basename "$(dirname "$f")")" "$(tr -d '\n' < "$f")"
  done
  echo; echo '  ]'
}
{
  echo '{'
  echo "  \"machine\": \"$(nproc) cores, $(uname -sr)\", \"date\": \"$(date -u +%FT%TZ)\", \"repeats\": $repeats,"
  echo '  "training":'; gather "$out/train"; echo ','
  echo '  "tokenize":'; gather "$out/tokenize"
  echo '}'
} > "$out/scale-out.json"
echo "wrote $out/scale-out.json"
