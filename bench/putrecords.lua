-- SPDX-License-Identifier: Apache-2.0
-- wrk script: POSTs one pre-built Kinesis PutRecords body (file named by $BENCH_BODY) over and
-- over, and counts 200 answers, other answers and per-record failures (FailedRecordCount) across
-- all threads. The static SigV4-shaped header satisfies emulators that insist on one; servers
-- without authentication ignore it.
local path = assert(os.getenv("BENCH_BODY"), "set BENCH_BODY to a PutRecords JSON file")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.path = "/"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "Kinesis_20131202.PutRecords"
wrk.headers["X-Amz-Date"] = "20240101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/" ..
  "kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" ..
  string.rep("0", 64)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok_responses = 0
  bad_responses = 0
  failed_records = 0
end

function response(status, headers, body)
  if status == 200 then
    ok_responses = ok_responses + 1
    local n = body:match('"FailedRecordCount"%s*:%s*(%d+)')
    if n then failed_records = failed_records + tonumber(n) end
  else
    bad_responses = bad_responses + 1
  end
end

function done(summary, latency, requests)
  local ok, bad, failed = 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok_responses")
    bad = bad + t:get("bad_responses")
    failed = failed + t:get("failed_records")
  end
  io.write(string.format(
    "BENCH ok_responses=%d bad_responses=%d failed_records=%d duration_us=%d " ..
    "socket_errors=%d latency_p50_us=%d latency_p99_us=%d\n",
    ok, bad, failed, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
