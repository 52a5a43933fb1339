-- wrk script: each request is a random line of the file URLS names (paths with their
-- query), so the server sees many different pages, not one page repeated.
local paths = {}
for line in io.lines(os.getenv("URLS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
math.randomseed(os.time())

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
