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
list-separator = {"; "}

# Titles and navigation.
title-sign-in = Sign in
title-tasks = Orders
title-scan = Scan items
title-problem = Report a problem
title-ratings = Ratings
title-kpis = My figures
tab-tasks = Orders
tab-ratings = Ratings
tab-kpis = Figures
tab-language = 中文
offer-back = Back
tap-not-offered = That action is not available on this screen any more.

# Sign-in and the sync banner.
sign-in-text = Sign in to receive orders. Actions saved on this phone are kept.
offer-sign-in = Sign in
input-token = Access token
input-token-required = Enter your access token.
banner-sign-in = { $pending ->
    [0] Your session has expired: sign in again.
    [one] Your session has expired: sign in again to send 1 saved action.
   *[other] Your session has expired: sign in again to send { $pending } saved actions.
}
banner-synced = Everything is sent.
banner-offline = Offline. Actions are saved on this phone.
banner-offline-pending = { $pending ->
    [one] Offline · 1 action saved on this phone, waiting { $age }
   *[other] Offline · { $pending } actions saved on this phone, oldest waiting { $age }
}
banner-pending = { $pending ->
    [one] 1 action not sent yet, waiting { $age }
   *[other] { $pending } actions not sent yet, oldest waiting { $age }
}
banner-uploading = { $pending ->
    [one] Sending 1 action…
   *[other] Sending { $pending } actions…
}
offer-sync-now = Sync now

# The shift bar.
shift-off-duty = Off duty
shift-on-duty = On duty
shift-on-break = On a break
shift-figures = { $duration } on duty · { $distance } · { $delivered ->
    [one] 1 delivered
   *[other] { $delivered } delivered
}
shift-figures-off = Start your shift to receive orders.
offer-start-break = Take a break
offer-start-of-shift-checklist = Start-of-shift checklist

# The task list.
tasks-summary = { $now } now · { $next } next · { $later } later · { $done } done today
tasks-empty = No orders yet. New orders appear here.
group-now = Now
group-next = Next
group-later = Later
group-done-today = Done today
task-title = { $from } → { $to }
customer-removed = Customer details removed
row-due = Due { $time }
row-unsent = { $n ->
    [one] 1 action not sent yet
   *[other] { $n } actions not sent yet
}
lateness-on-time = On time · ETA { $eta }
lateness-at-risk = At risk · ETA { $eta }
lateness-late = Late · ETA { $eta }
offer-open-task = Details

# Statuses and kinds.
status-assigned = New order
status-accepted = Accepted
status-at-pickup = At the pickup
status-picked-up = On the way
status-at-dropoff = At the drop-off
status-delivered = Delivered
status-failed = Delivery failed: bring it back
status-returned = Returned
status-cancelled = Cancelled
kind-food = Food
kind-grocery = Grocery
kind-parcel = Parcel
kind-return-pickup = Return pickup
role-pickup = Pickup
role-dropoff = Drop-off
role-return = Return
temperature-ambient = Ambient
temperature-chilled = Chilled
temperature-frozen = Frozen
temperature-hot = Hot

# The task page.
stop-ready = Ready { $time }
stop-due = Due { $time }
stop-eta = ETA { $time }
item-name = { $quantity ->
    [1] { $name }
   *[other] { $name } × { $quantity }
}
item-confirmed = Confirmed
item-pending = To scan
offer-call-customer = Call customer
offer-record-call = No answer
template-arriving-in = Message: arriving soon
template-at-the-door = Message: at the door
template-left-at-reception = Message: left at reception
template-left-at-door = Message: left at the door
offer-open-map = Navigate with { $app }
map-app-google = Google Maps
map-app-apple = Apple Maps
map-app-waze = Waze
map-app-amap = Amap
map-app-baidu = Baidu Maps
offer-scan-items = Scan items
offer-checklist = Checklist: { $stage }
offer-proof-photo = Photo of the goods at the door
offer-signature = Customer signature
offer-handoff-code = Enter the customer's code
input-handoff-code = Customer's code
offer-report-problem = Report a problem
note-contactless = Contactless: leave the goods at the door and take a photo.
note-handoff-code = The customer will show a code: check it before handing over.
note-handoff-code-verified = Customer's code checked.
note-proof-taken = { $n ->
    [one] 1 proof photo taken
   *[other] { $n } proof photos taken
}
no-phone = This order has no number to call.
input-reason = Reason
event-accept = Accepted
event-arrive = Arrived
event-pick-up = Picked up
event-delivered = Delivered
event-fail = Delivery failed
event-returned = Returned
event-report-exception = Problem reported
event-correct-pin = Map pin corrected
event-contact-attempt = Customer contacted
event-send-message = Message sent
event-scan = Item scanned
event-confirm-item = Item confirmed by hand
event-handoff-code = Customer's code entered
event-answer = Checklist answered
event-rate-stop = Stop rated
event-appeal = Rating appealed
event-shift = Shift changed
event-other = { $kind }

