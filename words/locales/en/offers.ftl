# Offers of work (core/src/offer.rs, core/src/offer_impact.rs, screens/src/task_offer_page.rs).
# Decline reasons keep the protocol's stable names (`_` written `-`).

## Decline reasons.
decline-reason-too-far = Too far
decline-reason-box-full = Box full
decline-reason-wrong-direction = Wrong direction
decline-reason-ending-shift = Ending my shift
decline-reason-other = Other reason

## Page and navigation.
title-offers = Offers
tab-offers = Offers
offers-empty = No offers right now.
offer-title = { $count ->
    [one] Offer { $offer }: one task
   *[other] Offer { $offer }: a stack of { $count } tasks
}
offer-left = { $duration } left to answer
offer-answer-by = Answer by { $time }
offer-state-open = Waiting for your answer
offer-state-accept-sent = Accepted, waiting for dispatch to confirm
offer-state-decline-sent = Declined, sending
offer-state-refused = Too late: the offer had expired when your acceptance reached dispatch. The tasks were not added.
offer-state-refused-withdrawn = Withdrawn: dispatch had taken the offer back before your acceptance reached it. The tasks were not added.
offer-task-line = { $kind }: { $from } → { $to }
offer-task-pickup-ready = Pickup ready { $time }
offer-task-due = Promised by { $time }
offer-impact = Adds { $duration } and { $distance } to your route
offer-impact-finish = You would finish at { $time } instead of { $before }
offer-impact-finish-new = You would finish at { $time }
offer-impact-unplannable = This offer cannot be fitted into your current route.
offer-impact-safe = No promised time put at risk
offer-impact-box-full = It would not fit in your box with what you carry
offer-risk-late = Late
offer-risk-at-risk = At risk
offer-risk-line = { $risk }: { $what }, promised { $due }, arriving { $eta }
offer-risk-offered = the offered { $role } of { $task }
offer-risk-own = your { $role } of { $task }

## Actions.
offer-accept = Accept
offer-decline = Decline: { $reason }
input-decline-note = Note (optional)

## Notices and notifications.
notice-offer-accepted = Offer accepted. Its tasks arrive once dispatch confirms.
notice-offer-declined = Offer declined.
notice-offer-refused = Too late: offer { $offer } had expired when your acceptance reached dispatch. Its tasks were not added.
notify-offer-title = New offer
notify-offer-body = { $title }: { $duration } to answer
notify-offer-refused-title = Offer expired
notify-offer-refused-body = Offer { $offer } had expired; your acceptance did not count.
notice-offer-withdrawn-refused = Offer { $offer } had been withdrawn by dispatch before your acceptance reached it. Its tasks were not added.
notify-offer-withdrawn-title = Offer withdrawn
notify-offer-withdrawn-body = Dispatch withdrew { $title }. It is no longer yours to answer.
notify-offer-withdrawn-refused-body = Offer { $offer } had been withdrawn; your acceptance did not count.

## Errors.
error-offer-not-found = Offer { $offer } is not on this phone.
error-offer-expired = Offer { $offer } has expired: it can no longer be answered.
error-offer-answered = Offer { $offer } has already been answered.

## Action names and the timeline.
action-accept-offer = accepting the offer
action-decline-offer = declining the offer
event-accept-offer = Offer accepted
event-decline-offer = Offer declined
