# Units and formats (the numbers in them come formatted by ICU4X).
unit-m = { $value } m
unit-km = { $value } km
unit-seconds = { $n } s
unit-minutes = { $n } min
unit-hours-minutes = { $h } h { $m } min
unit-percent = { $value }%

# The primary action of a task or of the shift.
step-start-shift = Start shift
step-end-break = End break
step-accept = Accept
step-arrive-pickup = Arrived at pickup
step-arrive-dropoff = Arrived at drop-off
step-arrive-return = Arrived at return stop
step-pick-up = Picked up
step-deliver = Delivered
step-return = Returned
step-end-shift = End shift
step-wait-for-tasks = Waiting for orders
