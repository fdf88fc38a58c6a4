-- wrk script for benchmarks/beacon.py: POSTs beacons as static/js/count.js
-- sends them. BEACON_IDS: live article ids (comma-separated), taken in turn;
-- BEACON_UA: a reader's browser; every request from another reader (a
-- random X-Real-IP) unless BEACON_ONE_CLIENT is set (a flood).
local ids = {}
for id in string.gmatch(os.getenv("BEACON_IDS") or "1", "[^,]+") do
  ids[#ids + 1] = id
end
local ua = os.getenv("BEACON_UA") or "Mozilla/5.0"
local one_client = os.getenv("BEACON_ONE_CLIENT")
local n = 0
local counter = 1

function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() + (offset or 0))
  n = offset or 0
end

request = function()
  n = n + 1
  local body = "page=article&article=" .. ids[(n % #ids) + 1]
  if n % 5 == 0 then
    body = body .. "&referrer=news.example.com"
  end
  local address = "198.51.100.1"
  if not one_client then
    address = string.format(
      "10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)
    )
  end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8",
    ["User-Agent"] = ua,
    ["X-Real-IP"] = address,
  }, body)
end
