-- One wrk script for every scenario: `wrk -s bench.lua URL -- MODE N VALUES_FILE PREFIX PAGES`.
-- MODE: get (fixed path from VALUES_FILE... see below), list, page, page017, one, pid, q, q017,
-- post, mix. N: ids are 1..N. VALUES_FILE: one value a line (patientIDs, or search fragments),
-- "-" for none. PREFIX: makes POSTed patientIDs unique across runs. PAGES: pages to pick from.
-- Possible duplicates (benchmarks/duplicate_speed.py): match, similar, register, whose
-- VALUES_FILE lines are candidates "name<TAB>age<TAB>gender"; similar's PAGES is its _limit
-- (0: none).
-- `done` prints one JSON line the Python harness parses. Headers given to wrk with -H (the
-- API's `Authorization: Bearer ...` or session cookie) go on every request, POSTs included.

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local mode, n, values, prefix, pages, seq, post_headers
local candidates -- match, similar, register

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

-- A JSON string: quotes, backslashes and control characters escaped (UTF-8 passes as it is).
local function jsonstring(s)
  return '"' .. (s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)) .. '"'
end

-- Candidates "name<TAB>age<TAB>gender", each kept with its ready-made JSON fields and query.
local function parsed(lines)
  local out = {}
  for _, line in ipairs(lines) do
    local name, age, gender = line:match("^([^\t]+)\t(%d+)\t([^\t]+)$")
    if name then
      out[#out + 1] = {
        fields = string.format('"name":%s,"age":%s,"gender":%s', jsonstring(name), age, jsonstring(gender)),
        query = urlencode(name),
      }
    end
  end
  assert(#out > 0, "no candidate lines in VALUES_FILE")
  return out
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
  if mode == "match" or mode == "similar" or mode == "register" then candidates = parsed(values) end
end

local function pick()
  return values[math.random(1, #values)]
end

local function candidate() return candidates[math.random(1, #candidates)] end

-- Before registering: the register form's candidate, asked for its likely duplicates.
local function match()
  return wrk.format("POST", "/patients/match", post_headers, "{" .. candidate().fields .. "}")
end
-- Typo-tolerant search; with a _limit, as the front end's "Did you mean" asks.
local function similar()
  local limit = pages > 0 and ("&_limit=" .. pages) or ""
  return wrk.format("GET", "/patients?name_similar=" .. candidate().query .. limit)
end
-- Registering a patient with a realistic name (post's body otherwise), unique patientIDs.
local function register()
  seq = seq + 1
  local body = string.format(
    '{"patientID":"D%s-%d-%d",%s,"medicalCondition":"Asthma","lastVisit":"2024-03-01"}',
    prefix, tid or 0, seq, candidate().fields)
  return wrk.format("POST", "/patients", post_headers, body)
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
  match = match,
  similar = similar,
  register = register,
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
