-- Filtered queries over a large log (wrk -s query.lua). TOKEN comes from the environment.
local counter = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local kind = os.getenv("QUERY") or "actor"
request = function()
  counter = counter + 1
  local path
  if kind == "actor" then
    path = string.format("/v1/events?actor=user-%d&limit=100", counter % 1000)
  elseif kind == "type" then
    path = "/v1/events?type=network&min_severity=medium&limit=100"
  else
    path = string.format("/v1/events?source_ip=198.51.100.%d&limit=100", counter % 250)
  end
  return wrk.format("GET", path)
end
