# Handovers between couriers (core/src/handover.rs, core/src/custody.rs,
# screens/src/handover_page.rs). Reason and status ids follow the protocol's stable names
# (`_` written `-`).

## Why a courier hands a task over.
handover-reason-vehicle-breakdown = Vehicle breakdown
handover-reason-too-far = Too far
handover-reason-overload = Too many orders
handover-reason-ending-shift = Shift ending
handover-reason-safety = Safety
handover-reason-other = Other reason

## Where a handover stands.
handover-status-requested = Handover asked for; waiting for dispatch to name a courier
handover-status-assigned = Receiving courier named; the goods are still with the first courier
handover-status-completed = Handed over
handover-status-void = Handover void

## Who holds the goods.
custody-mine = In your care
custody-incoming = Being handed to you: yours once every bag is scanned
custody-handed-over = Handed over to another courier

## Blockers and action names.
blocker-handover-incoming = the goods are still with the other courier: scan every bag to take them over ({ $scanned } of { $expected } bags scanned)
blocker-handover-pending = a handover of this task is already asked for
what-request-handover = hand over task { $task }
what-receive-handover = take over task { $task }
action-request-handover = asking for a handover
action-receive-handover = taking over a handover

## The pages.
offer-request-handover = Hand over
offer-receive-handover = Scan bags to take over
offer-scan-bag = Type a bag code
input-handover-reason = Reason
input-handover-note = Note
handover-title = Handover of task { $task }
handover-progress = { $scanned } of { $expected } bags scanned
handover-reason-line = Reason: { $reason }
handover-requested-at = { $time } asked for the handover
handover-assigned-at = { $time } receiving courier named
handover-completed-at = { $time } handed over (last bag scanned { $scanned })
handover-voided-at = { $time } handover void
handover-pending-sync = not yet on the server
handover-bag-scanned = Scanned
handover-bag-waiting = To scan
verdict-handover-received = Every bag scanned: the task is yours
notice-handover-requested = Handover asked for; you will see the receiving courier once dispatch names one
offer-show-handover = Handover

# A nearby courier takes a handover
error-take-handover-to-self = This is your own handover request: you cannot take it.
error-take-courier-off-duty = You are not on duty (or on a break): start your shift to take a handover.
error-take-handover-already-assigned = Another courier took this handover, or dispatch named one.
error-take-no-handover-requested = This task no longer needs handing over.
error-take-task-final = This task is finished: it cannot be taken.

# Handovers nearby (screens/src/nearby_handovers_page.rs)
title-nearby-handovers = Handovers nearby
offer-open-nearby-handovers = Handovers nearby
offer-refresh-nearby-handovers = Refresh
offer-take-handover = Take over
offer-allow-location = Turn on location
nearby-summary = Other couriers asking to hand an order over, within { $radius } of you, nearest first.
nearby-as-of = As of { $time }
nearby-fetching = Looking for handover requests near you…
nearby-taking = Taking over task { $task }…
nearby-offline = You are offline: the list is as of { $time }. Taking over needs a connection.
nearby-offline-no-list = You are offline: the requests near you are shown once the phone is back online.
nearby-failed = The requests near you could not be fetched: { $reason }
nearby-no-position = Your position is not known yet: turn location on to see the requests near you.
nearby-waiting-position = Waiting for your position…
nearby-needs-connection = taking over needs a connection
nearby-take-under-way = another take is under way
nearby-empty = No courier near you is asking to hand an order over.
nearby-entry-title = Task { $task } · { $distance } away
nearby-bags =
    { $n ->
        [one] 1 bag
       *[other] { $n } bags
    }
nearby-note = Note: { $note }
nearby-asked = Asked for { $age } ago
notice-handover-taken = You are taking over task { $task }: meet the courier and scan every bag; the order is yours once the last bag is scanned.
