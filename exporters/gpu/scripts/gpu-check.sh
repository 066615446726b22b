#!/bin/bash
# Real-GPU check of the exporter's NVML source (issue 5): compare with nvidia-smi, print one
# snapshot, measure sampling cost. Runs from the repo root on the device machine.
set -u
cd .gpu
if ! command -v node >/dev/null; then xz -d -c node.xz > /tmp/node && chmod +x /tmp/node && export PATH=/tmp:$PATH; fi
{ echo "node $(node --version)"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; } | tee $OUT/summary.txt
python3 -c "
import torch, time
a = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16)
t = time.time()
while time.time() - t < 75:
    (a @ a).sum().item()
" > $OUT/load.log 2>&1 &
sleep 6
timeout 90 node bundle/compare-nvidia-smi.js --rounds 3 > $OUT/compare.md 2>&1; echo "compare exit $?" | tee -a $OUT/summary.txt
timeout 60 node bundle/run-cli.js exporter --source nvml --once > $OUT/nvml-once.prom 2> $OUT/nvml-once.err; echo "once exit $?" | tee -a $OUT/summary.txt
node bundle/run-cli.js exporter --source nvml --interval 1s --listen 127.0.0.1:19400 > $OUT/serve.log 2>&1 &
pid=$!
sleep 4
t0=$(awk '{print $14+$15}' /proc/$pid/stat); s0=$(date +%s.%N)
sleep 30
t1=$(awk '{print $14+$15}' /proc/$pid/stat); s1=$(date +%s.%N)
curl -s -H 'Accept-Encoding: identity' http://127.0.0.1:19400/metrics > $OUT/serve-metrics.prom
kill -TERM $pid; wait $pid
tck=$(getconf CLK_TCK)
ngpu=$(nvidia-smi -L | grep -c '^GPU')
awk -v t0=$t0 -v t1=$t1 -v s0=$s0 -v s1=$s1 -v tck=$tck -v n=$ngpu 'BEGIN { secs = s1 - s0; cpu = (t1 - t0) * 1000 / tck; printf "sampling cost: %.0f ms CPU over %.1f s at 1 sample/s, %d GPU(s): %.2f ms CPU per sample per GPU, %.2f%% of one core\n", cpu, secs, n, cpu / secs / n, cpu / secs / 10 }' | tee -a $OUT/summary.txt
grep -E '^vigil_exporter_(collect_duration|collect_success|collect_failures)' $OUT/serve-metrics.prom | head -20 | tee -a $OUT/summary.txt
wait
