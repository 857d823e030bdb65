-- Print what the harness parses: requests/s, p50 and p99 in microseconds,
-- and the count of non-2xx/3xx answers.
done = function(summary, latency, requests)
  io.write(string.format("MAJLIS rps=%.1f p50=%d p99=%d errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
  if status_report then status_report() end
end
