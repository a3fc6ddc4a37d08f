-- One event per request (wrk -s single.lua). TOKEN comes from the environment.
local actors = {}
for i = 1, 1000 do actors[i] = "user-" .. i end
local counter = 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = string.format(
    '{"event_type":"authentication","action":"login","actor":"%s","resource":"app/%d","source_ip":"198.51.100.%d","success":%s,"metadata":{"n":%d}}',
    actors[counter % 1000 + 1], counter % 10000, counter % 250, counter % 7 == 0 and "false" or "true", counter)
  return wrk.format(nil, nil, nil, body)
end
