# The core's nouns inside sentences (core/src/wording.rs): stops, checklists, proofs, contact
# channels, actions. Ids follow the core's stable names (`StopRole::as_str`, `_` as `-`).
# Statuses, shift states, kinds, reasons and template names are labels: screens.ftl.

## A stop of a task, inside a sentence ("your arrival at the pickup").
stop-name-pickup = the pickup
stop-name-dropoff = the drop-off
stop-name-return = the return stop

## A checklist, inside a sentence ("complete the pickup checklist").
checklist-name-start-of-shift = start-of-shift checklist
checklist-name-pickup = pickup checklist
checklist-name-dropoff = drop-off checklist
checklist-name-failure = failed-delivery checklist

## How a delivery is proven.
proof-none = No proof needed
proof-photo = Photo at the door
proof-signature = Customer's signature
proof-code = Customer's handoff code

## How the courier reaches the customer.
channel-call = Call
channel-message = Message

## A courier action, as a noun ("accepting is not possible now").
action-accept = accepting
action-arrive = confirming the arrival
action-pick-up = picking up
action-delivered = delivering
action-fail = reporting a failed delivery
action-returned = closing the return
action-report-exception = reporting a problem
action-correct-pin = moving the pin
action-contact-attempt = contacting the customer
action-send-message = messaging the customer
action-scan = scanning
action-confirm-item = confirming an item
action-handoff-code = checking the handoff code
action-answer = answering the checklist
action-rate-stop = rating the stops
action-appeal = appealing the rating
action-answer-case = answering the case
action-set-aside = setting the item aside
action-shift = changing the shift
