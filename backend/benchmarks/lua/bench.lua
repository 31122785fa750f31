-- One wrk script for every scenario: `wrk -s bench.lua URL -- MODE N VALUES_FILE PREFIX PAGES`.
-- MODE: get (fixed path from VALUES_FILE... see below), list, page, page017, one, pid, q, q017,
-- post, mix. N: ids are 1..N. VALUES_FILE: one value a line (patientIDs, or search fragments),
-- "-" for none. PREFIX: makes POSTed patientIDs unique across runs. PAGES: pages to pick from.
-- `done` prints one JSON line the Python harness parses. Headers given to wrk with -H (the
-- API's `Authorization: Bearer ...` or session cookie) go on every request, POSTs included.

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local mode, n, values, prefix, pages, seq, post_headers

local function readlines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  mode = args[1] or "list"
  n = tonumber(args[2] or "1")
  if args[3] and args[3] ~= "-" then values = readlines(args[3]) end
  prefix = args[4] or "x"
  pages = tonumber(args[5] or "1")
  seq = 0
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  -- wrk.format uses a headers table given to it instead of wrk.headers (the -H ones), so the
  -- POSTs' table starts as a copy of them.
  post_headers = {}
  for name, value in pairs(wrk.headers) do post_headers[name] = value end
  post_headers["Content-Type"] = "application/json"
end

local function pick()
  return values[math.random(1, #values)]
end

local function one() return wrk.format("GET", "/patients/" .. math.random(1, n)) end
local function pid() return wrk.format("GET", "/patients?patientID=" .. urlencode(pick())) end
local function page()
  return wrk.format("GET", "/patients?_page=" .. math.random(1, pages) .. "&_per_page=20&_sort=name")
end
local function post()
  seq = seq + 1
  local body = string.format(
    '{"patientID":"W%s-%d-%d","name":"Bench Patient %d","age":%d,"gender":"Female",'
      .. '"medicalCondition":"Asthma","lastVisit":"2024-03-01"}',
    prefix, tid or 0, seq, seq, math.random(1, 99))
  return wrk.format("POST", "/patients", post_headers, body)
end

local builders = {
  list = function() return wrk.format("GET", "/patients") end,
  get = function() return wrk.format("GET", values[1]) end,
  page = page,
  one = one,
  pid = pid,
  -- json-server 1.0 and this API page with _per_page; 0.17 with _limit.
  q = function() return wrk.format("GET", "/patients?q=" .. urlencode(pick()) .. "&_page=1&_per_page=20") end,
  q017 = function() return wrk.format("GET", "/patients?q=" .. urlencode(pick()) .. "&_page=1&_limit=20") end,
  post = post,
  mix = function()
    local roll = math.random()
    if roll < 0.1 then return post() end
    if roll < 0.4 then return one() end
    if roll < 0.7 then return pid() end
    return page()
  end,
}

function request()
  return builders[mode]()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,'
      .. '"status":%d,"timeout":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
