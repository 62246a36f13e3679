-- wrk's summary as one JSON line (requests/s, latency percentiles in ms,
-- errors: connect, read, write and timeout errors and answers >= 400).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, '
      .. '"max_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
