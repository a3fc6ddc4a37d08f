-- One vault operation per request (wrk -s vault.lua URL). TOKEN and BODY come from the environment.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY")
