-- 1,000 events per request as NDJSON (wrk -s batch.lua). TOKEN comes from the environment.
local lines = {}
for i = 1, 1000 do
  lines[i] = string.format(
    '{"event_type":"data_access","action":"read","actor":"user-%d","resource":"doc/%d","source_ip":"203.0.113.%d","success":true,"metadata":{"n":%d}}',
    i % 1000, i * 7 % 10000, i % 250, i)
end
wrk.method = "POST"
wrk.body = table.concat(lines, "\n") .. "\n"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/x-ndjson"
