# Shared nouns: statuses, stops, checklists, proofs, reasons, channels, templates, actions.
# Ids follow the core's stable names (`TaskStatus::as_str` with `_` as `-`).

## A task's status, as a courier reads it on the list.
status-assigned = New
status-accepted = Accepted
status-at-pickup = At pickup
status-picked-up = Picked up
status-at-dropoff = At drop-off
status-delivered = Delivered
status-failed = Failed, returning
status-returned = Returned
status-cancelled = Cancelled

## The courier's shift.
shift-off-duty = Off duty
shift-on-duty = On duty
shift-on-break = On break

## What kind of work a task is.
kind-food = Food
kind-grocery = Grocery
kind-parcel = Parcel
kind-return-pickup = Return pickup

## A stop of a task, inside a sentence ("your arrival at the pickup").
role-pickup = the pickup
role-dropoff = the drop-off
role-return = the return stop

## A checklist, inside a sentence ("complete the pickup checklist").
stage-start-of-shift = start-of-shift checklist
stage-pickup = pickup checklist
stage-dropoff = drop-off checklist
stage-failure = failed-delivery checklist

## How a delivery is proven.
proof-none = No proof needed
proof-photo = Photo at the door
proof-signature = Customer's signature
proof-code = Customer's handoff code

## Why a delivery or pickup did not go as planned (the problem sheet).
reason-customer-unreachable = Customer unreachable
reason-wrong-address = Wrong address
reason-customer-refused = Customer refused the order
reason-goods-damaged = Goods damaged
reason-merchant-delay = Merchant not ready
reason-vehicle-breakdown = Vehicle breakdown
reason-accident = Accident or safety issue
reason-checklist-breach = Outside the procedure

## How the courier reaches the customer.
channel-call = Call
channel-message = Message

## The names of the messages a courier can send the customer.
template-arriving-in = Arriving soon
template-at-the-door = At the door
template-left-at-reception = Left at reception
template-left-at-door = Left at the door

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
action-shift = changing the shift