# Scanning.
scan-progress = { $stage }: { $confirmed } of { $expected } confirmed
offer-start-camera = Turn on the camera
offer-type-code = Type the code
input-code = Code
input-code-required = Enter or scan a code.
offer-done-scanning = Done
offer-item-photo = Photo of the label
offer-confirm-by-hand = Confirm by hand
camera-denied = No camera permission: type the code, or confirm the item by hand with a photo.
verdict-confirmed = Confirmed.
verdict-duplicate = Already scanned.
verdict-other-task = Wrong bag: this belongs to order { $task }.
verdict-not-mine = Not one of your orders: do not take it.
verdict-unreadable = The code could not be read: scan it again.
verdict-expired = Expired on { $date }: do not hand it over; report it.
verdict-wrong-temperature = Wrong temperature: the order needs { $expected } goods, the label says { $found }. Do not hand it over.

# Checklists.
stage-start-of-shift = Start of shift
stage-pickup = Pickup
stage-dropoff = Drop-off
stage-failure = Failed delivery
checklist-summary = { $done } of { $total } done
answer-confirm = Done
answer-confirmed = Done
answer-yes = Yes
answer-no = No
answer-enter = Enter
answer-choose = Choose
answer-scan = Scan
answer-signed = Signed
answer-photos = { $n ->
    [one] 1 photo
   *[other] { $n } photos
}
input-number = Value ({ $unit })
offer-checklist-photo = Take a photo
checklist-out-of-range = Out of range: allowed { $min } to { $max } { $unit }.
checklist-needs-yes = The procedure needs "yes" here.
checklist-needs-no = The procedure needs "no" here.

# The problem sheet.
reason-customer-unreachable = Customer unreachable
reason-wrong-address = Wrong address
reason-customer-refused = Customer refused
reason-goods-damaged = Goods damaged
reason-merchant-delay = Merchant delay
reason-vehicle-breakdown = Vehicle breakdown
reason-accident = Accident
reason-checklist-breach = Procedure breach
problem-ends-delivery = Ends the delivery: the goods go back.
problem-goes-on = The order goes on.
problem-photos = { $n ->
    [0] No photos yet
    [one] 1 photo added
   *[other] { $n } photos added
}
offer-problem-photo = Add a photo
input-note = Note
input-ready-in = Ready in (minutes)
input-ready-in-range = Give the minutes until the goods are ready: 1 to { $max }.

# Ratings.
rating-source-customer = customer
rating-source-merchant = merchant
rating-source-platform = platform
rating-title = { $stars ->
    [0] From the { $source }
    [one] 1 star from the { $source }
   *[other] { $stars } stars from the { $source }
}
appeal-pending = Appeal pending
appeal-upheld = Appeal upheld: not counted
appeal-rejected = Appeal rejected
offer-appeal = Appeal (until { $until })
offer-rate-merchant = Rate the merchant
offer-rate-dropoff = Rate the drop-off
input-stars = Stars (1 to 5)
input-stars-range = Give 1 to 5 stars.
input-comment = Comment
rate-until = Can be rated until { $time }
ratings-empty = No ratings yet.

# Figures.
kpi-period-month = This month · { $deliveries ->
    [one] 1 delivery
   *[other] { $deliveries } deliveries
}
kpi-on-time = On time
kpi-peak-time = Delivery time at peak
kpi-off-peak-time = Delivery time off-peak
kpi-order-errors = Order errors
kpi-delays = Late by 10 min or more
kpi-satisfaction = Satisfied customers
kpi-minutes = { $n } min
kpi-at-least = Target: at least { $target }
kpi-at-most = Target: at most { $target }
kpi-no-value = —
kpi-no-data = No data yet
kpi-below-target = Below target
kpi-on-target = On target

# Notices after a tap.
notice-delivered = Delivered.
notice-code-verified = Code correct: hand the goods over.
notice-code-wrong = { $left ->
    [one] Wrong code: 1 try left.
   *[other] Wrong code: { $left } tries left.
}
notice-code-locked = Too many wrong codes: hand over with a photo or call support.
notice-message-queued = Message queued for the customer.
notice-report-sent = Problem reported.
notice-rated = Thanks for rating.
notice-appealed = Appeal sent.

# Effects.
prompt-proof-photo = Photograph the goods where you leave them.
prompt-signature = Please sign to confirm you received the order.
prompt-problem-photo = Photograph what went wrong.
prompt-item-photo = Photograph the item's label.
prompt-checklist-photo = Take the photo the checklist asks for.
rationale-camera = The camera scans the labels of the orders you carry.
rationale-location = Your location detects arrivals at pickups and drop-offs.
rationale-background-location = During a shift, location keeps detecting arrivals while you use a maps app.
rationale-notifications = Notifications tell you about new orders and stops at risk of being late.
notify-new-task-title = New order
notify-new-task-body = { $title }
notify-late-title = Stop at risk of being late
notify-late-body = { $role } of { $title }: due { $due }, ETA { $eta }.
notify-refused-title = Action refused
notify-refused-body = The server refused an action on order { $task }. Open it to see why.
notify-rating = New rating
notify-appeal-upheld = Appeal upheld
notify-appeal-rejected = Appeal rejected
notify-rating-body = { $stars ->
    [0] Order { $task }
   *[other] Order { $task }: { $stars } ★
}
input-not-a-number = “{ $text }” is not a number.
input-unknown-field = This action does not take that input.
note-no-location = Location is off for this app: arrivals are not detected. Confirm each arrival by hand with a reason.
banner-photos-missing = { $n ->
    [one] 1 photo was lost before it could be sent: take it again where you can.
   *[other] { $n } photos were lost before they could be sent: take them again where you can.
}
