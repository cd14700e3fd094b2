#!/usr/bin/env bash
# Loads a small realistic dataset through the API itself (so every rule applies):
# two users, a shared trip with bookings of each type, and a second trip.
#   scripts/seed-demo.sh [BASE_URL]     (default http://127.0.0.1:7071)
set -euo pipefail
base="${1:-http://127.0.0.1:7071}"
post() { curl -fsS -X POST "$base$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} ${4:+-H "Idempotency-Key: $4"} -d "$2"; }
field() { sed -E "s/.*\"$1\":\"?([^\",}]*)\"?.*/\1/"; }

register() { # email first last -> access token (registers once; later runs just sign in)
  post /api/users "{\"email\":\"$1\",\"password\":\"demo-password-123\",\"firstName\":\"$2\",\"lastName\":\"$3\"}" >/dev/null 2>&1 || true
  post /api/auth/token "{\"email\":\"$1\",\"password\":\"demo-password-123\"}" | field accessToken
}

ada=$(register ada@demo.travel Ada Lovelace)
grace=$(register grace@demo.travel Grace Hopper)

trip=$(post /api/trips '{"title":"Lisbon and Porto in spring","description":"Tiles, trams and port wine","tripType":"leisure",
  "startDate":"2027-04-10","endDate":"2027-04-18","originCity":"London","originCountry":"GB",
  "destinations":[{"city":"Lisbon","country":"PT","arrivalDate":"2027-04-10","departureDate":"2027-04-14"},
                  {"city":"Porto","country":"PT","arrivalDate":"2027-04-14","departureDate":"2027-04-18"}],
  "budget":{"amount":2400,"currency":"EUR"},"travelerCount":2}' "$ada" | field id)
post "/api/trips/$trip/collaborators" '{"email":"grace@demo.travel","role":"editor"}' "$ada" >/dev/null || true
post "/api/trips/$trip/collaborators/accept" '' "$grace" >/dev/null || true

post "/api/trips/$trip/bookings" '{"bookingType":"flight","totalAmount":312.40,"currency":"EUR","supplierName":"TAP Air Portugal","cancellable":true,
  "cancellationDeadline":"2027-04-01T00:00:00Z","cancellationFee":50,
  "details":{"origin":"LHR","destination":"LIS","departureTime":"2027-04-10T07:05:00+01:00","arrivalTime":"2027-04-10T09:40:00+01:00",
             "airline":"TP","flightNumber":"1351","passengers":2,"cabinClass":"economy"}}' "$ada" demo-flight-1 >/dev/null || true
post "/api/trips/$trip/bookings" '{"bookingType":"hotel","totalAmount":880,"currency":"EUR","supplierName":"Memmo Alfama","cancellable":true,
  "details":{"hotelName":"Memmo Alfama","checkIn":"2027-04-10","checkOut":"2027-04-14","guests":2,"rooms":1,"roomType":"double"}}' "$ada" demo-hotel-1 >/dev/null || true
post "/api/trips/$trip/bookings" '{"bookingType":"activity","totalAmount":70,"currency":"EUR","cancellable":false,
  "details":{"activityName":"Fado night","date":"2027-04-12","time":"21:00","location":"Alfama","participants":2}}' "$grace" demo-activity-1 >/dev/null || true
post "/api/trips/$trip/bookings" '{"bookingType":"car_rental","totalAmount":190,"currency":"EUR","supplierName":"Sixt","cancellable":true,
  "details":{"company":"Sixt","pickupLocation":"Lisbon Airport","dropoffLocation":"Porto Airport","pickupTime":"2027-04-14T10:00:00+01:00",
             "dropoffTime":"2027-04-18T10:00:00+01:00","carClass":"compact"}}' "$grace" demo-car-1 >/dev/null || true

post /api/trips '{"title":"Berlin tech week","tripType":"business","startDate":"2027-06-01","endDate":"2027-06-05",
  "destinations":[{"city":"Berlin","country":"DE"}],"travelerCount":1}' "$grace" >/dev/null
echo "[seed] demo data loaded: sign in as ada@demo.travel or grace@demo.travel with password demo-password-123"
