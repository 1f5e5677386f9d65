-- lua run-health.lua HEALTH_SCRIPT OBJECT.json
-- Runs an Argo CD health script the way Argo CD does (the object as the global `obj`, the script returns a table
-- with status and message) and prints the status and the message on two lines.
local cjson = require("cjson")
local file = assert(io.open(arg[2]))
local text = file:read("*a")
file:close()
obj = cjson.decode(text)
local hs = assert(loadfile(arg[1]))()
io.write(hs.status, "\n", hs.message or "", "\n")
