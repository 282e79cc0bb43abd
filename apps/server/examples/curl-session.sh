#!/usr/bin/env bash
# Save, get, search and delete one vCon. Start the server first, with the same key in both shells:
#   export VCON_API_KEY="$(openssl rand -hex 32)" && pnpm start     # at the repo root
set -euo pipefail
BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
AUTH="Authorization: Bearer ${VCON_API_KEY:?export VCON_API_KEY, the key the server was started with}"

# Save: 201 with the uuid and each storage's outcome
curl -sS --fail-with-body -X POST "$BASE_URL/vcons" -H "$AUTH" -H 'content-type: application/json' -d '{
  "uuid": "0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d",
  "created_at": "2026-01-15T09:30:00Z",
  "subject": "Billing question",
  "parties": [{ "tel": "+15551230001", "name": "Alice" }, { "mailto": "support@example.com" }]
}'
echo

# Get it back
curl -sS --fail-with-body "$BASE_URL/vcons/0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d" -H "$AUTH"
echo

# Search by phone number (+ is %2B in a URL)
curl -sS --fail-with-body "$BASE_URL/vcons?tel=%2B15551230001&limit=10" -H "$AUTH"
echo

# Delete it
curl -sS --fail-with-body -X DELETE "$BASE_URL/vcons/0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d" -H "$AUTH"
echo
