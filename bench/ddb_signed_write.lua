-- A wrk script that signs every request itself (SigV4, through OpenSSL's
-- libcrypto, which wrk links, by LuaJIT's FFI): each PutItem writes a new
-- key, each UpdateItem rewrites one of the loaded items in turn. Signing
-- costs wrk a few microseconds per request, far less than a server's call.
-- Configured by the environment:
--   DDB_OP      PutItem, UpdateItem or GetItem (of the loaded items in turn)
--   DDB_HOST    host:port as the Host header carries it (signed)
--   DDB_TABLE   table (hash key "k", a string)
--   DDB_KEYS    UpdateItem: the items k0 .. k<DDB_KEYS-1> to update in turn
--   DDB_RUN     a word that makes PutItem's keys new in every run
--   DDB_DELAY_MS  wait before each request on a connection (0: none; a
--                 lighter load, for the latency at a given rate)
-- Credentials: test / test, region ap-northeast-1.
local ffi = require("ffi")
ffi.cdef [[
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
const void *EVP_sha256(void);
unsigned char *HMAC(const void *evp_md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
]]
local C = ffi.C
local digest = ffi.new("unsigned char[32]")
local digest_len = ffi.new("unsigned int[1]")

local hexdigits = {}
for i = 0, 255 do hexdigits[i] = string.format("%02x", i) end
local function hex(buf)
  local out = {}
  for i = 0, 31 do out[i + 1] = hexdigits[buf[i]] end
  return table.concat(out)
end
local function sha256_hex(text)
  C.SHA256(text, #text, digest)
  return hex(digest)
end
local function hmac(key, text)
  C.HMAC(C.EVP_sha256(), key, #key, text, #text, digest, digest_len)
  return ffi.string(digest, 32)
end

local op = os.getenv("DDB_OP") or "PutItem"
local host = os.getenv("DDB_HOST")
local tablename = os.getenv("DDB_TABLE") or "bench"
local keys = tonumber(os.getenv("DDB_KEYS") or "100")
local run = os.getenv("DDB_RUN") or tostring(os.time())
local pause = tonumber(os.getenv("DDB_DELAY_MS") or "0")
local region, service = "ap-northeast-1", "dynamodb"
local value = string.rep("x", 990)

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local counter = 0
local day, amz_date, signing_key, second
local function refresh_time()
  local now = os.time()
  if now == second then return end
  second = now
  amz_date = os.date("!%Y%m%dT%H%M%SZ", now)
  local today = amz_date:sub(1, 8)
  if today ~= day then
    day = today
    signing_key = hmac(hmac(hmac(hmac("AWS4test", day), region), service), "aws4_request")
  end
end

local function body_of(n)
  if op == "PutItem" then
    local key = string.format("p%s-%d-%d", run, thread_id or 0, n)
    return '{"TableName": "' .. tablename .. '", "Item": {"k": {"S": "' .. key .. '"}, "v": {"S": "' .. value ..
             string.format("%010d", n) .. '"}}}'
  end
  local key = "k" .. ((n * 2 + (thread_id or 0)) % keys)
  if op == "GetItem" then return '{"TableName": "' .. tablename .. '", "Key": {"k": {"S": "' .. key .. '"}}}' end
  return '{"TableName": "' .. tablename .. '", "Key": {"k": {"S": "' .. key ..
           '"}}, "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "' .. value ..
           string.format("%010d", n) .. '"}}}'
end

function request()
  counter = counter + 1
  refresh_time()
  local body = body_of(counter)
  local target = "DynamoDB_20120810." .. op
  local canonical = "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:" .. host .. "\nx-amz-date:" ..
                      amz_date .. "\nx-amz-target:" .. target ..
                      "\n\ncontent-type;host;x-amz-date;x-amz-target\n" .. sha256_hex(body)
  local scope = day .. "/" .. region .. "/" .. service .. "/aws4_request"
  local to_sign = "AWS4-HMAC-SHA256\n" .. amz_date .. "\n" .. scope .. "\n" .. sha256_hex(canonical)
  C.HMAC(C.EVP_sha256(), signing_key, 32, to_sign, #to_sign, digest, digest_len)
  local headers = {
    ["Host"] = host,
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Date"] = amz_date,
    ["X-Amz-Target"] = target,
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/" .. scope ..
      ", SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. hex(digest),
  }
  return wrk.format("POST", "/", headers, body)
end

if pause > 0 then
  -- A mean wait of DDB_DELAY_MS (wrk waits whole milliseconds): a
  -- fraction is spread over the requests at random.
  local whole = math.floor(pause)
  function delay()
    if math.random() < pause - whole then return whole + 1 end
    return whole
  end
end
