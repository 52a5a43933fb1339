-- wrk script: each request is a random line of the file URLS names, so the server sees
-- many different pages, not one page repeated. A line is a path with its query, or
-- "POST <path>": a form post carrying the session's CSRF token (the CSRF variable).
local lines = {}
for line in io.lines(os.getenv("URLS")) do
  if line ~= "" then lines[#lines + 1] = line end
end
local body = "csrf_token=" .. (os.getenv("CSRF") or "")
math.randomseed(os.time())

request = function()
  local line = lines[math.random(#lines)]
  local path = line:match("^POST (.+)$")
  if path then
    -- Headers given here replace wrk's own (the session cookie among them): copy them.
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", line)
end
