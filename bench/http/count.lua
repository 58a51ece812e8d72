-- wrk script for bench/http_load.py: one fixed request per run, every response's status counted.
--
-- Read from the environment (LuaJIT's os.getenv), so one script serves every run:
--   BENCH_METHOD     GET (default) or POST
--   BENCH_BODY_FILE  a file whose bytes are the request body (form-encoded), for POST
--   BENCH_COOKIE     the Cookie header (a session, or the CSRF cookie the body's token belongs to)
--   BENCH_COUNT_STATUSES  "1": count every status (otherwise only wrk's own count of non-2xx/3xx answers)
-- At the end one line "BENCH_RESULT {json}" gives the requests started, the statuses and wrk's own totals; started
-- minus answered is what was still in flight when wrk stopped (the server may have finished those).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local method = os.getenv("BENCH_METHOD") or "GET"
   local headers = {}
   local body = nil
   local body_file = os.getenv("BENCH_BODY_FILE") or ""
   if body_file ~= "" then
      local handle = assert(io.open(body_file, "rb"))
      body = handle:read("*a")
      handle:close()
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
   local cookie = os.getenv("BENCH_COOKIE") or ""
   if cookie ~= "" then
      headers["Cookie"] = cookie
   end
   prepared = wrk.format(method, nil, headers, body)
   started = 0
   statuses = {}
end

function request()
   started = started + 1
   return prepared
end

-- Only when asked (BENCH_COUNT_STATUSES=1): with a response() function wrk hands every body to Lua, which costs the
-- load generator time on large pages that it would otherwise leave to the server under test.
if os.getenv("BENCH_COUNT_STATUSES") == "1" then
   function response(status, headers, body)
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
   end
end

function done(summary, latency, requests)
   local total_started = 0
   local total = {}
   for _, thread in ipairs(threads) do
      total_started = total_started + thread:get("started")
      for status, count in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(total) do
      table.insert(parts, string.format('"%s": %d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"started": %d, "answered": %d, "duration_us": %d, "statuses": {%s}, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_p50_us": %d, "latency_p99_us": %d}\n',
      total_started, summary.requests, summary.duration, table.concat(parts, ", "),
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      latency:percentile(50), latency:percentile(99)))
end
