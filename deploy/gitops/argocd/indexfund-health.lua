-- Argo CD health check for cryptoindex.io/IndexFund, from the fund's status (kstatus conventions):
--   being deleted, no status yet, or status.observedGeneration behind metadata.generation -> Progressing
--   Stalled=True (invalid spec, credentials or exchange unavailable, failed rebalance)     -> Degraded
--   Reconciling=True because spec.suspend or spec.dryRun pauses a rebalance                -> Suspended
--   Reconciling=True (a rebalance is executing, or waiting for the exchange)                 -> Progressing
--   Ready=True                                                                               -> Healthy
--   Ready=False because spec.suspend is set                                                  -> Suspended
--   Ready=False because a rebalance is due and about to start                                -> Progressing
--   anything else (prices stale, provider unavailable, no Ready condition)                   -> Degraded
-- Conditions are looked up by type, whatever their order in the list. Reconciling comes before Ready as in kstatus
-- (Flux, Helm 4 --wait), so all three tools agree that a fund in the middle of a rebalance is still progressing; a
-- rebalance paused by spec.suspend or spec.dryRun is the exception (kstatus alone would wait for it until a timeout).
local hs = {}

local function condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function text(c, fallback)
  if c ~= nil and type(c.message) == "string" and c.message ~= "" then
    return c.message
  end
  return fallback
end

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "IndexFund is being deleted"
  return hs
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to evaluate the fund"
  return hs
end

local generation = obj.metadata and obj.metadata.generation
local observed = obj.status.observedGeneration
if observed == nil or (generation ~= nil and observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end

local conditions = obj.status.conditions
local stalled = condition(conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = text(stalled, "IndexFund is stalled")
  return hs
end

local ready = condition(conditions, "Ready")
local reconciling = condition(conditions, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" and (reconciling.reason == "Suspended" or reconciling.reason == "DryRun") then
  -- A paused rebalance sends nothing until a person clears the setting: waiting on them, not progressing.
  hs.status = "Suspended"
  hs.message = text(ready, text(reconciling, "Rebalance paused"))
  return hs
end

if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = text(reconciling, "Rebalance in progress")
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready, "IndexFund is ready")
  return hs
end

if ready ~= nil and ready.reason == "Suspended" then
  hs.status = "Suspended"
  hs.message = text(ready, "IndexFund is suspended")
  return hs
end

if ready ~= nil and ready.reason == "RebalanceNeeded" then
  hs.status = "Progressing"
  hs.message = text(ready, "A rebalance is due")
  return hs
end

hs.status = "Degraded"
hs.message = text(ready, "IndexFund has no Ready condition")
return hs
